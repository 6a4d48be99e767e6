"""Evidence files: hashed at intake, encrypted whole, never altered, a working copy without
metadata, a chain of custody, and nothing readable left on disk or in the database."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image, PngImagePlugin

from gbvwatch.cases import evidence_actions
from gbvwatch.cases.evidence_actions import EvidenceTooLarge, detect_content_type, evidence_attach
from gbvwatch.cases.evidence_upload import EncryptedUpload
from gbvwatch.cases.models import CustodyEntry, Evidence, Incident
from gbvwatch.cases.tests import test_attacks
from gbvwatch.cases.tests.test_incidents import _everything_stored, _form, _logged_in
from gbvwatch.conftest import Actor
from gbvwatch.core.models import AuditEntry

CANARY_CONTENT = "CANARY-EVIDENCE-CONTENT-Gülnarə-5e1"
CANARY_DESCRIPTION = "CANARY-EVIDENCE-DESCRIPTION-ş-9d2"
CANARY_NAME = "CANARY-EVIDENCE-FILENAME-c4a"


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _incident(client: Client) -> Incident:
    assert client.post(reverse("cases:incident_create"), _form()).status_code == 302
    return Incident.objects.latest("created_at")


def _png_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CANARY-CAMERA"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 24.0, 33.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (49.0, 52.0, 1.0)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "CANARY-PNG-COMMENT")
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif, pnginfo=text)
    data = out.getvalue()
    assert b"eXIf" in data and b"CANARY-PNG-COMMENT" in data
    return data


def _upload(client: Client, url: str, name: str, data: bytes, **fields: Any) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, data, "image/gif"), **fields})


def _add(client: Client, incident: Incident, name: str, data: bytes, **fields: Any) -> Evidence:
    url = reverse("cases:incident_evidence_add", args=[incident.pk])
    response = _upload(client, url, name, data, **fields)
    assert response.status_code == 302, response.context["form"].errors
    return Evidence.objects.latest("created_at")


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_image_round_trip_is_byte_identical_and_the_working_copy_has_no_metadata(
    bob: Actor, media: Path
):
    client = _logged_in(bob)
    incident = _incident(client)
    original = _png_with_gps()
    evidence = _add(client, incident, "holiday.gif", original, description="photo")
    assert evidence.content_type == "image/png"  # from the bytes, not the name or the claim
    assert evidence.stored_name and evidence.working_copy_name

    page = client.get(reverse("cases:evidence_detail", args=[evidence.pk])).content.decode()
    shown = re.search(r'<code id="sha256">([0-9a-f]{64})</code>', page)
    assert shown is not None and shown.group(1) == hashlib.sha256(original).hexdigest()
    assert "holiday.gif" in page  # the uploaded name, decrypted for her

    response = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    body = _body(response)
    assert body == original and hashlib.sha256(body).hexdigest() == shown.group(1)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{str(evidence.pk)[:8]}.png"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"

    copy = _body(client.get(reverse("cases:evidence_working_copy", args=[evidence.pk])))
    assert b"eXIf" not in copy and b"CANARY" not in copy and b"tEXt" not in copy
    with Image.open(io.BytesIO(copy)) as image:
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
        assert image.size == (32, 24) and image.convert("RGB").getpixel((0, 0)) == (200, 30, 60)

    for path in _files_under(media):  # only ciphertext on disk
        assert b"CANARY" not in path.read_bytes() and b"IHDR" not in path.read_bytes()
    actions = list(evidence.custody.values_list("action", flat=True))
    assert actions == ["added", "viewed", "downloaded", "working_copy_downloaded"]
    detail = client.get(reverse("cases:incident_detail", args=[incident.pk])).content.decode()
    assert reverse("cases:evidence_detail", args=[evidence.pk]) in detail


@pytest.mark.django_db
def test_custody_log_lists_who_did_what_in_order(bob: Actor, alice: Actor, media: Path):
    client = _logged_in(bob)
    evidence = _add(client, _incident(client), "a.txt", b"some words\n")
    client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    other = _logged_in(alice)
    page = other.get(reverse("cases:evidence_detail", args=[evidence.pk])).content.decode()
    rows = re.findall(r"<td>([^<]*)</td><td data-action=\"([a-z_]+)\"", page)
    assert [(who, what) for who, what in rows] == [
        ("bob", "added"),
        ("bob", "downloaded"),
        ("alice", "viewed"),
    ]
    assert AuditEntry.objects.filter(action="evidence.downloaded").count() == 1
    entry = CustodyEntry.objects.first()
    assert entry is not None
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.django_db
def test_canaries_in_the_file_name_and_description_are_nowhere_in_clear(
    bob: Actor, media: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    client = _logged_in(bob)
    data = ("Threats received:\n" + CANARY_CONTENT + "\n") * 200
    name = f"../../etc/{CANARY_NAME}{'x' * 300}.txt"
    evidence = _add(client, _incident(client), name, data.encode(), description=CANARY_DESCRIPTION)
    assert evidence.content_type == "text/plain"
    page = client.get(reverse("cases:evidence_detail", args=[evidence.pk])).content.decode()
    assert CANARY_DESCRIPTION in page and CANARY_NAME in page
    response = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert _body(response) == data.encode()
    assert response["Content-Disposition"].endswith(f'evidence-{str(evidence.pk)[:8]}.txt"')
    assert CANARY_NAME not in response["Content-Disposition"]
    stored = _everything_stored()
    files = b"".join(p.read_bytes() for p in _files_under(media))
    for marker in (CANARY_CONTENT, CANARY_DESCRIPTION, CANARY_NAME):
        core = marker[:20]
        assert core not in stored, f"{core} found in the database"
        assert core.encode() not in files, f"{core} found in a file"
        assert core not in caplog.text, f"{core} found in the logs"
    assert [p.parent for p in _files_under(media)] == [media / "evidence"]


@pytest.mark.django_db
def test_hash_only_keeps_no_file_but_the_right_hash(bob: Actor, media: Path):
    client = _logged_in(bob)
    incident = _incident(client)
    before = _files_under(media)
    image = _png_with_gps()
    evidence = _add(client, incident, "leak.png", image, hash_only="on", description="leaked")
    assert _files_under(media) == before == []
    assert evidence.hash_only and not evidence.stored_name and not evidence.working_copy_name
    assert evidence.sha256 == hashlib.sha256(image).hexdigest() and evidence.size == len(image)
    page = client.get(reverse("cases:evidence_detail", args=[evidence.pk])).content.decode()
    assert evidence.sha256 in page and 'id="hash-only"' in page and 'id="download"' not in page
    response = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404 and b'id="unavailable"' in response.content


@pytest.mark.django_db
def test_too_big_upload_writes_nothing(bob: Actor, media: Path, settings: Any):
    client = _logged_in(bob)
    incident = _incident(client)
    settings.EVIDENCE_MAX_BYTES = 1000
    url = reverse("cases:incident_evidence_add", args=[incident.pk])
    response = _upload(client, url, "big.bin", b"\x01" * 5000)
    assert response.status_code == 200 and "file" in response.context["form"].errors
    # The limit also holds while streaming, whatever size the upload claims.
    upload = SimpleUploadedFile("big.bin", b"\x01" * 5000)
    upload.size = 10
    for hash_only in (False, True):
        with pytest.raises(EvidenceTooLarge):
            evidence_attach(
                actor=bob.user, parent=incident, upload=upload, description="", hash_only=hash_only
            )
    assert not Evidence.objects.exists() and not CustodyEntry.objects.exists()
    assert _files_under(media) == []  # no file, no temporary file


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"file": SimpleUploadedFile("empty.txt", b"")}, "file"),
        ({}, "file"),
        ({"file": "not a file"}, "file"),
        ({"file": SimpleUploadedFile("a.txt", b"abc"), "description": "x\x00y"}, "description"),
        ({"file": SimpleUploadedFile("a.txt", b"abc"), "description": "x" * 6000}, "description"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(
    bob: Actor, media: Path, fields: dict[str, Any], field: str
):
    client = _logged_in(bob)
    incident = _incident(client)
    response = client.post(reverse("cases:incident_evidence_add", args=[incident.pk]), fields)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Evidence.objects.exists() and _files_under(media) == []


@pytest.mark.django_db
def test_a_failed_transaction_leaves_no_file(
    bob: Actor, media: Path, monkeypatch: pytest.MonkeyPatch
):
    client = _logged_in(bob)
    incident = _incident(client)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(evidence_actions, "audit_append", broken)
    with pytest.raises(RuntimeError):
        evidence_attach(
            actor=bob.user,
            parent=incident,
            upload=SimpleUploadedFile("a.png", _png_with_gps()),
            description="",
            hash_only=False,
        )
    assert not Evidence.objects.exists() and _files_under(media) == []


@pytest.mark.django_db
def test_evidence_on_an_attack(bob: Actor, media: Path):
    client = _logged_in(bob)
    attack = test_attacks._create(client, attack_types=["intimate_image_leak"])
    url = reverse("cases:attack_evidence_add", args=[attack.pk])
    assert client.get(url).status_code == 200
    response = _upload(client, url, "shot.pdf", b"%PDF-1.7\n" + b"0" * 100)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.attack == attack and evidence.incident is None
    assert evidence.content_type == "application/pdf" and not evidence.working_copy_name


@pytest.mark.django_db
def test_another_organisation_gets_404(bob: Actor, erin: Actor, media: Path):
    client = _logged_in(bob)
    incident = _incident(client)
    evidence = _add(client, incident, "a.txt", b"words\n")
    stranger = _logged_in(erin)
    for name in ("evidence_detail", "evidence_download", "evidence_working_copy"):
        assert stranger.get(reverse(f"cases:{name}", args=[evidence.pk])).status_code == 404
    url = reverse("cases:incident_evidence_add", args=[incident.pk])
    assert _upload(stranger, url, "b.txt", b"x").status_code == 404
    assert Evidence.objects.count() == 1
    assert list(evidence.custody.values_list("action", flat=True)) == ["added"]


@pytest.mark.django_db
def test_a_locked_session_gets_423(bob: Actor, media: Path):
    client = _logged_in(bob)
    evidence = _add(client, _incident(client), "a.txt", CANARY_CONTENT.encode())
    client.cookies.pop("gbvw_unlock")
    for name in ("evidence_detail", "evidence_download", "evidence_working_copy"):
        response = client.get(reverse(f"cases:{name}", args=[evidence.pk]))
        assert response.status_code == 423 and b'id="locked-message"' in response.content
        assert CANARY_CONTENT.encode() not in response.content
    assert list(evidence.custody.values_list("action", flat=True)) == ["added"]


@pytest.mark.django_db
def test_a_modified_file_fails_closed_on_download(bob: Actor, media: Path):
    client = _logged_in(bob)
    evidence = _add(client, _incident(client), "a.bin", bytes(range(256)) * 1000)
    path = media / "evidence" / evidence.stored_name
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    response = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert response.status_code == 409 and b'id="integrity-failure"' in response.content
    assert not response.streaming
    assert AuditEntry.objects.filter(action="evidence.integrity_failure").count() == 1
    assert "downloaded" not in evidence.custody.values_list("action", flat=True)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"%PDF-1.4\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"PK\x03\x04\x14\x00", "application/zip"),
        ("Salam, Gülnarə\n".encode(), "text/plain"),
        ("cut in the middle ə".encode()[:-1], "text/plain"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
        (b"\x00\x01\x02", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_content_type_comes_from_the_first_bytes(head: bytes, expected: str):
    assert detect_content_type(head) == expected


def test_an_upload_is_held_encrypted_while_it_arrives(tmp_path: Path, settings: Any):
    upload = EncryptedUpload("a.txt", "text/plain", None, tmp_path)
    data = (CANARY_CONTENT + "\n").encode() * 10_000
    for i in range(0, len(data), 4096):
        upload.receive(data[i : i + 4096], max_bytes=len(data))
    upload.finish()
    upload._encrypted.seek(0)
    assert CANARY_CONTENT[:20].encode() not in upload._encrypted.read()
    assert b"".join(upload.chunks()) == data and upload.size == len(data)
    assert list(tmp_path.iterdir()) == []  # anonymous: no name on disk at any time
    upload.close()

    big = EncryptedUpload("b.bin", "", None, tmp_path)
    for _ in range(5):
        big.receive(b"\x01" * 1000, max_bytes=2500)
    big.finish()
    assert big.too_big and big.size == 5000
    big._encrypted.seek(0, 2)
    assert big._encrypted.tell() == 0  # nothing kept past the limit
    with pytest.raises(ValueError):
        b"".join(big.chunks())


@pytest.mark.django_db
def test_the_upload_view_receives_through_the_encrypting_handler_and_checks_csrf(
    bob: Actor, media: Path, monkeypatch: pytest.MonkeyPatch
):
    client = _logged_in(bob)
    incident = _incident(client)
    received: list[int] = []
    original = EncryptedUpload.receive

    def spy(self: EncryptedUpload, data: bytes, max_bytes: int) -> None:
        received.append(len(data))
        original(self, data, max_bytes)

    monkeypatch.setattr(EncryptedUpload, "receive", spy)
    evidence = _add(client, incident, "a.txt", b"words\n" * 100)
    assert sum(received) == 600 and evidence.size == 600

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    url = reverse("cases:incident_evidence_add", args=[incident.pk])
    assert _upload(strict, url, "b.txt", b"words\n").status_code == 403
    assert Evidence.objects.count() == 1
