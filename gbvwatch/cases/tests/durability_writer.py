"""Run by test_durability: sets up an organisation, then forks writers and kills them.

Usage: python -m gbvwatch.cases.tests.durability_writer ACK_FILE KILLS SEED
Each writer creates incidents one after another and, after each commit returns, appends the
incident's id to ACK_FILE (fsynced). The parent kills every writer with SIGKILL after a random
delay. The test then checks that every acknowledged incident is in the database, whole."""

from __future__ import annotations

import os
import random
import signal
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbvwatch.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from gbvwatch.cases.actions import IncidentSecrets, incident_create  # noqa: E402
from gbvwatch.cases.models import Incident  # noqa: E402
from gbvwatch.core import crypto  # noqa: E402
from gbvwatch.core.models import Membership, Organisation, OrganisationKey, Role, User  # noqa: E402


def _setup() -> User:
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Durable", slug="durable")
    material = crypto.new_organisation_key(org.pk)
    OrganisationKey.objects.create(
        organisation=org,
        public_key=material.public_key,
        recovery_wrapped_private_key=material.recovery_wrapped_private_key,
        recovery_key_fingerprint=material.recovery_key_fingerprint,
    )
    user = User.objects.create(username="writer")
    Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    return user


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
            ack.write(f"{incident.pk}\n")
            ack.flush()
            os.fsync(ack.fileno())


def main() -> None:
    """Fork and kill writers; exits 0 when all kills happened."""
    ack_path, kills, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    user = _setup()
    rng = random.Random(seed)
    for _ in range(kills):
        connections.close_all()  # each child opens its own connection
        pid = os.fork()
        if pid == 0:
            try:
                _write_forever(user.pk, ack_path)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.01, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    sys.stdout.write("done\n")


if __name__ == "__main__":
    main()
