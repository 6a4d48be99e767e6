"""Coalition statistics over 50,000 incidents, 5,000 attacks and 5,000 complaints of five
sharing organisations: the whole report, one year, the page, and suppression on its own.

Each figure is set against a baseline measured in the same run: reading the coded rows alone
(the least any report must do) and, for the page, the login page. Run by `make bench`."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from bench import median_ms

INCIDENTS = 50_000
ATTACKS = 5_000
COMPLAINTS = 5_000
ORGANISATIONS = 5
REPEAT = 5


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    return median_ms(fn, repeat)


def _populate(rng: random.Random) -> Any:
    from gbvwatch.accountability.models import Authority, Complaint, ComplaintStatus
    from gbvwatch.cases.models import (
        AgeBand,
        Attack,
        AttackType,
        GenderIdentity,
        Incident,
        IncidentType,
        Platform,
        Relationship,
        Setting,
        YesNoUnknown,
    )  # fmt: skip
    from gbvwatch.core.models import Membership, Organisation, Role, User
    from gbvwatch.stats.models import CoalitionConsent

    orgs = [
        Organisation.objects.create(name=f"Bench stats {n}", slug=f"bench-stats-{n}")
        for n in range(ORGANISATIONS)
    ]
    for org in orgs:
        CoalitionConsent.objects.create(organisation=org, shares=True)
    start = dt.date(2016, 1, 1)
    Incident.objects.bulk_create(
        (
            Incident(
                id=uuid.UUID(int=rng.getrandbits(128)), organisation=rng.choice(orgs),
                type=rng.choice(IncidentType.values), setting=rng.choice(Setting.values),
                age_band=rng.choice(AgeBand.values),
                gender_identity=rng.choice(GenderIdentity.values),
                disability=rng.choice(YesNoUnknown.values),
                perpetrator=rng.choice(Relationship.values),
                incident_date=start + dt.timedelta(days=rng.randrange(3650)),
                consent_statistics=rng.random() < 0.9, consent_coalition=rng.random() < 0.8,
            )
            for _ in range(INCIDENTS)
        ),
        batch_size=5000,
    )  # fmt: skip
    attacks = Attack.objects.bulk_create(
        Attack(
            organisation=rng.choice(orgs), target_pseudonym="a",
            platform=rng.choice(Platform.values), attack_types=[rng.choice(AttackType.values)],
            started_on=start + dt.timedelta(days=rng.randrange(3650)),
            consent_statistics=True, consent_coalition=rng.random() < 0.8,
        )
        for _ in range(ATTACKS)
    )  # fmt: skip
    Complaint.objects.bulk_create(
        Complaint(
            organisation_id=a.organisation_id, attack=a, authority=rng.choice(Authority.values),
            filed_on=a.started_on or start, status=rng.choice(ComplaintStatus.values),
        )
        for a in attacks[:COMPLAINTS]
    )  # fmt: skip
    user = User.objects.create(username="bench-stats-viewer", totp_secret_encrypted=b"enrolled")
    Membership.objects.create(user=user, organisation=orgs[0], role=Role.VIEWER)
    return user


def _read_rows() -> int:
    from gbvwatch.stats import queries

    ids = queries.sharing_organisation_ids()
    return sum(
        1
        for rows in (
            queries.incident_rows(ids, None),
            queries.attack_rows(ids, None),
            queries.complaint_rows(ids, None),
        )
        for _ in rows
    )


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django must be set up with a migrated database)."""
    from django.test import Client

    from gbvwatch.analysis.suppression import CountTable, suppress
    from gbvwatch.stats.report import StatsParameters, stats_report

    rng = random.Random(11)
    user = _populate(rng)
    client = Client()
    client.force_login(user)
    table = CountTable(
        tuple(tuple(rng.choice([0, 1, 2, 3, 4, 7, 12, 30]) for _ in range(12)) for _ in range(20))
    )
    base = _median_ms(_read_rows)
    login = _median_ms(lambda: client.get("/login/"))
    suppress_ms = _median_ms(lambda: suppress(table, k=5))
    every_year = _median_ms(lambda: stats_report(StatsParameters()))
    one_year = _median_ms(lambda: stats_report(StatsParameters(year=2021)))
    measured = [
        ("reading the coded rows only (baseline)", base, base),
        ("`stats_report`, every year", every_year, base),
        ("`stats_report`, 2021", one_year, base),
        ("login page (baseline for the page)", login, login),
        ("coalition statistics page", _median_ms(lambda: client.get("/stats/")), login),
        ("suppressing one 20 x 12 table of small counts", suppress_ms, base),
    ]  # fmt: skip
    return [
        f"## Coalition statistics: {INCIDENTS:,} incidents, {ATTACKS:,} attacks, "
        f"{COMPLAINTS:,} complaints of {ORGANISATIONS} organisations",
        "",
        f"Median of {REPEAT} runs after a warm-up.",
        "",
        "| what | median ms | ratio to its baseline |",
        "| --- | ---: | ---: |",
        *[f"| {label} | {ms:.1f} | {ms / b:.2f} |" for label, ms, b in measured],
        "",
    ]
