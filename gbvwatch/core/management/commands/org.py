"""`gbvwatch org list|create`: operators add member organisations to an instance."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from gbvwatch.core import actions
from gbvwatch.core.models import Organisation


class Command(BaseCommand):
    help = (
        "list: organisations with member counts. create NAME --coordinator USERNAME: a new "
        "organisation and its first coordinator, whose one-time password is printed once."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("verb", choices=["list", "create"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("--coordinator", help="username of the first coordinator")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "list":
            self._list(options["format"])
            return
        if not options["name"] or not options["coordinator"]:
            raise CommandError("create needs NAME and --coordinator USERNAME")
        try:
            org = actions.organisation_create(actor="cli", name=options["name"])
            invitation = actions.coordinator_create(
                actor="cli", organisation=org, username=options["coordinator"]
            )
        except actions.ActionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Organisation “{org.name}” created.\n"
            f"  coordinator:       {invitation.membership.user.username}\n"
            f"  one-time password: {invitation.one_time_password}\n"
        )

    def _list(self, fmt: str) -> None:
        rows = Organisation.objects.annotate(
            members=Count("memberships", filter=Q(memberships__is_active=True))
        ).order_by("name")
        data = [
            {"slug": o.slug, "name": o.name, "members": o.members, "has_key": hasattr(o, "key")}
            for o in rows
        ]
        if fmt == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        for row in data:
            self.stdout.write(f"{row['slug']:<30} {row['members']:>4} members  {row['name']}")
