"""Run by test_canary_files: exercises the product against a real data directory (SQLite file
with its WAL, evidence files, logs), seeding unique markers in every sensitive field.

Usage: python -m gbvwatch.cases.tests.canary_run   (GBVWATCH_DATA_DIR names the directory)"""

from __future__ import annotations

import logging
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbvwatch.settings")

import django

django.setup()

import pyotp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from gbvwatch.cases.models import Attack, Incident  # noqa: E402
from gbvwatch.core import actions  # noqa: E402
from gbvwatch.core.models import Organisation  # noqa: E402

PASSWORD = "correct horse battery staple"
MARKERS = {
    "survivor_name": "CANARYxNAMExa11",
    "contact": "CANARYxCONTACTxb22",
    "exact_place": "CANARYxPLACExc33",
    "narrative": "CANARYxNARRATIVExd44 Gülnarə",
    "target_identity": "CANARYxIDENTITYxe55",
    "losses": "CANARYxLOSSESxf66",
    "attack_narrative": "CANARYxATTACKxg77",
    "indicator": "canaryxindicatorxh88.example",
    "evidence_description": "CANARYxDESCRIPTIONxi99",
    "evidence_content": "CANARYxFILECONTENTxj00",
    "evidence_name": "CANARYxFILENAMExk11.txt",
    "note": "CANARYxNOTExl22",
    "attack_note": "CANARYxATTACKNOTExm33",
}


def _coordinator() -> tuple[Client, pyotp.TOTP]:
    org = Organisation.objects.create(name="Canary", slug="canary")
    invitation = actions.coordinator_create(actor="canary", organisation=org, username="alice")
    secret = actions.totp_new_secret()
    totp = pyotp.TOTP(secret)
    actions.account_setup_complete(
        user=invitation.membership.user,
        current_password=invitation.one_time_password,
        new_password=PASSWORD,
        totp_secret=secret,
        totp_code=totp.now(),
    )
    client = Client()
    import time

    response = client.post(
        reverse("core:login"),
        {"username": "alice", "password": PASSWORD, "code": totp.at(time.time() + 30)},
    )
    assert response.status_code == 302, response.status_code
    return client, totp


def _exercise(client: Client) -> None:
    incident = {
        "type": "rape", "setting": "home", "age_band": "18-25", "gender_identity": "woman",
        "disability": "no", "perpetrator": "stranger", "consent_statistics": "on",
        "survivor_name": MARKERS["survivor_name"], "contact": MARKERS["contact"],
        "exact_place": MARKERS["exact_place"], "narrative": MARKERS["narrative"],
    }  # fmt: skip
    assert client.post(reverse("cases:incident_create"), incident).status_code == 302
    pk = Incident.objects.get().pk
    client.get(reverse("cases:incident_detail", args=[pk]))
    client.get(reverse("cases:incident_edit", args=[pk]))
    client.post(reverse("cases:incident_create"), {**incident, "type": "bad"})  # error page
    upload = SimpleUploadedFile(
        MARKERS["evidence_name"], MARKERS["evidence_content"].encode() * 100, "text/plain"
    )
    response = client.post(
        reverse("cases:incident_evidence_add", args=[pk]),
        {"file": upload, "description": MARKERS["evidence_description"]},
    )
    assert response.status_code == 302, response.status_code
    note = reverse("cases:incident_note_add", kwargs={"case_id": pk})
    assert client.post(note, {"text": MARKERS["note"]}).status_code == 302
    client.post(note, {"text": MARKERS["note"] * 2000})  # too long: an error path
    client.get(reverse("cases:incident_detail", args=[pk]))
    client.get(reverse("cases:incident_list"), {"type": "rape", "consent": "statistics"})
    client.get(reverse("cases:evidence_list"))
    attack = {
        "target_pseudonym": "Activist A", "platform": "instagram",
        "attack_types": ["account_takeover"], "started_on": "2026-10-01",
        "target_identity": MARKERS["target_identity"], "losses": MARKERS["losses"],
        "narrative": MARKERS["attack_narrative"], "consent_statistics": "on",
    }  # fmt: skip
    assert client.post(reverse("cases:attack_create"), attack).status_code == 302
    attack_pk = Attack.objects.get().pk
    client.post(
        reverse("cases:indicator_add", args=[attack_pk]),
        {"kind": "domain", "value": MARKERS["indicator"]},
    )
    client.post(reverse("cases:attack_find"), {"kind": "domain", "value": MARKERS["indicator"]})
    attack_note = reverse("cases:attack_note_add", kwargs={"case_id": attack_pk})
    assert client.post(attack_note, {"text": MARKERS["attack_note"]}).status_code == 302
    client.get(reverse("cases:attack_detail", args=[attack_pk]))
    client.get(reverse("directory:data_export", args=["services", "csv"]))


def main() -> None:
    """Migrate, seed markers through the pages, log everything at DEBUG to a file."""
    log = logging.FileHandler(settings.DATA_DIR / "canary.log")
    logging.getLogger().addHandler(log)
    logging.getLogger().setLevel(logging.DEBUG)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {  # pages render without collectstatic
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    client, _totp = _coordinator()
    _exercise(client)
    sys.stdout.write("done\n")
    sys.stdout.flush()
    for handler in logging.getLogger().handlers:
        handler.flush()
    # Leave as a running server would be when seized: connections open, the WAL not folded in.
    os._exit(0)


if __name__ == "__main__":
    main()
