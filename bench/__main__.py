"""Time the directory pages, the API, audit verification, the nearest-service search and the
whole `gbvwatch gaps` command, each against a baseline measured in the same run.

Timings on shared machines are noisy, so each figure is reported as a ratio to a baseline
(the login page; brute-force search; `gbvwatch` start-up; PySAL spopt for the siting planner)
next to its median. `make bench-full` (SITING_BENCH_FULL=1) adds the slowest siting baselines.
"""

from __future__ import annotations

# Import first: it caps numpy's thread pools before numpy loads (one-core measurements).
from bench import access, backups, cases, casesapi, public, reports, siting, stats, threats, upr  # isort: skip

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _setup_django() -> None:
    os.environ["GBVWATCH_DATA_DIR"] = tempfile.mkdtemp(prefix="gbvwatch-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbvwatch.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _member_client():  # type: ignore[no-untyped-def]
    from django.test import Client

    from gbvwatch.core.models import Membership, Organisation, Role, User

    org = Organisation.objects.create(name="Bench", slug="bench")
    user = User.objects.create(username="bench", totp_secret_encrypted=b"enrolled")
    Membership.objects.create(user=user, organisation=org, role=Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    return client


def _get(client, url: str) -> Callable[[], object]:  # type: ignore[no-untyped-def]
    def run() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def _command_seconds(args: list[str], env: dict[str, str], repeat: int = 3) -> float:
    """Median wall time of a whole `gbvwatch` process, start-up included."""
    binary = str(Path(sys.executable).parent / "gbvwatch")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([binary, *args], env=env, check=True, capture_output=True)  # noqa: S603
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _gaps_rows() -> list[str]:
    env = {**os.environ, "GBVWATCH_DATA_DIR": os.environ["GBVWATCH_DATA_DIR"]}
    gaps_s = _command_seconds(["gaps", "--format", "json", "--year", "2023"], env)
    startup_s = _command_seconds(["check"], env)
    return [
        "## The whole `gbvwatch gaps` on the Azerbaijan dataset (target: under 5 s)",
        "",
        "| what | median s (3 runs) | ratio to start-up |",
        "| --- | ---: | ---: |",
        f"| `gbvwatch check` (start-up baseline) | {startup_s:.2f} | 1.0 |",
        f"| `gbvwatch gaps --format json --year 2023` | {gaps_s:.2f} | {gaps_s / startup_s:.1f} |",
        "",
    ]


def _access_rows() -> list[str]:
    rows = access.run()
    (tree_label, tree_ms), (base_label, base_ms), (_l, speedup) = rows
    return [
        "## Nearest accepting service (target: 1,000,000 points x 1,000 services in at most "
        "1 s on one core, at least 20x faster than brute force)",
        "",
        "| what | ms | ratio to baseline |",
        "| --- | ---: | ---: |",
        f"| {base_label} | {base_ms:,.0f} | 1.0 |",
        f"| {tree_label} | {tree_ms:,.0f} | {tree_ms / base_ms:.3f} ({speedup:.1f}x faster) |",
        "",
    ]


def main() -> None:
    """Run every benchmark and write bench/RESULTS.md."""
    _setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from gbvwatch.core.audit import audit_append, audit_verify

    start = time.perf_counter()
    call_command("load_dataset", "az", verbosity=0)
    load_ms = (time.perf_counter() - start) * 1000
    client = _member_client()
    with transaction.atomic():
        for i in range(10_000):
            audit_append(actor="bench", action="bench.entry", details={"i": i})
    rows = [
        ("login page (baseline)", _median_ms(_get(client, "/login/"), 30)),
        ("directory list, 13 services", _median_ms(_get(client, "/directory/"), 30)),
        ("map, 79 polygons", _median_ms(_get(client, "/directory/map/"), 30)),
        ("district page with map", _median_ms(_get(client, "/directory/districts/baki_city/"), 30)),
        ("API services list", _median_ms(_get(client, "/api/v1/services/"), 30)),
        ("API units list (78)", _median_ms(_get(client, "/api/v1/units/"), 30)),
        ("audit verify, 10,000 entries", _median_ms(audit_verify, 5)),
    ]
    baseline = rows[0][1]
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'unknown'}: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite. `make bench` regenerates this file.",
        "",
        f"Loading the AZ dataset into an empty database: {load_ms:.0f} ms (one run).",
        "",
        "## Pages and audit verification",
        "",
        "| what | median ms | ratio to baseline |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {ms:.1f} | {ms / baseline:.1f} |" for name, ms in rows],
        "",
        *_gaps_rows(),
        *cases.run(),
        *cases.rotation_rows(),
        *casesapi.run(),
        *backups.run(),
        *upr.run(),
        *threats.run(),
        *stats.run(),
        *reports.run(),
        *_access_rows(),
        *public.run(),
        *siting.dataset_rows(),
        *siting.run(),
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
