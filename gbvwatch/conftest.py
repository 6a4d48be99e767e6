"""Shared test actors: Alice coordinates the Ayna organisation, Bob is its caseworker,
Carol its analyst, Dave its viewer; Erin coordinates another organisation, Nafas."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from gbvwatch.core import actions
from gbvwatch.core.models import Organisation, Role, User

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_kdf(settings: Any) -> None:
    """Cheap Argon2id in tests; production cost comes from settings."""
    settings.ARGON2_OPSLIMIT = 1
    settings.ARGON2_MEMLIMIT_KIB = 8192
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Actor:
    user: User
    password: str
    totp_secret: str

    def code(self) -> str:
        """A TOTP code for a time step not yet used by this actor."""
        step = int(time.time()) // 30
        self.user.refresh_from_db()
        if self.user.totp_last_step >= step:
            step = self.user.totp_last_step + 1
        return pyotp.TOTP(self.totp_secret).at(step * 30)


def make_member(org: Organisation, username: str, role: str, inviter: Actor | None) -> Actor:
    """Create a member the way the product does: invitation, then first-login set-up."""
    if inviter is None:
        invitation = actions.coordinator_create(actor="test", organisation=org, username=username)
    else:
        invitation = actions.member_invite(
            actor=inviter.user, username=username, role=role, actor_password=inviter.password
        )
    secret = actions.totp_new_secret()
    user = invitation.membership.user
    actions.account_setup_complete(
        user=user,
        current_password=invitation.one_time_password,
        new_password=PASSWORD,
        totp_secret=secret,
        totp_code=pyotp.TOTP(secret).now(),
    )
    user.refresh_from_db()
    return Actor(user, PASSWORD, secret)


@pytest.fixture
def ayna(db: Any) -> Organisation:
    return actions.organisation_create(actor="test", name="Ayna")


@pytest.fixture
def nafas(db: Any) -> Organisation:
    return actions.organisation_create(actor="test", name="Nafas")


@pytest.fixture
def alice(ayna: Organisation) -> Actor:
    return make_member(ayna, "alice", Role.COORDINATOR, None)


@pytest.fixture
def bob(ayna: Organisation, alice: Actor) -> Actor:
    return make_member(ayna, "bob", Role.CASEWORKER, alice)


@pytest.fixture
def carol(ayna: Organisation, alice: Actor) -> Actor:
    return make_member(ayna, "carol", Role.ANALYST, alice)


@pytest.fixture
def dave(ayna: Organisation, alice: Actor) -> Actor:
    return make_member(ayna, "dave", Role.VIEWER, alice)


@pytest.fixture
def erin(nafas: Organisation) -> Actor:
    return make_member(nafas, "erin", Role.COORDINATOR, None)
