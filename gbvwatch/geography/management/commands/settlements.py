"""`gbvwatch settlements list|import|export`: populated places with coordinates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gbvwatch.core.models import Organisation
from gbvwatch.geography.exporters import settlement_row, settlements_export
from gbvwatch.geography.importers import ImportResult, settlements_import
from gbvwatch.geography.management.commands.units import TableCommand
from gbvwatch.geography.models import Settlement


class Command(TableCommand):
    help = (
        "list: the settlements; import FILE: upsert settlements by code from CSV "
        "(code,name,lat,lon,population,unit_code) or GeoJSON points, all or nothing; "
        "export: CSV or GeoJSON points."
    )
    noun = "settlements"

    def list_rows(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        return [settlement_row(s) for s in Settlement.objects.select_related("unit")]

    def table_columns(self) -> Sequence[str]:
        return ("code", "name", "population", "unit_code", "lat", "lon")

    def import_file(
        self,
        data: bytes,
        *,
        name: str,
        actor: Any,
        organisation: Organisation | None,
        options: dict[str, Any],
    ) -> ImportResult:
        return settlements_import(data, name=name, actor=actor)

    def export_text(self, fmt: str, options: dict[str, Any]) -> str:
        return settlements_export(fmt)
