"""`gbvwatch evidence-verify BUNDLE.zip ...`: check evidence bundles (the same check as the
verify.py inside each bundle), then against this instance: the audit entry of the export that
wrote the manifest, and each file's fingerprint as taken when it arrived. Exit status 1 when
any bundle is not intact or holds a file whose fingerprint here differs."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.cases.evidence_bundle_format import MANIFEST, Verification, bundle_verify
from gbvwatch.cases.evidence_queries import BundleProvenance, bundle_provenance


def _provenance(path: str, result: Verification) -> BundleProvenance | None:
    if not result.ok:
        return None
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    return bundle_provenance(result.manifest_sha256, manifest)


def _failed(result: Verification, known: BundleProvenance | None, require_record: bool) -> bool:
    if not result.ok or known is None or known.differing:
        return True
    return require_record and known.export is None


def _export_json(known: BundleProvenance | None) -> dict[str, Any] | None:
    if known is None or known.export is None:
        return None
    entry = known.export
    return {"audit_seq": entry.seq, "at": entry.at.isoformat(), "by": entry.actor_label}


class Command(BaseCommand):
    help = (
        "Verify evidence bundles: every file against the SHA-256 of the manifest, and every "
        "byte of the zip as gbvwatch wrote it; then against this instance: whether its audit "
        "log records the export of this very manifest, and whether each file's fingerprint "
        "equals the one taken when the file arrived (a differing one fails, so a bundle rebuilt "
        "with a new manifest is caught). --require-record also fails a bundle this instance "
        "has no export record of. --format json for scripts."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("bundles", nargs="+")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--require-record",
            action="store_true",
            help="fail a bundle whose manifest this instance's audit log does not record",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = {path: bundle_verify(path) for path in options["bundles"]}
        known = {path: _provenance(path, r) for path, r in results.items()}
        failed = {
            path: _failed(r, known[path], options["require_record"]) for path, r in results.items()
        }
        if options["format"] == "json":
            rows = [
                {"bundle": path, "verified": not failed[path], "intact": r.ok,
                 "problems": r.problems, "files_checked": r.files_checked,
                 "manifest_sha256": r.manifest_sha256,
                 "recorded_export": _export_json(known[path]),
                 "fingerprints_differ": list(known[path].differing) if known[path] else [],
                 "not_held_here": list(known[path].unknown) if known[path] else []}
                for path, r in results.items()
            ]  # fmt: skip
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            for path, r in results.items():
                self._describe(path, r, known[path], failed[path])
        if any(failed.values()):
            raise CommandError("at least one bundle is not verified", returncode=1)

    def _describe(
        self, path: str, r: Verification, known: BundleProvenance | None, failed: bool
    ) -> None:
        self.stdout.write(f"{'NOT VERIFIED' if failed else 'VERIFIED'}: {path}")
        for problem in r.problems:
            self.stdout.write(f"  - {problem}")
        if known is None:
            return
        self.stdout.write(f"  {r.files_checked} file(s) intact")
        self.stdout.write(f"  SHA-256 of manifest.json: {r.manifest_sha256}")
        if known.export is not None:
            e = known.export
            self.stdout.write(
                f"  recorded: exported by this instance at {e.at.isoformat()} by "
                f"{e.actor_label} (audit entry {e.seq})"
            )
        else:
            self.stdout.write(
                "  not recorded: this instance's audit log has no export of this manifest "
                "(exported elsewhere, or the manifest was rewritten)"
            )
        for evidence_id in known.differing:
            self.stdout.write(
                f"  - evidence {evidence_id}: its fingerprint here, taken when it arrived, "
                "differs from the manifest's"
            )
