"""Case list of 100,000 incidents for a caseworker: p95 of the list pages on SQLite.

Rows carry ciphertexts of realistic size (the list never decrypts them). Run by `make bench`."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
import uuid
from typing import Any

INCIDENTS = 100_000
REQUESTS = 60
START = dt.date(2016, 1, 1)


def _populate(organisation: Any, user: Any, *, seed: int = 7) -> None:
    from gbvwatch.cases.models import (
        AgeBand,
        GenderIdentity,
        Incident,
        IncidentType,
        Relationship,
        Setting,
        YesNoUnknown,
    )

    rng = random.Random(seed)
    blob = os.urandom(300)
    batch = []
    for n in range(INCIDENTS):
        batch.append(
            Incident(
                id=uuid.UUID(int=rng.getrandbits(128)),
                organisation=organisation,
                type=rng.choice(IncidentType.values),
                setting=rng.choice(Setting.values),
                age_band=rng.choice(AgeBand.values),
                gender_identity=rng.choice(GenderIdentity.values),
                disability=rng.choice(YesNoUnknown.values),
                perpetrator=rng.choice(Relationship.values),
                incident_date=START + dt.timedelta(days=rng.randrange(3650)),
                assigned_to=user if n % 10 == 0 else None,
                data_key_sealed=blob[:80],
                survivor_name_enc=blob[:60],
                contact_enc=blob[:60],
                narrative_enc=blob,
                exact_place_enc=blob[:60],
            )
        )
        if len(batch) == 5000:
            Incident.objects.bulk_create(batch)
            batch = []


def _p95(client: Any, url: str) -> tuple[float, float]:
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django must be set up with a migrated database)."""
    from django.test import Client

    from gbvwatch.core.models import Membership, Organisation, Role, User

    org = Organisation.objects.create(name="Bench cases", slug="bench-cases")
    user = User.objects.create(username="bench-caseworker", totp_secret_encrypted=b"enrolled")
    Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    start = time.perf_counter()
    _populate(org, user)
    insert_s = time.perf_counter() - start
    client = Client()
    client.force_login(user)
    rows = [
        ("login page (baseline)", "/login/"),
        ("case list, first page", "/cases/"),
        ("case list, page 1000", "/cases/?page=1000"),
        ("case list filtered by type", "/cases/?type=rape"),
        ("case list, assigned to me", "/cases/?mine=1"),
        (
            "case list, search by 3 coded fields",
            "/cases/?gender_identity=trans_woman&age_band=18-25&disability=yes",
        ),
        (
            "case list, type and two years",
            "/cases/?type=rape&date_from=2020-01-01&date_to=2021-12-31",
        ),
        ("case list, refused because of gender identity", "/cases/?refusal=gender_identity"),
    ]
    measured = [(label, *_p95(client, url)) for label, url in rows]
    base = measured[0][2]
    return [
        f"## Case list of {INCIDENTS:,} incidents for a caseworker (target: p95 under 200 ms)",
        "",
        f"Inserting the incidents took {insert_s:.1f} s. {REQUESTS} requests per row.",
        "",
        "| what | median ms | p95 ms | p95 ratio to baseline |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {label} | {med:.1f} | {p95:.1f} | {p95 / base:.1f} |"
            for label, med, p95 in measured
        ],
        "",
    ]


def rotation_rows() -> list[str]:
    """Rotation of an organisation key over 10,000 incidents (target: at most 60 s)."""
    from gbvwatch.cases.models import Incident
    from gbvwatch.core import crypto
    from gbvwatch.core.models import Membership, Organisation, OrganisationKey, Role, User
    from gbvwatch.core.rotation import organisation_key_rotate

    org = Organisation.objects.create(name="Bench rotation", slug="bench-rotation")
    material = crypto.new_organisation_key(org.pk)
    OrganisationKey.objects.create(
        organisation=org,
        public_key=material.public_key,
        recovery_wrapped_private_key=material.recovery_wrapped_private_key,
        recovery_key_fingerprint=material.recovery_key_fingerprint,
    )
    user = User.objects.create(username="bench-coordinator")
    Membership.objects.create(user=user, organisation=org, role=Role.COORDINATOR)
    Incident.objects.bulk_create(
        Incident(
            organisation=org, type="rape", setting="home", age_band="unknown",
            gender_identity="woman", disability="unknown", perpetrator="unknown",
            data_key_sealed=crypto.seal_to_public_key(material.public_key, os.urandom(32)),
        )
        for _ in range(10_000)
    )  # fmt: skip
    start = time.perf_counter()
    result = organisation_key_rotate(
        actor=user, old_private_key=material.private_key, member_kek=os.urandom(32)
    )
    seconds = time.perf_counter() - start
    assert result.records == 10_000
    return [
        "## Rotating an organisation key (target: at most 60 s per 10,000 records)",
        "",
        f"Re-sealing the data keys of {result.records:,} incidents: {seconds:.1f} s (one run).",
        "",
    ]
