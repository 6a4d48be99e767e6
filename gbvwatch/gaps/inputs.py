"""Database rows turned into the arrays and records the analysis package takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gbvwatch.directory.models import Service, Status
from gbvwatch.geography.models import AdminUnit, Settlement
from gbvwatch.reference.models import KeyFigure, PublicHoliday


@dataclass(frozen=True)
class Places:
    """Points people travel from: unit centres or settlements, with women as weights."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    lats: NDArray[np.float64]
    lons: NDArray[np.float64]
    components: tuple[str, ...]
    women: NDArray[np.float64]


def unit_places() -> Places:
    """Every unit's centre; units not counted in the national total (cities inside a rayon
    that already counts them) weigh no women, so nobody is counted twice."""
    units = list(AdminUnit.objects.order_by("code"))
    return Places(
        codes=tuple(u.code for u in units),
        names=tuple(u.name_en for u in units),
        lats=np.array([u.centre_lat for u in units], dtype=np.float64),
        lons=np.array([u.centre_lon for u in units], dtype=np.float64),
        components=tuple(u.road_component for u in units),
        women=np.array(
            [float(u.women or 0) if u.counted_in_national_total else 0.0 for u in units],
            dtype=np.float64,
        ),
    )


def settlement_places() -> Places:
    """Settlements, weighted by population times their unit's share of women."""
    rows = list(Settlement.objects.select_related("unit").order_by("code"))
    share = [
        (s.unit.women / s.unit.population) if s.unit.women and s.unit.population else 0.5
        for s in rows
    ]
    return Places(
        codes=tuple(s.code for s in rows),
        names=tuple(s.name for s in rows),
        lats=np.array([s.lat for s in rows], dtype=np.float64),
        lons=np.array([s.lon for s in rows], dtype=np.float64),
        components=tuple(s.unit.road_component for s in rows),
        women=np.array(
            [float(s.population or 0) * f for s, f in zip(rows, share, strict=True)],
            dtype=np.float64,
        ),
    )


def operating_services(kinds: tuple[str, ...]) -> list[Service]:
    """Operating services of the given directory kinds, with their units and sources."""
    return list(
        Service.objects.filter(kind__in=kinds, status=Status.OPERATING)
        .select_related("unit")
        .prefetch_related("sources")
        .order_by("code")
    )


def service_component(service: Service) -> str:
    """The road-network component a service is on (its unit's; main when unknown)."""
    return service.unit.road_component if service.unit else "main"


def closed_dates(country: str, year: int) -> frozenset[dt.date]:
    """Public holidays and transferred days off of a year (working weekend days excluded)."""
    rows = PublicHoliday.objects.filter(country=country, date__year=year, is_working_day=False)
    return frozenset(rows.values_list("date", flat=True))


def working_weekend_dates(country: str, year: int) -> frozenset[dt.date]:
    """Weekend days turned into working days by a transfer of days off."""
    rows = PublicHoliday.objects.filter(
        country=country, date__year=year, kind=PublicHoliday.Kind.WEEKEND_WORKDAY
    )
    return frozenset(rows.values_list("date", flat=True))


def latest_figure(country: str, indicators: tuple[str, ...]) -> KeyFigure | None:
    """The most recent published figure among the indicators (None if there is none)."""
    return (
        KeyFigure.objects.filter(country=country, indicator__in=indicators, year__isnull=False)
        .order_by("-year")
        .first()
    )


def figure(country: str, indicator: str) -> KeyFigure | None:
    """A published figure by indicator (latest year first)."""
    return KeyFigure.objects.filter(country=country, indicator=indicator).order_by("-year").first()
