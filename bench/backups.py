"""Backup and restore of an instance with 64 MiB of evidence files, each against a baseline
measured in the same run: an unencrypted copy of the same database and files (SQLite's backup
API, then each file copied and hashed). Run by `make bench`."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

FILES = 16
FILE_BYTES = 4 * 1024 * 1024


def _evidence(media_root: Path) -> int:
    """Random (incompressible, like ciphertext) files; their total size in bytes."""
    directory = media_root / "evidence"
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(FILES):
        (directory / f"bench-{n:02d}").write_bytes(os.urandom(FILE_BYTES))
    return sum(p.stat().st_size for p in media_root.rglob("*") if p.is_file())


def _plain_copy(media_root: Path, target: Path) -> float:
    """Baseline: what an unencrypted snapshot of the same data costs, in seconds."""
    from django.db import connection

    start = time.perf_counter()
    connection.ensure_connection()
    copy = sqlite3.connect(target / "copy.sqlite3")
    connection.connection.backup(copy)
    copy.close()
    for path in sorted(media_root.rglob("*")):
        if path.is_file():
            shutil.copyfile(path, target / path.name)
            with open(target / path.name, "rb") as copied:
                hashlib.sha256(copied.read()).hexdigest()
                os.fsync(copied.fileno())
    return time.perf_counter() - start


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django set up on SQLite with a migrated database)."""
    from django.conf import settings

    from gbvwatch.core import backup, restore

    data_dir, media_root = Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT)
    files_bytes = _evidence(media_root)
    work = Path(tempfile.mkdtemp(prefix="gbvwatch-bench-backup-"))
    try:
        (work / "plain").mkdir()
        baseline_s = _plain_copy(media_root, work / "plain")
        pair = backup.backup_key_create(data_dir=data_dir, key_out=work / "key", replace=True)
        start = time.perf_counter()
        made = backup.backup_create(
            output=work / "b.gbvbak", data_dir=data_dir, media_root=media_root
        )
        backup_s = time.perf_counter() - start
        (work / "restored").mkdir()
        target = restore.RestoreTarget(
            data_dir=work / "restored",
            media_root=work / "restored" / "files",
            database={"ENGINE": "django.db.backends.sqlite3",
                      "NAME": str(work / "restored" / "gbvwatch.sqlite3")},
        )  # fmt: skip
        start = time.perf_counter()
        restore.backup_restore(archive=made.path, private_key=pair.private_key, target=target)
        restore_s = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for path in (media_root / "evidence").glob("bench-*"):
            path.unlink()
    mib = made.size_bytes / 2**20
    database_mib = made.manifest["members"][0]["size"] / 2**20
    rows = [("unencrypted copy (baseline)", baseline_s), ("gbvwatch backup", backup_s),
            ("gbvwatch restore (verify, then make live)", restore_s)]  # fmt: skip
    return [
        "## Backup and restore",
        "",
        f"Database of {database_mib:.1f} MiB and {FILES} evidence files "
        f"({files_bytes / 2**20:.1f} MiB); archive {mib:.1f} MiB. One run each.",
        "",
        "| what | seconds | MiB/s | ratio to baseline |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {s:.2f} | {mib / s:.0f} | {s / baseline_s:.1f} |" for name, s in rows],
        "",
    ]
