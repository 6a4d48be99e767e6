"""Reports and snapshots: who may build and read them, and what the data hash guarantees."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.http import Http404
from docx import Document as open_docx

from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import AuditEntry
from gbvwatch.geography.models import Boundary
from gbvwatch.reference.models import KeyFigure
from gbvwatch.reports.actions import report_create, report_narrative_update, report_snapshot_create
from gbvwatch.reports.queries import report_get, reports_for, snapshot_get
from gbvwatch.reports.render import report_render


def _report(world: dict[str, Any], **kw: Any) -> Any:
    args = {"kind": "statement", "language": "en", "title": "UPR statement", "year": 2023, **kw}
    return report_create(user=world["analyst"].user, **args)


@pytest.fixture
def members(alice, carol, dave, erin) -> dict[str, Any]:
    """Members without the dataset: Ayna's coordinator, analyst and viewer; Nafas's coordinator."""
    return {"coordinator": alice, "analyst": carol, "viewer": dave, "other": erin}


def test_unchanged_data_gives_the_same_hash_and_one_more_shelter_place_changes_it(world):
    report = _report(world)
    steps: list[tuple[str, float]] = []
    first = report_snapshot_create(
        user=world["coordinator"].user, report=report, progress=lambda s, f: steps.append((s, f))
    )
    again = report_snapshot_create(user=world["analyst"].user, report=report)
    assert len(first.data_hash) == 64 and first.data_hash == again.data_hash
    assert first.pk != again.pk
    fractions = [f for _s, f in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert (
        "generated_at" not in first.inputs["gaps"] and "generated_at" not in first.inputs["stats"]
    )
    KeyFigure.objects.filter(indicator="shelter_places_claimed").update(value=176)
    changed = report_snapshot_create(user=world["analyst"].user, report=report)
    assert changed.data_hash != first.data_hash
    figures = {f["key"]: f for f in changed.figures}
    assert figures["shelter_places"]["value"] == 176
    in_azerbaijani = _report(world, language="az")
    az = report_snapshot_create(user=world["analyst"].user, report=in_azerbaijani)
    assert az.data_hash == changed.data_hash  # the hash does not depend on the language
    # The maps are drawn from the boundaries: a moved border changes the hash too.
    boundary = Boundary.objects.order_by("pk").first()
    assert boundary is not None
    ring = boundary.geometry["coordinates"][0]
    if boundary.geometry["type"] == "MultiPolygon":
        ring = ring[0]
    ring[1] = [ring[1][0] + 0.01, ring[1][1]]
    boundary.save()
    moved = report_snapshot_create(user=world["analyst"].user, report=report)
    assert moved.data_hash != changed.data_hash


def test_viewer_reads_but_cannot_build_and_other_organisations_see_nothing(members):
    world = members
    report = _report(world)
    snapshot = report_snapshot_create(user=world["analyst"].user, report=report)
    with pytest.raises(ActionError):
        _report({"analyst": world["viewer"]})
    with pytest.raises(ActionError):
        report_snapshot_create(user=world["viewer"].user, report=report)
    assert report_get(world["viewer"].user, report.pk) == report
    assert snapshot_get(world["viewer"].user, report, snapshot.pk) == snapshot
    other = world["other"].user
    assert not reports_for(other).exists()
    with pytest.raises(Http404):
        report_get(other, report.pk)
    with pytest.raises(Http404):
        snapshot_get(other, report, snapshot.pk)
    with pytest.raises(Http404):
        report_get(world["viewer"].user, "not-a-uuid\x00")
    with pytest.raises(ActionError):
        report_snapshot_create(user=other, report=report)
    data, content_type, name = report_render(snapshot, fmt="md", user=world["viewer"].user)
    assert content_type.startswith("text/markdown") and name.endswith(".md") and data
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"report.create", "report.snapshot", "report.render"} <= actions


BAD_PARAMETERS = [
    ("kind", "memo", "type"),
    ("language", "fr", "language"),
    ("year", 1800, "year"),
    ("year", "2023", "year"),
    ("title", "bad\x00title", "NUL"),
    ("title", "bad\x0btitle", "control character"),
    ("title", ["list"], "expected text"),
    ("language", ["en"], "language"),
]


def test_bad_parameters_are_named_and_without_data_figures_say_no_data(alice):
    members = {"analyst": alice}
    for field, value, message in BAD_PARAMETERS:
        with pytest.raises(ActionError, match=message):
            _report(members, **{field: value})
    snapshot = report_snapshot_create(user=alice.user, report=_report(members))
    for fmt in (["md"], None, "odt"):
        with pytest.raises(ActionError, match="format"):
            report_render(snapshot, fmt=fmt)  # type: ignore[arg-type]
    figures = {f["key"]: f for f in snapshot.figures}
    for key in ("upr_gbv_total", "shelter_places", "farthest_district", "forensic_gap_days"):
        assert figures[key]["value"] is None and figures[key]["missing"], key


def test_narrative_blocks_are_saved_checked_and_reset(alice):
    world = {"analyst": alice}
    report = _report(world)
    report_narrative_update(user=world["analyst"].user, report=report, blocks={"closing": "Bye"})
    assert report.narrative == {"closing": "Bye"}
    with pytest.raises(ActionError, match="Unknown narrative blocks: nonsense"):
        report_narrative_update(user=world["analyst"].user, report=report, blocks={"nonsense": "x"})
    with pytest.raises(ActionError, match="NUL"):
        report_narrative_update(
            user=world["analyst"].user, report=report, blocks={"closing": "\x00"}
        )
    report_narrative_update(user=world["analyst"].user, report=report, blocks={"closing": " "})
    report.refresh_from_db()
    assert report.narrative == {}
    hostile = "<script>alert(1)</script> & ş"
    report_narrative_update(user=alice.user, report=report, blocks={"closing": hostile})
    snapshot = report_snapshot_create(user=alice.user, report=report)
    report_narrative_update(user=alice.user, report=report, blocks={"closing": "Later text"})
    html = report_render(snapshot, fmt="html")[0].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ş" in html and "<script>" not in html
    assert "Later text" not in html  # the snapshot keeps the narrative it was made with
    docx = report_render(snapshot, fmt="docx")[0]
    assert hostile in "\n".join(p.text for p in open_docx(io.BytesIO(docx)).paragraphs)


def test_the_status_of_gbv_recommendations_counts_only_the_gbv_groups():
    from gbvwatch.reports.figures import upr_figures

    upr = {
        "total": 10,
        "by_group": {"violence_against_women": 3, "legal_reform_nap": 2, "none": 5},
        "by_status": {"not_assessed": 7, "not_implemented": 3},
        "by_group_status": {
            "violence_against_women": {"not_assessed": 1, "not_implemented": 2},
            "legal_reform_nap": {"not_assessed": 1, "not_implemented": 1},
            "none": {"not_assessed": 5, "not_implemented": 0},
        },
    }
    figures = {f.key: f for f in upr_figures(upr)}
    assert figures["upr_gbv_total"].value == 5
    assert figures["upr_gbv_status_not_implemented"].value == 3
    assert figures["upr_gbv_status_not_assessed"].value == 2
    assert figures["upr_status_not_assessed"].value == 7  # all recommendations, as before
    del upr["by_group_status"]  # a snapshot frozen before the counts existed
    assert not [k for k in (f.key for f in upr_figures(upr)) if k.startswith("upr_gbv_status")]
