from __future__ import annotations

from collections.abc import Iterator

import pytest

from gbvwatch.public.cache import ANSWERS
from gbvwatch.public.queries import snapshot_clear


@pytest.fixture(autouse=True)
def _fresh_answers() -> Iterator[None]:
    """Each test starts with an empty answer cache and no snapshot (tests change rows with
    `update()`, which leaves `updated_at` alone)."""
    ANSWERS.clear()
    snapshot_clear()
    yield
    ANSWERS.clear()
    snapshot_clear()
