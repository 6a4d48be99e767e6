"""UPR tracker at the scale of a whole country history: 20,000 recommendations.

Importing a file (validation, classification, upsert) is compared with reading the same file
with `csv.DictReader`; re-importing it (nothing changes) with the first import; the summary and
the pages with the login page. Run by `make bench`; `python -m bench.upr` runs only this part.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

RECOMMENDATIONS = 20_000
ASSESSMENTS = 4_000
SHIPPED = (
    Path(__file__).resolve().parents[1] / "gbvwatch" / "datasets" / "az" / "upr_aze_cycle2.csv"
)
COLUMNS = (
    "cycle",
    "document",
    "rec_id",
    "recommending_states",
    "text",
    "response",
    "response_source",
)


def _synthetic_csv() -> bytes:
    """The shipped texts repeated over documents and cycles, each made unique by its number."""
    with SHIPPED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n in range(RECOMMENDATIONS):
        row = rows[n % len(rows)]
        cycle = 1 + n // 5_000
        writer.writerow(
            [
                cycle,
                f"A/HRC/BENCH/{n // 200}",
                f"{100 + n % 200}.{n % 7}",
                row["recommending_states"],
                f"{row['text']} [{n}]",
                row["response"],
                "",
            ]
        )
    return out.getvalue().encode()


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    return statistics.median(_seconds(fn) * 1000 for _ in range(repeat))


def _assess(actor: object) -> None:
    from gbvwatch.upr.models import Assessment, Recommendation, Status

    rng = random.Random(11)
    ids = list(Recommendation.objects.values_list("pk", flat=True))
    Assessment.objects.bulk_create(
        Assessment(
            recommendation_id=rng.choice(ids),
            status=rng.choice(Status.values),
            assessed_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700)),
            author_label="bench",
        )
        for _ in range(ASSESSMENTS)
    )


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django must be set up with a migrated database)."""
    from django.test import Client

    from gbvwatch.core.models import Membership, Organisation, Role, User
    from gbvwatch.upr.importers import recommendations_import
    from gbvwatch.upr.queries import RecommendationFilters, upr_summary

    data = _synthetic_csv()
    read_s = _seconds(lambda: list(csv.DictReader(io.StringIO(data.decode()))))
    first_s = _seconds(lambda: recommendations_import(data, name="bench.csv", actor="bench"))
    again_s = _seconds(lambda: recommendations_import(data, name="bench.csv", actor="bench"))
    _assess("bench")
    org = Organisation.objects.create(name="Bench UPR", slug="bench-upr")
    user = User.objects.create(username="bench-analyst", totp_secret_encrypted=b"enrolled")
    Membership.objects.create(user=user, organisation=org, role=Role.ANALYST)
    client = Client()
    client.force_login(user)

    def page(url: str) -> Callable[[], object]:
        return lambda: client.get(url)

    login_ms = _median_ms(page("/login/"), 20)
    pages = [
        (
            "summary (query only, all cycles)",
            _median_ms(lambda: upr_summary(RecommendationFilters()), 5),
        ),
        ("summary page, cycle 2", _median_ms(page("/upr/summary/?cycle=2"), 5)),
        ("list page, one group", _median_ms(page("/upr/?group=violence_against_women"), 5)),
        ("API summary, all", _median_ms(page("/api/v1/upr/summary/"), 5)),
    ]
    return [
        f"## UPR tracker: {RECOMMENDATIONS:,} recommendations, {ASSESSMENTS:,} assessments",
        "",
        "| what | s | ratio to baseline |",
        "| --- | ---: | ---: |",
        f"| read the CSV with csv.DictReader (baseline) | {read_s:.2f} | 1.0 |",
        f"| import: validate, classify, insert | {first_s:.2f} | {first_s / read_s:.0f} |",
        f"| import again (all unchanged) | {again_s:.2f} | {again_s / read_s:.0f} |",
        "",
        "| what | median ms | ratio to login page |",
        "| --- | ---: | ---: |",
        f"| login page (baseline) | {login_ms:.1f} | 1.0 |",
        *[f"| {label} | {ms:.1f} | {ms / login_ms:.1f} |" for label, ms in pages],
        "",
    ]


if __name__ == "__main__":
    import sys

    from bench.__main__ import _setup_django

    _setup_django()
    sys.stdout.write("\n".join(run()) + "\n")
