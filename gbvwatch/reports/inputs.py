"""The live data a report is built from, gathered once into plain JSON-ready dicts, and the hash
that identifies them. Inputs are gathered in English so that the same data gives the same hash
whatever language the report is read in; every label shown is translated when rendering."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation

from gbvwatch.directory.models import Service, Status

Progress = Callable[[str, float], None]
# Fields that change on every run without the data changing; left out of the frozen inputs.
VOLATILE_FIELDS = ("generated_at",)
SERVICE_FIELDS = ("code", "name", "kind", "city", "lon", "lat", "capacity", "capacity_unit")


def _plain(data: Any) -> Any:
    """The value as it reads back from JSON (dates as text, tuples as lists); no NaN allowed."""
    return json.loads(json.dumps(data, default=str, allow_nan=False))


def _without_volatile(section: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in section.items() if k not in VOLATILE_FIELDS}


def canonical_json(data: Any) -> bytes:
    """The canonical JSON of `data`: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def data_hash(inputs: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the frozen inputs."""
    return hashlib.sha256(canonical_json(inputs)).hexdigest()


def services_list() -> list[dict[str, Any]]:
    """Operating services of the directory with where they are (code order)."""
    rows = []
    for service in (
        Service.objects.filter(status=Status.OPERATING).select_related("unit").order_by("code")
    ):
        row = {field: getattr(service, field) for field in SERVICE_FIELDS}
        row["unit"] = service.unit.code if service.unit else ""
        row["unit_name"] = service.unit.name_en if service.unit else ""
        row["open_24_7"] = service.open_24_7
        rows.append(row)
    return rows


def unit_names() -> dict[str, dict[str, str]]:
    """Each administrative unit's name in English, the local language (az) and Russian."""
    from gbvwatch.geography.models import AdminUnit

    return {
        code: {"en": en, "az": local or en, "ru": ru or en}
        for code, en, local, ru in AdminUnit.objects.order_by("code").values_list(
            "code", "name_en", "name_local", "name_ru"
        )
    }


def boundaries_digest() -> str:
    """SHA-256 of every unit boundary (code and geometry, in a fixed order): the maps are drawn
    from these, so the data hash covers them without freezing the polygons themselves."""
    from gbvwatch.geography.models import Boundary

    digest = hashlib.sha256()
    rows = Boundary.objects.order_by("unit__code", "source_id", "pk")
    for code, geometry in rows.values_list("unit__code", "geometry"):
        digest.update(canonical_json([code, geometry]))
    return digest.hexdigest()


def inputs_gather(*, year: int, progress: Progress | None = None) -> dict[str, Any]:
    """Gather the gap analysis of `year`, the UPR summary, the coalition statistics (all years,
    suppressed) and the services; reads the database, writes nothing."""
    from gbvwatch.gaps.report import GapParameters, gaps_report
    from gbvwatch.stats.report import StatsParameters, stats_report
    from gbvwatch.upr.queries import RecommendationFilters, upr_summary

    step = progress or (lambda _label, _fraction: None)
    with translation.override("en"):
        step("gaps", 0.05)
        gaps = _without_volatile(gaps_report(GapParameters(year=year)))
        step("upr", 0.45)
        upr = upr_summary(RecommendationFilters(country=settings.COUNTRY))
        step("stats", 0.55)
        stats = _without_volatile(stats_report(StatsParameters()))
        step("services", 0.65)
        services = services_list()
        units = unit_names()
    inputs: dict[str, Any] = _plain(
        {
            "country": settings.COUNTRY,
            "year": year,
            "gaps": gaps,
            "upr": upr,
            "stats": stats,
            "services": services,
            "units": units,
            "boundaries_sha256": boundaries_digest(),
        }
    )
    return inputs
