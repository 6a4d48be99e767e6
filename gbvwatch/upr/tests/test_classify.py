"""Classification with the default taxonomy, on hand-labelled recommendations (written for
these tests, in the style of UPR reports), and manual overrides in the audit log."""

from __future__ import annotations

import json

import pytest

from gbvwatch.analysis.upr_classify import (
    TaxonomyError,
    classify,
    examples_check,
    rule_parse,
    taxonomy_parse,
)
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import AuditEntry
from gbvwatch.upr import actions
from gbvwatch.upr.models import Recommendation
from gbvwatch.upr.taxonomy import DEFAULT_FILE, taxonomy_load

GBV_GROUPS = {
    "istanbul_convention",
    "legal_reform_nap",
    "awareness_response",
    "violence_against_women",
}

GROUP_EXAMPLES = [
    (
        "Ratify the Council of Europe Convention on preventing and combating violence against "
        "women and domestic violence (Istanbul Convention) (Finland);",
        "istanbul_convention",
    ),
    ("Consider signing the Istanbul Convention (Andorra);", "istanbul_convention"),
    (
        "Accede to the Istanbul Convention and bring national law into line with it (France);",
        "istanbul_convention",
    ),
    (
        "Amend the Criminal Code so that marital rape is explicitly criminalized (Canada);",
        "legal_reform_nap",
    ),
    (
        "Adopt and implement a national action plan against domestic violence (Austria);",
        "legal_reform_nap",
    ),
    ("Adopt a comprehensive law on gender-based violence (Mexico);", "legal_reform_nap"),
    (
        "Train police officers, prosecutors and judges to handle cases of domestic violence "
        "(Ireland);",
        "awareness_response",
    ),
    ("Open shelters for women victims of violence in every region (Spain);", "awareness_response"),
    (
        "Raise public awareness of violence against women through campaigns (Ukraine);",
        "awareness_response",
    ),
    ("Combat violence against women and girls (Chad);", "violence_against_women"),
    ("Investigate and punish all cases of femicide (Argentina);", "violence_against_women"),
    (
        "Take measures to eliminate sexual violence against girls (Belgium);",
        "violence_against_women",
    ),
]
NOT_GBV = [
    # trafficking
    "Continue its efforts to combat human trafficking and provide assistance to victims, "
    "especially women and children (Singapore);",
    "Enforce the legislation on trafficking; investigate, prosecute and punish traffickers "
    "(Republic of Moldova);",
    "Step up efforts to prevent trafficking in persons, especially women and children (Belarus);",
    # economic and social rights
    "Continue to take further measures to enhance women's access to education, health and "
    "employment opportunities (Pakistan);",
    "Reduce the gender pay gap and promote women's employment (Iceland);",
    "Undertake further measures to protect social rights, including the rights of women "
    "(Uzbekistan);",
    # violence, but not gender-based
    "Investigate all incidents of intimidation and violence against journalists (Austria);",
]
ACTION_EXAMPLES = [
    ("Seek technical assistance from OHCHR for its reporting (Ghana);", 1, "seek"),
    ("Share its good practices on social housing with other States (Tajikistan);", 1, "share"),
    ("Continue its efforts to combat domestic violence (Cuba);", 2, "continue"),
    ("Maintain its cooperation with the special procedures (Egypt);", 2, "maintain"),
    ("Consider ratifying the Istanbul Convention (Portugal);", 3, "consider"),
    ("Give consideration to incorporating the Bangkok Rules (Thailand);", 3, "give consideration"),
    ("Take all necessary measures to protect women from violence (Italy);", 4, "take"),
    ("Further enhance gender equality (Thailand);", 4, "enhance"),
    ("Ratify the Istanbul Convention (Norway);", 5, "ratify"),
    ("Criminalize domestic violence as a separate offence (Sweden);", 5, "criminalize"),
]


@pytest.fixture
def taxonomy():
    return taxonomy_load(DEFAULT_FILE)


@pytest.mark.parametrize(("text", "group"), GROUP_EXAMPLES)
def test_hand_labelled_examples_land_in_their_group(text, group, taxonomy):
    result = classify(text, taxonomy)
    assert result.primary_group == group, (result.scores, result.matched_words)
    assert result.confidence > 0
    assert result.matched_words[group]  # the words that decided it are shown


@pytest.mark.parametrize("text", NOT_GBV)
def test_trafficking_and_economic_rights_do_not_land_in_a_gbv_group(text, taxonomy):
    result = classify(text, taxonomy)
    assert result.primary_group == ""
    assert not set(result.groups) & GBV_GROUPS
    assert result.confidence == 0


def test_trafficking_is_a_theme_not_a_group(taxonomy):
    result = classify(NOT_GBV[0], taxonomy)
    assert "trafficking" in result.themes
    assert "womens_rights" in result.themes


@pytest.mark.parametrize(("text", "category", "verb"), ACTION_EXAMPLES)
def test_action_category_follows_the_leading_verb(text, category, verb, taxonomy):
    result = classify(text, taxonomy)
    assert (result.action_category, result.leading_verb) == (category, verb)


def test_adverbs_before_the_verb_lower_the_action_confidence(taxonomy):
    plain = classify("Enhance gender equality (Thailand);", taxonomy)
    adverb = classify("Further enhance gender equality (Thailand);", taxonomy)
    assert plain.action_confidence == 1.0
    assert adverb.action_confidence == 0.8
    unknown = classify("Perambulate the national parks (Nowhere);", taxonomy)
    assert (unknown.action_category, unknown.action_confidence) == (None, 0.0)


def test_themes_are_multi_label(taxonomy):
    result = classify(
        "Protect women human rights defenders and LGBTI activists from online smear campaigns "
        "and child marriage (Canada);",
        taxonomy,
    )
    assert set(result.themes) >= {
        "womens_rights",
        "lgbti",
        "human_rights_defenders",
        "expression_online",
        "child_marriage",
    }


def test_two_groups_scoring_alike_halve_the_confidence(taxonomy):
    text = "Adopt a law on domestic violence and train the police to apply it (Italy);"
    result = classify(text, taxonomy)
    assert result.primary_group == "legal_reform_nap"  # ties go to the taxonomy's order
    assert result.confidence == 0.5
    assert result.groups[:2] == ("legal_reform_nap", "awareness_response")


def test_the_default_taxonomy_classifies_its_own_examples(taxonomy):
    assert examples_check(taxonomy) == []


def test_a_taxonomy_whose_examples_disagree_is_reported(taxonomy):
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["groups"][0]["examples"].append("Combat domestic violence (Chad);")
    problems = examples_check(taxonomy_parse(data))
    assert problems == [
        "istanbul_convention: example not recognised: Combat domestic violence (Chad);"
    ]


def test_malformed_taxonomies_are_refused_with_the_category_named():
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["themes"][1]["rules"] = ["+ gay"]
    with pytest.raises(TaxonomyError, match="theme lgbti"):
        taxonomy_parse(data)
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["actions"] = data["actions"][:4]
    with pytest.raises(TaxonomyError, match="1 to 5"):
        taxonomy_parse(data)
    with pytest.raises(TaxonomyError):
        rule_parse("a + ")


def test_a_custom_taxonomy_file_is_used(tmp_path, settings):
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["version"] = "custom-1"
    data["groups"] = [{"code": "shelters", "label": "Shelters", "rules": ["shelter*"]}]
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    settings.UPR_TAXONOMY_FILE = str(path)
    taxonomy = taxonomy_load()
    assert taxonomy.version == "custom-1"
    assert classify("Open more shelters (Chile);", taxonomy).primary_group == "shelters"


@pytest.fixture
def rec(db):
    rec = Recommendation(
        country="AZ",
        cycle=3,
        document="A/HRC/39/14",
        number="140.9",
        recommending_states="Peru",
        text="Strengthen the rule of law (Peru);",
    )
    rec.save()
    return rec


def test_manual_override_is_audited_with_before_and_after(rec, carol):
    actions.classification_override(
        actor=carol.user,
        recommendation=rec,
        primary_group="legal_reform_nap",
        themes=["womens_rights"],
        action_category=4,
        reason="The State's follow-up plan lists it under the domestic violence law.",
    )
    rec.refresh_from_db()
    assert (rec.primary_group, rec.classification_overridden) == ("legal_reform_nap", True)
    entry = AuditEntry.objects.get(action="upr.classify.override")
    assert entry.actor_label == "carol"
    assert entry.details["before"]["primary_group"] == ""
    assert entry.details["after"] == {
        "primary_group": "legal_reform_nap",
        "themes": ["womens_rights"],
        "action_category": 4,
    }
    # Reclassifying (after a taxonomy change) keeps a person's decision.
    assert actions.recommendations_reclassify(actor="test")["overrides_kept"] == 1
    rec.refresh_from_db()
    assert rec.primary_group == "legal_reform_nap"
    actions.classification_reset(actor=carol.user, recommendation=rec)
    rec.refresh_from_db()
    assert (rec.primary_group, rec.classification_overridden) == ("", False)
    assert AuditEntry.objects.filter(action="upr.classify.reset").count() == 1


def test_override_with_unknown_codes_or_no_reason_is_refused(rec, carol):
    for group, themes, category, reason in (
        ("nonsense", [], 4, "x"),
        ("", ["nonsense"], 4, "x"),
        ("", [], 9, "x"),
        ("", [], 4, " "),
    ):
        with pytest.raises(ActionError):
            actions.classification_override(
                actor=carol.user,
                recommendation=rec,
                primary_group=group,
                themes=themes,
                action_category=category,
                reason=reason,
            )
    assert not AuditEntry.objects.filter(action="upr.classify.override").exists()
