"""Fixtures shared by the case-record tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """A private files directory for the test (evidence files land under it)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"
