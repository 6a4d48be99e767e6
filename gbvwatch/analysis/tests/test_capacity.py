import itertools
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from gbvwatch.analysis.capacity import (
    Coverage,
    StandardSpec,
    coverage,
    erlang_b,
    loss_model,
    required_amount,
    servers_for_blocking,
    to_family_places,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
SHELTER_STANDARD = StandardSpec(
    code="shelter_family_places",
    amount=1,
    per=10_000,
    denominator="population",
    counts="family_places",
)
AZERBAIJAN_POPULATION = 10_250_178


def exact_erlang_b(load: Fraction, servers: int) -> Fraction:
    """Textbook formula (A^c/c!) / sum_k (A^k/k!) in exact rational arithmetic."""
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    return terms[-1] / sum(terms)


@pytest.mark.parametrize(
    ("load", "servers", "published"),
    [(1, 1, 0.5), (2, 2, 0.4), (10, 10, 0.2146), (5, 10, 0.01838)],
)
def test_erlang_b_matches_published_table_values(load: int, servers: int, published: float) -> None:
    assert erlang_b(load, servers) == pytest.approx(published, abs=5e-5)
    assert erlang_b(load, servers) == pytest.approx(float(exact_erlang_b(Fraction(load), servers)))


@pytest.mark.parametrize(
    ("load", "servers", "grade_of_service"),
    [(Fraction("4.46"), 10, 0.01), (Fraction("13.18"), 20, 0.02)],
)
def test_erlang_b_reproduces_traffic_table_loads_for_grade_of_service(
    load: Fraction, servers: int, grade_of_service: float
) -> None:
    blocking = erlang_b(float(load), servers)
    assert abs(blocking - grade_of_service) <= 0.0005
    assert blocking == pytest.approx(float(exact_erlang_b(load, servers)), rel=1e-12)


def test_erlang_b_agrees_with_exact_fractions_for_small_systems() -> None:
    for servers in range(0, 15):
        for load in (Fraction(1, 3), Fraction(7, 2), Fraction(12)):
            exact = float(exact_erlang_b(load, servers))
            assert erlang_b(float(load), servers) == pytest.approx(exact, rel=1e-12)


def test_erlang_b_edge_cases() -> None:
    assert erlang_b(0.0, 0) == 1.0
    assert erlang_b(7.0, 0) == 1.0
    assert erlang_b(0.0, 5) == 0.0


@pytest.mark.parametrize(("load", "servers"), [(-1.0, 3), (2.0, -1), (math.nan, 3), (math.inf, 3)])
def test_erlang_b_rejects_negative_or_non_finite_input(load: float, servers: int) -> None:
    with pytest.raises(ValueError):
        erlang_b(load, servers)


def test_erlang_b_is_stable_for_fifty_thousand_servers() -> None:
    blocking = erlang_b(50_000.0, 50_000)
    assert math.isfinite(blocking)
    assert 0.0 < blocking < 1.0
    # For A = c large, B ~ sqrt(2 / (pi * A)) = 0.003568...
    assert blocking == pytest.approx(math.sqrt(2 / (math.pi * 50_000)), rel=0.05)


def test_erlang_b_underflows_to_zero_rather_than_overflowing() -> None:
    assert erlang_b(1.0, 100_000) == 0.0
    assert 0.0 < erlang_b(100_000.0, 100_000) < 1.0


def test_erlang_b_decreases_as_servers_are_added() -> None:
    values = [erlang_b(20.0, c) for c in range(40)]
    assert all(a > b for a, b in itertools.pairwise(values))


@pytest.mark.parametrize("load", [0.5, 4.46, 13.18, 35.6, 320.0])
@pytest.mark.parametrize("target", [0.001, 0.01, 0.05, 0.2])
def test_servers_for_blocking_is_the_smallest_count_meeting_the_target(
    load: float, target: float
) -> None:
    servers = servers_for_blocking(load, target)
    assert erlang_b(load, servers) <= target < erlang_b(load, servers - 1)


def test_servers_for_blocking_matches_traffic_tables() -> None:
    assert servers_for_blocking(4.46, 0.01) == 10
    assert servers_for_blocking(13.18, 0.02) == 20


def test_servers_for_blocking_grows_with_load_and_strictness() -> None:
    by_load = [servers_for_blocking(load, 0.02) for load in (1.0, 5.0, 10.0, 50.0, 100.0)]
    assert by_load == sorted(by_load)
    by_target = [servers_for_blocking(30.0, t) for t in (0.2, 0.05, 0.01, 0.001)]
    assert by_target == sorted(by_target)


def test_servers_for_blocking_needs_one_server_for_no_load() -> None:
    assert servers_for_blocking(0.0, 0.05) == 1


@pytest.mark.parametrize("target", [0.0, 1.0, -0.1, 1.5])
def test_servers_for_blocking_rejects_target_outside_open_unit_interval(target: float) -> None:
    with pytest.raises(ValueError, match="target"):
        servers_for_blocking(10.0, target)


def test_servers_for_blocking_raises_when_target_unreachable_within_max_servers() -> None:
    with pytest.raises(ValueError, match="not reached within 10 servers"):
        servers_for_blocking(100.0, 0.01, max_servers=10)


def test_loss_model_for_a_175_place_shelter() -> None:
    model = loss_model(arrivals_per_year=1300, mean_stay_days=90, places=175)
    offered = 1300 * 90 / 365.25  # 320.33 erlangs
    assert model.offered_load_erlangs == pytest.approx(offered)
    assert model.turn_away_probability == pytest.approx(erlang_b(offered, 175))
    # Offered load far above the places: roughly 1 - 175/320 of arrivals are turned away.
    assert 0.4 < model.turn_away_probability < 0.5
    assert model.expected_turned_away_per_year == pytest.approx(1300 * model.turn_away_probability)
    assert model.target_probability == 0.05
    places = model.places_for_target
    assert erlang_b(offered, places) <= 0.05 < erlang_b(offered, places - 1)


def test_loss_model_rejects_negative_stay() -> None:
    with pytest.raises(ValueError):
        loss_model(arrivals_per_year=100, mean_stay_days=-1, places=10)


def test_required_amount_scales_population_standard() -> None:
    required = required_amount(SHELTER_STANDARD, population=AZERBAIJAN_POPULATION, women=0)
    assert required == pytest.approx(1025.0178)


def test_required_amount_uses_women_for_women_denominator() -> None:
    spec = StandardSpec(
        code="rape_crisis", amount=1, per=200_000, denominator="women", counts="services"
    )
    assert required_amount(spec, population=10_000_000, women=5_000_000) == pytest.approx(25.0)


def test_required_amount_is_the_amount_itself_for_national_standard() -> None:
    spec = StandardSpec(code="helpline", amount=1, per=1, denominator="national", counts="services")
    assert required_amount(spec, population=AZERBAIJAN_POPULATION, women=5_000_000) == 1


def test_required_amount_rejects_unknown_denominator() -> None:
    spec = StandardSpec(code="x", amount=1, per=10_000, denominator="households", counts="services")
    with pytest.raises(ValueError, match="households"):
        required_amount(spec, population=1, women=1)


def test_coverage_of_azerbaijan_shelter_standard_with_175_places() -> None:
    result = coverage(SHELTER_STANDARD, population=AZERBAIJAN_POPULATION, women=0, available=175)
    assert result.code == "shelter_family_places"
    assert result.required == pytest.approx(1025.0178)
    assert result.available == 175
    assert result.shortfall == pytest.approx(850.0178)
    assert result.ratio_required_to_available == pytest.approx(5.8572, abs=1e-4)
    assert result.share_met == pytest.approx(175 / 1025.0178)


def test_coverage_with_nothing_available_has_no_ratio() -> None:
    result = coverage(SHELTER_STANDARD, population=AZERBAIJAN_POPULATION, women=0, available=0)
    assert result.ratio_required_to_available is None
    assert result.share_met == 0.0
    assert result.shortfall == pytest.approx(1025.0178)


def test_coverage_caps_share_met_and_has_no_shortfall_when_oversupplied() -> None:
    result = coverage(SHELTER_STANDARD, population=1_000_000, women=0, available=150)
    assert result == Coverage(
        code="shelter_family_places",
        required=100.0,
        available=150,
        shortfall=0.0,
        ratio_required_to_available=100 / 150,
        share_met=1.0,
    )


def test_coverage_of_nothing_required_is_fully_met() -> None:
    result = coverage(SHELTER_STANDARD, population=0, women=0, available=0)
    assert result.share_met == 1.0
    assert result.shortfall == 0.0


def test_to_family_places_divides_person_places_by_family_size() -> None:
    assert to_family_places(60, "places", persons_per_family_place=2.0) == 30.0
    assert to_family_places(60, "beds", persons_per_family_place=3.0) == 20.0
    assert to_family_places(60, "family_places", persons_per_family_place=2.0) == 60


def test_to_family_places_rejects_unknown_unit_by_name() -> None:
    with pytest.raises(ValueError, match="rooms"):
        to_family_places(10, "rooms", persons_per_family_place=2.0)


def test_to_family_places_rejects_family_smaller_than_one_person() -> None:
    with pytest.raises(ValueError):
        to_family_places(10, "places", persons_per_family_place=0.5)


def test_capacity_imports_without_loading_django() -> None:
    code = (
        "import sys\n"
        "import gbvwatch.analysis.capacity\n"
        "print(','.join(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
