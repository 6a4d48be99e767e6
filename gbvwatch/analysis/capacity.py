"""Shelter capacity: Erlang-B loss models for turn-aways and coverage against per-capita standards.

A shelter with `places` beds and no waiting list is an M/G/c/c loss system: a survivor who arrives
when every place is taken is turned away. Erlang-B depends on the stay distribution only through
its mean, so the mean stay in days is all the model needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAYS_PER_YEAR = 365.25
_DENOMINATORS = frozenset({"population", "women", "national"})
_PERSONS_PER_UNIT = {"places": 1.0, "beds": 1.0}  # units holding one person each


def _check_load(offered_load_erlangs: float) -> float:
    if not math.isfinite(offered_load_erlangs) or offered_load_erlangs < 0:
        raise ValueError(f"offered load must be finite and >= 0, got {offered_load_erlangs!r}")
    return float(offered_load_erlangs)


def erlang_b(offered_load_erlangs: float, servers: int) -> float:
    """Blocking probability of an M/G/c/c loss system with `servers` places; O(servers), no I/O."""
    load = _check_load(offered_load_erlangs)
    if servers < 0:
        raise ValueError(f"servers must be >= 0, got {servers!r}")
    # B(n) = A*B(n-1) / (n + A*B(n-1)) stays in [0, 1] and underflows gracefully to 0.0, unlike
    # the textbook A^c/c! / sum(A^k/k!) which overflows long before c = 100,000.
    blocking = 1.0
    for n in range(1, servers + 1):
        carried = load * blocking
        blocking = carried / (n + carried)
    return blocking


def servers_for_blocking(
    offered_load_erlangs: float, target_probability: float, *, max_servers: int = 1_000_000
) -> int:
    """Smallest server count whose Erlang-B blocking is <= target; one pass of the recurrence."""
    load = _check_load(offered_load_erlangs)
    if not 0.0 < target_probability < 1.0:
        raise ValueError(f"target probability must be in (0, 1), got {target_probability!r}")
    blocking = 1.0
    for n in range(1, max_servers + 1):
        carried = load * blocking
        blocking = carried / (n + carried)
        if blocking <= target_probability:
            return n
    raise ValueError(
        f"blocking {target_probability} not reached within {max_servers} servers at {load} erlangs"
    )


@dataclass(frozen=True)
class LossModel:
    """Offered load, turn-away probability and places needed for a target, for one shelter."""

    arrivals_per_year: float
    mean_stay_days: float
    places: int
    offered_load_erlangs: float  # arrivals_per_year * mean_stay_days / 365.25
    turn_away_probability: float  # erlang_b(offered_load_erlangs, places)
    target_probability: float
    places_for_target: int  # smallest places with turn-away probability <= target
    expected_turned_away_per_year: float  # arrivals_per_year * turn_away_probability


def loss_model(
    *,
    arrivals_per_year: float,
    mean_stay_days: float,
    places: int,
    target_probability: float = 0.05,
) -> LossModel:
    """Erlang-B loss model for arrivals per year, mean stay in days and places; no side effects."""
    if arrivals_per_year < 0 or mean_stay_days < 0:
        raise ValueError("arrivals_per_year and mean_stay_days must be >= 0")
    offered = arrivals_per_year * mean_stay_days / DAYS_PER_YEAR
    turn_away = erlang_b(offered, places)
    return LossModel(
        arrivals_per_year=arrivals_per_year,
        mean_stay_days=mean_stay_days,
        places=places,
        offered_load_erlangs=offered,
        turn_away_probability=turn_away,
        target_probability=target_probability,
        places_for_target=servers_for_blocking(offered, target_probability),
        expected_turned_away_per_year=arrivals_per_year * turn_away,
    )


@dataclass(frozen=True)
class StandardSpec:
    """A provision standard such as one family place per 10,000 people."""

    code: str  # e.g. "shelter_family_places"
    amount: float  # units required per `per` people of the denominator (or in total if national)
    per: int  # e.g. 10_000
    denominator: str  # "population" | "women" | "national"
    counts: str  # unit counted, e.g. "family_places" | "services"


def required_amount(spec: StandardSpec, *, population: float, women: float) -> float:
    """Units the standard requires for a population and number of women (`amount` if national)."""
    if spec.denominator not in _DENOMINATORS:
        raise ValueError(f"unknown denominator {spec.denominator!r} in standard {spec.code!r}")
    if spec.denominator == "national":
        return spec.amount
    if spec.per <= 0:
        raise ValueError(f"per must be > 0 in standard {spec.code!r}, got {spec.per!r}")
    people = population if spec.denominator == "population" else women
    return people / spec.per * spec.amount


@dataclass(frozen=True)
class Coverage:
    """Required versus available units for one standard, in the standard's `counts` unit."""

    code: str
    required: float
    available: float
    shortfall: float  # max(required - available, 0)
    ratio_required_to_available: float | None  # None when nothing is available
    share_met: float  # min(available / required, 1); 1.0 when nothing is required


def coverage(spec: StandardSpec, *, population: float, women: float, available: float) -> Coverage:
    """Shortfall and share met of a standard given units available; no side effects."""
    if available < 0:
        raise ValueError(f"available must be >= 0, got {available!r}")
    required = required_amount(spec, population=population, women=women)
    return Coverage(
        code=spec.code,
        required=required,
        available=available,
        shortfall=max(required - available, 0.0),
        ratio_required_to_available=required / available if available > 0 else None,
        share_met=min(available / required, 1.0) if required > 0 else 1.0,
    )


def to_family_places(amount: float, unit: str, *, persons_per_family_place: float) -> float:
    """Convert "family_places", "places" or "beds" (one person each) to family places; pure."""
    if persons_per_family_place < 1:
        raise ValueError(f"persons_per_family_place must be >= 1, got {persons_per_family_place!r}")
    if unit == "family_places":
        return amount
    if unit not in _PERSONS_PER_UNIT:
        raise ValueError(f"unknown capacity unit {unit!r}")
    return amount * _PERSONS_PER_UNIT[unit] / persons_per_family_place
