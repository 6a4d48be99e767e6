"""Canary: markers seeded in every sensitive field and evidence file are found nowhere on
disk — not in the SQLite file, its WAL, the evidence files, the logs or the session store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
