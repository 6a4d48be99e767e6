"""Mutated files (random bytes, quotes, NULs, huge numbers) are rejected whole, never crash.

A bounded run (300 seeded mutations, a few seconds); longer runs belong in `make bench`."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gbvwatch.directory.importers import services_import
from gbvwatch.directory.models import Service
from gbvwatch.geography.importers import (
    ImportRejected,
    boundaries_import,
    settlements_import,
    units_import,
)
from gbvwatch.geography.models import AdminUnit

DATASET = Path(__file__).resolve().parents[2] / "datasets" / "az"
TOKENS = [b",", b'"', b"\n", b"\x00", b"=", b"\r", b"{", b"]", b"1e999", b"NaN", b"-", b"\xff"]


def _mutate(rng: random.Random, source: bytes) -> bytes:
    data = bytearray(source)
    for _ in range(rng.randint(1, 20)):
        position = rng.randrange(len(data)) if data else 0
        roll = rng.random()
        if roll < 0.4 and data:
            data[position] = rng.randrange(256)
        elif roll < 0.7:
            data[position:position] = rng.choice(TOKENS)
        elif data:
            del data[position : position + rng.randint(1, 50)]
    return bytes(data)


@pytest.mark.django_db
def test_mutated_files_are_rejected_or_imported_never_crash() -> None:
    rng = random.Random(20261128)
    sources = [
        (DATASET / "services.csv").read_bytes(),
        (DATASET / "az_admin_units.csv").read_bytes()[:4000],
        (DATASET / "az_adm2_boundaries.geojson").read_bytes()[:4000],
    ]
    importers: list[Callable[..., Any]] = [
        services_import,
        units_import,
        boundaries_import,
        settlements_import,
    ]
    rejected = 0
    for _ in range(300):
        importer = rng.choice(importers)
        try:
            importer(_mutate(rng, rng.choice(sources)), name="fuzz", actor="fuzz")
        except ImportRejected as exc:
            rejected += 1
            assert exc.problems and str(exc)
    assert rejected > 200  # most mutations are caught, and each says why
    # Whatever got through was validated whole: no entry without its name.
    assert not Service.objects.filter(name="").exists()
    assert not AdminUnit.objects.filter(name_en="").exists()
