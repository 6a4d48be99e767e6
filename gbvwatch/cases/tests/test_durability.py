"""Writers killed with SIGKILL at random points lose no acknowledged incident or evidence file;
the database stays consistent (SQLite in WAL mode with synchronous=FULL, a real file), no file
the database points to is half-written, and the clean-up removes only orphans."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

WRITER = "gbvwatch.cases.tests.durability_writer"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", WRITER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_sigkilled_writers_lose_no_acknowledged_incident_or_evidence(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GBVWATCH_DATA_DIR"] = str(tmp_path)
    env["GBVWATCH_ARGON2_OPSLIMIT"], env["GBVWATCH_ARGON2_MEMLIMIT_KIB"] = "1", "8192"
    ack = tmp_path / "acknowledged.txt"
    result = _run(["run", str(ack), "100", "7"], env)
    assert result.returncode == 0 and "done" in result.stdout, result.stderr[-2000:]
    # The last line may be torn by the kill: only complete lines were acknowledged.
    lines = [line.split() for line in ack.read_text(encoding="ascii").split("\n")[:-1]]
    incidents = {w[1].replace("-", "") for w in lines if w[:1] == ["incident"] and len(w) == 2}
    evidence = {w[1]: w[2] for w in lines if w[:1] == ["evidence"] and len(w) == 3}
    # Each writer was killed only after acknowledging an incident (even kills) or an evidence
    # file (odd kills): work got done between the kills, whatever the machine's load.
    assert len(incidents) >= 100 and len(evidence) >= 50
    database = sqlite3.connect(tmp_path / "gbvwatch.sqlite3")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = database.execute(
            "SELECT id, length(data_key_sealed), length(narrative_enc) FROM cases_incident"
        ).fetchall()
    finally:
        database.close()
    stored = {str(row[0]).replace("-", ""): row for row in rows}
    missing = incidents - set(stored)
    assert not missing, f"{len(missing)} acknowledged incidents lost"
    assert all(row[1] > 0 and row[2] > 2000 for row in stored.values())  # none half-written

    check = _run(["verify", str(ack)], env)
    assert check.returncode == 0, check.stderr[-2000:]
    found = json.loads(check.stdout)
    assert found["broken"] == []  # every file the database points to opens, whole
    lost = {pk for pk in evidence if pk not in found["opened"]}
    assert not lost, f"{len(lost)} acknowledged evidence files lost"
    assert all(found["opened"][pk] == digest for pk, digest in evidence.items())
    # Orphans (killed between the file's rename and the row's commit) and .partial files go;
    # every referenced file stays.
    assert sorted(found["files_after_collect"]) == found["referenced"]
    assert found["removed_by_collect"] == found["files_before_collect"] - len(found["referenced"])
