"""`gbvwatch site` on the shipped Azerbaijan dataset, on small worlds and on cost-matrix files."""

from __future__ import annotations

import itertools
import json
import math
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from gbvwatch.analysis.geo import haversine_km
from gbvwatch.gaps.tests.test_report import _shelter, _unit
from gbvwatch.geography.models import AdminUnit

KEYS = {"objective_value", "bound", "gap", "sites", "status"}


def _site(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("site", "--format", "json", *args, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


@pytest.mark.django_db
def test_azerbaijan_add_five_shelters_within_100_km_is_proven_optimal():
    call_command("load_dataset", "az", verbosity=0)
    report = _site("--kind", "shelter", "--add", "5", "--radius-km", "100")
    assert set(report) >= KEYS
    assert report["status"] == "optimal" and report["gap"] == 0.0
    assert report["bound"] == report["objective_value"]
    assert len(report["sites"]) == 5
    assert report["women_newly_within_radius"] > 1_000_000
    newly = sum(s["marginal_gain"] for s in report["sites"])
    assert newly == pytest.approx(report["women_newly_within_radius"], abs=1)
    assert report["objective_value"] == pytest.approx(
        report["before"]["women_within_radius"] + report["women_newly_within_radius"], abs=1
    )
    assert {s["code"] for s in report["existing_services"]} == {
        "clean_world_shelter",
        "ganja_dv_shelter_statement",
    }
    assert "great-circle" in report["assumptions"]["travel_model"]


@pytest.mark.django_db
def test_azerbaijan_capacity_takes_its_places_from_the_standard():
    from gbvwatch.gaps.params import parameters_from
    from gbvwatch.gaps.report import standard_row
    from gbvwatch.reference.models import Standard

    call_command("load_dataset", "az", verbosity=0)
    row = standard_row(
        Standard.objects.get(code="shelter_family_places"), parameters_from({}), per_unit=False
    )
    report = _site("--objective", "capacity", "--add", "5")
    model = report["capacity"]
    assert model["places_per_new_site"] == math.ceil(row["shortfall"] / 5)
    assert model["places_basis"].startswith("the standard 'shelter_family_places'")
    # The Ganja shelter states no capacity: it takes what the reported aggregate leaves over
    # the stated capacities, and says so, rather than silently counting no places.
    stated = model["existing_places"]["clean_world_shelter"]
    assert model["existing_places"]["ganja_dv_shelter_statement"] == row["available"] - stated
    assert "equal share" in model["existing_places_basis"]["ganja_dv_shelter_statement"]
    assert model["existing_places_basis"]["clean_world_shelter"] == "stated capacity"
    gains = [s["marginal_gain"] for s in report["sites"]]
    assert gains == sorted(gains, reverse=True)
    fixed = _site("--objective", "capacity", "--add", "5", "--places", "12")
    assert fixed["capacity"]["places_per_new_site"] == 12
    assert fixed["capacity"]["places_basis"] == "set by the planner"


@pytest.mark.django_db
def test_azerbaijan_every_objective_is_proven_optimal():
    call_command("load_dataset", "az", verbosity=0)
    for objective in ("coverage", "median", "center", "cover-all", "capacity"):
        for demand in ("units", "settlements"):
            report = _site("--objective", objective, "--demand", demand, "--add", "5")
            assert report["status"] == "optimal", (objective, demand, report["notes"])
            assert report["gap"] == 0.0
    # Nakhchivan has no shelter: the farthest-trip objective must open one there.
    center = _site("--objective", "center", "--add", "5")
    nakhchivan = set(
        AdminUnit.objects.filter(road_component="nakhchivan").values_list("code", flat=True)
    )
    assert any(s["code"] in nakhchivan for s in center["sites"])
    assert center["after"]["women_without_any_service"] == 0


@pytest.fixture
def line_world(db: Any) -> dict[str, AdminUnit]:
    """Five towns on the equator 1 degree (111 km) apart, a shelter at the first."""
    units = {f"t{i}": _unit(f"t{i}", float(i), 10_000 * (i + 1)) for i in range(5)}
    _shelter("shelter-t0", units["t0"])
    return units


def test_coverage_on_a_small_world_equals_brute_force(line_world):
    report = _site("--add", "1", "--radius-km", "150", "--circuity", "1.0")
    km = 111.195
    women = {f"t{i}": 10_000 * (i + 1) for i in range(5)}
    best = 0
    for j in range(5):
        within = [t for i, t in enumerate(women) if min(i * km, abs(i - j) * km) <= 150]
        best = max(best, sum(women[t] for t in within))
    assert report["objective_value"] == best
    assert report["sites"][0]["code"] == "t3"  # reaches t2, t3 and t4


def test_the_text_summary_gives_the_proof_the_sites_and_every_profile(line_world):
    from django.utils import translation

    from gbvwatch.gaps.profiles import PROFILES

    out = StringIO()
    with translation.override("en"):
        call_command("site", "--add", "1", "--radius-km", "150", "--circuity", "1", stdout=out)
    text = out.getvalue()
    assert "gap 0.0000% (optimal" in text and "t3" in text
    assert "Women within the radius:" in text
    for profile in PROFILES.values():
        assert f"  {profile.label} (" in text


def test_locked_and_removed_sites_are_respected(line_world):
    report = _site("--add", "2", "--radius-km", "150", "--lock", "t1", "--remove", "t3")
    codes = [s["code"] for s in report["sites"]]
    assert codes[0] == "t1" and report["sites"][0]["locked"] and "t3" not in codes


def test_an_added_site_can_be_chosen(line_world):
    report = _site("--add", "1", "--radius-km", "60", "--circuity", "1", "--site", "0,3.5,Mid")
    assert report["sites"][0]["name"] == "Mid"  # within 60 km of t3 and t4


def test_an_added_site_can_be_locked_or_removed(line_world):
    added = ("--site", "0,3.5,Mid", "--site", "0,0.5,West")
    report = _site("--add", "2", "--radius-km", "60", "--circuity", "1", *added, "--lock", "site-2")
    assert report["sites"][0]["name"] == "West" and report["sites"][0]["locked"]
    assert report["sites"][0]["code"] == "site-2"
    report = _site(
        "--add", "1", "--radius-km", "60", "--circuity", "1", *added, "--remove", "site-1"
    )  # fmt: skip
    assert "Mid" not in [s["name"] for s in report["sites"]]
    assert "site-1" not in [s["code"] for s in report["sites"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lock", "site-1"], "no unit or added site with the code site-1"),
        (["--add", "9"], "k: 9 sites asked but there are only 5 candidate sites"),
        (["--add", "0"], "add: '0' is not a whole number"),
        (["--radius-km", "-5"], "radius_km: -5 is outside"),
        (["--profile", "astronaut"], "profile: unknown astronaut"),
        (["--lock", "atlantis"], "no unit or added site with the code atlantis"),
        (["--site", "91,0"], "sites: line 1"),
        (["--circuity", "nan"], "circuity"),
    ],
)
def test_bad_input_is_named(line_world, args: list[str], message: str):
    from django.utils import translation

    with translation.override("en"), pytest.raises(CommandError, match=message):
        _site(*args)


def _write(path: Path, array: np.ndarray) -> Path:
    if path.suffix == ".npy":
        np.save(path, array)
    else:
        path.write_text("\n".join(",".join(f"{v:g}" for v in np.atleast_1d(row)) for row in array))
    return path


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_a_cost_matrix_file_is_solved_exactly(tmp_path: Path, suffix: str):
    rng = np.random.default_rng(7)
    points, sites = rng.uniform(0, 50, (20, 2)), rng.uniform(0, 50, (6, 2))
    costs = np.linalg.norm(points[:, None] - sites[None], axis=2).round(2)
    weights = rng.integers(1, 9, 20).astype(float)
    cost_file = _write(tmp_path / f"costs{suffix}", costs)
    weight_file = _write(tmp_path / f"weights{suffix}", weights)
    report = _site(
        "--costs", str(cost_file), "--weights", str(weight_file), "--objective", "median",
        "--p", "2",
    )  # fmt: skip
    best = min(
        float(weights @ costs[:, list(c)].min(axis=1)) for c in itertools.combinations(range(6), 2)
    )
    assert report["objective_value"] == pytest.approx(best)
    assert report["gap"] == 0 and report["status"] == "optimal"
    assert all(0 <= s["column"] < 6 for s in report["sites"])


def _matrix_files(tmp_path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(7)
    points, sites = rng.uniform(0, 50, (20, 2)), rng.uniform(0, 50, (6, 2))
    costs = np.linalg.norm(points[:, None] - sites[None], axis=2).round(2)
    weights = rng.integers(1, 9, 20).astype(float)
    files = [str(_write(tmp_path / "c.npy", costs)), str(_write(tmp_path / "w.npy", weights))]
    return costs, weights, ["--costs", files[0], "--weights", files[1], "--objective", "median"]


def test_a_cost_matrix_takes_locked_and_removed_columns(tmp_path: Path):
    costs, weights, args = _matrix_files(tmp_path)
    free = _site(*args, "--p", "2")
    best = {s["column"] for s in free["sites"]}
    gone = min(best)  # a column the free optimum opens
    locked = next(j for j in range(6) if j not in best)
    report = _site(*args, "--p", "2", "--remove", str(gone), "--lock", str(locked))
    columns = [s["column"] for s in report["sites"]]
    assert columns[0] == locked and report["sites"][0]["locked"] and gone not in columns
    others = [j for j in range(6) if j not in (gone, locked)]
    best_left = min(float(weights @ costs[:, [locked, j]].min(axis=1)) for j in others)
    assert report["objective_value"] == pytest.approx(best_left) and report["gap"] == 0
    assert report["inputs"]["locked_columns"] == [locked]
    assert report["inputs"]["removed_columns"] == [gone]


def test_a_cost_matrix_without_k_opens_the_default_number(tmp_path: Path):
    _costs, _weights, args = _matrix_files(tmp_path)
    assert len(_site(*args)["sites"]) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "0,1"], "--site: these describe the dataset's places"),
        (["--profile", "woman", "--circuity", "1.2"], "--profile, --circuity: these describe"),
        (["--demand", "settlements"], "--demand: these describe"),
        (["--lock", "6"], "lock: '6' is not a column number from 0 to 5 of the costs"),
        (["--remove", "t1"], "remove: 't1' is not a column number"),
        (["--lock", "2", "--remove", "2"], "lock: column 2 is also removed"),
        (["--remove", "0,1,2,3,4,5"], "remove: no column is left"),
    ],
)
def test_a_cost_matrix_refuses_what_it_cannot_use(tmp_path: Path, args: list[str], message: str):
    _costs, _weights, base = _matrix_files(tmp_path)
    with pytest.raises(CommandError, match=message):
        _site(*base, "--p", "1", *args)


@pytest.mark.parametrize(
    ("costs", "weights", "args", "message"),
    [
        (np.ones((3, 2)), np.ones(4), [], "costs: 3 rows but 4 weights"),
        (np.ones((3, 2)), np.array([1.0, -1.0, 1.0]), [], "weights: 1 negative value"),
        (np.array([[1.0, math.nan], [1, 1]]), np.ones(2), [], "costs: NaN"),
        (np.ones((3, 2)), np.ones(3), ["--p", "3"], "k: 3 sites asked but there are only 2"),
        (np.ones((3, 2)), np.ones(3), ["--objective", "coverage"], "radius-km"),
    ],
)
def test_bad_cost_files_are_named(tmp_path: Path, costs, weights, args, message):
    cost_file = _write(tmp_path / "c.npy", costs)
    weight_file = _write(tmp_path / "w.npy", weights)
    base = ["--costs", str(cost_file), "--weights", str(weight_file), "--objective", "median"]
    with pytest.raises(CommandError, match=message):
        _site(*base, *(args or ["--p", "1"]))


def test_a_csv_cell_that_is_not_a_number_is_named_by_line_and_column(tmp_path: Path):
    (tmp_path / "c.csv").write_text("a,b\n1,2\n3,x\n")
    (tmp_path / "w.csv").write_text("1\n1\n")
    with pytest.raises(CommandError, match="costs: line 3, column 2: 'x' is not a number"):
        _site("--costs", str(tmp_path / "c.csv"), "--weights", str(tmp_path / "w.csv"), "--p", "1",
              "--objective", "median")  # fmt: skip


def test_distances_follow_the_gap_analysis_model(line_world):
    report = _site("--objective", "center", "--add", "1", "--circuity", "1.3")
    # One new site on the line: best is t3 (t0 keeps its shelter): farthest trip 111 km x 1.3.
    assert report["objective_value"] == pytest.approx(
        haversine_km(0.0, 0.0, 0.0, 1.0) * 1.3, rel=1e-6
    )


def test_a_road_graph_without_nodes_is_named(line_world, tmp_path: Path):
    (tmp_path / "n.csv").write_text("id,lat,lon\n")
    (tmp_path / "e.csv").write_text("from,to,km\n")
    args = ["--road-nodes", str(tmp_path / "n.csv"), "--road-edges", str(tmp_path / "e.csv")]
    with pytest.raises(CommandError, match="road graph: it has no nodes"):
        _site(*args)


def test_a_road_graph_replaces_the_straight_line_model(line_world, tmp_path: Path):
    nodes = "id,lat,lon\n" + "".join(f"n{i},0,{i}\n" for i in range(5))
    edges = "from,to,km\n" + "".join(f"n{i},n{i + 1},300\n" for i in range(4))
    (tmp_path / "n.csv").write_text(nodes)
    (tmp_path / "e.csv").write_text(edges)
    args = ["--road-nodes", str(tmp_path / "n.csv"), "--road-edges", str(tmp_path / "e.csv")]
    report = _site("--objective", "center", "--add", "1", *args)
    assert "road graph" in report["assumptions"]["travel_model"]
    assert report["objective_value"] == pytest.approx(300.0)  # one 300 km road segment
