"""Places for the capacity objective: how many each new site gets, and each existing service.

New sites take the family-place standard's national shortfall (as the gap analysis counts it)
shared equally by the K new sites, unless the planner sets a number. An existing service with
no stated capacity takes an equal share of what the reported national aggregate leaves over
the stated capacities, when the gap analysis stands on that aggregate; otherwise it counts no
places, and the report says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from gbvwatch.analysis import capacity
from gbvwatch.directory.models import Service
from gbvwatch.gaps.params import parameters_from
from gbvwatch.gaps.profiles import KIND_GROUPS
from gbvwatch.gaps.report import standard_kinds, standard_row
from gbvwatch.reference.models import Standard
from gbvwatch.siting.params import SitingParameters

DEFAULT_PLACES_PER_SITE = 20  # when no family-place standard applies, or it is already met


@dataclass(frozen=True)
class Places:
    """Places per new site and per existing service, each with the basis it was counted on."""

    per_new_site: int
    new_basis: str
    existing: tuple[int, ...]
    existing_basis: dict[str, str]
    sources: list[dict[str, Any]] = field(default_factory=list)


def places_for(params: SitingParameters, services: list[Service], k: int) -> Places:
    """Places of the k new sites and of the existing `services` (in their order)."""
    gap_params = parameters_from({})
    standard = _family_place_standard(params.kind)
    row = standard_row(standard, gap_params, per_unit=False) if standard is not None else None
    share = _share_of_aggregate(row)
    existing, basis = [], {}
    for service in services:
        stated = _stated(service, gap_params.persons_per_family_place)
        if stated is not None:
            existing.append(int(stated))
            basis[service.code] = "stated capacity"
        elif share is not None:
            existing.append(share)
            basis[service.code] = (
                "no stated capacity: an equal share of the reported national aggregate less "
                "the stated capacities"
            )
        else:
            existing.append(0)
            basis[service.code] = "no stated capacity and no aggregate to share: counted as 0"
    per_site, new_basis = _per_new_site(params, row, k)
    return Places(
        per_new_site=per_site,
        new_basis=new_basis,
        existing=tuple(existing),
        existing_basis=basis,
        sources=list(row["sources"][:2]) if row is not None else [],
    )


def _family_place_standard(kind: str) -> Standard | None:
    kinds = set(KIND_GROUPS.get(kind, ()))
    for standard in Standard.objects.filter(capacity_unit="family_places").order_by("code"):
        if kinds & set(standard_kinds(standard)):
            return standard
    return None


def _stated(service: Service, persons_per_family_place: float) -> float | None:
    if service.capacity is None or not service.capacity_unit:
        return None
    return capacity.to_family_places(
        float(service.capacity),
        service.capacity_unit,
        persons_per_family_place=persons_per_family_place,
    )


def _share_of_aggregate(row: dict[str, Any] | None) -> int | None:
    """Family places per service with no stated capacity, when the gap analysis counts the
    standard's services by a reported aggregate; None otherwise."""
    if row is None or row["available_basis"] != "reported_aggregate":
        return None
    if not row.get("services_without_capacity"):
        return None
    left = float(row["available"]) - float(row["stated_capacity"])
    return max(0, math.floor(left / int(row["services_without_capacity"])))


def _per_new_site(params: SitingParameters, row: dict[str, Any] | None, k: int) -> tuple[int, str]:
    if params.places_per_site is not None:
        return int(params.places_per_site), "set by the planner"
    if row is None:
        return DEFAULT_PLACES_PER_SITE, (
            f"no family-place standard counts this kind of service: {DEFAULT_PLACES_PER_SITE}, "
            "the default"
        )
    if row["shortfall"] <= 0:
        return DEFAULT_PLACES_PER_SITE, (
            f"the standard '{row['standard']}' is met: {DEFAULT_PLACES_PER_SITE}, the default"
        )
    per_site = max(1, math.ceil(row["shortfall"] / max(k, 1)))
    inputs = row["inputs"]
    return per_site, (
        f"the standard '{row['standard']}' ({inputs['amount']:g} family place per "
        f"{inputs['per']:,} {inputs['denominator']}) requires {row['required']:,.0f} family "
        f"places and {row['available']:,.0f} are counted ({row['available_note']}); the "
        f"shortfall of {row['shortfall']:,.0f} shared by the {k} new sites, rounded up"
    )
