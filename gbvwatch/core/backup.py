"""Encrypted backups of a whole instance, and restoring them (SECURITY.md, Durability).

A backup key pair (X25519) is made once; the server keeps only the public half
(`DATA_DIR/backup_public_key`), the private half goes offline. A backup is a consistent
snapshot of the database (SQLite's online backup API; `pg_dump` in custom format on PostgreSQL)
and of the files directory (evidence), written as one tar stream that is encrypted while it is
written, never held in memory. Archive layout (integers big-endian):

    b"GBVWBK1\\n"                     magic and format version
    16 bytes                          SHA-256 prefix of the backup public key (names the key)
    81 bytes                          random 32-byte archive key sealed to the public key
    evidence_store stream             the tar stream, XChaCha20-Poly1305 secretstream in 64 KiB
                                      chunks, the last one marked final; associated data: all of
                                      the above, so the header cannot be swapped

Inside the tar: `database/...`, `files/...`, `instance/backup_public_key`, and `manifest.json`
last (format, creation time, engine, migrations, audit head, row counts, size and SHA-256 of
every member). `gbvwatch.core.restore` reads it back.

The Django signing key (`DATA_DIR/secret_key`) and the session table are left out on purpose:
a restored instance makes a new signing key and nobody is logged in; nothing stored depends on
that key (SECURITY.md: it never encrypts data)."""

from __future__ import annotations

import base64
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from gbvwatch.cases.evidence_store import CHUNK_BYTES, EncryptingWriter
from gbvwatch.core import crypto
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import AuditHead

FORMAT_VERSION = 1
MAGIC = b"GBVWBK1\n"
FINGERPRINT_BYTES = 16
SEALED_KEY_BYTES = 1 + 32 + 48  # version prefix, ephemeral public key, MAC + 32-byte key
HEADER_BYTES = len(MAGIC) + FINGERPRINT_BYTES + SEALED_KEY_BYTES
PUBLIC_KEY_FILE = "backup_public_key"
PUBLIC_PREFIX = "GBVWATCH-BACKUP-PUBLIC-KEY-V1:"
PRIVATE_PREFIX = "GBVWATCH-BACKUP-PRIVATE-KEY-V1:"
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
SQLITE_MEMBER = "database/gbvwatch.sqlite3"
PG_MEMBER = "database/gbvwatch.pgdump"
_EXCLUDED_TABLES = {"django_session"}


class BackupError(Exception):
    """A backup or restore could not be done; the message says why. Nothing partial was left."""


# ---------------------------------------------------------------------------------------------
# Keys


@dataclass(frozen=True)
class BackupKeyPair:
    """A new backup key pair: the fingerprint names it in archives and messages."""

    public_key: bytes
    private_key: bytes
    fingerprint: str


def key_fingerprint(public_key: bytes) -> str:
    """Hex SHA-256 prefix of a backup public key (32 hex characters)."""
    return hashlib.sha256(public_key).digest()[:FINGERPRINT_BYTES].hex()


def _key_line(prefix: str, raw: bytes) -> str:
    return prefix + base64.b64encode(raw).decode("ascii")


def _parse_key(text: str, prefix: str, what: str) -> bytes:
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            try:
                raw = base64.b64decode(line.strip()[len(prefix) :], validate=True)
            except ValueError:
                raw = b""
            if len(raw) == 32:
                return raw
            raise BackupError(f"{what}: the key line is damaged (not 32 bytes of base64).")
    raise BackupError(f"{what}: no line starting with {prefix} (is this the right file?).")


def _inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def backup_key_create(*, data_dir: Path, key_out: Path, replace: bool = False) -> BackupKeyPair:
    """Make a backup key pair: the public half into the data directory, the private half into
    `key_out` (created with mode 0600, never overwritten, refused inside the data directory)."""
    public_path = data_dir / PUBLIC_KEY_FILE
    if public_path.exists() and not replace:
        old = key_fingerprint(backup_public_key(data_dir))
        raise BackupError(
            f"This instance already has a backup key (fingerprint {old}). Use --replace to make "
            "a new one; backups already made still need the old private key."
        )
    if _inside(key_out, data_dir):
        raise BackupError(
            f"{key_out} is inside the data directory: the private key would be backed up and "
            "seized with the server. Write it elsewhere (e.g. a USB stick) and take it away."
        )
    public_key, private_key = crypto.new_key_pair()
    fingerprint = key_fingerprint(public_key)
    text = (
        f"# gbvwatch backup PRIVATE key, fingerprint {fingerprint}.\n"
        "# Anyone holding this file can read every backup made with this key pair.\n"
        "# Keep it offline, never on the server. Without it no backup can be restored.\n"
        f"{_key_line(PRIVATE_PREFIX, private_key)}\n"
    )
    try:
        fd = os.open(key_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{key_out} already exists; it was not overwritten.") from exc
    except OSError as exc:
        raise BackupError(f"{key_out} could not be created: {exc.strerror}.") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    _write_durably(public_path, f"{_key_line(PUBLIC_PREFIX, public_key)}\n".encode(), 0o644)
    return BackupKeyPair(public_key, private_key, fingerprint)


def backup_public_key(data_dir: Path) -> bytes:
    """The instance's backup public key; BackupError when `backup init` was never run."""
    path = data_dir / PUBLIC_KEY_FILE
    if not path.is_file():
        raise BackupError(
            "This instance has no backup key yet: run `gbvwatch backup init --key-out FILE` "
            "(FILE off the server) first."
        )
    return _parse_key(path.read_text(encoding="ascii", errors="replace"), PUBLIC_PREFIX, str(path))


def backup_private_key_read(path: Path) -> bytes:
    """The private key from a file written by `backup init`."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise BackupError(f"{path}: cannot read the key file ({exc.strerror}).") from exc
    return _parse_key(text, PRIVATE_PREFIX, str(path))


def fsync_dir(path: Path) -> None:
    """Make a rename or new entry in `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes, mode: int) -> None:
    """Write to a temporary name, fsync, rename, fsync the directory."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_dir(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Snapshot


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of the database in a private file, and what was read with it."""

    path: Path
    member: str
    engine: str
    migrations: list[str]
    audit_head: str
    row_counts: dict[str, int]


def _engine() -> str:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def sqlite_facts(db: sqlite3.Connection) -> tuple[list[str], str, dict[str, int]]:
    """Applied migrations, audit head ("SEQ:HASH") and row count per table of a database."""
    migrations = [f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations")]
    head_table = AuditHead._meta.db_table
    row = db.execute(f'SELECT seq, entry_hash FROM "{head_table}" WHERE id = 1').fetchone()  # noqa: S608
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # Table names come from sqlite_master of our own snapshot.
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    return sorted(migrations), f"{row[0]}:{row[1]}" if row else "0:", counts


def _snapshot_sqlite(workdir: Path) -> Snapshot:
    """SQLite's online backup API: a consistent copy even while the instance writes (WAL)."""
    path = workdir / "gbvwatch.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        # Sessions hold organisation keys wrapped for live browsers: a restore starts logged out.
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.executescript("DELETE FROM django_session; VACUUM;")
        if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError("The database copy fails SQLite's integrity check.")
        migrations, head, counts = sqlite_facts(copy)
    finally:
        copy.close()
    counts.pop("django_session", None)
    return Snapshot(path, SQLITE_MEMBER, "sqlite", migrations, head, counts)


def pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump / pg_restore (the password never on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):  # fmt: skip
        if database.get(key):
            env[var] = str(database[key])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(database["OPTIONS"]["sslmode"])
    return env


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client tool; BackupError naming the package when missing."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH: PostgreSQL backups need PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client, the same major version as the server)."
        )
    return path


def _snapshot_postgresql(workdir: Path) -> Snapshot:
    """pg_dump in custom format, reading the snapshot exported by one repeatable-read
    transaction in which the migrations, audit head and row counts are read too."""
    pg_dump = pg_tool("pg_dump")
    path = workdir / "gbvwatch.pgdump"
    connection.ensure_connection()  # session set-up outside the snapshot's transaction
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        migrations = sorted(
            f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations()
        )
        head = AuditHead.objects.filter(pk=1).first()
        tables = [
            t for t in connection.introspection.table_names(cursor) if t not in _EXCLUDED_TABLES
        ]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                   f"--snapshot={snapshot_id}", f"--file={path}"]  # fmt: skip
        command += [f"--exclude-table-data={t}" for t in sorted(_EXCLUDED_TABLES)]
        result = subprocess.run(  # noqa: S603  # our own arguments, no shell
            command,
            env=pg_environment(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    audit = f"{head.seq}:{head.entry_hash}" if head else "0:"
    return Snapshot(path, PG_MEMBER, "postgresql", migrations, audit, counts)


# ---------------------------------------------------------------------------------------------
# Writing an archive


class _HashingReader:
    """A file read through once: SHA-256 and size of what was read."""

    def __init__(self, source: BinaryIO) -> None:
        self._source, self.digest, self.size = source, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self._source.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class _HashingWriter:
    """The archive file: counts and hashes what is written to it."""

    def __init__(self, out: BinaryIO) -> None:
        self._out, self.digest, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._out.write(data)

    def flush(self) -> None:
        self._out.flush()


class _TarSink:
    """What tarfile writes into: the encrypting writer (tarfile needs only write())."""

    def __init__(self, writer: EncryptingWriter) -> None:
        self._writer = writer

    def write(self, data: bytes) -> int:
        self._writer.write(bytes(data))
        return len(data)


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    """Stream one file into the tar; its size and SHA-256 as read."""
    with open(path, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(os.fstat(source.fileno()).st_mtime)
        reader = _HashingReader(source)
        try:
            tar.addfile(info, reader)  # type: ignore[arg-type,unused-ignore]  # only read() is used
        except OSError as exc:
            raise BackupError(f"{path} changed while it was being backed up.") from exc
    return {"name": name, "size": reader.size, "sha256": reader.digest.hexdigest()}


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """Regular files under the files directory, in a stable order; in-flight uploads
    (`.partial`) are skipped: no database row points to them yet."""
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.name.endswith(".partial"):
            continue
        yield "files/" + path.relative_to(media_root).as_posix(), path


@dataclass(frozen=True)
class BackupResult:
    """What `backup_create` wrote."""

    path: Path
    size_bytes: int
    sha256: str
    fingerprint: str
    members: int
    manifest: dict[str, Any]
    stale_removed: int = 0  # staging directories left by an interrupted backup, now removed


LOCK_FILE = ".backup.lock"
STAGING_PREFIX = ".backup-"


@contextmanager
def _one_backup_at_a_time(data_dir: Path) -> Iterator[int]:
    """Hold the data directory's backup lock. Any staging directory found while holding it
    was left by a backup that was killed: it holds a copy of the database, so it is removed
    (the number removed is yielded). A second backup meanwhile is refused, not queued."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(
                "Another backup of this instance is running; try again later."
            ) from exc
        stale = [p for p in data_dir.glob(f"{STAGING_PREFIX}*") if p.is_dir()]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        yield len(stale)
    finally:
        os.close(fd)  # releases the lock


def backup_create(*, output: Path, data_dir: Path, media_root: Path) -> BackupResult:
    """Write an encrypted, consistent backup of the database and the files directory to
    `output` (temporary name, fsynced, renamed; never overwrites). Records it in the audit log."""
    public_key = backup_public_key(data_dir)
    if output.exists():
        raise BackupError(f"{output} already exists; it was not overwritten.")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory.")
    if _inside(output, media_root):
        raise BackupError(f"{output} is inside the files directory, which is being backed up.")
    engine = _engine()
    with (
        _one_backup_at_a_time(data_dir) as stale_removed,
        tempfile.TemporaryDirectory(prefix=STAGING_PREFIX, dir=data_dir) as work,
    ):
        os.chmod(work, 0o700)
        try:
            take = _snapshot_sqlite if engine == "sqlite" else _snapshot_postgresql
            snapshot = take(Path(work))
        except (sqlite3.Error, DatabaseError) as exc:
            raise BackupError(
                f"The database could not be read ({exc}); has `gbvwatch migrate` run?"
            ) from exc
        result = _archive_write(output, public_key, snapshot, data_dir, media_root)
    _audit_backup(result)
    return dataclasses.replace(result, stale_removed=stale_removed)


def _archive_write(
    output: Path, public_key: bytes, snapshot: Snapshot, data_dir: Path, media_root: Path
) -> BackupResult:
    archive_key = secrets.token_bytes(crypto.KEY_BYTES)
    fingerprint = key_fingerprint(public_key)
    header = MAGIC + bytes.fromhex(fingerprint) + crypto.seal_to_public_key(public_key, archive_key)
    temporary = output.with_name(f".{output.name}.{secrets.token_hex(4)}.partial")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            out = _HashingWriter(raw)
            out.write(header)
            writer = EncryptingWriter(out, key=archive_key, associated_data=header)  # type: ignore[arg-type]
            manifest = _tar_write(_TarSink(writer), snapshot, data_dir, media_root)
            writer.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, output)
        fsync_dir(output.parent)
    except OSError as exc:
        raise BackupError(f"{output} could not be written: {exc.strerror or exc}.") from exc
    finally:
        temporary.unlink(missing_ok=True)
    members = len(manifest["members"]) + 1
    return BackupResult(output, out.size, out.digest.hexdigest(), fingerprint, members, manifest)


def _tar_write(
    sink: _TarSink, snapshot: Snapshot, data_dir: Path, media_root: Path
) -> dict[str, Any]:
    """The tar stream: database, backup public key, files, and the manifest last."""
    members: list[dict[str, Any]] = []
    with tarfile.open(
        fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT, bufsize=CHUNK_BYTES
    ) as tar:  # type: ignore[call-overload]
        members.append(_add_file(tar, snapshot.member, snapshot.path))
        members.append(_add_file(tar, f"instance/{PUBLIC_KEY_FILE}", data_dir / PUBLIC_KEY_FILE))
        for name, path in _media_files(media_root):
            members.append(_add_file(tar, name, path))
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "engine": snapshot.engine,
            "database_member": snapshot.member,
            "migrations": snapshot.migrations,
            "audit_head": snapshot.audit_head,
            "row_counts": snapshot.row_counts,
            "members": members,
        }
        data = json.dumps(manifest, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        tar.addfile(info, io.BytesIO(data))
    return manifest


def _audit_backup(result: BackupResult) -> None:
    with transaction.atomic():
        audit_append(
            actor="cli",
            action="backup.create",
            details={
                "key_fingerprint": result.fingerprint,
                "archive_sha256": result.sha256,
                "size": result.size_bytes,
                "members": result.members,
                "audit_head": result.manifest["audit_head"],
            },
        )
