"""`gbvwatch evidence-verify BUNDLE.zip ...`: check evidence bundles (the same check as the
verify.py inside each bundle); exit status 1 when any is not intact."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.cases.evidence_bundle_format import bundle_verify


class Command(BaseCommand):
    help = (
        "Verify evidence bundles: every file against the SHA-256 of the manifest, and every "
        "byte of the zip as gbvwatch wrote it. Prints the SHA-256 of manifest.json, to compare "
        "with the one in the audit log. --format json for scripts."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("bundles", nargs="+")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        results = {path: bundle_verify(path) for path in options["bundles"]}
        if options["format"] == "json":
            rows = [
                {"bundle": path, "verified": r.ok, "problems": r.problems,
                 "files_checked": r.files_checked, "manifest_sha256": r.manifest_sha256}
                for path, r in results.items()
            ]  # fmt: skip
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            for path, r in results.items():
                if r.ok:
                    self.stdout.write(f"VERIFIED: {path}: {r.files_checked} file(s)")
                    self.stdout.write(f"SHA-256 of manifest.json: {r.manifest_sha256}")
                else:
                    self.stdout.write(f"NOT VERIFIED: {path}")
                    for problem in r.problems:
                        self.stdout.write(f"  - {problem}")
        if not all(r.ok for r in results.values()):
            raise CommandError("at least one bundle is not intact", returncode=1)
