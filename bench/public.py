"""The public find-help results page under load, served as `make run` serves it: gunicorn with
2 workers and SQLite, on loopback. Target: at least 200 requests/s, p99 under 100 ms, no error
over 60 s. Baselines in the same run: a static file and the login page.

The load generator is bounded (a request count and a duration), closed-loop (a few threads,
each sending its next request when the last one is answered, a new connection each time, as
gunicorn's sync workers close them) and talks to 127.0.0.1 only. Questions are drawn with a
fixed seed from every need x district x person x language; a second run makes every question
new (a distinct date each time) so that the per-minute answer cache never helps. After the
runs the access log is searched for any address or any part of a question.

`python -m bench.public` prints the rows; `make bench` includes them in bench/RESULTS.md.
"""

from __future__ import annotations

import csv
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
WORKERS = 2
THREADS = 4
SECONDS = float(os.environ.get("BENCH_PUBLIC_SECONDS", "60"))
SHORT_SECONDS = float(os.environ.get("BENCH_PUBLIC_BASELINE_SECONDS", "20"))
MAX_REQUESTS = 200_000  # bound on any one run, whatever the duration
TIMEOUT_S = 10
START_TIMEOUT_S = 30
SEED = 20261129
NEEDS = ("shelter", "assault", "talk", "legal", "report")
GENDERS = ("woman", "trans_woman", "trans_man", "nonbinary", "man")
LANGUAGES = ("az", "ru", "en")
LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s'  # the access-log format of `make run`
REPO_ROOT = Path(__file__).resolve().parents[1]
STATIC_PATH = "/static/gbvwatch/public/info.css"
UNITS_CSV = REPO_ROOT / "gbvwatch" / "datasets" / "az" / "az_admin_units.csv"

Request = tuple[str, str, str]  # method, path, url-encoded body
Maker = Callable[[random.Random], Request]


@dataclass(frozen=True)
class Load:
    """What one run measured."""

    label: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _gbvwatch(env: dict[str, str], *args: str) -> None:
    binary = str(Path(sys.executable).parent / "gbvwatch")
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [binary, *args], env=env, cwd=REPO_ROOT, check=True, capture_output=True
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _send(port: int, request: Request) -> int:
    method, path, body = request
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_S)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _load(label: str, port: int, make: Maker, seconds: float) -> Load:
    """Closed-loop load from THREADS threads for `seconds` (at most MAX_REQUESTS requests)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(SEED + n)
        while time.perf_counter() < deadline:
            request = make(rng)
            start = time.perf_counter()
            try:
                ok = _send(port, request) == 200
            except OSError:
                ok = False
            elapsed_ms = (time.perf_counter() - start) * 1000
            with lock:
                if len(latencies) >= MAX_REQUESTS:
                    return
                latencies.append(elapsed_ms)
                errors[0] += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")
    p50 = statistics.median(ordered) if ordered else float("nan")
    return Load(label, len(ordered), errors[0], took, p50, p99)


def _units() -> list[str]:
    with UNITS_CSV.open(encoding="utf-8") as handle:
        return [row["unit_id"] for row in csv.DictReader(handle)]


def _questions(units: list[str], *, new_every_time: bool) -> Maker:
    def make(rng: random.Random) -> Request:
        data = {"need": rng.choice(NEEDS), "unit": rng.choice(units), "gender": rng.choice(GENDERS)}
        if rng.random() < 0.3:
            data["with_children"] = "on"
            data["boy_age"] = str(rng.randint(0, 17))
        if new_every_time:
            day = rng.randint(0, 36_000)
            data["on"] = time.strftime("%Y-%m-%d", time.gmtime(946_684_800 + day * 86_400))
        return "POST", f"/info/{rng.choice(LANGUAGES)}/", urlencode(data)

    return make


def _fixed(method: str, path: str) -> Maker:
    return lambda _rng: (method, path, "")


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [
        gunicorn, "gbvwatch.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(WORKERS),
        "--access-logfile", str(log), "--access-logformat", LOG_FORMAT,
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if _send(port, ("GET", "/login/", "")) == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.2)


def _log_check(log: Path) -> tuple[int, int, int]:
    """(lines, lines holding an address, lines holding part of a question) of the access log."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    words = ("need=", "unit=", "gender=", "astara", "trans_woman")
    with_address = sum(HOST in line for line in lines)
    with_question = sum(any(w in line for w in words) for line in lines)
    return len(lines), with_address, with_question


def measure() -> tuple[list[Load], tuple[int, int, int]]:
    """Prepare a data directory as `make run` does, serve it, run every load, stop the server."""
    data_dir = Path(tempfile.mkdtemp(prefix="gbvwatch-bench-public-"))
    env = {**os.environ, "GBVWATCH_DATA_DIR": str(data_dir), "GBVWATCH_ALLOWED_HOSTS": HOST}
    env.pop("DATABASE_URL", None)
    env.pop("GBVWATCH_PRODUCTION", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (
        ("migrate", "--no-input"),
        ("load-dataset", "az"),
        ("collectstatic", "--no-input"),
    ):
        _gbvwatch(env, *args)
    units = _units()
    port = _free_port()
    log = data_dir / "access.log"
    process = _serve(env, port, log)
    try:
        plan: list[tuple[str, Maker, float]] = [
            ("static file (baseline)", _fixed("GET", STATIC_PATH), SHORT_SECONDS),
            ("login page (baseline)", _fixed("GET", "/login/"), SHORT_SECONDS),
            ("results page, mixed questions", _questions(units, new_every_time=False), SECONDS),
            ("results page, every question new (no cache)",
             _questions(units, new_every_time=True), SHORT_SECONDS),
        ]  # fmt: skip
        loads = [_load(label, port, make, seconds) for label, make, seconds in plan]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return loads, _log_check(log)


def run() -> list[str]:
    """Markdown rows for bench/RESULTS.md."""
    loads, (lines, with_address, with_question) = measure()
    login = loads[1]
    rows = [
        f"| {x.label} | {x.seconds:.0f} | {x.requests:,} | {x.per_second:.0f} | {x.p50_ms:.1f} "
        f"| {x.p99_ms:.1f} | {x.errors} | {x.per_second / login.per_second:.2f} |"
        for x in loads
    ]
    return [
        f"## Public find-help results page (target: at least 200 requests/s, p99 under 100 ms, "
        f"no error over {SECONDS:.0f} s)",
        "",
        f"gunicorn {WORKERS} sync workers, SQLite, loopback; {THREADS} client threads in this "
        "process, one connection per request.",
        "",
        "| what | s | requests | requests/s | p50 ms | p99 ms | errors | rate / login page |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Access log: {lines:,} lines, {with_address} with an address, {with_question} with any "
        "part of a question.",
        "",
    ]


if __name__ == "__main__":
    sys.stdout.write("\n".join(run()) + "\n")
