"""Reading and checking the parameters of the gap analysis, from the CLI, the page or the API."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.analysis.access import RoadGraphError, road_graph_from_csv
from gbvwatch.gaps.profiles import PROFILES
from gbvwatch.gaps.report import GapParameters


class ParameterError(ValueError):
    """A parameter is out of range; the message names it."""


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
    if not low <= number <= high:
        raise ParameterError(
            _("%(name)s: %(value)s is outside %(low)s to %(high)s")
            % {"name": name, "value": value, "low": low, "high": high}
        )
    return number


def parameters_from(raw: Mapping[str, Any]) -> GapParameters:
    """GapParameters from a mapping of strings (query string, form or CLI options)."""
    profiles = raw.get("profile") or ""
    chosen = tuple(p for p in str(profiles).split(",") if p) or tuple(PROFILES)
    unknown = [p for p in chosen if p not in PROFILES]
    if unknown:
        raise ParameterError(
            _("profile: unknown %(names)s; choose from %(known)s")
            % {"names": ", ".join(unknown), "known": ", ".join(PROFILES)}
        )
    arrivals = raw.get("arrivals")
    return GapParameters(
        year=int(_number(raw, "year", timezone.localdate().year, 1900, 2200)),
        circuity=_number(raw, "circuity", 1.3, 1.0, 5.0),
        profiles=chosen,
        persons_per_family_place=_number(raw, "family_size", 2.0, 1.0, 20.0),
        mean_stay_days=_number(raw, "stay_days", 90.0, 0.1, 3650.0),
        arrivals_per_year=None if arrivals in (None, "") else _number(raw, "arrivals", 0, 0, 1e7),
        target_probability=_number(raw, "target", 0.05, 0.0001, 0.9999),
        availability_threshold_km=_number(raw, "threshold_km", 100.0, 0.0, 5000.0),
        unknown_accepts=str(raw.get("unknown_accepts", "")).lower() in {"1", "true", "yes", "on"},
    )


def with_road_graph(params: GapParameters, nodes: Path, edges: Path) -> GapParameters:
    """The same parameters with a road graph read from two CSV files."""
    from dataclasses import replace

    try:
        graph = road_graph_from_csv(nodes.read_text("utf-8"), edges.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, RoadGraphError) as exc:
        raise ParameterError(str(exc)) from exc
    return replace(params, road_graph=graph, road_graph_name=f"{nodes.name} + {edges.name}")
