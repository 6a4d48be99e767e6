"""`gbvwatch load-dataset NAME`: load a shipped dataset (default `az`), idempotently."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gbvwatch.datasets.loader import DatasetError, dataset_load, dataset_names
from gbvwatch.geography.exporters import format_table


class Command(BaseCommand):
    help = (
        "Load a shipped dataset: administrative units, boundaries, settlements, support "
        "services, UPR recommendations, minimum standards, key figures and public holidays "
        "(from the holidays package, 2019 to two years ahead). Everything is validated first "
        "and written in one transaction with one audit entry; rows are upserted by their "
        "codes, so running it again changes nothing. A service that an organisation maintains "
        "(Service.organisation set, e.g. after a member edited it) is never overwritten: only "
        "services without an organisation are updated from the dataset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "name", help=_("dataset name: %(names)s") % {"names": ", ".join(dataset_names())}
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = dataset_load(options["name"], actor="load-dataset")
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        columns = ("part", "rows", "created", "updated", "unchanged", "skipped", "deleted")
        rows = [[part, *result.as_dict().values()] for part, result in report.parts.items()]
        self.stdout.write(_("Dataset %(name)s loaded.") % {"name": report.dataset})
        self.stdout.write(format_table(columns, rows), ending="")
