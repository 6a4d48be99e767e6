"""`gbvwatch services list|import|export`: the support-service directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandParser

from gbvwatch.core.models import Organisation
from gbvwatch.directory.exporters import service_row, services_export
from gbvwatch.directory.importers import services_import
from gbvwatch.directory.models import Kind, Status
from gbvwatch.directory.queries import ServiceFilters, services_filtered, services_for_members
from gbvwatch.geography.importers import ImportResult
from gbvwatch.geography.management.commands.units import TableCommand


class Command(TableCommand):
    help = (
        "list: the services (filters --kind, --status, --unit); import FILE: upsert services by "
        "code from CSV or GeoJSON, all or nothing (with --actor naming a member, her "
        "organisation maintains the rows and other organisations' rows are refused); "
        "export: CSV or GeoJSON, --public for the public view (operating services only, "
        "confidential addresses blanked)."
    )
    noun = "services"

    def add_verb_arguments(
        self, listing: CommandParser, importing: CommandParser, exporting: CommandParser
    ) -> None:
        listing.add_argument("--kind", choices=Kind.values, help="only this kind")
        listing.add_argument("--status", choices=Status.values, help="only this status")
        listing.add_argument("--unit", metavar="CODE", help="only this district")
        exporting.add_argument(
            "--public",
            action="store_true",
            help="operating services only, confidential addresses blanked",
        )

    def list_rows(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        filters = ServiceFilters(
            kind=options["kind"] or "", status=options["status"] or "", unit=options["unit"] or ""
        )
        services = services_filtered(services_for_members(), filters).order_by("code")
        return [service_row(s, include_confidential=True) for s in services]

    def table_columns(self) -> Sequence[str]:
        return ("code", "kind", "status", "unit_code", "city", "capacity", "capacity_unit")

    def import_file(
        self,
        data: bytes,
        *,
        name: str,
        actor: Any,
        organisation: Organisation | None,
        options: dict[str, Any],
    ) -> ImportResult:
        return services_import(data, name=name, actor=actor, organisation=organisation)

    def export_text(self, fmt: str, options: dict[str, Any]) -> str:
        return services_export(fmt=fmt, include_confidential=not options.get("public"))
