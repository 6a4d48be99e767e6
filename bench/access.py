"""Time the k-d tree nearest-service search against the brute-force haversine baseline.

Both run on one core: the k-d tree is queried with workers=1, and the thread pools numpy could
use are capped below before numpy loads (threadpoolctl is not a dependency). Neither search
calls BLAS, so the caps only guard against surprises. `python -m bench.access` prints the rows.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from gbvwatch.analysis.access import (  # noqa: E402
    Nearest,
    nearest_services,
    nearest_services_bruteforce,
)

SEED = 20241125
POINTS = 1_000_000
SERVICES = 1_000
SAMPLE_POINTS = 100_000  # the baseline's trial size; it runs in full only if that stays short
BASELINE_LIMIT_S = 60.0

Inputs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _inputs(n_points: int, n_services: int, seed: int) -> Inputs:
    # Uniform over a box around Azerbaijan (lat 38-42, lon 44-51), all on one road network.
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(38.0, 42.0, n_points),
        rng.uniform(44.0, 51.0, n_points),
        np.full(n_points, "main"),
        rng.uniform(38.0, 42.0, n_services),
        rng.uniform(44.0, 51.0, n_services),
        np.full(n_services, "main"),
    )


def _head(inputs: Inputs, n: int) -> Inputs:
    p_lat, p_lon, p_comp, s_lat, s_lon, s_comp = inputs
    return p_lat[:n], p_lon[:n], p_comp[:n], s_lat, s_lon, s_comp


def _seconds(search: Callable[..., Nearest], inputs: Inputs) -> tuple[float, Nearest]:
    start = time.perf_counter()
    result = search(*inputs)
    return time.perf_counter() - start, result


def run() -> list[tuple[str, float]]:
    """Rows (label, value): k-d tree and baseline ms, then the speed-up; takes up to ~1.5 min."""
    inputs = _inputs(POINTS, SERVICES, SEED)
    size = f"{POINTS:,} points x {SERVICES:,} services"
    tree_s = statistics.median(_seconds(nearest_services, inputs)[0] for _ in range(3))
    sample_s, sample = _seconds(nearest_services_bruteforce, _head(inputs, SAMPLE_POINTS))
    fast_sample = nearest_services(*_head(inputs, SAMPLE_POINTS))
    if not np.allclose(sample.road_km, fast_sample.road_km, rtol=0, atol=1e-6):
        raise AssertionError("k-d tree and brute force disagree")
    if sample_s * POINTS / SAMPLE_POINTS <= BASELINE_LIMIT_S:
        base_s = _seconds(nearest_services_bruteforce, inputs)[0]
        base_label = f"nearest service, brute-force haversine baseline, {size}, 1 run (ms)"
    else:
        base_s = sample_s * POINTS / SAMPLE_POINTS
        base_label = (
            f"nearest service, brute-force haversine baseline, {size}, 1 run on "
            f"{SAMPLE_POINTS:,} points scaled x{POINTS // SAMPLE_POINTS} (ms)"
        )
    return [
        (f"nearest service, k-d tree, {size}, median of 3, 1 core (ms)", tree_s * 1000),
        (base_label, base_s * 1000),
        ("speed-up of the k-d tree over the baseline (x)", base_s / tree_s),
    ]


if __name__ == "__main__":
    for label, value in run():
        sys.stdout.write(f"{label}: {value:,.1f}\n")
