"""Services: all-or-nothing imports, formula-safe exports that import back, the public view."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gbvwatch.core.models import AuditEntry, Organisation
from gbvwatch.directory.exporters import services_export
from gbvwatch.directory.importers import SERVICE_COLUMNS, parse_sources, services_import
from gbvwatch.directory.models import Service
from gbvwatch.geography.importers import ImportRejected
from gbvwatch.geography.models import AdminUnit


@pytest.fixture
def valle(db: Any) -> AdminUnit:
    return AdminUnit.objects.create(
        country="CL", code="valle", name_en="Valle", unit_type="region", centre_lat=-33.5,
        centre_lon=-70.5,
    )  # fmt: skip


def _service(code: str, **values: str) -> dict[str, str]:
    row = {
        "code": code,
        "name": f"Shelter {code}",
        "kind": "shelter_dv",
        "unit_code": "valle",
        "city": "Valle",
        "lat": "-33.45",
        "lon": "-70.66",
        "location_precision": "city",
        "address": "1 Hidden Street",
        "address_confidential": "1",
        "capacity": "12",
        "capacity_unit": "places",
        "accepts_women": "yes",
        "open_24_7": "1",
        "status": "operating",
        "original_capacity": "twelve beds",
        "sources": "https://example.org/report @ 2024-05 | Annual report, p. 3",
    }
    return {**row, **values}


def _csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, SERVICE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in SERVICE_COLUMNS})
    return out.getvalue().encode()


def _import(data: bytes, **kwargs: Any) -> Any:
    return services_import(data, name="services.csv", actor="alice", **kwargs)


@pytest.mark.django_db
def test_import_creates_services_with_sources_and_original_wording(valle: AdminUnit) -> None:
    result = _import(_csv(_service("a"), _service("b", kind="helpline", **NATIONAL)))
    assert (result.created, result.updated) == (2, 0)
    shelter = Service.objects.get(code="a")
    assert shelter.unit == valle and shelter.lon == -70.66 and shelter.open_24_7
    assert shelter.original == {"capacity": "twelve beds"}
    assert shelter.accepts_transgender == "unknown"  # empty means not known, never "no"
    sources = [(s.citation, s.url, s.date) for s in shelter.sources.all()]
    assert sources == [
        ("https://example.org/report", "https://example.org/report", "2024-05"),
        ("Annual report, p. 3", "", ""),
    ]


NATIONAL = {"unit_code": "", "city": "", "lat": "", "lon": "", "location_precision": "national"}


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(valle: AdminUnit) -> None:
    data = _csv(_service("a"), _service("b"))
    _import(data)
    before = list(Service.objects.values_list("pk", "updated_at"))
    second = _import(data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert list(Service.objects.values_list("pk", "updated_at")) == before
    entries = AuditEntry.objects.filter(action="services.import")
    assert [(e.details["file"], e.details["created"], e.details["updated"]) for e in entries] == [
        ("services.csv", 2, 0),
        ("services.csv", 0, 0),
    ]


@pytest.mark.django_db
def test_a_bad_row_writes_nothing_and_names_its_line_and_field(valle: AdminUnit) -> None:
    data = _csv(_service("a"), _service("b"), _service("c", lat="95"), _service("d"))
    with pytest.raises(ImportRejected) as caught:
        _import(data)
    assert str(caught.value) == 'line 4, field "lat": "95" is not a latitude between -90 and 90'
    assert [(p.row, p.field) for p in caught.value.problems] == [(4, "lat")]
    assert Service.objects.count() == 0
    assert not AuditEntry.objects.filter(action="services.import").exists()


@pytest.mark.django_db
def test_duplicate_codes_are_rejected(valle: AdminUnit) -> None:
    with pytest.raises(ImportRejected) as caught:
        _import(_csv(_service("a"), _service("b"), _service("a")))
    assert str(caught.value) == 'line 4, field "code": "a" already appears on line 2'
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_unknown_kind_and_other_bad_values_are_each_reported(valle: AdminUnit) -> None:
    rows = [
        _service("a", kind="spa"),
        _service("b", hours="Mo-Fx 09:00-17:00", open_24_7="0"),
        _service("c", **{**NATIONAL, "lat": "40.1", "lon": "49.8"}),
        _service("d", unit_code="atlantis", accepts_men="maybe", website="not a url"),
        _service("e", sources=""),
    ]
    with pytest.raises(ImportRejected) as caught:
        _import(_csv(*rows))
    lines = str(caught.value).splitlines()
    assert lines[0].startswith('line 2, field "kind": "spa" is not one of: shelter_dv,')
    assert lines[1].startswith('line 3, field "hours": "Mo-Fx 09:00-17:00": unknown day')
    assert lines[2] == (
        'line 4, field "lat": a national service has no coordinates: leave lat and lon empty'
    )
    assert 'line 5, field "unit_code": no unit "atlantis" exists' in lines
    assert any(line.startswith('line 5, field "accepts_men": "maybe"') for line in lines)
    assert 'line 5, field "website": Enter a valid URL.' in lines
    assert 'line 6, field "sources": a value is required' in lines


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_are_rejected_with_their_offset(valle: AdminUnit) -> None:
    data = _csv(_service("a")).replace(b"Valle", b"V\xe4lle", 1)
    with pytest.raises(ImportRejected) as caught:
        _import(data)
    offset = data.index(b"\xe4")
    assert str(caught.value).startswith(f"byte offset {offset} (line 2) is not valid UTF-8")


@pytest.mark.django_db
def test_export_neutralises_formulas_and_imports_back_exactly(valle: AdminUnit) -> None:
    nasty = {
        "name": '=HYPERLINK("http://evil.example","help")',
        "operator": "+1 operator",
        "notes": "@SUM(1+1)",
        "phone": "-1",
        "target_group": "''=starts with a quote",  # the file's guard quote is stripped once
    }
    _import(_csv(_service("a", **nasty)))
    assert Service.objects.get(code="a").target_group == "'=starts with a quote"
    exported = services_export(fmt="csv", include_confidential=True)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["name"] == "'" + nasty["name"]
    assert (row["operator"], row["notes"], row["phone"]) == ("'+1 operator", "'@SUM(1+1)", "'-1")
    assert (row["lat"], row["lon"]) == ("'-33.45", "'-70.66")
    assert row["target_group"] == "''=starts with a quote"
    assert _import(exported.encode()).unchanged == 1
    service = Service.objects.get(code="a")
    assert (service.name, service.target_group) == (nasty["name"], "'=starts with a quote")
    assert (service.lat, service.lon) == (-33.45, -70.66)


@pytest.mark.django_db
def test_geojson_export_imports_back_into_an_empty_directory(valle: AdminUnit) -> None:
    _import(_csv(_service("a"), _service("b", kind="helpline", **NATIONAL)))
    csv_before = services_export(fmt="csv", include_confidential=True)
    geojson = services_export(fmt="geojson", include_confidential=True)
    features = json.loads(geojson)["features"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [-70.66, -33.45]}
    assert features[1]["geometry"] is None
    Service.objects.all().delete()
    assert services_import(geojson.encode(), name="s.geojson", actor="alice").created == 2
    assert services_export(fmt="csv", include_confidential=True) == csv_before


@pytest.mark.django_db
def test_public_export_omits_confidential_addresses_and_services_not_operating(
    valle: AdminUnit,
) -> None:
    _import(
        _csv(
            _service("hidden", lat="-33.45678", lon="-70.61234"),
            _service(
                "open-office", address="2 Main Square", address_confidential="0", lat="-33.45678"
            ),
            _service("planned", status="planned"),
            _service("closed", status="closed"),
        )
    )
    public = list(csv.DictReader(io.StringIO(services_export(include_confidential=False))))
    assert [(r["code"], r["address"], r["lat"], r["lon"]) for r in public] == [
        ("hidden", "", "'-33.46", "'-70.61"),
        ("open-office", "2 Main Square", "'-33.45678", "'-70.66"),
    ]
    full = list(csv.DictReader(io.StringIO(services_export(include_confidential=True))))
    assert {r["code"]: r["address"] for r in full}["hidden"] == "1 Hidden Street"
    assert len(full) == 4


@pytest.mark.django_db
def test_an_organisation_cannot_overwrite_another_organisations_service(
    valle: AdminUnit, ayna: Organisation, nafas: Organisation
) -> None:
    _import(_csv(_service("a")), organisation=ayna)
    assert Service.objects.get(code="a").organisation == ayna
    with pytest.raises(ImportRejected, match="maintained by another organisation"):
        _import(_csv(_service("a", capacity="99")), organisation=nafas)
    assert Service.objects.get(code="a").capacity == 12


def test_sources_cell_splits_entries_and_dates() -> None:
    sources, errors = parse_sources(
        "https://a.example/x (hours) @ page undated | Statement, p. 2 @ 2023 | https://b.example/y"
    )
    assert errors == []
    assert [(s.citation, s.url, s.date) for s in sources] == [
        ("https://a.example/x (hours)", "https://a.example/x", "page undated"),
        ("Statement, p. 2", "", "2023"),
        ("https://b.example/y", "https://b.example/y", ""),
    ]


@pytest.mark.django_db
def test_services_list_json_holds_the_thirteen_dataset_services() -> None:
    call_command("load_dataset", "az", stdout=io.StringIO())
    out = io.StringIO()
    call_command("services", "list", "--format", "json", stdout=out)
    services = json.loads(out.getvalue())
    assert len(services) == 13
    assert {s["code"] for s in services} >= {"helpline_860", "clean_world_shelter"}
    out = io.StringIO()
    call_command("services", "list", "--format", "json", "--kind", "helpline", stdout=out)
    assert {s["code"] for s in json.loads(out.getvalue())} == {
        "helpline_860",
        "womens_hotline_azercell",
    }


@pytest.mark.django_db
def test_services_command_imports_exports_and_fails_on_bad_files(
    valle: AdminUnit, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(_csv(_service("a"), _service("b", status="planned")))
    bad.write_bytes(_csv(_service("c"), _service("d", lon="-190")))
    out = io.StringIO()
    call_command("services", "import", str(good), "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 2
    with pytest.raises(CommandError, match='line 3, field "lon"'):
        call_command("services", "import", str(bad), stdout=io.StringIO())
    target = tmp_path / "public.csv"
    call_command("services", "export", "--public", "-o", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["code"], r["address"]) for r in rows] == [("a", "")]
