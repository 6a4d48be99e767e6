"""`gbvwatch bootstrap`: create the first organisation and coordinator if none exists."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from gbvwatch.core import actions
from gbvwatch.core.models import Membership, Organisation, Role


class Command(BaseCommand):
    help = (
        "Create the first organisation and its coordinator, printing a one-time password, "
        "unless a coordinator already exists. Idempotent."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--organisation",
            default=os.environ.get("GBVWATCH_FIRST_ORGANISATION", "My organisation"),
        )
        parser.add_argument("--username", default="coordinator")

    def handle(self, *args: Any, **options: Any) -> None:
        if Membership.objects.filter(role=Role.COORDINATOR).exists():
            self.stdout.write("A coordinator exists already; nothing to do.")
            return
        org = Organisation.objects.filter(name=options["organisation"]).first()
        if org is None:
            org = actions.organisation_create(actor="bootstrap", name=options["organisation"])
        invitation = actions.coordinator_create(
            actor="bootstrap", organisation=org, username=options["username"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                "\nFirst coordinator created for “%s”.\n"
                "  username:          %s\n"
                "  one-time password: %s\n"
                "Log in at http://127.0.0.1:8000/ ; you will choose your own password and enrol\n"
                "two-factor authentication, and see your organisation's recovery key once.\n"
                % (org.name, invitation.membership.user.username, invitation.one_time_password)
            )
        )
