"""Evidence bundles for lawyers: the zip verifies (with gbvwatch and with the verify.py inside
it, on Python alone), any changed byte makes verification fail, the export is in every file's
custody log, and nothing in clear is left on the server."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from datetime import datetime
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from gbvwatch.cases import evidence_bundle_format as fmt
from gbvwatch.cases.evidence_actions import evidence_dir
from gbvwatch.cases.models import CustodyAction, CustodyEntry, Evidence, Incident
from gbvwatch.cases.tests.test_evidence import _add, _incident
from gbvwatch.cases.tests.test_incidents import _logged_in
from gbvwatch.conftest import PASSWORD, Actor
from gbvwatch.core.models import AuditEntry

TEXT = "Threat received on 2021-05-03 — Gülnarə\n".encode() * 50
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 20


def _bundle_url(incident: Incident) -> str:
    return reverse("cases:incident_evidence_bundle", kwargs={"case_id": incident.pk})


def _export(client: Client, incident: Incident, evidence: list[Evidence], **fields: Any) -> Any:
    data = {"evidence": [str(e.pk) for e in evidence], "understood": "on",
            "your_password": PASSWORD, **fields}  # fmt: skip
    return client.post(_bundle_url(incident), data)


def _case_with_evidence(client: Client) -> tuple[Incident, list[Evidence]]:
    incident = _incident(client)
    evidence = [
        _add(client, incident, "threat.txt", TEXT, description="Screenshot of the threat"),
        _add(client, incident, "report.pdf", PDF),
        _add(client, incident, "leak.jpg", b"\xff\xd8\xff" + b"x" * 500, hash_only="on"),
    ]
    return incident, evidence


def _files(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db
def test_an_evidence_bundle_verifies_and_flipping_any_byte_makes_it_fail(
    bob: Actor, media: Path, tmp_path: Path
):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    stored_before = _files(media)
    response = _export(client, incident, evidence)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-')
    data = b"".join(response.streaming_content)
    assert _files(media) == stored_before  # streamed: nothing written on the server
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(data)

    result = fmt.bundle_verify(str(bundle))
    assert result.ok, result.problems
    assert result.files_checked == 2
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        contents = {name: archive.read(name) for name in archive.namelist()}
    by_id = {entry["evidence_id"]: entry for entry in manifest["files"]}
    assert contents[by_id[str(evidence[0].pk)]["path"]] == TEXT
    assert contents[by_id[str(evidence[1].pk)]["path"]] == PDF
    assert by_id[str(evidence[2].pk)]["path"] == ""  # fingerprint only: no file
    assert by_id[str(evidence[2].pk)]["sha256"] == evidence[2].sha256
    assert by_id[str(evidence[0].pk)]["description"] == "Screenshot of the threat"
    assert by_id[str(evidence[0].pk)]["sha256"] == hashlib.sha256(TEXT).hexdigest()
    assert [s["action"] for s in by_id[str(evidence[0].pk)]["custody"]] == ["added"]
    assert "verify.py" in contents["README.txt"].decode()
    assert contents["verify.py"] == Path(fmt.__file__).read_bytes()

    # The export is in each file's custody log, with the fingerprint of the manifest.
    for item in evidence:
        entry = CustodyEntry.objects.get(evidence=item, action=CustodyAction.EXPORTED)
        assert entry.details["bundle_manifest_sha256"] == result.manifest_sha256
    audit = AuditEntry.objects.get(action="evidence.bundle_export")
    assert audit.details["manifest_sha256"] == result.manifest_sha256

    # The script inside the zip, on Python alone (isolated: no gbvwatch, no site packages).
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(bundle).extractall(unpacked)
    script = [sys.executable, "-I", "-S", str(unpacked / "verify.py"), str(bundle)]
    run = subprocess.run(script, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert run.returncode == 0 and "VERIFIED" in run.stdout, run.stdout + run.stderr
    assert result.manifest_sha256 in run.stdout

    # Every header and structure byte, and the first, the last and every 31st byte of each
    # member's content, flipped one at a time.
    spans = _content_spans(bundle)
    edges = {i for span in spans for i in (span.start, span.stop - 1) if len(span)}
    positions = [
        i for i in range(len(data))
        if i in edges or i % 31 == 0 or not any(i in span for span in spans)
    ]  # fmt: skip
    flipped = tmp_path / "flipped.zip"
    undetected = []
    for position in positions:
        damaged = bytearray(data)
        damaged[position] ^= 0x01
        flipped.write_bytes(damaged)
        if fmt.bundle_verify(str(flipped)).ok:
            undetected.append(position)
    assert undetected == []
    run = subprocess.run([*script[:-1], str(flipped)], capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "NOT VERIFIED" in run.stdout


def _content_spans(bundle: Path) -> list[range]:
    """Where each member's content lies in the zip (after its 30-byte header and name)."""
    with zipfile.ZipFile(bundle) as archive:
        infos = archive.infolist()
    starts = [i.header_offset + 30 + len(i.filename.encode()) for i in infos]
    return [range(start, start + i.file_size) for start, i in zip(starts, infos, strict=True)]


@pytest.mark.django_db
def test_the_evidence_verify_command_says_which_bundle_changed(
    bob: Actor, media: Path, tmp_path: Path
):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    data = b"".join(_export(client, incident, evidence[:2]).streaming_content)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(data)
    text_start = data.index(TEXT[:20])
    bad.write_bytes(data[:text_start] + b"t" + data[text_start + 1 :])
    out = StringIO()
    call_command("evidence_verify", str(good), stdout=out)
    assert "VERIFIED" in out.getvalue()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("evidence_verify", str(good), str(bad), "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["verified"] for r in rows] == [True, False]
    assert rows[1]["problems"]


def _forged(bundle: bytes, replace: bytes, by: bytes, created_by: str = "") -> bytes:
    """The bundle rebuilt with gbvwatch's own writer, one file's content replaced and the
    manifest and checksums rewritten to match: it passes the check of the zip alone."""
    with zipfile.ZipFile(BytesIO(bundle)) as archive:
        infos = archive.infolist()
        contents = {i.filename: archive.read(i.filename) for i in infos}
    manifest = json.loads(contents[fmt.MANIFEST])
    manifest["created_by"] = created_by or manifest["created_by"]
    for entry in manifest["files"]:
        if replace and entry["path"] and contents[entry["path"]] == replace:
            contents[entry["path"]] = by
            entry["sha256"] = hashlib.sha256(by).hexdigest()
            entry["size"] = len(by)
    contents[fmt.MANIFEST] = json.dumps(manifest, indent=2).encode()
    contents[fmt.CHECKSUMS] = fmt.checksums_text(manifest).encode()
    out: list[bytes] = []
    writer = fmt.BundleWriter(out.append, fmt.dos_stamp(datetime(*infos[0].date_time)))  # noqa: DTZ001
    for info in infos:
        writer.add_bytes(info.filename, contents[info.filename])
    writer.close()
    return b"".join(out)


@pytest.mark.django_db
def test_a_bundle_rebuilt_with_a_new_manifest_is_caught_by_this_instance(
    bob: Actor, media: Path, tmp_path: Path
):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    data = b"".join(_export(client, incident, evidence[:2]).streaming_content)
    good, forged = tmp_path / "good.zip", tmp_path / "forged.zip"
    good.write_bytes(data)
    forged.write_bytes(_forged(data, TEXT, TEXT.replace(b"2021-05-03", b"2021-06-03")))
    assert fmt.bundle_verify(str(forged)).ok  # the zip alone cannot tell

    out = StringIO()
    call_command("evidence_verify", str(good), "--require-record", stdout=out)
    assert "VERIFIED" in out.getvalue() and "recorded: exported by this instance" in out.getvalue()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("evidence_verify", str(forged), "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["intact"] and not row["verified"]
    assert row["recorded_export"] is None
    assert row["fingerprints_differ"] == [str(evidence[0].pk)]


@pytest.mark.django_db
def test_a_bundle_this_instance_never_exported_fails_only_when_a_record_is_required(
    bob: Actor, media: Path, tmp_path: Path
):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    data = b"".join(_export(client, incident, evidence[:2]).streaming_content)
    elsewhere = tmp_path / "elsewhere.zip"  # the same files, a manifest this log never saw
    elsewhere.write_bytes(_forged(data, b"", b"", created_by="someone else"))
    out = StringIO()
    call_command("evidence_verify", str(elsewhere), stdout=out)
    assert "not recorded" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("evidence_verify", str(elsewhere), "--require-record", stdout=StringIO())


@pytest.mark.django_db
def test_a_bundle_needs_the_password_and_the_warning_acknowledged(bob: Actor, media: Path):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    page = client.get(_bundle_url(incident)).content.decode()
    assert 'id="bundle-warning"' in page
    for fields in ({"your_password": "not my password"}, {"understood": ""}):
        response = _export(client, incident, evidence, **fields)
        assert response.status_code == 200 and response.context["form"].errors
    assert not CustodyEntry.objects.filter(action=CustodyAction.EXPORTED).exists()
    assert not AuditEntry.objects.filter(action="evidence.bundle_export").exists()


@pytest.mark.django_db
def test_a_changed_stored_file_stops_the_export_and_names_the_evidence(bob: Actor, media: Path):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    stored = evidence_dir() / evidence[1].stored_name
    damaged = bytearray(stored.read_bytes())
    damaged[-5] ^= 0xFF
    stored.write_bytes(damaged)
    response = _export(client, incident, evidence)
    assert response.status_code == 200
    assert str(evidence[1].pk)[:8] in " ".join(response.context["form"].non_field_errors())
    assert not CustodyEntry.objects.filter(action=CustodyAction.EXPORTED).exists()
    assert AuditEntry.objects.filter(action="evidence.integrity_failure").exists()


@pytest.mark.django_db
def test_a_bundle_needs_an_unlocked_session_and_only_takes_this_cases_evidence(
    bob: Actor, media: Path
):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    _other, other_evidence = _case_with_evidence(client)
    response = _export(client, incident, other_evidence[:1])
    assert "evidence" in response.context["form"].errors  # not a choice for this case
    client.cookies.pop("gbvw_unlock")
    assert _export(client, incident, evidence).status_code == 423
    assert not CustodyEntry.objects.filter(action=CustodyAction.EXPORTED).exists()


def test_the_writer_refuses_content_that_does_not_match_its_declared_crc():
    writer = fmt.BundleWriter(lambda data: None, (0, 0))
    with pytest.raises(ValueError, match="does not match"):
        writer.add("files/a.bin", 3, 0, [b"abc"])


@pytest.mark.django_db
def test_a_bundle_over_the_size_of_the_format_is_refused_before_anything_is_recorded(
    bob: Actor, media: Path, monkeypatch
):
    client = _logged_in(bob)
    incident, evidence = _case_with_evidence(client)
    monkeypatch.setattr(fmt, "MAX_OFFSET", 64 * 1024 * 1024 + 1000)  # PDF + TEXT are larger
    response = _export(client, incident, evidence)
    assert response.status_code == 200
    assert "too large" in " ".join(response.context["form"].non_field_errors())
    assert not CustodyEntry.objects.filter(action=CustodyAction.EXPORTED).exists()
