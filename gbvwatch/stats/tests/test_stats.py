"""Coalition statistics built from the statement's case: 15 digital attacks on feminist
activists in 2020-2021, documented by three organisations, complaints filed on every one of
them and none resolved ("Despite official complaints, none of the cases were resolved or
redressed")."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gbvwatch.accountability.actions import complaint_file, complaint_respond
from gbvwatch.cases.attacks_actions import AttackSecrets, attack_create
from gbvwatch.cases.models import Attack
from gbvwatch.conftest import Actor, make_member
from gbvwatch.core import actions as core_actions
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import AuditEntry, Role
from gbvwatch.stats.actions import coalition_consent_set, release_approve, release_freeze
from gbvwatch.stats.models import Release, ReleaseStatus
from gbvwatch.stats.report import (
    GRAND_TOTAL,
    StatsParameters,
    count_table,
    hidden_margins,
    linked_tables,
    stats_report,
)

# Per organisation: (platform, kinds, started on) of its five attacks; 2 in 2020, 3 in 2021.
ATTACKS = [
    ("instagram", ["account_takeover", "page_deletion"], dt.date(2020, 3, 2)),
    ("facebook", ["smear_campaign"], dt.date(2020, 9, 14)),
    ("instagram", ["private_content_leak", "smear_campaign"], dt.date(2021, 1, 20)),
    ("telegram", ["blackmail_sextortion"], dt.date(2021, 5, 5)),
    ("instagram", ["smear_campaign"], dt.date(2021, 11, 30)),
]
# What came back from the authorities: nothing that counts as an outcome.
RESPONSES = [None, "refused", "closed_without_action", "investigating", None]


def _attack(actor: Actor, platform: str, kinds: list[str], started: dt.date, **kw: Any) -> Attack:
    attack = Attack(
        target_pseudonym="Activist",
        platform=platform,
        attack_types=kinds,
        started_on=started,
        consent_statistics=kw.get("statistics", True),
        consent_coalition=kw.get("coalition", True),
    )
    return attack_create(actor=actor.user, attack=attack, secrets=AttackSecrets(narrative="n"))


def _document(actor: Actor) -> None:
    for (platform, kinds, started), response in zip(ATTACKS, RESPONSES, strict=True):
        attack = _attack(actor, platform, kinds, started)
        authority = "platform" if platform != "telegram" else "police"
        complaint = complaint_file(
            actor=actor.user,
            case=attack,
            authority=authority,
            authority_name="Meta" if authority == "platform" else "Police",
            filed_on=started + dt.timedelta(days=3),
        )
        if response:
            complaint_respond(
                actor=actor.user,
                complaint=complaint,
                received_on=started + dt.timedelta(days=40),
                status=response,
            )


@pytest.fixture
def coalition(db: Any) -> dict[str, Actor]:
    """Three sharing organisations with five attacks each, and one that does not share."""
    actors = {}
    for name in ("Ayna", "Fem-utopia", "Nafas", "Outsider"):
        org = core_actions.organisation_create(actor="test", name=name)
        actors[name] = make_member(org, f"coord-{org.slug}", Role.COORDINATOR, None)
        _document(actors[name])
        if name != "Outsider":
            coalition_consent_set(actor=actors[name].user, shares=True)
    return actors


def _cli(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--format", "json", *args, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def _table(report: dict[str, Any], table_id: str) -> dict[str, Any]:
    return next(t for t in report["tables"] if t["id"] == table_id)


def test_statement_attacks_give_15_attacks_and_full_impunity(coalition):
    report = _cli()
    assert report["attacks_total"] == 15
    assert report["complaints_total"] == 15
    assert report["impunity_rate"] == 1.0
    assert report["impunity_rate_percent"] == 100.0
    assert report["inputs"]["organisations_sharing"] == 3
    assert {"inputs", "assumptions", "sources", "parameters", "tables"} <= set(report)
    assert [r["rate_percent"] for r in report["impunity"]["year"]] == [100.0, 100.0, 100.0]


def test_small_cells_are_hidden_and_none_published_below_five(coalition):
    report = _cli()
    platforms = _table(report, "attacks_by_year_platform")
    columns = [c["key"] for c in platforms["columns"]]
    telegram_2021 = platforms["rows"][1]["cells"][columns.index("telegram")]
    assert telegram_2021 == {"value": None, "label": "<5", "status": "small"}
    assert any(c["label"] == "x" for r in platforms["rows"] for c in [*r["cells"], r["total"]])
    for table in report["tables"]:
        for row in [*table["rows"], table["totals"]]:
            for cell in [*row["cells"], row["total"]]:
                assert cell["value"] is None or not 0 < cell["value"] < table["k"]


def test_a_year_is_counted_alone(coalition):
    report = _cli("--year", "2021")
    assert report["attacks_total"] == 9
    assert report["impunity_rate"] == 1.0


def test_records_without_consent_and_organisations_that_do_not_share_are_left_out(coalition):
    ayna = coalition["Ayna"]
    _attack(ayna, "x", ["threats_harassment"], dt.date(2021, 2, 2), coalition=False)
    report = stats_report(StatsParameters())
    assert report["attacks_total"] == 15  # not 16, and not the Outsider's 5 either
    assert report["inputs"]["left_out_without_consent"]["attacks"] == "<5"
    coalition_consent_set(actor=coalition["Outsider"].user, shares=True)
    inputs = stats_report(StatsParameters())["inputs"]
    assert (inputs["organisations_sharing"], inputs["organisations_contributing"]) == (4, "4")


def test_a_total_that_would_pin_its_small_cells_is_hidden(coalition):
    # With a fourth organisation every kind-of-attack cell is 4: a published total of 20
    # would tell that each "<5" is 4, so the totals are hidden too.
    coalition_consent_set(actor=coalition["Outsider"].user, shares=True)
    kinds = _table(stats_report(StatsParameters()), "attacks_by_year_type")
    assert kinds["totals"]["total"]["label"] == "x"


def test_one_dominant_organisation_hides_its_cell(coalition):
    ayna = coalition["Ayna"]
    for day in range(1, 13):  # Ayna alone documents twelve WhatsApp attacks in 2021
        _attack(ayna, "whatsapp", ["threats_harassment"], dt.date(2021, 6, day))
    platforms = _table(stats_report(StatsParameters()), "attacks_by_year_platform")
    columns = [c["key"] for c in platforms["columns"]]
    cell = platforms["rows"][1]["cells"][columns.index("whatsapp")]
    assert cell["status"] == "protected" and cell["value"] is None


def test_fewer_than_three_organisations_publish_no_non_zero_figure(coalition):
    coalition_consent_set(actor=coalition["Nafas"].user, shares=False)
    report = stats_report(StatsParameters())
    assert report["attacks_total"] is None
    assert report["impunity_rate"] is None
    for table in report["tables"]:
        for row in [*table["rows"], table["totals"]]:
            assert all(c["value"] in (None, 0) for c in [*row["cells"], row["total"]])


def test_release_needs_a_second_person_and_then_never_changes(coalition):
    ayna, nafas = coalition["Ayna"], coalition["Nafas"]
    release = release_freeze(actor=ayna.user, title="UPR 2023", params=StatsParameters())
    assert release.sha256 == hashlib.sha256(release.payload_text.encode()).hexdigest()
    assert json.loads(release.payload_text)["attacks_total"] == 15
    with pytest.raises(ActionError, match="someone other"):
        release_approve(actor=ayna.user, release=release)
    approved = release_approve(actor=nafas.user, release=release)
    assert approved.status == ReleaseStatus.APPROVED
    approved.title = "changed"
    with pytest.raises(RuntimeError, match="immutable"):
        approved.save()
    with pytest.raises(ActionError, match="already approved"):
        release_approve(actor=coalition["Fem-utopia"].user, release=approved)
    actions_logged = set(
        AuditEntry.objects.filter(object_id=str(release.pk)).values_list("action", flat=True)
    )
    assert actions_logged == {"stats.release.freeze", "stats.release.approve"}


def test_a_tampered_release_cannot_be_approved(coalition):
    release = release_freeze(actor=coalition["Ayna"].user, title="t", params=StatsParameters())
    Release.objects.filter(pk=release.pk).update(
        payload_text=release.payload_text.replace('"attacks_total":15', '"attacks_total":3')
    )
    with pytest.raises(ActionError, match="fingerprint"):
        release_approve(actor=coalition["Nafas"].user, release=release)


def test_analyst_freezes_caseworker_cannot_and_viewer_sees(alice, bob, carol, dave, erin):
    with pytest.raises(ActionError):
        release_freeze(actor=bob.user, title="t", params=StatsParameters())
    release = release_freeze(actor=carol.user, title="t", params=StatsParameters())
    with pytest.raises(ActionError):
        release_approve(actor=dave.user, release=release)
    assert release_approve(actor=alice.user, release=release).approved_by == alice.user


def _login(client: Client, actor: Actor) -> Client:
    client.force_login(actor.user)
    return client


def test_page_shows_hidden_cells_without_javascript(coalition, client):
    response = _login(client, coalition["Ayna"]).get(reverse("stats:stats"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;5" in body and ">x<" in body and "<svg" in body and "<script" not in body
    assert 'id="attacks-total">15<' in body and 'id="impunity-rate">100.0%<' in body


def test_bad_year_is_named_and_every_year_shown(coalition, client):
    response = _login(client, coalition["Ayna"]).get(reverse("stats:stats"), {"year": "20x1"})
    assert response.status_code == 400
    assert "year:" in response.content.decode()


def test_coordinator_toggles_sharing_caseworker_cannot(alice, bob, client):
    _login(client, alice).post(reverse("stats:consent_set"), {"shares": "yes"})
    assert alice.user.membership.organisation.coalition_consent.shares
    assert AuditEntry.objects.filter(action="stats.consent").count() == 1
    client.force_login(bob.user)
    assert client.post(reverse("stats:consent_set"), {"shares": "no"}).status_code == 403


def test_release_pages_freeze_and_approve(coalition, client):
    _login(client, coalition["Ayna"])
    response = client.post(reverse("stats:release_create"), {"title": "2023 UPR", "year": ""})
    release = Release.objects.get()
    assert response["Location"] == reverse("stats:release_detail", args=[release.pk])
    page = client.get(response["Location"]).content.decode()
    assert release.sha256 in page and 'id="approve-release"' not in page
    client.force_login(coalition["Nafas"].user)
    client.post(reverse("stats:release_approve", args=[release.pk]))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.APPROVED
    download = client.get(reverse("stats:release_json", args=[release.pk]))
    assert hashlib.sha256(download.content).hexdigest() == release.sha256


def test_release_without_title_is_refused_with_the_field_named(coalition, client):
    _login(client, coalition["Ayna"])
    response = client.post(reverse("stats:release_create"), {"title": " "}, follow=True)
    assert "title:" in response.content.decode()
    assert not Release.objects.exists()


def test_api_gives_the_figures_and_is_in_the_schema(coalition, client):
    _login(client, coalition["Ayna"])
    data = client.get("/api/v1/stats/", {"year": "2020"}).json()
    assert data["attacks_total"] == 6
    assert client.get("/api/v1/stats/", {"year": "soon"}).status_code == 400
    assert "/api/v1/stats/" in client.get(reverse("api-schema")).content.decode()


def test_text_summary_is_readable(coalition):
    out = io.StringIO()
    call_command("stats", stdout=out)
    assert "Digital attacks: 15" in out.getvalue()
    assert "Impunity rate (complaints without outcome): 100.0%" in out.getvalue()


def test_a_total_hidden_in_one_table_is_hidden_in_every_table_that_shares_it(coalition):
    # The kinds table must hide its totals (see above); the platforms table repeats the same
    # yearly and grand totals, so it must hide them too or it would undo that protection.
    coalition_consent_set(actor=coalition["Outsider"].user, shares=True)
    report = stats_report(StatsParameters())
    kinds, platforms = (
        _table(report, t) for t in ("attacks_by_year_type", "attacks_by_year_platform")
    )
    shared = {("year", "2020"), ("year", "2021"), GRAND_TOTAL}
    assert hidden_margins(kinds) & shared
    assert hidden_margins(kinds) & shared == hidden_margins(platforms) & shared


def test_linked_tables_hide_in_one_what_the_other_hides():
    # 2020: by "a" two cells of 4 (their total 8 would pin both, so it is hidden); by "b" one
    # cell of 8, whose total alone would be shown and give the hidden total away.
    def records(year: str, a: str, b: str, n: int) -> list[tuple[int, dict[str, str]]]:
        return [(i % 3, {"year": year, "a": a, "b": b}) for i in range(n)]

    data = [*records("2020", "p", "r", 4), *records("2020", "q", "r", 4)]
    data += [*records("2021", "p", "r", 20), *records("2021", "q", "r", 20)]
    years = ("year", {"2020": "2020", "2021": "2021"})
    params = StatsParameters()

    def build(recs, prm, margins):
        return [
            count_table(table_id=dim, title=dim, records=recs, rows=years, k=5, params=prm,
                        columns=(dim, {"p": "p", "q": "q", "r": "r"}), margins=margins)
            for dim in ("a", "b")
        ]  # fmt: skip

    alone = build(data, params, frozenset())
    assert alone[0]["rows"][0]["total"]["label"] == "x"
    assert alone[1]["rows"][0]["total"]["label"] == "8"  # the leak linking prevents
    linked = linked_tables(build, data, params)
    assert linked[1]["rows"][0]["total"]["value"] is None
