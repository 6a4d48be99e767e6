"""Backups: a real instance (data directory, SQLite with its WAL, evidence files; or a real
PostgreSQL database with pg_dump/pg_restore) is seeded through the product, backed up,
restored into a fresh data directory and compared row by row, file by file, audit entry by
audit entry; damaged, truncated, altered and forged archives restore nothing."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

from gbvwatch.cases.evidence_store import EncryptingWriter
from gbvwatch.cases.tests.canary_run import MARKERS
from gbvwatch.core import backup, crypto, restore

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
PG_TOOLS = shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="the SQLite path; PostgreSQL runs below")


def _env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GBVWATCH_DATA_DIR=str(data_dir), GBVWATCH_ARGON2_OPSLIMIT="1",
               GBVWATCH_ARGON2_MEMLIMIT_KIB="8192")  # fmt: skip
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `gbvwatch ARGS` or `python -m MODULE` (args starting with -m) in a subprocess."""
    prefix = [sys.executable] if args[0] == "-m" else [sys.executable, "-m", "gbvwatch.cli"]
    result = subprocess.run(
        [*prefix, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if ok:
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-3000:])
    return result


@dataclass
class Instance:
    """A seeded instance, its backup key file and one backup of it."""

    data_dir: Path
    database_url: str
    key_file: Path
    archive: Path
    audit_head: str

    @property
    def env(self) -> dict[str, str]:
        return _env(self.data_dir, self.database_url)


def _seeded_instance(root: Path, database_url: str = "") -> Instance:
    """Canary markers in every sensitive field (the canary run), a multi-chunk evidence file,
    a backup key and one backup."""
    data_dir, key_file, archive = (
        root / "instance",
        root / "offline" / "backup.key",
        root / "b.gbvbak",
    )
    data_dir.mkdir()
    key_file.parent.mkdir()
    env = _env(data_dir, database_url)
    assert "done" in _run(env, "-m", "gbvwatch.cases.tests.canary_run").stdout
    assert "seeded" in _run(env, "-m", "gbvwatch.core.tests.backup_probe", "seed").stdout
    init = _run(env, "backup", "init", "--key-out", str(key_file))
    assert "move the private key file off this server" in init.stderr
    head = _run(env, "audit", "head").stdout.strip()
    made = _run(env, "backup", "--output", str(archive))
    assert f"audit head {head}" in made.stdout
    return Instance(data_dir, database_url, key_file, archive, head)


@pytest.fixture(scope="module")
def sqlite_instance(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return _seeded_instance(tmp_path_factory.mktemp("sqlite"))


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        db.close()


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _fresh_data_dir(root: Path, database_url: str = "") -> Path:
    """An empty data directory as a new server has it: settings made the signing key and
    the static directory when the first command ran."""
    fresh = root / f"fresh-{secrets.token_hex(4)}"
    fresh.mkdir()
    _run(_env(fresh, database_url), "audit", "--help")
    assert sorted(p.name for p in fresh.iterdir()) == ["secret_key", "static"]
    return fresh


def _sqlite_target(data_dir: Path) -> restore.RestoreTarget:
    return restore.RestoreTarget(
        data_dir=data_dir,
        media_root=data_dir / "files",
        database={
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "gbvwatch.sqlite3"),
        },
    )


def _private_key(instance: Instance) -> bytes:
    return backup.backup_private_key_read(instance.key_file)


def _assert_opens_the_same(original: Instance, restored_env: dict[str, str]) -> None:
    """The cases still open with alice's password, and every evidence file decrypts to its
    recorded SHA-256, identically on both instances."""
    before = json.loads(_run(original.env, "-m", "gbvwatch.core.tests.backup_probe", "open").stdout)
    after = json.loads(_run(restored_env, "-m", "gbvwatch.core.tests.backup_probe", "open").stdout)
    assert after == before
    assert any(MARKERS["narrative"] in i["narrative"] for i in after["incidents"].values())
    assert any(MARKERS["losses"] in a["losses"] for a in after["attacks"].values())
    assert len(after["evidence"]) == 2 and len(after["indicator_search"]) == 1
    for item in after["evidence"].values():
        assert item["decrypted_sha256"] == item["recorded_sha256"]


@sqlite_only
def test_sqlite_backup_restores_every_row_file_and_audit_entry(
    sqlite_instance: Instance, tmp_path: Path
) -> None:
    fresh = _fresh_data_dir(tmp_path)
    env = _env(fresh)
    restored = _run(
        env, "restore", str(sqlite_instance.archive), "--key", str(sqlite_instance.key_file)
    )
    assert f"audit head {sqlite_instance.audit_head}" in restored.stdout
    # Row for row. The original's last audit entry records the backup, after the archived head;
    # the restored log's last one records the restore, after the same head.
    before = _sqlite_counts(sqlite_instance.data_dir / "gbvwatch.sqlite3")
    after = _sqlite_counts(fresh / "gbvwatch.sqlite3")
    assert before.pop("django_session") > 0 and after.pop("django_session") == 0
    assert before.pop("core_auditentry") == after.pop("core_auditentry")
    assert after == before and sum(after.values()) > 100
    assert _file_hashes(fresh / "files") == _file_hashes(sqlite_instance.data_dir / "files")
    assert len(_file_hashes(fresh / "files")) == 2
    assert (fresh / "backup_public_key").read_bytes() == (
        sqlite_instance.data_dir / "backup_public_key"
    ).read_bytes()
    assert "recorded in the audit log" in restored.stdout
    verified = _run(env, "audit", "verify", "--anchor", sqlite_instance.audit_head)
    assert "chain intact" in verified.stdout
    # The restore itself is the one entry after the backup's head.
    seq = int(sqlite_instance.audit_head.split(":")[0])
    assert _run(env, "audit", "head").stdout.strip().startswith(f"{seq + 1}:")
    _assert_opens_the_same(sqlite_instance, env)
    # A second restore into the same, now live, instance is refused.
    archive, key = str(sqlite_instance.archive), str(sqlite_instance.key_file)
    again = _run(env, "restore", archive, "--key", key, ok=False)
    assert again.returncode != 0 and "is not empty" in again.stderr


@sqlite_only
def test_a_killed_backups_staging_folder_is_removed_and_backups_do_not_overlap(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "instance"
    data_dir.mkdir()
    env = _env(data_dir)
    _run(env, "migrate", "--no-input", "-v0")
    _run(env, "backup", "init", "--key-out", str(tmp_path / "backup.key"))
    left = data_dir / f"{backup.STAGING_PREFIX}killed"
    left.mkdir()
    (left / "gbvwatch.sqlite3").write_bytes(b"a copy of the database")
    made = _run(env, "backup", "--output", str(tmp_path / "second.gbvbak"))
    assert "Removed 1 staging folder(s)" in made.stdout
    assert not [p for p in data_dir.iterdir() if p.name.startswith(backup.STAGING_PREFIX)]
    with open(data_dir / backup.LOCK_FILE, "a+b") as held:  # as a running backup holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = _run(env, "backup", "--output", str(tmp_path / "third.gbvbak"), ok=False)
    assert busy.returncode != 0 and "Another backup" in busy.stderr
    assert not (tmp_path / "third.gbvbak").exists()


@sqlite_only
def test_the_backup_holds_no_marker_in_clear(sqlite_instance: Instance) -> None:
    data = sqlite_instance.archive.read_bytes()
    found = [
        name
        for name, marker in MARKERS.items()
        for needle in {marker.encode(), marker.lower().encode(), marker.encode("utf-16-le")}
        if needle in data
    ]
    assert not found
    # Coded fields and pseudonyms are clear in the database by design, yet not in the backup.
    on_disk = b"".join(p.read_bytes() for p in sqlite_instance.data_dir.glob("gbvwatch.sqlite3*"))
    assert b"Activist A" in on_disk and b"Activist A" not in data
    assert b"django_session" not in data and b"SQLite format 3" not in data


@sqlite_only
def test_the_private_key_is_kept_nowhere_in_the_data_directory(sqlite_instance: Instance) -> None:
    private_key = _private_key(sqlite_instance)
    needles = [private_key, base64.b64encode(private_key), private_key.hex().encode()]
    holders = [
        p
        for p in sqlite_instance.data_dir.rglob("*")
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]
    assert holders == []
    assert sqlite_instance.key_file.stat().st_mode & 0o777 == 0o600
    public = backup.backup_public_key(sqlite_instance.data_dir)
    assert crypto.public_key_of(private_key) == public


def test_backup_init_never_overwrites_and_refuses_the_data_directory(tmp_path: Path) -> None:
    data_dir, key = tmp_path / "data", tmp_path / "key"
    data_dir.mkdir()
    key.write_text("an existing file")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup_key_create(data_dir=data_dir, key_out=key)
    assert key.read_text() == "an existing file" and not list(data_dir.iterdir())
    with pytest.raises(backup.BackupError, match="inside the data directory"):
        backup.backup_key_create(data_dir=data_dir, key_out=data_dir / "sub" / "key")
    pair = backup.backup_key_create(data_dir=data_dir, key_out=tmp_path / "key2")
    with pytest.raises(backup.BackupError, match=pair.fingerprint):
        backup.backup_key_create(data_dir=data_dir, key_out=tmp_path / "key3")
    assert not (tmp_path / "key3").exists()
    renewed = backup.backup_key_create(data_dir=data_dir, key_out=tmp_path / "key3", replace=True)
    assert backup.backup_public_key(data_dir) == renewed.public_key != pair.public_key


def test_backup_without_a_key_names_the_command_to_run(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="backup init --key-out"):
        backup.backup_public_key(tmp_path)


def test_missing_postgresql_tools_give_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup.BackupError, match=r"pg_dump is not on PATH.*postgresql-client"):
        backup.pg_tool("pg_dump")


@sqlite_only
def test_a_backup_taken_while_evidence_is_being_added_is_consistent(tmp_path: Path) -> None:
    """The snapshot is taken first, then the files: every row in it finds its file."""
    root = tmp_path / "busy"
    root.mkdir()
    instance = _seeded_instance(root)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-m", "gbvwatch.core.tests.backup_probe", "write", str(stop)],
        env=instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if Path(f"{stop}.started").exists() or writer.poll() is not None:
                break
            time.sleep(0.1)
        busy = tmp_path / "busy.gbvbak"
        _run(instance.env, "backup", "--output", str(busy))
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-2000:]
    fresh = _fresh_data_dir(tmp_path)
    env = _env(fresh)
    _run(env, "restore", str(busy), "--key", str(instance.key_file))
    assert "chain intact" in _run(env, "audit", "verify").stdout
    opened = json.loads(_run(env, "-m", "gbvwatch.core.tests.backup_probe", "open").stdout)
    assert len(opened["evidence"]) >= 2 + 5
    for item in opened["evidence"].values():
        assert item["decrypted_sha256"] == item["recorded_sha256"]
    assert int(out.split()[0]) >= 5


# ---------------------------------------------------------------------------------------------
# Damaged archives: each is refused whole and the target stays exactly as it was.


def _refused(instance: Instance, archive: Path, tmp_path: Path, key: bytes | None = None) -> str:
    target_dir = tmp_path / f"target-{secrets.token_hex(4)}"
    target_dir.mkdir()
    (target_dir / "secret_key").write_text("x")
    (target_dir / "static").mkdir()
    before = _listing(target_dir)
    with pytest.raises(backup.BackupError) as failure:
        restore.backup_restore(
            archive=archive,
            private_key=key or _private_key(instance),
            target=_sqlite_target(target_dir),
        )
    assert _listing(target_dir) == before, "a refused restore left something behind"
    return str(failure.value)


def _variant(instance: Instance, tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"variant-{secrets.token_hex(4)}.gbvbak"
    path.write_bytes(data)
    return path


@sqlite_only
def test_a_sound_archive_restores_in_process(sqlite_instance: Instance, tmp_path: Path) -> None:
    """Control for the tests below: the same call on the unmodified archive succeeds."""
    target = tmp_path / "ok"
    target.mkdir()
    result = restore.backup_restore(
        archive=sqlite_instance.archive,
        private_key=_private_key(sqlite_instance),
        target=_sqlite_target(target),
    )
    assert result.audit_head == sqlite_instance.audit_head and result.files == 2
    assert not [p for p in target.iterdir() if p.name.startswith(".restore-")]


@sqlite_only
def test_a_wrong_key_is_refused_and_nothing_is_written(
    sqlite_instance: Instance, tmp_path: Path
) -> None:
    _public, other = crypto.new_key_pair()
    message = _refused(sqlite_instance, sqlite_instance.archive, tmp_path, key=other)
    assert "Wrong key" in message and backup.key_fingerprint(crypto.public_key_of(other)) in message


@sqlite_only
def test_a_truncated_archive_is_refused_whole(sqlite_instance: Instance, tmp_path: Path) -> None:
    data = sqlite_instance.archive.read_bytes()
    final_block = 4 + 17  # the empty final chunk: length prefix and authentication tag
    cuts = [0, 5, backup.HEADER_BYTES - 1, backup.HEADER_BYTES + 30, len(data) // 3,
            len(data) // 2, len(data) - final_block, len(data) - 1]  # fmt: skip
    for cut in cuts:
        message = _refused(
            sqlite_instance, _variant(sqlite_instance, tmp_path, data[:cut]), tmp_path
        )
        assert any(w in message for w in ("truncated", "not a gbvwatch backup")), (cut, message)


@sqlite_only
def test_any_flipped_bit_is_refused_whole(sqlite_instance: Instance, tmp_path: Path) -> None:
    data = sqlite_instance.archive.read_bytes()
    header = list(range(0, backup.HEADER_BYTES, 7))
    body = [backup.HEADER_BYTES + (len(data) - backup.HEADER_BYTES) * k // 23 for k in range(23)]
    for position in [*header, *body, len(data) - 1]:
        flipped = bytearray(data)
        flipped[position] ^= 1 << (position % 8)
        _refused(sqlite_instance, _variant(sqlite_instance, tmp_path, bytes(flipped)), tmp_path)


@sqlite_only
def test_bytes_appended_to_an_archive_are_refused(
    sqlite_instance: Instance, tmp_path: Path
) -> None:
    data = sqlite_instance.archive.read_bytes() + b"\0"
    message = _refused(sqlite_instance, _variant(sqlite_instance, tmp_path, data), tmp_path)
    assert "truncated, damaged or altered" in message


def _forged(instance: Instance, tmp_path: Path, members: dict[str, bytes], manifest: Any) -> Path:
    """An archive made by someone who has only the public key (it is not secret)."""
    public = backup.backup_public_key(instance.data_dir)
    archive_key = secrets.token_bytes(32)
    header = backup.MAGIC + bytes.fromhex(backup.key_fingerprint(public))
    header += crypto.seal_to_public_key(public, archive_key)
    out = io.BytesIO()
    out.write(header)
    writer = EncryptingWriter(out, key=archive_key, associated_data=header)
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    writer.write(plain.getvalue())
    writer.finish()
    return _variant(instance, tmp_path, out.getvalue())


def _manifest_for(members: dict[str, bytes]) -> dict[str, Any]:
    listed = [
        {"name": n, "size": len(c), "sha256": hashlib.sha256(c).hexdigest()}
        for n, c in members.items()
    ]
    return {"format": 1, "engine": "sqlite", "database_member": backup.SQLITE_MEMBER,
            "migrations": [], "members": listed}  # fmt: skip


@sqlite_only
def test_forged_archives_with_escaping_names_or_wrong_hashes_are_refused(
    sqlite_instance: Instance, tmp_path: Path
) -> None:
    db = b"SQLite format 3\0" + b"\0" * 100
    escaping = {backup.SQLITE_MEMBER: db, "files/../../escaped": b"x"}
    forged = _forged(sqlite_instance, tmp_path, escaping, _manifest_for(escaping))
    message = _refused(sqlite_instance, forged, tmp_path)
    assert "unexpected member" in message and not (tmp_path / "escaped").exists()
    members = {backup.SQLITE_MEMBER: db, "files/evidence/a": b"evidence"}
    manifest = _manifest_for(members)
    manifest["members"][1]["sha256"] = "0" * 64
    message = _refused(
        sqlite_instance, _forged(sqlite_instance, tmp_path, members, manifest), tmp_path
    )
    assert "does not match the SHA-256" in message
    manifest = _manifest_for(members)
    manifest["format"] = 99
    message = _refused(
        sqlite_instance, _forged(sqlite_instance, tmp_path, members, manifest), tmp_path
    )
    assert "format is 99" in message
    clashing = {backup.SQLITE_MEMBER: db, "files/evidence": b"x", "files/evidence/a": b"y"}
    forged = _forged(sqlite_instance, tmp_path, clashing, _manifest_for(clashing))
    assert "could not be unpacked" in _refused(sqlite_instance, forged, tmp_path)
    manifest = _manifest_for(members)  # authentic in form, but not a database
    message = _refused(
        sqlite_instance, _forged(sqlite_instance, tmp_path, members, manifest), tmp_path
    )
    assert "integrity" in message or "database" in message


@sqlite_only
def test_restore_refuses_a_data_directory_or_files_directory_that_is_not_empty(
    sqlite_instance: Instance, tmp_path: Path
) -> None:
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("someone's file")
    with pytest.raises(backup.BackupError, match=r"not empty \(it holds notes.txt\)"):
        restore.backup_restore(
            archive=sqlite_instance.archive,
            private_key=_private_key(sqlite_instance),
            target=_sqlite_target(stray),
        )
    files = tmp_path / "files-only"
    (files / "files" / "evidence").mkdir(parents=True)
    (files / "files" / "evidence" / "abc").write_bytes(b"old evidence")
    with pytest.raises(backup.BackupError, match=r"files directory .* is not empty"):
        restore.backup_restore(
            archive=sqlite_instance.archive,
            private_key=_private_key(sqlite_instance),
            target=_sqlite_target(files),
        )
    assert (files / "files" / "evidence" / "abc").read_bytes() == b"old evidence"
    assert _listing(stray) == ["notes.txt"]


# ---------------------------------------------------------------------------------------------
# PostgreSQL: pg_dump and pg_restore against the server of DATABASE_URL.


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str, str]]:
    """Three new databases on the server of DATABASE_URL, dropped afterwards."""
    import psycopg
    from psycopg import sql

    url = os.environ["DATABASE_URL"]
    params = dj_database_url.parse(url)
    names = [f"gbvw_backup_{secrets.token_hex(4)}_{s}" for s in ("a", "b", "c")]
    connect: dict[str, Any] = {"dbname": params["NAME"], "user": params["USER"],
                               "password": params["PASSWORD"], "host": params["HOST"],
                               "port": params["PORT"] or None}  # fmt: skip
    with psycopg.connect(**connect, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}", f"{base}/{names[2]}"
    finally:
        with psycopg.connect(**connect, autocommit=True) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _pg_counts(url: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    params = dj_database_url.parse(url)
    with psycopg.connect(dbname=params["NAME"], user=params["USER"], password=params["PASSWORD"],
                         host=params["HOST"], port=params["PORT"] or None) as conn:  # fmt: skip
        query = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        tables = [r[0] for r in conn.execute(query)]
        return {
            t: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
            ).fetchone()[0]  # type: ignore[index]
            for t in tables
        }


@pytest.mark.skipif(
    not (ON_POSTGRES and PG_TOOLS), reason="needs DATABASE_URL=postgres://... and pg_dump"
)
def test_postgresql_backup_restores_every_row_file_and_audit_entry(
    pg_databases: tuple[str, str, str], tmp_path: Path
) -> None:
    source_url, target_url, spare_url = pg_databases
    original = _seeded_instance(tmp_path, source_url)
    assert not any(m.encode() in original.archive.read_bytes() for m in MARKERS.values())
    fresh = _fresh_data_dir(tmp_path, target_url)
    env = _env(fresh, target_url)
    restored = _run(env, "restore", str(original.archive), "--key", str(original.key_file))
    assert f"audit head {original.audit_head}" in restored.stdout
    before, after = _pg_counts(source_url), _pg_counts(target_url)
    assert before.pop("django_session") > 0 and after.pop("django_session") == 0
    assert before.pop("core_auditentry") == after.pop("core_auditentry")
    assert after == before and sum(after.values()) > 100
    assert _file_hashes(fresh / "files") == _file_hashes(original.data_dir / "files")
    assert "chain intact" in _run(env, "audit", "verify", "--anchor", original.audit_head).stdout
    _assert_opens_the_same(original, env)
    again = _run(env, "restore", str(original.archive), "--key", str(original.key_file), ok=False)
    assert again.returncode != 0 and "is not empty" in again.stderr
    # A damaged archive restores nothing: the spare database and data directory stay empty.
    spare = _fresh_data_dir(tmp_path, spare_url)
    data = bytearray(original.archive.read_bytes())
    data[len(data) // 2] ^= 0x10
    bad = _variant(original, tmp_path, bytes(data))
    refused = _run(
        _env(spare, spare_url), "restore", str(bad), "--key", str(original.key_file), ok=False
    )
    assert refused.returncode != 0 and "damaged or altered" in refused.stderr
    assert _pg_counts(spare_url) == {} and sorted(p.name for p in spare.iterdir()) == [
        "secret_key",
        "static",
    ]


def _tiny_snapshot(directory: Path) -> backup.Snapshot:
    """A small database shaped like the instance's (migrations table, audit head)."""
    path = directory / "snapshot.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE django_migrations (app TEXT, name TEXT);"
        "CREATE TABLE core_audithead (id INTEGER PRIMARY KEY, seq INTEGER, entry_hash TEXT);"
        "INSERT INTO core_audithead VALUES (1, 7, 'abc');"
    )
    db.commit()
    migrations, head, counts = backup.sqlite_facts(db)
    db.close()
    return backup.Snapshot(path, backup.SQLITE_MEMBER, "sqlite", migrations, head, counts)


def test_archives_stream_large_files_without_holding_them_in_memory(tmp_path: Path) -> None:
    import tracemalloc

    data_dir, media = tmp_path / "data", tmp_path / "data" / "files"
    (media / "evidence").mkdir(parents=True)
    size = 32 * 1024 * 1024
    digest = hashlib.sha256()
    with open(media / "evidence" / "large", "wb") as out:
        for _ in range(size // (1024 * 1024)):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            out.write(block)
    pair = backup.backup_key_create(data_dir=data_dir, key_out=tmp_path / "backup.key")
    snapshot = _tiny_snapshot(tmp_path)
    target = tmp_path / "restored"
    target.mkdir()
    tracemalloc.start()
    try:
        made = backup._archive_write(
            tmp_path / "b.gbvbak", pair.public_key, snapshot, data_dir, media
        )
        write_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        result = restore.backup_restore(
            archive=made.path, private_key=pair.private_key, target=_sqlite_target(target)
        )
        restore_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert made.size_bytes > size and result.audit_head == "7:abc"
    assert write_peak < 4 * 1024 * 1024 and restore_peak < 4 * 1024 * 1024, (
        write_peak,
        restore_peak,
    )
    restored = hashlib.sha256((target / "files" / "evidence" / "large").read_bytes()).hexdigest()
    assert restored == digest.hexdigest()
