"""Reading and checking the parameters of the siting planner, from the CLI, the page or the API."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gbvwatch.analysis.access import RoadGraph
from gbvwatch.gaps.params import ParameterError
from gbvwatch.gaps.profiles import KIND_GROUPS, PROFILES

# Kinds a planner would build: the walk-in kinds of the gap analysis (not helplines).
SITING_KINDS = tuple(k for k in KIND_GROUPS if k != "helpline")
OBJECTIVE_CODES = ("coverage", "median", "center", "cover-all", "capacity")
DEMAND_CHOICES = ("units", "settlements")
MAX_NEW_SITES = 500
DEFAULT_NEW_SITES = 5
_SITE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(.{1,80}))?$")

__all__ = ["ParameterError", "SitingParameters", "siting_parameters_from"]


@dataclass(frozen=True)
class ExtraSite:
    """A candidate the user adds by coordinates (degrees) and an optional label."""

    lat: float
    lon: float
    label: str


@dataclass(frozen=True)
class SitingParameters:
    """Everything a user may set; each value is echoed in the report's assumptions."""

    kind: str = "shelter"
    objective: str = "coverage"
    add: int | None = None  # None: DEFAULT_NEW_SITES, or every candidate when there are fewer
    radius_km: float = 100.0
    profile: str = "woman"
    demand: str = "units"
    circuity: float = 1.3
    unknown_accepts: bool = False
    exact: bool = True
    time_limit_s: float = 60.0
    extra_sites: tuple[ExtraSite, ...] = ()
    removed: tuple[str, ...] = ()
    locked: tuple[str, ...] = ()
    places_per_site: float | None = None  # None: from the standard (see siting.places)
    mean_stay_days: float = 90.0
    arrivals_per_year: float | None = None
    target_probability: float = 0.05
    road_graph: RoadGraph | None = field(default=None, compare=False)
    road_graph_name: str = ""

    def query(self) -> dict[str, str]:
        """The parameters as the strings of a query string (to save and re-run a scenario)."""
        values = {
            "kind": self.kind,
            "objective": self.objective,
            "add": "" if self.add is None else str(self.add),
            "radius_km": f"{self.radius_km:g}",
            "profile": self.profile,
            "demand": self.demand,
            "circuity": f"{self.circuity:g}",
            "unknown_accepts": "1" if self.unknown_accepts else "",
            "heuristic": "" if self.exact else "1",
            "time_limit": f"{self.time_limit_s:g}",
            "sites": "\n".join(f"{s.lat:g},{s.lon:g},{s.label}" for s in self.extra_sites),
            "remove": ",".join(self.removed),
            "lock": ",".join(self.locked),
            "places": "" if self.places_per_site is None else f"{self.places_per_site:g}",
            "stay_days": f"{self.mean_stay_days:g}",
            "arrivals": "" if self.arrivals_per_year is None else f"{self.arrivals_per_year:g}",
            "target": f"{self.target_probability:g}",
        }
        return {k: v for k, v in values.items() if v != ""}


def _number(raw: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = raw.get(name)
    if value in (None, ""):
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            _("%(name)s: %(value)r is not a number") % {"name": name, "value": value}
        ) from exc
    if not (math.isfinite(number) and low <= number <= high):
        raise ParameterError(
            _("%(name)s: %(value)s is outside %(low)s to %(high)s")
            % {"name": name, "value": value, "low": low, "high": high}
        )
    return number


def _choice(raw: Mapping[str, Any], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = str(raw.get(name) or default)
    if value not in choices:
        raise ParameterError(
            _("%(name)s: unknown %(value)s; choose from %(choices)s")
            % {"name": name, "value": value[:40], "choices": ", ".join(choices)}
        )
    return value


def _count(raw: Mapping[str, Any], objective: str) -> int | None:
    """The number of new sites asked for; None when not given (or for cover-all)."""
    value = raw.get("add")
    if value in (None, "") or objective == "cover-all":
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_NEW_SITES:
        raise ParameterError(
            _("add: %(value)r is not a whole number of new sites from 1 to %(high)s")
            % {"value": text[:40], "high": MAX_NEW_SITES}
        )
    return int(text)


def _sites(raw: Mapping[str, Any]) -> tuple[ExtraSite, ...]:
    text = str(raw.get("sites") or "")
    sites = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SITE.match(line)
        lat = float(match.group(1)) if match else math.nan
        lon = float(match.group(2)) if match else math.nan
        if not match or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ParameterError(
                _("sites: line %(line)s is not 'latitude,longitude[,name]' in degrees")
                % {"line": line_number}
            )
        sites.append(ExtraSite(lat, lon, (match.group(3) or "").strip()))
    return tuple(sites)


def _codes(raw: Mapping[str, Any], name: str) -> tuple[str, ...]:
    text = str(raw.get(name) or "")
    codes = tuple(c.strip() for c in re.split(r"[,\s]+", text) if c.strip())
    bad = [c for c in codes if len(c) > 80]
    if bad:
        raise ParameterError(_("%(name)s: a code is too long") % {"name": name})
    return codes


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    return str(raw.get(name, "")).lower() in {"1", "true", "yes", "on"}


WEB_TIME_LIMIT_S = 30.0  # a page or API request never waits longer on the solver


def capped_for_web(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The request's parameters as a plain dict, the solver's time limit capped for the web."""
    values = {k: raw.get(k) for k in raw}
    try:
        limit = float(values.get("time_limit") or WEB_TIME_LIMIT_S)
    except (TypeError, ValueError):
        return values  # the parser names the bad value
    if math.isfinite(limit):
        values["time_limit"] = str(min(limit, WEB_TIME_LIMIT_S))
    return values


def scenario_name(raw: object) -> str:
    """A scenario's name, stripped: 1 to 120 characters, no control character (NUL and the
    like are refused, never stored); ParameterError says which rule it breaks."""
    name = raw.strip() if isinstance(raw, str) else ""
    if not name or len(name) > 120:
        raise ParameterError(_("name: give the scenario a name of 1 to 120 characters"))
    if any(ord(c) < 32 for c in name):
        raise ParameterError(_("name: the name contains a control character"))
    return name


def siting_parameters_from(raw: Mapping[str, Any]) -> SitingParameters:
    """SitingParameters from a mapping of strings (query string, form or CLI options)."""
    objective = _choice(raw, "objective", "coverage", OBJECTIVE_CODES)
    profile = _choice(raw, "profile", "woman", tuple(PROFILES))
    arrivals = raw.get("arrivals")
    return SitingParameters(
        kind=_choice(raw, "kind", "shelter", SITING_KINDS),
        objective=objective,
        add=_count(raw, objective),
        radius_km=_number(raw, "radius_km", 100.0, 0.0, 5000.0),
        profile=profile,
        demand=_choice(raw, "demand", "units", DEMAND_CHOICES),
        circuity=_number(raw, "circuity", 1.3, 1.0, 5.0),
        unknown_accepts=_flag(raw, "unknown_accepts"),
        exact=not _flag(raw, "heuristic"),
        time_limit_s=_number(raw, "time_limit", 60.0, 0.1, 3600.0),
        extra_sites=_sites(raw),
        removed=_codes(raw, "remove"),
        locked=_codes(raw, "lock"),
        places_per_site=None
        if raw.get("places") in (None, "")
        else _number(raw, "places", 0, 1.0, 10_000.0),
        mean_stay_days=_number(raw, "stay_days", 90.0, 0.1, 3650.0),
        arrivals_per_year=None if arrivals in (None, "") else _number(raw, "arrivals", 0, 0, 1e7),
        target_probability=_number(raw, "target", 0.05, 0.0001, 0.9999),
    )
