"""`gbvwatch load-dataset az`: the shipped Azerbaijan dataset, loaded through the importers."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gbvwatch.core.models import AuditEntry, Membership, Organisation, Role, User
from gbvwatch.datasets.loader import dataset_load
from gbvwatch.directory.models import Service
from gbvwatch.geography.models import AdminUnit, Boundary, Settlement
from gbvwatch.reference.models import KeyFigure, PublicHoliday, Standard
from gbvwatch.upr.models import Recommendation

NAKHCHIVAN = {
    "babek",
    "culfa",
    "kengerli",
    "naxcivan_city",
    "ordubad",
    "sahbuz",
    "sederek",
    "serur",
}


def _load(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("load_dataset", "az", "--format", "json", *args, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def _counts() -> dict[str, int]:
    models = {
        "units": AdminUnit,
        "boundaries": Boundary,
        "settlements": Settlement,
        "services": Service,
        "recommendations": Recommendation,
        "standards": Standard,
        "key_figures": KeyFigure,
        "holidays": PublicHoliday,
    }
    return {name: model._default_manager.count() for name, model in models.items()}


@pytest.mark.django_db
def test_loading_twice_leaves_the_same_rows_and_changes_nothing() -> None:
    first = _load()
    after_first = _counts()
    second = _load()
    assert _counts() == after_first
    assert after_first["units"] == 78
    assert after_first["boundaries"] == 79
    assert after_first["settlements"] == 245
    assert after_first["services"] == 13
    assert after_first["recommendations"] == 162
    assert after_first["standards"] == 5
    assert after_first["key_figures"] == 23
    assert after_first["holidays"] > 0
    assert first["parts"]["units"]["created"] == 78
    for part in second["parts"].values():
        assert part["created"] == part["updated"] == part["deleted"] == 0
        assert part["unchanged"] == part["rows"]


@pytest.mark.django_db
def test_each_load_writes_one_audit_entry() -> None:
    _load()
    _load()
    entries = AuditEntry.objects.filter(action="dataset.load")
    assert entries.count() == 2
    assert entries.last().details["parts"]["services"]["unchanged"] == 13  # type: ignore[union-attr]


@pytest.mark.django_db
def test_nakhchivan_units_are_a_separate_road_component() -> None:
    _load()
    nakhchivan = set(
        AdminUnit.objects.filter(road_component="nakhchivan").values_list("code", flat=True)
    )
    assert nakhchivan == NAKHCHIVAN
    assert AdminUnit.objects.filter(road_component="main").count() == 70


@pytest.mark.django_db
def test_units_keep_population_parents_and_centres() -> None:
    _load()
    abseron = AdminUnit.objects.get(code="abseron")
    assert (abseron.population, abseron.women, abseron.population_year) == (435187, 215075, 2026)
    assert (abseron.centre_lat, abseron.centre_lon) == (40.44808, 49.75502)  # Khirdalan
    assert abseron.name_local == "Abşeron rayonu" and abseron.country == "AZ"
    city = AdminUnit.objects.get(code="lenkeran_city")
    assert city.parent is not None and city.parent.code == "lenkeran"
    assert not city.counted_in_national_total and city.women_estimated
    assert AdminUnit.objects.get(code="susa_city").iso_3166_2 == ""


@pytest.mark.django_db
def test_lankaran_keeps_both_boundary_features() -> None:
    _load()
    assert Boundary.objects.filter(unit__code="lenkeran").count() == 2
    assert AdminUnit.objects.filter(boundaries__isnull=True).count() == 0


@pytest.mark.django_db
def test_settlements_get_units_by_polygon_and_keep_their_road_component() -> None:
    _load()
    assert Settlement.objects.get(code="geonames:587084").unit.code == "baki_city"
    assert Settlement.objects.get(code="geonames:586523").unit.code == "gence_city"
    # GeoNames puts 18 places in Nakhchivan AR as a whole; the polygons give their rayons.
    assert Settlement.objects.filter(unit__road_component="nakhchivan").count() == 18


@pytest.mark.django_db
def test_services_are_normalised_with_original_wording_and_sources() -> None:
    _load()
    helpline = Service.objects.get(code="helpline_860")
    assert helpline.location_precision == "national"
    assert helpline.lat is None and helpline.unit is None
    assert helpline.hours == "" and not helpline.open_24_7
    assert helpline.original["hours"].startswith("09:00-18:00")
    forensic = Service.objects.get(code="forensic_mtepab_baku")
    assert forensic.closes_on_public_holidays == "yes" and forensic.hours == "Mo-Fr 09:00-18:00"
    assert any("statement" in s.citation for s in forensic.sources.all())
    shelter = Service.objects.get(code="clean_world_shelter")
    assert shelter.open_24_7 and shelter.accepts_transgender == "unknown"
    assert [s.date for s in shelter.sources.all()] == ["2022-04", "2024", "2018-11"]
    statuses = dict(Service.objects.values_list("code", "status"))
    assert statuses["goychay_planned_dv_shelter"] == "announced"
    assert statuses["mlspp_dv_crisis_centre_baku_pilot"] == "planned"


@pytest.mark.django_db
def test_services_an_organisation_maintains_are_not_overwritten(ayna: Organisation) -> None:
    _load()
    Service.objects.filter(code="clean_world_shelter").update(organisation=ayna, capacity=70)
    Service.objects.filter(code="helpline_860").update(phone="changed by hand")
    report = _load()
    assert report["parts"]["services"]["skipped"] == 1
    assert report["parts"]["services"]["updated"] == 1
    assert Service.objects.get(code="clean_world_shelter").capacity == 70
    assert Service.objects.get(code="helpline_860").phone.startswith("860 from Baku")


@pytest.mark.django_db
def test_standards_map_to_service_kinds() -> None:
    _load()
    shelter = Standard.objects.get(code="shelter_family_places")
    assert (shelter.amount, shelter.per, shelter.denominator) == (1, 10000, "population")
    assert (shelter.service_kinds, shelter.capacity_unit) == ("shelter_dv", "family_places")
    helpline = Standard.objects.get(code="national_helpline")
    assert (helpline.per, helpline.denominator, helpline.service_kinds) == (
        1,
        "national",
        "helpline",
    )
    sarc = Standard.objects.get(code="sexual_assault_centres")
    assert (sarc.per, sarc.service_kinds) == (400000, "sexual_assault_centre")
    assert Standard.objects.get(code="counselling_centres").per == 50000
    assert Standard.objects.get(code="rape_crisis_centres").per == 200000
    assert Standard.objects.filter(is_builtin=True).count() == 5


@pytest.mark.django_db
def test_holidays_come_from_the_package_for_2019_to_two_years_ahead() -> None:
    dataset_load("az", today=dt.date(2026, 6, 1))
    years = {d.year for d in PublicHoliday.objects.values_list("date", flat=True)}
    assert years == set(range(2019, 2029))
    transfer = PublicHoliday.objects.get(date=dt.date(2020, 3, 27))
    assert transfer.kind == "substituted_day_off" and not transfer.is_working_day
    workday = PublicHoliday.objects.get(date=dt.date(2020, 3, 29))
    assert workday.kind == "weekend_workday" and workday.is_working_day


@pytest.mark.django_db
def test_key_figures_keep_their_sources() -> None:
    _load()
    claimed = KeyFigure.objects.get(indicator="shelter_places_claimed")
    assert claimed.value == 175 and claimed.year is None
    assert KeyFigure.objects.get(indicator="dv_crimes_registered", year=2015).value == 1283


@pytest.mark.django_db
def test_unknown_dataset_is_an_error() -> None:
    with pytest.raises(CommandError, match="no dataset"):
        call_command("load_dataset", "xx", stdout=io.StringIO())


@pytest.mark.django_db
def test_reloading_the_dataset_keeps_a_shared_entry_edited_in_the_app() -> None:
    from gbvwatch.directory.actions import service_close
    from gbvwatch.directory.models import Service, Status

    call_command("load_dataset", "az", verbosity=0)
    org = Organisation.objects.create(name="Ayna", slug="ayna")
    user = User.objects.create(username="alice")
    Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    service_close(actor=user, service=Service.objects.get(code="helpline_860"), reason="test")
    call_command("load_dataset", "az", verbosity=0)
    assert Service.objects.get(code="helpline_860").status == Status.CLOSED


@pytest.mark.django_db
def test_dataset_name_is_case_insensitive_as_make_run_passes_the_country_code() -> None:
    call_command("load_dataset", "AZ", verbosity=0)
    assert AdminUnit.objects.count() == 78
