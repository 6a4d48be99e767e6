"""Run by test_backup in a subprocess against one data directory (GBVWATCH_DATA_DIR, and
DATABASE_URL when PostgreSQL):

    python -m gbvwatch.core.tests.backup_probe seed   adds a multi-chunk evidence file
    python -m gbvwatch.core.tests.backup_probe open   prints, as JSON, every case opened with
                                                      the member's password, and every
                                                      evidence file decrypted and re-hashed
    python -m gbvwatch.core.tests.backup_probe write STOPFILE   attaches evidence files, one
                                                      after another, until STOPFILE exists"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbvwatch.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from gbvwatch.cases.actions import incident_reveal  # noqa: E402
from gbvwatch.cases.attacks_actions import attack_reveal, indicators_find  # noqa: E402
from gbvwatch.cases.evidence_actions import (  # noqa: E402
    evidence_attach,
    evidence_open,
    evidence_reveal,
)
from gbvwatch.cases.models import Attack, Evidence, Incident  # noqa: E402
from gbvwatch.cases.tests.canary_run import MARKERS, PASSWORD  # noqa: E402
from gbvwatch.core.actions import member_private_key  # noqa: E402
from gbvwatch.core.models import User  # noqa: E402

BIG_EVIDENCE_BYTES = 300_000  # several 64 KiB chunks of the evidence and backup streams


def seed() -> None:
    """A second, larger evidence file with a marker at its start, middle and end."""
    alice = User.objects.get(username="alice")
    filler = (MARKERS["evidence_content"] + " lorem ipsum dolor sit amet\n").encode()
    content = (filler * (BIG_EVIDENCE_BYTES // len(filler) + 1))[:BIG_EVIDENCE_BYTES]
    evidence_attach(
        actor=alice,
        parent=Incident.objects.get(),
        upload=SimpleUploadedFile("big.txt", content, "text/plain"),
        description=MARKERS["evidence_description"],
        hash_only=False,
    )


def opened() -> dict[str, object]:
    """Everything alice can decrypt with her password (each read is audited, as in the app)."""
    alice = User.objects.get(username="alice")
    key = member_private_key(user=alice, password=PASSWORD)
    incidents = {
        str(i.pk): dataclasses.asdict(incident_reveal(actor=alice, incident=i, private_key=key))
        for i in Incident.objects.order_by("pk")
    }
    attacks = {
        str(a.pk): dataclasses.asdict(attack_reveal(actor=alice, attack=a, private_key=key))
        for a in Attack.objects.order_by("pk")
    }
    evidence = {}
    for item in Evidence.objects.order_by("pk"):
        digest = hashlib.sha256()
        for chunk in evidence_open(actor=alice, evidence=item, private_key=key):
            digest.update(chunk)
        secrets = evidence_reveal(actor=alice, evidence=item, private_key=key)
        evidence[str(item.pk)] = {
            "recorded_sha256": item.sha256,
            "decrypted_sha256": digest.hexdigest(),
            "size": item.size,
            **dataclasses.asdict(secrets),
        }
    found = indicators_find(actor=alice, kind="domain", value=MARKERS["indicator"], private_key=key)
    return {
        "incidents": incidents,
        "attacks": attacks,
        "evidence": evidence,
        "indicator_search": sorted(str(a.pk) for a in found),
    }


def write(stop_file: Path) -> int:
    """Keep adding evidence (a file, then its row and audit entry) until told to stop."""
    alice = User.objects.get(username="alice")
    incident = Incident.objects.get()
    written = 0
    while not stop_file.exists():
        evidence_attach(
            actor=alice,
            parent=incident,
            upload=SimpleUploadedFile(f"w{written}.txt", os.urandom(20_000).hex().encode()),
            description=f"written while a backup runs #{written}",
            hash_only=False,
        )
        written += 1
        if written == 5:
            Path(f"{stop_file}.started").touch()
    return written


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed()
        sys.stdout.write("seeded\n")
    elif sys.argv[1] == "write":
        sys.stdout.write(f"{write(Path(sys.argv[2]))} written\n")
    else:
        sys.stdout.write(json.dumps(opened(), sort_keys=True, ensure_ascii=False) + "\n")
