"""Canary: markers seeded in every sensitive field and evidence file are found nowhere on
disk — not in the SQLite file, its WAL, the evidence files, the logs or the session store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from gbvwatch.cases.tests.canary_run import MARKERS


def test_markers_are_found_nowhere_in_the_data_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GBVWATCH_DATA_DIR=str(tmp_path), GBVWATCH_ARGON2_OPSLIMIT="1",
               GBVWATCH_ARGON2_MEMLIMIT_KIB="8192", GBVWATCH_LOG_LEVEL="DEBUG")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "gbvwatch.cases.tests.canary_run"],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0 and b"done" in result.stdout, result.stderr[-3000:]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "gbvwatch.sqlite3" in names and "gbvwatch.sqlite3-wal" in names
    assert any(p.parent.name == "evidence" for p in files)
    blobs = [(p, p.read_bytes()) for p in files] + [
        (Path("stdout"), result.stdout),
        (Path("stderr"), result.stderr),
    ]
    found = [
        (str(path.relative_to(tmp_path)) if path.is_absolute() else str(path), name)
        for name, marker in MARKERS.items()
        for path, data in blobs
        for needle in {marker.encode(), marker.lower().encode(), marker.encode("utf-16-le")}
        if needle in data
    ]
    assert not found, f"markers found on disk: {found}"
    # The scan does see clear data: the pseudonym, stored in clear by design, is on disk.
    assert any(b"Activist A" in data for _path, data in blobs)


def _scan(root: Path, extra: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    found = []
    needles = {
        name: {marker.encode(), marker.lower().encode(), marker.encode("utf-16-le")}
        for name, marker in MARKERS.items()
    }
    blobs = [(str(p), p.read_bytes()) for p in root.rglob("*") if p.is_file()] + extra
    for label, data in blobs:
        found += [(label, name) for name, forms in needles.items() if any(n in data for n in forms)]
    return found


@pytest.mark.skipif(
    not os.environ.get("GBVWATCH_CANARY_PG_DIR"),
    reason="needs a PostgreSQL server whose files this test may read (set by .ci/run)",
)
def test_markers_are_found_nowhere_in_the_postgresql_server_files(tmp_path: Path) -> None:
    """The same exercise against PostgreSQL; its data directory (tables, WAL) and server log
    are then scanned. .ci/run starts that server and names its directory."""
    import psycopg

    server_dir = Path(os.environ["GBVWATCH_CANARY_PG_DIR"])
    url = urlsplit(os.environ["DATABASE_URL"])
    admin = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    try:
        admin.execute("DROP DATABASE IF EXISTS gbvwatch_canary")
        admin.execute("CREATE DATABASE gbvwatch_canary")
    finally:
        admin.close()
    env = dict(os.environ)
    env.update(DATABASE_URL=urlunsplit(url._replace(path="/gbvwatch_canary")),
               GBVWATCH_DATA_DIR=str(tmp_path), GBVWATCH_ARGON2_OPSLIMIT="1",
               GBVWATCH_ARGON2_MEMLIMIT_KIB="8192", GBVWATCH_LOG_LEVEL="DEBUG")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "gbvwatch.cases.tests.canary_run"],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0 and b"done" in result.stdout, result.stderr[-3000:]
    time.sleep(1)  # the WAL writer flushes within 200 ms
    found = _scan(server_dir, [("stdout", result.stdout), ("stderr", result.stderr)])
    found += _scan(tmp_path, [])
    assert not found, f"markers found in the PostgreSQL server's files: {found}"
    # The scan does see clear data: the pseudonym, stored in clear by design, is on disk.
    assert any(b"Activist A" in p.read_bytes() for p in server_dir.rglob("*") if p.is_file()), (
        "the scan saw none of the data: is this the server's directory?"
    )
