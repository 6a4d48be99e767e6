"""`gbvwatch backup init --key-out FILE` and `gbvwatch backup --output FILE`: the backup key
pair, and an encrypted, consistent snapshot of the database and the files directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gbvwatch.core.backup import BackupError, backup_create, backup_key_create


class Command(BaseCommand):
    help = (
        "init --key-out FILE: make the backup key pair; the public half stays in the data "
        "directory, the private half is written to FILE, which must then leave the server. "
        "--output FILE: write an encrypted backup (database and files) to FILE."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("verb", nargs="?", choices=["init"])
        parser.add_argument("--key-out", type=Path, help="init: where to write the private key")
        parser.add_argument(
            "--replace", action="store_true", help="init: replace an existing backup key pair"
        )
        parser.add_argument("--output", "-o", type=Path, help="the backup file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "init":
                self._init(options["key_out"], options["replace"])
            else:
                self._backup(options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    def _init(self, key_out: Path | None, replace: bool) -> None:
        if key_out is None:
            raise CommandError("init needs --key-out FILE (a place off the server)")
        pair = backup_key_create(data_dir=Path(settings.DATA_DIR), key_out=key_out, replace=replace)
        self.stdout.write(
            f"Backup key pair made, fingerprint {pair.fingerprint}.\n"
            f"  public half:  {Path(settings.DATA_DIR) / 'backup_public_key'} (backups are "
            "encrypted to it)\n"
            f"  private half: {key_out}\n"
        )
        self.stderr.write(
            "WARNING: move the private key file off this server now (e.g. to a USB stick kept "
            "offline, and a second copy elsewhere), then delete it here. Anyone who holds it "
            "can read every backup; without it no backup can be restored."
        )

    def _backup(self, output: Path | None) -> None:
        if output is None:
            raise CommandError("give --output FILE (or `backup init --key-out FILE` first)")
        result = backup_create(
            output=output,
            data_dir=Path(settings.DATA_DIR),
            media_root=Path(settings.MEDIA_ROOT),
        )
        manifest = result.manifest
        self.stdout.write(
            f"Backup written to {result.path}\n"
            f"  {result.size_bytes} bytes, SHA-256 {result.sha256}\n"
            f"  encrypted to backup key {result.fingerprint}\n"
            f"  {manifest['engine']} database, {len(manifest['members']) - 2} files, "
            f"audit head {manifest['audit_head']}\n"
            "Keep the SHA-256 with the backup: anyone who has the public key can make an archive, "
            "so compare it before restoring."
        )
        if result.stale_removed:
            self.stdout.write(
                f"Removed {result.stale_removed} staging folder(s) left in the data directory by "
                "an interrupted backup (each held a copy of the database)."
            )
