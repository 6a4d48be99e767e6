"""The shipped dataset plus the statement's coalition: 15 digital attacks documented by three
sharing organisations, a complaint on each and none resolved (gbvwatch/stats/tests)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from gbvwatch.conftest import Actor, make_member
from gbvwatch.core.models import Role
from gbvwatch.stats.tests.test_stats import coalition  # noqa: F401 (a fixture)


@pytest.fixture
def world(coalition: dict[str, Actor]) -> dict[str, Actor]:  # noqa: F811
    """The az dataset (with the UPR cycle-2 recommendations) and the coalition's members."""
    call_command("load_dataset", "az", verbosity=0)
    ayna = coalition["Ayna"]
    org = ayna.user.membership.organisation
    return {
        "coordinator": ayna,
        "analyst": make_member(org, "analyst-ayna", Role.ANALYST, ayna),
        "viewer": make_member(org, "viewer-ayna", Role.VIEWER, ayna),
        "other": coalition["Nafas"],
    }
