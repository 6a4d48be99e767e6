"""Units, boundaries and settlements: all-or-nothing imports, and exports that import back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gbvwatch.core.models import AuditEntry
from gbvwatch.geography.exporters import (
    boundaries_export,
    neutralise_cell,
    settlements_export,
    units_export,
)
from gbvwatch.geography.importers import (
    SETTLEMENT_COLUMNS,
    UNIT_COLUMNS,
    ImportRejected,
    boundaries_import,
    settlements_import,
    units_import,
    unquote_cell,
)
from gbvwatch.geography.models import AdminUnit, Boundary, Settlement

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-71.0, -34.0], [-70.0, -34.0], [-70.0, -33.0], [-71.0, -33.0], [-71.0, -34.0]]
    ],
}


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode()


def _unit(code: str, **values: str) -> dict[str, str]:
    row = {
        "code": code,
        "name_en": code.title(),
        "unit_type": "region",
        "population": "1000",
        "women": "510",
        "centre_lat": "-33.45",
        "centre_lon": "-70.66",
    }
    return {**row, **values}


def _units(*rows: dict[str, str]) -> bytes:
    return _csv(UNIT_COLUMNS, list(rows))


@pytest.fixture
def valle(db: Any) -> AdminUnit:
    return AdminUnit.objects.create(
        country="CL", code="valle", name_en="Valle", unit_type="region", centre_lat=-33.5,
        centre_lon=-70.5,
    )  # fmt: skip


@pytest.mark.django_db
def test_units_import_creates_then_changes_nothing_the_second_time() -> None:
    data = _units(_unit("norte", iso_3166_2="CL-RM"), _unit("sur", parent_code="norte"))
    first = units_import(data, name="units.csv", actor="alice")
    second = units_import(data, name="units.csv", actor="alice")
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert AdminUnit.objects.count() == 2
    sur = AdminUnit.objects.get(code="sur")
    assert sur.parent == AdminUnit.objects.get(code="norte")
    assert sur.country == "AZ"  # no ISO code: the instance's country
    assert AdminUnit.objects.get(code="norte").country == "CL"
    entries = AuditEntry.objects.filter(action="units.import")
    assert [e.details["created"] for e in entries] == [2, 0]
    assert entries.first().actor_label == "alice"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_units_import_refuses_a_parent_defined_later_and_writes_nothing() -> None:
    data = _units(_unit("sur", parent_code="norte"), _unit("norte"))
    with pytest.raises(ImportRejected) as caught:
        units_import(data, name="units.csv", actor="alice")
    assert str(caught.value) == (
        'line 2, field "parent_code": no unit "norte" exists or is defined on an earlier line'
    )
    assert AdminUnit.objects.count() == 0


@pytest.mark.django_db
def test_units_import_reports_every_bad_value_with_its_line() -> None:
    data = _units(
        _unit("ok"),
        _unit("bad", centre_lat="95.2", women="2000", population="1000x"),
        _unit("ok"),
    )
    with pytest.raises(ImportRejected) as caught:
        units_import(data, name="units.csv", actor="alice")
    lines = str(caught.value).splitlines()
    assert 'line 3, field "centre_lat": "95.2" is not a latitude between -90 and 90' in lines
    assert 'line 3, field "population": "1000x" is not a whole number' in lines
    assert 'line 4, field "code": "ok" already appears on line 2' in lines


@pytest.mark.django_db
def test_units_import_refuses_missing_and_unknown_columns() -> None:
    data = b"code,name_en,colour\nx,X,red\n"
    with pytest.raises(ImportRejected) as caught:
        units_import(data, name="units.csv", actor="alice")
    text = str(caught.value)
    assert 'line 1, field "colour": unknown column' in text
    assert 'line 1, field "centre_lat": the column is missing' in text


@pytest.mark.django_db
def test_import_names_the_offset_of_a_byte_that_is_not_utf8() -> None:
    data = _units(_unit("norte")) + "sur,Süd".encode("latin-1")
    with pytest.raises(ImportRejected) as caught:
        units_import(data, name="units.csv", actor="alice")
    offset = data.index(b"\xfc")
    assert str(caught.value).startswith(f"byte offset {offset} (line 3) is not valid UTF-8")


@pytest.mark.django_db
def test_import_refuses_files_over_the_size_limit(settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 50
    with pytest.raises(ImportRejected, match="more than the limit of 50 bytes"):
        units_import(_units(_unit("norte")), name="units.csv", actor="alice")


@pytest.mark.django_db
def test_units_export_imports_back_as_csv_and_geojson() -> None:
    units_import(
        _units(_unit("norte", notes="=cmd|' /C calc'!A0"), _unit("sur", parent_code="norte")),
        name="units.csv",
        actor="alice",
    )
    exported = units_export("csv")
    assert "'=cmd" in exported and ",'-33.45,'-70.66," in exported
    assert units_import(exported.encode(), name="u.csv", actor="a").unchanged == 2
    assert AdminUnit.objects.get(code="norte").notes == "=cmd|' /C calc'!A0"
    geojson = units_export("geojson")
    feature = json.loads(geojson)["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-70.66, -33.45]}
    AdminUnit.objects.filter(code="sur").delete()
    AdminUnit.objects.filter(code="norte").delete()
    assert units_import(geojson.encode(), name="u.geojson", actor="a").created == 2
    assert units_export("csv") == exported


@pytest.mark.django_db
def test_boundaries_accept_unit_id_and_replace_a_units_features(valle: AdminUnit) -> None:
    named = {"unit_id": "valle", "shapeID": "A"}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": named, "geometry": SQUARE},
            {"type": "Feature", "properties": {"unit_code": "valle"}, "geometry": SQUARE},
        ],
    }
    data = json.dumps(collection).encode()
    assert boundaries_import(data, name="b.geojson", actor="a").created == 2
    assert boundaries_import(data, name="b.geojson", actor="a").unchanged == 2
    assert sorted(Boundary.objects.values_list("source_id", flat=True)) == ["A", "valle:2"]
    exported = boundaries_export()
    collection["features"] = collection["features"][:1]
    result = boundaries_import(json.dumps(collection).encode(), name="b.geojson", actor="a")
    assert (result.unchanged, result.deleted) == (1, 1)
    assert boundaries_import(exported.encode(), name="b2.geojson", actor="a").created == 1


@pytest.mark.django_db
def test_boundaries_with_bad_geometry_or_unit_are_rejected(valle: AdminUnit) -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"unit_code": "valle"}, "geometry": open_ring},
            {"type": "Feature", "properties": {"unit_code": "nowhere"}, "geometry": SQUARE},
        ],
    }
    with pytest.raises(ImportRejected) as caught:
        boundaries_import(json.dumps(collection).encode(), name="b.geojson", actor="a")
    assert str(caught.value).splitlines() == [
        'feature 1, field "geometry": every ring must end where it starts',
        'feature 2, field "unit_code": no unit "nowhere" exists',
    ]
    assert Boundary.objects.count() == 0


@pytest.mark.django_db
def test_settlements_round_trip_keeps_negative_longitudes(valle: AdminUnit) -> None:
    row = {
        "code": "geonames:1",
        "name": "Villa",
        "lat": "-33.4",
        "lon": "-70.5",
        "unit_code": "valle",
    }
    settlements_import(_csv(SETTLEMENT_COLUMNS, [row]), name="s.csv", actor="a")
    exported = settlements_export("csv")
    assert exported.splitlines()[1] == "geonames:1,Villa,'-33.4,'-70.5,,valle"
    assert settlements_import(exported.encode(), name="s.csv", actor="a").unchanged == 1
    villa = Settlement.objects.get()
    assert (villa.lat, villa.lon, villa.country) == (-33.4, -70.5, "CL")
    geojson = settlements_export("geojson")
    assert settlements_import(geojson.encode(), name="s.geojson", actor="a").unchanged == 1


@pytest.mark.django_db
def test_settlements_need_an_existing_unit(valle: AdminUnit) -> None:
    row = {"code": "x", "name": "X", "lat": "1", "lon": "181", "unit_code": "atlantis"}
    with pytest.raises(ImportRejected) as caught:
        settlements_import(_csv(SETTLEMENT_COLUMNS, [row]), name="s.csv", actor="a")
    assert str(caught.value).splitlines() == [
        'line 2, field "lon": "181" is not a longitude between -180 and 180',
        'line 2, field "unit_code": no unit "atlantis" exists',
    ]


@pytest.mark.parametrize(
    "text",
    ["-70.5", "=SUM(A1)", "+1", "@x", "\tx", "\rx", "'-70.5", "''=x", "'plain", "plain", ""],
)
def test_formula_guard_is_undone_exactly_by_the_importer(text: str) -> None:
    guarded = neutralise_cell(text)
    assert not guarded or guarded[0] not in "=+-@\t\r"
    assert unquote_cell(guarded) == text


@pytest.mark.django_db
def test_units_commands_list_import_and_export(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(_units(_unit("norte"), _unit("sur", parent_code="norte")))
    out = io.StringIO()
    call_command("units", "import", str(path), "--actor", "", stdout=out)
    assert "created: 2" in out.getvalue()
    out = io.StringIO()
    call_command("units", "list", "--format", "json", stdout=out)
    assert [u["code"] for u in json.loads(out.getvalue())] == ["norte", "sur"]
    target = tmp_path / "out.geojson"
    call_command("units", "export", "--format", "geojson", "-o", str(target))
    assert len(json.loads(target.read_text())["features"]) == 2


@pytest.mark.django_db
def test_units_command_prints_problems_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(_units(_unit("norte", centre_lon="-200")))
    with pytest.raises(CommandError) as caught:
        call_command("units", "import", str(path), stdout=io.StringIO())
    assert 'line 2, field "centre_lon": "-200" is not a longitude' in str(caught.value)
    assert AdminUnit.objects.count() == 0


@pytest.mark.django_db
def test_unit_name_follows_the_active_language() -> None:
    from django.utils import translation

    unit = AdminUnit(name_en="Astara District", name_local="Astara rayonu", name_ru="")
    with translation.override("az"):
        assert unit.display_name == "Astara rayonu"
    with translation.override("ru"):
        assert unit.display_name == "Astara District"  # no Russian name in the dataset
    with translation.override("en"):
        assert unit.display_name == "Astara District"
