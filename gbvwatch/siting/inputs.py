"""Database rows turned into a siting problem: demand, candidates, existing services."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from gbvwatch.directory.models import Service
from gbvwatch.gaps import inputs as gap_inputs
from gbvwatch.gaps.params import ParameterError
from gbvwatch.gaps.profiles import KIND_GROUPS, PROFILES, accepts
from gbvwatch.geography.models import AdminUnit
from gbvwatch.siting.params import SitingParameters


@dataclass(frozen=True)
class Sites:
    """Candidate sites: codes, names, coordinates in degrees, road-network component."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    lats: NDArray[np.float64]
    lons: NDArray[np.float64]
    components: tuple[str, ...]


def demand_places(params: SitingParameters) -> gap_inputs.Places:
    """Unit centres (women of each unit) or settlements (population x the unit's share)."""
    if params.demand == "settlements":
        return gap_inputs.settlement_places()
    return gap_inputs.unit_places()


def existing_services(params: SitingParameters) -> list[Service]:
    """Operating services of the kind, located, whose records say they accept the profile."""
    profile = PROFILES[params.profile]
    return [
        s
        for s in gap_inputs.operating_services(KIND_GROUPS[params.kind])
        if s.lat is not None
        and s.lon is not None
        and accepts(profile, s, unknown_accepts=params.unknown_accepts)
    ]


def candidate_sites(params: SitingParameters) -> Sites:
    """Every unit's administrative centre plus the sites the user added (codes site-1,
    site-2, ... in the order given), less the removed; a locked code must be one of them."""
    units = list(AdminUnit.objects.order_by("code"))
    added = [f"site-{number}" for number in range(1, len(params.extra_sites) + 1)]
    known = {u.code for u in units} | set(added)
    unknown = [c for c in (*params.removed, *params.locked) if c not in known]
    if unknown:
        raise ParameterError(
            _("remove/lock: no unit or added site with the code %(codes)s")
            % {"codes": ", ".join(unknown)[:200]}
        )
    clash = sorted(set(params.removed) & set(params.locked))
    if clash:
        raise ParameterError(
            _("lock: %(codes)s is also removed") % {"codes": ", ".join(clash)[:200]}
        )
    kept = [u for u in units if u.code not in set(params.removed)]
    codes = [u.code for u in kept]
    names = [u.name_en for u in kept]
    lats = [u.centre_lat for u in kept]
    lons = [u.centre_lon for u in kept]
    components = [u.road_component for u in kept]
    for code, site in zip(added, params.extra_sites, strict=True):
        if code in params.removed:
            continue
        codes.append(code)
        names.append(site.label or f"{site.lat:.4f}, {site.lon:.4f}")
        lats.append(site.lat)
        lons.append(site.lon)
        components.append(_component_near(units, site.lat, site.lon))
    if not codes:
        raise ParameterError(_("remove: no candidate site is left"))
    return Sites(
        codes=tuple(codes),
        names=tuple(names),
        lats=np.array(lats, dtype=np.float64),
        lons=np.array(lons, dtype=np.float64),
        components=tuple(components),
    )


def _component_near(units: list[AdminUnit], lat: float, lon: float) -> str:
    """The road-network component of the unit whose boundary holds the point, else of the unit
    with the nearest centre (main when there are no units)."""
    from gbvwatch.analysis.geo import haversine_km, locate
    from gbvwatch.geography.models import Boundary

    boundaries = list(Boundary.objects.select_related("unit"))
    if boundaries:
        found = locate(np.array([[lon, lat]]), [b.geometry for b in boundaries])
        if found.method[0] == "contains":
            return boundaries[int(found.feature_index[0])].unit.road_component
    if not units:
        return "main"
    km = haversine_km(
        np.array([u.centre_lat for u in units]), np.array([u.centre_lon for u in units]), lat, lon
    )
    return units[int(np.argmin(km))].road_component
