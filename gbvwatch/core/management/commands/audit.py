"""`gbvwatch audit verify|head`: check the hash chain of the audit log."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.core.audit import audit_verify


class Command(BaseCommand):
    help = "verify: recompute the audit hash chain; head: print the latest entry to keep offline."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("verb", choices=["verify", "head"])
        parser.add_argument(
            "--anchor",
            help="SEQ:HASH printed earlier by 'audit head'; verify that it is still in the log",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"]:
            seq, _sep, digest = options["anchor"].partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError("--anchor must look like 123:<64 hex characters>")
            anchor = (int(seq), digest.lower())
        report = audit_verify(anchor=anchor)
        if options["verb"] == "head":
            self.stdout.write(f"{report.head_seq}:{report.head_hash}")
            return
        if options["format"] == "json":
            payload = {
                "ok": report.ok,
                "entries": report.entries,
                "head": f"{report.head_seq}:{report.head_hash}",
                "problems": [{"seq": p.seq, "message": p.message} for p in report.problems],
            }
            self.stdout.write(json.dumps(payload, indent=2))
        else:
            for p in report.problems:
                self.stdout.write(f"entry {p.seq}: {p.message}")
            state = "intact" if report.ok else "BROKEN"
            self.stdout.write(f"{report.entries} entries, head {report.head_seq}: chain {state}")
        if not report.ok:
            raise CommandError("audit log verification failed")
