"""The shipped dataset plus the statement's coalition: 15 digital attacks documented by three
sharing organisations, a complaint on each and none resolved (helpers of gbvwatch/stats/tests)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from gbvwatch.conftest import Actor, make_member
from gbvwatch.core import actions as core_actions
from gbvwatch.core.models import Role
from gbvwatch.stats.actions import coalition_consent_set
from gbvwatch.stats.tests.test_stats import _document


@pytest.fixture
def world(db: Any) -> dict[str, Actor]:
    """The az dataset (with the UPR cycle-2 recommendations) and three sharing organisations
    with five documented attacks each; `analyst` is the first organisation's coordinator."""
    call_command("load_dataset", "az", verbosity=0)
    coordinators = []
    for name in ("Ayna", "Fem-utopia", "Nafas"):
        org = core_actions.organisation_create(actor="test", name=name)
        actor = make_member(org, f"coord-{org.slug}", Role.COORDINATOR, None)
        _document(actor)
        coalition_consent_set(actor=actor.user, shares=True)
        coordinators.append(actor)
    return {"analyst": coordinators[0], "coordinator": coordinators[0], "other": coordinators[1]}
