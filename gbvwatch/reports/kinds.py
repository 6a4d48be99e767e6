"""The three kinds of report as templates of sections, and the narrative blocks people edit.

A section lists the narrative blocks it shows, the computed parts it inserts (see document.py)
and the charts it shows (keys of gbvwatch.reports.charts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Narrative block key -> its default text. Paragraphs are separated by a blank line; lines that
# start with "- " are list items. A saved report's text for a key replaces the default.
NARRATIVE_DEFAULTS: dict[str, Promise] = {
    "introduction": _(
        "This statement is delivered on behalf of a national coalition of independent civil "
        "society organisations combating gender-based violence.\n\n"
        "None of these organisations were able to take part in national consultations; if any "
        "were held, no information about them has been made public.\n\n"
        "Our statement focuses on gender-based violence."
    ),
    "achievements": _(
        "Key achievements include:\n"
        "- Adoption of the National Action Plan to Combat Domestic Violence for 2020-2023.\n"
        "- Establishment of a new state-funded shelter in 2020.\n"
        "- Training sessions for several judges, lawyers and other legal professionals."
    ),
    "challenges": _(
        "However, significant challenges remain:\n"
        "- The Istanbul Convention has not yet been ratified.\n"
        "- Support services for survivors of gender-based violence are lacking, and feminist "
        "activists face digital attacks. We focus on these two challenges."
    ),
    "services_context": _(
        "Shelters are divided by gender and designed mainly for women and children. Transgender "
        "and gender-diverse people have difficulty getting a place, and are often refused; "
        "those admitted often have to leave because of discrimination.\n\n"
        "Survivors of rape and sexual assault need health care, testing and treatment for "
        "infections, emergency contraception, counselling and legal help. There is no "
        "specialised rape crisis centre, and forensic examination is not available around the "
        "clock, so evidence needed to prosecute sexual violence is often lost."
    ),
    "attacks_context": _(
        "Since the start of the feminist movement in 2019, pages of feminist and LGBTQ+ "
        "activists have been hacked and deleted, and their private communications, photos and "
        "recordings have been published to shame and harass them.\n\n"
        "In 2022, attempts to take over accounts and install spyware were recorded against "
        "human rights defenders and activists, feminist activists among them, who were then "
        "targeted with slut-shaming and online harassment."
    ),
    "recommendations": _(
        "Our recommendations are:\n"
        "- Increase the number of shelters for survivors of gender-based violence across the "
        "country to meet international standards, and make them open to all, including "
        "LGBTQ+ people.\n"
        "- Establish specialised rape crisis centres and provide forensic examination 24 hours "
        "a day, 7 days a week, for survivors of sexual assault and rape.\n"
        "- Investigate the digital attacks and online harassment against feminist activists "
        "and hold those responsible to account."
    ),
    "closing": _("Thank you."),
}
NARRATIVE_LABELS: dict[str, Promise] = {
    "introduction": _("Introduction"),
    "achievements": _("Achievements"),
    "challenges": _("Challenges"),
    "services_context": _("Support services: what the figures do not show"),
    "attacks_context": _("Digital attacks: context"),
    "recommendations": _("The coalition's recommendations"),
    "closing": _("Closing"),
}
NARRATIVE_MAX_CHARS = 20_000


def narrative_defaults(language: str) -> dict[str, str]:
    """The default text of every narrative block in `language`."""
    with translation.override(language):
        return {key: str(text) for key, text in NARRATIVE_DEFAULTS.items()}


@dataclass(frozen=True)
class SectionSpec:
    """One section of a report kind: its title, narrative blocks, computed parts and charts."""

    key: str
    title: str | Promise
    narrative: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # computed parts, built by gbvwatch.reports.document
    charts: tuple[str, ...] = ()
    narrative_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    """A report kind: its sections, whether it has slides, and whether it lists every figure."""

    code: str
    sections: tuple[SectionSpec, ...]
    slides: bool = False
    figure_table: bool = False
    words_per_minute: int = 0  # > 0 for texts meant to be spoken: the length is estimated


_RECEIVED = _("Recommendations received and their status")
_CHALLENGES = _("Challenges")
_SERVICES = _("Lack of support services for survivors")
_ATTACKS = _("Digital attacks and impunity")
_OURS = _("The coalition's recommendations")

KINDS: dict[str, KindSpec] = {
    "statement": KindSpec(
        "statement",
        (
            SectionSpec("introduction", _("Introduction"), ("introduction",)),
            SectionSpec("received", _RECEIVED, parts=("upr_groups",)),
            SectionSpec("achievements", _("Achievements"), ("achievements",)),
            SectionSpec("challenges", _CHALLENGES, ("challenges",)),
            SectionSpec(
                "services",
                _SERVICES,
                parts=("shelters", "distance", "capacity", "forensic"),
                narrative_after=("services_context",),
            ),
            SectionSpec("attacks", _ATTACKS, ("attacks_context",), parts=("attacks",)),
            SectionSpec("ours", _OURS, ("recommendations",), narrative_after=("closing",)),
        ),
        slides=True,
        # Speakers at the UN are asked to leave interpreters time: about 100-120 words a minute.
        words_per_minute=110,
    ),
    "shadow": KindSpec(
        "shadow",
        (
            SectionSpec("introduction", _("Introduction"), ("introduction",)),
            SectionSpec(
                "received",
                _RECEIVED,
                parts=("upr_groups", "upr_status"),
                charts=("recommendations",),
            ),
            SectionSpec("achievements", _("Achievements"), ("achievements",)),
            SectionSpec("challenges", _CHALLENGES, ("challenges",)),
            SectionSpec(
                "services",
                _SERVICES,
                parts=("shelters", "distance", "capacity", "forensic", "refusals"),
                charts=(
                    "shelter_places",
                    "women_by_distance",
                    "distance_map",
                    "services_map",
                    "forensic_calendar",
                ),
                narrative_after=("services_context",),
            ),
            SectionSpec(
                "attacks",
                _ATTACKS,
                ("attacks_context",),
                parts=("attacks",),
                charts=("cases_by_year",),
            ),
            SectionSpec("ours", _OURS, ("recommendations",)),
        ),
        figure_table=True,
    ),
    "factsheet": KindSpec(
        "factsheet",
        (
            SectionSpec(
                "key_figures",
                _("Key figures"),
                parts=("upr_groups", "shelters", "distance", "forensic", "attacks"),
                charts=("shelter_places",),
            ),
            SectionSpec("ours", _OURS, ("recommendations",)),
        ),
    ),
}


def narrative_keys(kind: str) -> tuple[str, ...]:
    """The narrative blocks a report of this kind shows, in order."""
    keys: list[str] = []
    for section in KINDS[kind].sections:
        keys += [k for k in (*section.narrative, *section.narrative_after) if k not in keys]
    return tuple(keys)


def chart_keys(kind: str) -> tuple[str, ...]:
    """The charts a report of this kind shows (slides included), in order."""
    keys: list[str] = []
    for section in KINDS[kind].sections:
        keys += [k for k in section.charts if k not in keys]
    if KINDS[kind].slides:
        keys += [k for k in SLIDE_CHARTS if k not in keys]
    return tuple(keys)


# Charts shown on the slides of a statement, by slide key.
SLIDE_CHART_BY_SLIDE: dict[str, tuple[str, ...]] = {
    "received": ("recommendations",),
    "shelters": ("shelter_places", "distance_map"),
    "forensic": ("forensic_calendar",),
    "attacks": ("cases_by_year",),
}
SLIDE_CHARTS = tuple(k for keys in SLIDE_CHART_BY_SLIDE.values() for k in keys)
