"""`gbvwatch restore FILE --key KEYFILE`: restore a backup into an empty data directory and an
empty database, after checking every chunk and every hash."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gbvwatch.core.backup import BackupError, backup_private_key_read
from gbvwatch.core.restore import RestoreTarget, backup_restore, restore_record


class Command(BaseCommand):
    help = (
        "Restore FILE (made by `gbvwatch backup`) with the private key from `backup init`, into "
        "an empty data directory and an empty database; a damaged backup restores nothing."
    )
    requires_system_checks: list[str] = []  # the database is empty: nothing to check yet

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--key", type=Path, required=True, help="the backup private key file")

    def handle(self, *args: Any, **options: Any) -> None:
        connections.close_all()
        target = RestoreTarget(
            data_dir=Path(settings.DATA_DIR),
            media_root=Path(settings.MEDIA_ROOT),
            database=dict(settings.DATABASES["default"]),
        )
        try:
            private_key = backup_private_key_read(options["key"])
            result = backup_restore(archive=options["file"], private_key=private_key, target=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        archive_sha256 = _sha256(options["file"])
        self.stdout.write(
            f"Restored the backup of {result.created_at} ({result.engine}): "
            f"{sum(result.row_counts.values())} rows in {len(result.row_counts)} tables, "
            f"{result.files} files, audit head {result.audit_head}.\n"
            f"  archive SHA-256 {archive_sha256}\n"
            "Run `gbvwatch audit verify --anchor "
            f"{result.audit_head}` to check the audit log. Everyone must log in again."
        )
        if restore_record(result, archive_sha256=archive_sha256):
            self.stdout.write("The restore is recorded in the audit log, after that head.")
        else:
            self.stdout.write(
                "The restore could not be recorded in the audit log before `gbvwatch migrate`."
            )
        if result.pending_migrations:
            self.stdout.write(
                f"The backup predates {len(result.pending_migrations)} migrations of this "
                "version: run `gbvwatch migrate` before serving."
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
