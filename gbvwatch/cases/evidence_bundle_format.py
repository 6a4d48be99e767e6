#!/usr/bin/env python3
"""Evidence bundle of gbvwatch: the zip layout, its writer and its verifier.

This file uses only Python's standard library (3.8 or later), because a copy of it travels
inside every bundle as `verify.py`: a prosecutor or a lawyer can check a bundle on any computer
with Python, without gbvwatch. Run it as

    python3 verify.py BUNDLE.zip

It answers "VERIFIED" (exit status 0) or lists every problem (exit status 1).

What it checks:
1. the zip can be read, every member's CRC is right, and it holds exactly the members the
   manifest names (README.txt, manifest.json, manifest.sha256, custody.txt, verify.py and the
   files), no more, no fewer;
2. the SHA-256 and the size of every file equal those in manifest.json (the fingerprints
   gbvwatch computed when each file arrived) and manifest.sha256 agrees with manifest.json;
3. the zip is byte for byte what the gbvwatch writer produces for these members: it is rebuilt
   here and compared, so a change to any byte of the bundle, header or content, is found.

What it cannot check alone: that manifest.json itself is the one gbvwatch wrote (someone who
replaces both a file and its fingerprint and rebuilds the zip produces a bundle that is
consistent). For that, compare the SHA-256 of manifest.json that this script prints with the
one the organisation recorded when it exported the bundle (in its audit log and in the
custody log of every file).
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import BinaryIO, NamedTuple

FORMAT = "gbvwatch-evidence-bundle/1"
README = "README.txt"
MANIFEST = "manifest.json"
CHECKSUMS = "manifest.sha256"
CUSTODY = "custody.txt"
VERIFIER = "verify.py"
FIXED_MEMBERS = (README, MANIFEST, CHECKSUMS, CUSTODY, VERIFIER)
FILES_DIR = "files/"
CHUNK_BYTES = 1024 * 1024

# Zip (PKWARE APPNOTE 6.3): stored (uncompressed) members, UTF-8 names, no zip64, no comment.
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_VERSION_NEEDED = 20
_MADE_BY = (3 << 8) | 20  # Unix, zip 2.0
_FLAGS = 0x0800  # names are UTF-8
_STORED = 0
_EXTERNAL_ATTR = 0o100644 << 16  # a regular file, rw-r--r--
MAX_OFFSET = 0xFFFFFFFF
_MAX_MEMBERS = 0xFFFF


class BundleTooLarge(Exception):
    """The bundle would pass 4 GiB or 65,535 members (this format has no zip64)."""


def dos_stamp(moment: datetime) -> tuple[int, int]:
    """(time, date) in the MS-DOS form zip headers use (two-second precision)."""
    year = min(max(moment.year, 1980), 2107)
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


class BundleWriter:
    """Writes the zip of a bundle to `out` (any callable taking bytes), member by member.

    Needs each member's size and CRC-32 before its content (so no data descriptor is needed
    and the output can be streamed); a content that does not match them raises ValueError."""

    def __init__(self, out: Callable[[bytes], object], stamp: tuple[int, int]) -> None:
        self._out = out
        self._time, self._date = stamp
        self._offset = 0
        self._central: list[bytes] = []
        self._member: tuple[str, int, int, int] = ("", 0, 0, 0)
        self._seen: tuple[int, int] = (0, 0)

    def _write(self, data: bytes) -> None:
        self._offset += len(data)
        if self._offset > MAX_OFFSET:
            raise BundleTooLarge
        self._out(data)

    def begin(self, name: str, size: int, crc: int) -> None:
        """Start a member: its local header. Then `write` its content and `end` it."""
        if len(self._central) >= _MAX_MEMBERS or self._offset + size > MAX_OFFSET:
            raise BundleTooLarge
        encoded = name.encode("utf-8")
        fields = (_VERSION_NEEDED, _FLAGS, _STORED, self._time, self._date, crc, size, size)
        self._member = (name, size, crc, self._offset)
        self._seen = (0, 0)
        self._write(_LOCAL.pack(0x04034B50, *fields, len(encoded), 0) + encoded)

    def write(self, chunk: bytes) -> None:
        """Append content to the member begun last."""
        crc, size = self._seen
        self._seen = (zlib.crc32(chunk, crc), size + len(chunk))
        self._write(chunk)

    def end(self) -> None:
        """Finish the member begun last; ValueError when its content was not as declared."""
        name, size, crc, start = self._member
        if self._seen != (crc, size):
            raise ValueError(f"{name}: the content does not match its size and CRC")
        encoded = name.encode("utf-8")
        fields = (_VERSION_NEEDED, _FLAGS, _STORED, self._time, self._date, crc, size, size)
        self._central.append(
            _CENTRAL.pack(0x02014B50, _MADE_BY, *fields, len(encoded), 0, 0, 0, 0,
                          _EXTERNAL_ATTR, start) + encoded
        )  # fmt: skip

    def add(self, name: str, size: int, crc: int, chunks: Iterable[bytes]) -> None:
        """Append one member: local header, then the content exactly as given."""
        self.begin(name, size, crc)
        for chunk in chunks:
            self.write(chunk)
        self.end()

    def add_bytes(self, name: str, data: bytes) -> None:
        """Append a member held in memory."""
        self.add(name, len(data), zlib.crc32(data), [data])

    def close(self) -> None:
        """Write the central directory and its end record."""
        start = self._offset
        for entry in self._central:
            self._write(entry)
        count = len(self._central)
        self._write(_END.pack(0x06054B50, 0, 0, count, count, self._offset - start, start, 0))


def checksums_text(manifest: dict[str, object]) -> str:
    """The manifest.sha256 member: one `<sha256>  <path>` line per included file, the format
    `sha256sum -c` reads."""
    files = manifest.get("files")
    lines = [
        f"{entry['sha256']}  {entry['path']}\n"
        for entry in (files if isinstance(files, list) else [])
        if isinstance(entry, dict) and entry.get("path")
    ]
    return "".join(lines)


class _Comparer:
    """A writer target that compares what is written with the bytes of an existing file."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.position = 0
        self.first_difference: int | None = None

    def __call__(self, data: bytes) -> None:
        existing = self._handle.read(len(data))
        if self.first_difference is None and existing != data:
            shorter = min(len(existing), len(data))
            same = next((i for i in range(shorter) if existing[i] != data[i]), shorter)
            self.first_difference = self.position + same
        self.position += len(data)

    def at_end(self) -> bool:
        return self._handle.read(1) == b""


class Verification(NamedTuple):
    """What a verification found: no problems means the bundle is intact."""

    problems: list[str]
    manifest_sha256: str
    files_checked: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _expected_files(manifest: object) -> dict[str, dict[str, object]]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{MANIFEST} is not a manifest of the format {FORMAT}")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise ValueError(f"{MANIFEST} has no list of files")
    expected: dict[str, dict[str, object]] = {}
    for entry in files:
        if not isinstance(entry, dict):
            raise ValueError(f"{MANIFEST}: an entry of the list of files is not an object")
        path = entry.get("path")
        if path:
            if not isinstance(path, str) or not path.startswith(FILES_DIR) or path in expected:
                raise ValueError(f"{MANIFEST}: the file path {path!r} is not valid")
            expected[path] = entry
    return expected


def _rebuild(archive: zipfile.ZipFile, handle: BinaryIO, problems: list[str]) -> dict[str, str]:
    """Rebuild the zip from its members and compare; returns the SHA-256 of every member."""
    infos = archive.infolist()
    stamp = dos_stamp(datetime(*infos[0].date_time)) if infos else (0, 0)  # noqa: DTZ001
    comparer = _Comparer(handle)
    writer = BundleWriter(comparer, stamp)
    digests: dict[str, str] = {}
    for info in infos:
        digest = hashlib.sha256()

        def chunks(info: zipfile.ZipInfo = info, digest: hashlib._Hash = digest) -> Iterable[bytes]:
            with archive.open(info) as member:  # checks the CRC at the end
                for chunk in iter(lambda: member.read(CHUNK_BYTES), b""):
                    digest.update(chunk)
                    yield chunk

        writer.add(info.filename, info.file_size, info.CRC, chunks())
        digests[info.filename] = digest.hexdigest()
    writer.close()
    if comparer.first_difference is not None or not comparer.at_end():
        where = comparer.first_difference if comparer.first_difference is not None else "the end"
        problems.append(
            f"the zip is not byte for byte as gbvwatch wrote it (first change at byte {where})"
        )
    return digests


def bundle_verify(path: str) -> Verification:
    """Check a bundle (see the module's docstring); never raises for a damaged bundle."""
    problems: list[str] = []
    try:
        with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
            names = [info.filename for info in archive.infolist()]
            if len(set(names)) != len(names):
                return Verification(["the zip holds two members of the same name"], "", 0)
            raw_manifest = archive.read(MANIFEST)
            manifest = json.loads(raw_manifest.decode("utf-8"))
            expected = _expected_files(manifest)
            missing = sorted((set(FIXED_MEMBERS) | set(expected)) - set(names))
            extra = sorted(set(names) - set(FIXED_MEMBERS) - set(expected))
            problems += [f"missing from the zip: {name}" for name in missing]
            problems += [f"not named in the manifest: {name}" for name in extra]
            with open(path, "rb") as second:  # zipfile moves the first handle as it reads
                digests = _rebuild(archive, second, problems)
            if archive.read(CHECKSUMS).decode("utf-8") != checksums_text(manifest):
                problems.append(f"{CHECKSUMS} does not agree with {MANIFEST}")
            for path_in_zip, entry in expected.items():
                info = archive.getinfo(path_in_zip) if path_in_zip in names else None
                if info is not None and digests.get(path_in_zip) != entry.get("sha256"):
                    problems.append(f"{path_in_zip}: its SHA-256 differs from the manifest")
                if info is not None and info.file_size != entry.get("size"):
                    problems.append(f"{path_in_zip}: its size differs from the manifest")
            return Verification(problems, hashlib.sha256(raw_manifest).hexdigest(), len(expected))
    except BundleTooLarge:
        problems.append("the zip is larger than this format allows")
    except Exception as exc:  # whatever breaks the reading means "not verified"
        # BadZipFile includes a wrong CRC; ValueError includes JSON and UTF-8 errors.
        problems.append(f"the bundle cannot be read: {type(exc).__name__}: {exc}")
    return Verification(problems, "", 0)


def main(argv: list[str]) -> int:
    """Command line: verify each bundle named; 0 when all are intact, 1 otherwise."""
    if len(argv) < 2:
        print("usage: python3 verify.py BUNDLE.zip [BUNDLE.zip ...]")
        return 2
    status = 0
    for path in argv[1:]:
        result = bundle_verify(path)
        if result.ok:
            print(
                f"VERIFIED: {path}: {result.files_checked} file(s) match their SHA-256 fingerprints"
            )
            print(f"SHA-256 of manifest.json: {result.manifest_sha256}")
        else:
            status = 1
            print(f"NOT VERIFIED: {path}")
            for problem in result.problems:
                print(f"  - {problem}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
