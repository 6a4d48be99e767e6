"""Evidence bundles and MVT parsing, each against a baseline measured in the same run.

- Exporting a bundle of two 32 MiB evidence files (decrypt and check every file, then decrypt
  again while streaming the zip) against zipping and hashing the same plaintext with zipfile.
- Verifying that bundle (CRC, SHA-256, byte-for-byte rebuild) against one SHA-256 of the zip.
- Parsing an MVT detection file of 20,000 records against json.loads of the same bytes.
Run by `make bench`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE_MIB = 32
RECORDS = 20_000


def _median_s(work: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _case() -> tuple[Any, Any, bytes, list[Any], list[bytes]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gbvwatch.cases.evidence_actions import evidence_attach
    from gbvwatch.cases.models import Incident
    from gbvwatch.core import crypto
    from gbvwatch.core.models import Membership, Organisation, OrganisationKey, Role, User

    org = Organisation.objects.create(name="Bench bundles", slug="bench-bundles")
    material = crypto.new_organisation_key(org.pk)
    OrganisationKey.objects.create(
        organisation=org,
        public_key=material.public_key,
        recovery_wrapped_private_key=material.recovery_wrapped_private_key,
        recovery_key_fingerprint=material.recovery_key_fingerprint,
    )
    user = User.objects.create(username="bench-bundler")
    Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    incident = Incident.objects.create(
        organisation=org, type="rape", setting="home", age_band="unknown",
        gender_identity="woman", disability="unknown", perpetrator="unknown",
        data_key_sealed=crypto.seal_to_public_key(material.public_key, os.urandom(32)),
    )  # fmt: skip
    contents = [os.urandom(FILE_MIB * 1024 * 1024) for _ in range(2)]
    evidence = [
        evidence_attach(actor=user, parent=incident, upload=SimpleUploadedFile(f"e{i}.bin", data),
                        description="bench", hash_only=False)
        for i, data in enumerate(contents)
    ]  # fmt: skip
    return user, incident, material.private_key, evidence, contents


def _zip_plain(contents: list[bytes]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for i, data in enumerate(contents):
            hashlib.sha256(data).hexdigest()
            archive.writestr(f"files/{i}.bin", data)


def _bundle_rows(directory: Path) -> list[tuple[str, float, float]]:
    from gbvwatch.cases.evidence_bundle_actions import evidence_bundle_export
    from gbvwatch.cases.evidence_bundle_format import bundle_verify

    user, incident, private_key, evidence, contents = _case()
    path = directory / "bundle.zip"

    def export() -> None:
        bundle = evidence_bundle_export(
            actor=user, case=incident, evidence=evidence, private_key=private_key
        )
        with path.open("wb") as out:
            for chunk in bundle.chunks:
                out.write(chunk)

    export_s = _median_s(export, 3)
    plain_s = _median_s(lambda: _zip_plain(contents), 3)
    assert bundle_verify(str(path)).ok
    verify_s = _median_s(lambda: bundle_verify(str(path)), 3)
    with path.open("rb") as handle:
        sha_s = _median_s(lambda: (handle.seek(0), hashlib.file_digest(handle, "sha256")), 3)
    return [
        (f"export a bundle of 2 x {FILE_MIB} MiB (baseline: zipfile + SHA-256 of the plaintext)",
         export_s, plain_s),
        ("verify that bundle (baseline: one SHA-256 of the zip)", verify_s, sha_s),
    ]  # fmt: skip


def _mvt_row() -> tuple[str, float, float]:
    from gbvwatch.cases.attacks_index import normalise
    from gbvwatch.cases.threats_mvt import mvt_findings_parse

    records = [
        {"id": n, "url": f"https://site{n % 500}.example/p?{n}", "isodate": "2022-03-01 10:00:00",
         "matched_indicator": {"value": f"site{n % 500}.example", "type": "domains",
                               "name": "Spyware", "stix2_file_name": "x.stix2"}}
        for n in range(RECORDS)
    ]  # fmt: skip
    data = json.dumps(records).encode()
    parse_s = _median_s(lambda: mvt_findings_parse(data, check=normalise), 5)
    loads_s = _median_s(lambda: json.loads(data), 5)
    return (f"parse an MVT file of {RECORDS:,} records, 500 distinct domains "
            "(baseline: json.loads)", parse_s, loads_s)  # fmt: skip


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django must be set up with a migrated database)."""
    with tempfile.TemporaryDirectory() as directory:
        rows = [*_bundle_rows(Path(directory)), _mvt_row()]
    return [
        "## Evidence bundles and MVT import",
        "",
        "| what | median s | baseline s | ratio |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {label} | {s:.3f} | {b:.3f} | {s / b:.1f} |" for label, s, b in rows],
        "",
    ]
