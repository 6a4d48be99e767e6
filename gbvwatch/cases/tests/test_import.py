"""CSV import of incidents: all or nothing, named problems, encrypted on the way in."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gbvwatch.cases.importers import INCIDENT_COLUMNS
from gbvwatch.cases.models import Incident
from gbvwatch.cases.tests.test_incidents import _everything_stored
from gbvwatch.conftest import Actor

HEADER = ",".join(INCIDENT_COLUMNS)


def _row(**values: str) -> str:
    base = {c: "" for c in INCIDENT_COLUMNS}
    base.update(type="femicide", incident_date="2023-03", consent_statistics="1")
    base.update(values)
    return ",".join(f'"{base[c]}"' for c in INCIDENT_COLUMNS)


@pytest.mark.django_db
def test_femicide_monitoring_sheet_imports_encrypted(bob: Actor, tmp_path: Path):
    path = tmp_path / "femicides.csv"
    path.write_text("\n".join([HEADER, _row(narrative="CANARY-IMPORT-4d1 media report"),
                               _row(incident_date="2023-04-02")]) + "\n")  # fmt: skip
    out = StringIO()
    call_command("cases", "import", str(path), "--actor", "bob", stdout=out)
    assert "2 incidents imported" in out.getvalue()
    assert Incident.objects.filter(type="femicide").count() == 2
    assert str(Incident.objects.order_by("incident_date")[0].incident_date) == "2023-03-01"
    assert "CANARY-IMPORT" not in _everything_stored()


@pytest.mark.django_db
def test_one_bad_row_writes_nothing_and_names_line_and_field(bob: Actor, tmp_path: Path):
    path = tmp_path / "sheet.csv"
    path.write_text(
        "\n".join([HEADER, _row(), _row(type="burglary", incident_date="March")]) + "\n"
    )
    with pytest.raises(CommandError) as caught:
        call_command("cases", "import", str(path), "--actor", "bob")
    message = str(caught.value)
    assert 'line 3, field "type"' in message and 'line 3, field "incident_date"' in message
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_only_caseworkers_and_coordinators_may_import(carol: Actor, tmp_path: Path):
    path = tmp_path / "sheet.csv"
    path.write_text(HEADER + "\n" + _row() + "\n")
    with pytest.raises(CommandError, match="coordinator or caseworker"):
        call_command("cases", "import", str(path), "--actor", "carol")


@pytest.mark.django_db
def test_list_shows_coded_fields_only(bob: Actor, tmp_path: Path):
    path = tmp_path / "sheet.csv"
    path.write_text(HEADER + "\n" + _row(survivor_name="CANARY-LIST-88") + "\n")
    call_command("cases", "import", str(path), "--actor", "bob")
    out = StringIO()
    slug = bob.user.membership.organisation.slug
    call_command("cases", "list", "--organisation", slug, "--format", "json", stdout=out)
    assert '"femicide"' in out.getvalue() and "CANARY-LIST" not in out.getvalue()
