"""The gap report on small hand-checked worlds and on the shipped Azerbaijan dataset."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gbvwatch.directory.models import Kind, LocationPrecision, Service, Status, Tri
from gbvwatch.gaps.report import GapParameters, gaps_report
from gbvwatch.geography.models import AdminUnit
from gbvwatch.reference.models import KeyFigure, Standard

KM_PER_DEGREE = 111.195  # one degree of longitude on the equator, R = 6371.0088 km


def _unit(code: str, lon: float, women: int, component: str = "main") -> AdminUnit:
    return AdminUnit.objects.create(
        country="AZ", code=code, name_en=code.title(), unit_type="rayon", centre_lat=0.0,
        centre_lon=lon, population=2 * women, women=women, road_component=component,
    )  # fmt: skip


def _shelter(code: str, unit: AdminUnit, **extra: Any) -> Service:
    fields: dict[str, Any] = dict(
        code=code, name=code, kind=Kind.SHELTER_DV, unit=unit, lat=unit.centre_lat,
        lon=unit.centre_lon, location_precision=LocationPrecision.CITY, accepts_women=Tri.YES,
        accepts_children=Tri.YES, accepts_men=Tri.NO, accepts_transgender=Tri.UNKNOWN,
        wheelchair_access=Tri.UNKNOWN, closes_on_public_holidays=Tri.NO,
        status=Status.OPERATING, open_24_7=True,
    )  # fmt: skip
    fields.update(extra)
    return Service.objects.create(**fields)


@pytest.fixture
def small_world(db: Any) -> dict[str, AdminUnit]:
    units = {
        "a": _unit("a", 0.0, 50_000),
        "b": _unit("b", 1.0, 30_000),
        "island": _unit("island", 0.5, 20_000, component="island"),
    }
    Standard.objects.create(
        code="shelter_family_places", title="1 family place per 10,000", service_kinds="shelter_dv",
        capacity_unit="family_places", amount=1, per=10_000, denominator="population",
        source="test standard",
    )  # fmt: skip
    _shelter("shelter-a", units["a"], capacity=10, capacity_unit="places")
    return units


def _report(**overrides: Any) -> dict[str, Any]:
    return gaps_report(GapParameters(year=2023, **overrides))


def _access(report: dict[str, Any], kind: str, profile: str) -> dict[str, Any]:
    return next(
        r for r in report["access"] if r["service_kind"] == kind and r["profile"] == profile
    )


def test_required_available_and_shortfall_by_hand(small_world):
    standard = _report()["standards"][0]
    # population 200,000 / 10,000 = 20 family places; 10 persons / 2 per family place = 5.
    assert (standard["required"], standard["available"], standard["shortfall"]) == (20, 5, 15)
    assert standard["ratio_required_to_available"] == 4.0
    assert standard["available_basis"] == "service_capacities"


def test_a_reported_aggregate_stands_in_when_capacities_are_incomplete(small_world):
    _shelter("shelter-b", small_world["b"])  # no capacity stated
    KeyFigure.objects.create(
        country="AZ", indicator="shelter_places_claimed", value=12, unit="places", source="stmt"
    )
    standard = _report()["standards"][0]
    assert (standard["available"], standard["available_basis"]) == (12, "reported_aggregate")
    assert "1 of 2 operating services state a capacity" in standard["available_note"]
    assert any(s.get("indicator") == "shelter_places_claimed" for s in standard["sources"])


def test_distance_uses_circuity_and_never_crosses_road_components(small_world):
    access = _access(_report(circuity=1.5), "shelter", "woman")
    farthest = access["farthest"][0]
    assert farthest["unit_id"] == "b"
    assert farthest["straight_km"] == pytest.approx(KM_PER_DEGREE, abs=0.1)
    assert farthest["road_km"] == pytest.approx(1.5 * KM_PER_DEGREE, abs=0.1)
    assert access["unreachable_unit_ids"] == ["island"]
    # b (30,000) is beyond 100 km by road; the island (20,000) is beyond every threshold.
    assert access["women_beyond_km"] == {"50": 50_000, "100": 50_000, "200": 20_000, "300": 20_000}


def test_a_profile_no_service_accepts_yields_no_service_not_a_crash(small_world):
    access = _access(_report(), "shelter", "transgender_woman")
    assert access["no_service"] is True and access["farthest"] == []
    assert access["women_beyond_km"]["50"] == 100_000


def test_unknown_counts_as_accepting_only_when_asked(small_world):
    assert _access(_report(unknown_accepts=True), "shelter", "transgender_woman")["services"] == 1


def test_turn_away_probability_uses_the_available_places(small_world):
    capacity = _report(arrivals_per_year=365.25, mean_stay_days=1.0)["capacity"]
    # One arrival a day staying one day: 1 erlang on 5 places: B = (1/120)/(1+1+1/2+1/6+1/24+1/120)
    assert capacity["places"] == 5
    assert capacity["turn_away_probability"] == pytest.approx(0.0031, abs=1e-4)


def test_every_section_names_its_assumptions(small_world):
    report = _report(circuity=1.4, persons_per_family_place=3)
    assumptions = report["assumptions"]
    assert assumptions["circuity"] == 1.4 and assumptions["persons_per_family_place"] == 3
    assert "great-circle" in assumptions["travel_model"]
    assert report["standards"][0]["sources"][0]["title"] == "test standard"


@pytest.mark.django_db
def test_shipped_dataset_gives_the_figures_of_the_statement():
    call_command("load_dataset", "az", verbosity=0)
    out = StringIO()
    call_command("gaps", "--format", "json", "--year", "2023", stdout=out)
    report = json.loads(out.getvalue())
    shelter = next(s for s in report["standards"] if s["standard"] == "shelter_family_places")
    assert shelter["required"] == pytest.approx(1025, abs=5)
    assert (shelter["available"], shelter["available_basis"]) == (175, "reported_aggregate")
    access = _access(report, "shelter", "woman")
    assert access["farthest"][0]["unit_id"] == "astara"
    assert access["farthest"][0]["road_km"] == pytest.approx(300, abs=10)
    nakhchivan = set(
        AdminUnit.objects.filter(road_component="nakhchivan").values_list("code", flat=True)
    )
    assert set(access["unreachable_unit_ids"]) == nakhchivan and len(nakhchivan) == 8
    forensic = next(a for a in report["availability"] if a["service_kind"] == "forensic_medical")
    assert (forensic["longest_gap_days"], forensic["longest_gap_start"]) == (9, "2023-03-18")
    # Every day of the longest run is listed among the whole days without examination.
    run = [f"2023-03-{day}" for day in range(18, 27)]
    assert set(run) <= set(forensic["days_without_service"])
    assert "2023-03-17" not in forensic["days_without_service"]
    assert set(report["capacity"]) >= {
        "arrivals_per_year", "mean_stay_days", "places", "turn_away_probability",
        "places_for_5_percent",
    }  # fmt: skip


@pytest.mark.django_db
def test_bad_parameters_are_named_by_the_command():
    with pytest.raises(CommandError, match="circuity"):
        call_command("gaps", "--circuity", "0.5")
    with pytest.raises(CommandError, match="profile: unknown astronaut"):
        call_command("gaps", "--profile", "astronaut")


def test_a_road_graph_replaces_the_straight_line_model(small_world, tmp_path: Path):
    nodes, edges = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    nodes.write_text("id,lat,lon\nA,0,0\nB,0,1\n")
    edges.write_text("from,to,km\nA,B,150\n")
    out = StringIO()
    call_command(
        "gaps", "--format", "json", "--road-nodes", str(nodes), "--road-edges", str(edges),
        "--profile", "woman", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert "road graph" in report["assumptions"]["travel_model"]
    far = next(f for f in _access(report, "shelter", "woman")["farthest"] if f["unit_id"] == "b")
    assert far["road_km"] == pytest.approx(150, abs=0.5)
    edges.write_text("from,to,km\nA,Z,-3\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("gaps", "--road-nodes", str(nodes), "--road-edges", str(edges))


def test_parameters_are_echoed(small_world):
    params = replace(GapParameters(year=2023), mean_stay_days=30)
    assert gaps_report(params)["capacity"]["mean_stay_days"] == 30


def test_capacity_for_each_profile_next_to_the_general_figure(small_world):
    rows = {r["profile"]: r for r in _report()["capacity_by_profile"]}
    assert rows["woman"]["places"] == 5
    assert rows["transgender_woman"]["places"] == 0
    assert rows["transgender_woman"]["turn_away_probability"] == 1.0
    assert rows["woman"]["turn_away_probability"] < 1.0


def test_standards_are_also_measured_per_unit(small_world):
    per_unit = {r["unit_id"]: r for r in _report()["standards"][0]["per_unit"]}
    # Unit a: population 100,000 -> 10 family places required, its shelter gives 5.
    assert (per_unit["a"]["required"], per_unit["a"]["available"]) == (10, 5)
    assert (per_unit["b"]["required"], per_unit["b"]["available"]) == (6, 0)
