"""The case-record API's incident list over 100,000 incidents for a caseworker: p95 of the
first page, a deep page and each filter on SQLite, as a ratio to the login page measured in
the same run (and next to the HTML list page, which meets the same target)."""

from __future__ import annotations

from typing import Any

from bench.cases import INCIDENTS, REQUESTS, _p95, _populate


def _spread_dates(organisation: Any) -> None:
    """Incident dates spread over 2020-2025, so the date filters select about a sixth."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_incident SET incident_date = "
            "date('2020-01-01', '+' || (abs(random()) % 2190) || ' days') "
            "WHERE organisation_id = %s",
            [organisation.pk],
        )


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django must be set up with a migrated database)."""
    from django.test import Client

    from gbvwatch.core.models import Membership, Organisation, Role, User

    org = Organisation.objects.create(name="Bench cases API", slug="bench-cases-api")
    user = User.objects.create(username="bench-api-caseworker", totp_secret_encrypted=b"x")
    Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    _populate(org, user, seed=8)  # other ids than the case-list benchmark in the same database
    _spread_dates(org)
    client = Client()
    client.force_login(user)
    api = "/api/v1/cases/incidents/"
    rows = [
        ("login page (baseline)", "/login/"),
        ("HTML case list, first page", "/cases/"),
        ("API list, first page (50)", api),
        ("API list, offset 99,950", f"{api}?offset=99950"),
        ("API list, 500 per page", f"{api}?limit=500"),
        ("API list filtered by type", f"{api}?type=rape"),
        ("API list, assigned to me", f"{api}?mine=true"),
        ("API list, one year of incident dates", f"{api}?date_from=2023-01-01&date_to=2023-12-31"),
        ("API list, type and date range", f"{api}?type=femicide&date_from=2024-01-01"),
    ]
    measured = [(label, *_p95(client, url)) for label, url in rows]
    base = measured[0][2]
    return [
        f"## Case API: incident list of {INCIDENTS:,} incidents for a caseworker "
        "(target: p95 under 200 ms)",
        "",
        f"{REQUESTS} requests per row; coded fields only (nothing is decrypted for a list).",
        "",
        "| what | median ms | p95 ms | p95 ratio to baseline |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {label} | {med:.1f} | {p95:.1f} | {p95 / base:.1f} |"
            for label, med, p95 in measured
        ],
        "",
    ]
