"""Run by test_durability: sets up an organisation, then forks writers and kills them.

Usage: python -m gbvwatch.cases.tests.durability_writer run ACK_FILE KILLS SEED
       python -m gbvwatch.cases.tests.durability_writer verify ACK_FILE
Each writer creates incidents and attaches an evidence file to each, one after another; after
each commit returns it appends "incident ID" or "evidence ID SHA256" to ACK_FILE (fsynced). The
parent kills every writer with SIGKILL after a random delay. `verify` then opens every evidence
file the database points to with the organisation key and prints a JSON summary."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbvwatch.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from gbvwatch.cases.actions import IncidentSecrets, incident_create  # noqa: E402
from gbvwatch.cases.envelope import open_data_key  # noqa: E402
from gbvwatch.cases.evidence_actions import (  # noqa: E402
    _file_aad,
    evidence_attach,
    evidence_dir,
    evidence_files_collect,
)
from gbvwatch.cases.evidence_store import read_decrypted  # noqa: E402
from gbvwatch.cases.models import Evidence, Incident  # noqa: E402
from gbvwatch.core import crypto  # noqa: E402
from gbvwatch.core.models import Membership, Organisation, OrganisationKey, Role, User  # noqa: E402


def _key_path(ack_path: str) -> Path:
    return Path(ack_path).with_suffix(".orgkey")


def _setup(ack_path: str) -> User:
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Durable", slug="durable")
    material = crypto.new_organisation_key(org.pk)
    _key_path(ack_path).write_bytes(material.private_key)  # for `verify` only
    OrganisationKey.objects.create(
        organisation=org,
        public_key=material.public_key,
        recovery_wrapped_private_key=material.recovery_wrapped_private_key,
        recovery_key_fingerprint=material.recovery_key_fingerprint,
    )
    user = User.objects.create(username="writer")
    Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    return user


def _acknowledge(ack: object, line: str) -> None:
    ack.write(line + "\n")  # type: ignore[attr-defined]
    ack.flush()  # type: ignore[attr-defined]
    os.fsync(ack.fileno())  # type: ignore[attr-defined]


def _write_forever(user_id: int, ack_path: str) -> None:
    user = User.objects.get(pk=user_id)
    with open(ack_path, "a", encoding="ascii") as ack:
        n = 0
        while True:
            n += 1
            incident = incident_create(
                actor=user,
                incident=Incident(type="rape", setting="home", age_band="unknown",
                                  gender_identity="woman", disability="unknown",
                                  perpetrator="unknown"),
                secrets=IncidentSecrets(narrative=f"narrative {n} " + "x" * 2000),
                refusals=[],
            )  # fmt: skip
            _acknowledge(ack, f"incident {incident.pk}")
            content = os.urandom(150_000 + n)  # several secretstream chunks
            evidence = evidence_attach(
                actor=user,
                parent=incident,
                upload=SimpleUploadedFile(f"photo-{n}.bin", content),
                description=f"file {n}",
                hash_only=False,
            )
            _acknowledge(ack, f"evidence {evidence.pk} {hashlib.sha256(content).hexdigest()}")


def verify(ack_path: str) -> dict[str, object]:
    """Open every evidence file the database points to; then collect the orphans."""
    private_key = _key_path(ack_path).read_bytes()
    opened, broken = {}, []
    for evidence in Evidence.objects.all():
        data_key = open_data_key(private_key, bytes(evidence.data_key_sealed))
        digest = hashlib.sha256()
        try:
            for chunk in read_decrypted(
                evidence_dir() / evidence.stored_name,
                key=data_key,
                associated_data=_file_aad(evidence, "original"),
            ):
                digest.update(chunk)
        except Exception as exc:  # a missing, torn or altered file is the failure we look for
            broken.append(f"{evidence.pk}: {exc!r}")
            continue
        opened[str(evidence.pk)] = digest.hexdigest()
    files_before = sorted(p.name for p in evidence_dir().iterdir())
    collected = evidence_files_collect(min_age_seconds=0)
    return {
        "opened": opened,
        "broken": broken,
        "files_before_collect": len(files_before),
        "partial_before_collect": sum(name.endswith(".partial") for name in files_before),
        "removed_by_collect": collected.removed,
        "kept_by_collect": collected.kept,
        "files_after_collect": sorted(p.name for p in evidence_dir().iterdir()),
        "referenced": sorted(
            n
            for pair in Evidence.objects.values_list("stored_name", "working_copy_name")
            for n in pair
            if n
        ),
    }


def main() -> None:
    """Fork and kill writers (exits 0 when all kills happened), or verify what is left."""
    if sys.argv[1] == "verify":
        sys.stdout.write(json.dumps(verify(sys.argv[2])))
        return
    ack_path, kills, seed = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    user = _setup(ack_path)
    rng = random.Random(seed)
    Path(ack_path).touch()
    for n in range(kills):
        connections.close_all()  # each child opens its own connection
        pid = os.fork()
        if pid == 0:
            try:
                _write_forever(user.pk, ack_path)
            finally:
                os._exit(1)
        # Kill only once this writer has acknowledged something (alternately an incident and an
        # evidence file), then after a random delay: every kill lands in the middle of real work,
        # however slow a loaded machine makes each write.
        waited = _await_ack(ack_path, "evidence" if n % 2 else "incident", pid)
        time.sleep(rng.uniform(0.0, 0.2))
        if not waited:
            sys.stderr.write("a writer died or acknowledged nothing within 120 s\n")
            sys.exit(1)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    sys.stdout.write("done\n")


def _await_ack(ack_path: str, kind: str, pid: int, timeout_s: float = 120.0) -> bool:
    """Wait until a line starting with `kind` is appended after this call; False on timeout or
    when the writer died by itself (it then prints its error)."""
    path = Path(ack_path)
    start_size = path.stat().st_size
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with path.open("rb") as ack:
            ack.seek(start_size)
            if any(line.startswith(kind.encode()) for line in ack.read().split(b"\n")[:-1]):
                return True
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
        time.sleep(0.005)
    return False


if __name__ == "__main__":
    main()
