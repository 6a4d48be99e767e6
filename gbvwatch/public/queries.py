"""Reads of the public page: which services would accept the visitor, nearest first, open now or
when they open; the page's texts; and, for coordinators, the refusal reports sent to them."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from gbvwatch.analysis.findhelp import Origin, opening_at, rank_by_road_km, rounded_km
from gbvwatch.analysis.hours import HoursError, parse_hours
from gbvwatch.directory.models import Kind, Service, Status, Tri
from gbvwatch.gaps.profiles import Profile, accepts
from gbvwatch.geography.models import AdminUnit
from gbvwatch.public.models import PageText, RefusalReport
from gbvwatch.public.needs import NEEDS, Group, Who, profile_for
from gbvwatch.reference.models import PublicHoliday

CIRCUITY = 1.3  # road km per great-circle km, as the gap analysis assumes without a road graph
CONFIDENTIAL_STEP_KM = 10  # distances to a confidential address are rounded to this
PUBLIC_STEP_KM = 1
SHOWN_PER_GROUP = 5
HORIZON_DAYS = 30  # how far ahead "opens at" looks


@dataclass(frozen=True)
class HelpQuery:
    """What the visitor asked: need, district, who she is, and the moment (timezone-aware)."""

    need: str
    unit: AdminUnit
    who: Who
    at: dt.datetime


@dataclass(frozen=True)
class Found:
    """One service in the answer, with its distance and whether it is open."""

    service: Service
    road_km: int | None  # rounded; None: no location (by phone) or no road
    reachable: bool  # False: another road-network component (e.g. across a closed border)
    open_now: bool | None  # None: hours or holiday behaviour not known
    opens_at: dt.datetime | None
    address: str  # "" when confidential or not known


@dataclass(frozen=True)
class GroupAnswer:
    """The services of one kind of help: those that accept her, and those that have not said."""

    group: Group
    accepted: tuple[Found, ...]
    maybe: tuple[Found, ...]
    accepted_total: int
    maybe_total: int
    open_now: bool  # some accepting service is open now
    opens_at: dt.datetime | None  # when none is open: the earliest known opening
    refused_total: int  # services of this kind that record they do not accept her


@dataclass(frozen=True)
class HelpAnswer:
    """The whole answer page, with the assumptions its figures rest on."""

    query: HelpQuery
    groups: tuple[GroupAnswer, ...]
    helplines: tuple[Found, ...]
    holidays: tuple[dt.date, ...]  # days off counted, from the query's date on
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def by_code(self) -> dict[str, GroupAnswer]:
        """The group answers by group code (for the urgent advice after an assault)."""
        return {g.group.code: g for g in self.groups}

    @property
    def shown(self) -> tuple[Found, ...]:
        """Every service the page lists, once, for the sources section."""
        seen: dict[int, Found] = {}
        for g in self.groups:
            for f in (*g.accepted, *g.maybe):
                seen.setdefault(f.service.pk, f)
        for f in self.helplines:
            seen.setdefault(f.service.pk, f)
        return tuple(seen.values())


@dataclass(frozen=True)
class Snapshot:
    """What every answer reads, loaded once per process and reloaded when the data changes:
    operating services (with units and sources), units, days off, and the page's texts."""

    fingerprint: tuple[object, ...]
    loaded_at_s: float  # time.monotonic() at loading
    services: tuple[Service, ...]
    units: dict[str, AdminUnit]
    closed: frozenset[dt.date]  # public holidays and transferred days off of the country
    working: frozenset[dt.date]  # weekend days turned into working days by a transfer
    texts: dict[str, dict[str, str]]  # language -> slot -> text


SNAPSHOT_MAX_AGE_S = 60.0  # changes that bypass `updated_at` (bulk updates) show within this
_snapshot_lock = threading.Lock()
_snapshot: list[Snapshot] = []  # at most one; a list so that it can be replaced in place

_FINGERPRINT_SQL = (
    "SELECT (SELECT COUNT(*) FROM directory_service),"
    " (SELECT MAX(updated_at) FROM directory_service),"
    " (SELECT COUNT(*) FROM public_pagetext), (SELECT MAX(updated_at) FROM public_pagetext),"
    " (SELECT COUNT(*) FROM geography_adminunit), (SELECT MAX(id) FROM geography_adminunit),"
    " (SELECT COUNT(*) FROM reference_publicholiday), (SELECT MAX(id) FROM reference_publicholiday)"
)


def data_fingerprint() -> tuple[object, ...]:
    """A cheap summary of everything an answer depends on (one query): counts and last changes
    of services, units, holidays and page texts. It changes when anything is added, deleted or
    edited through the app."""
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        row = cursor.fetchone()
    return tuple(row or ())


def snapshot() -> Snapshot:
    """The current snapshot: reloaded when the fingerprint changed or it is older than
    SNAPSHOT_MAX_AGE_S (one small query per call otherwise)."""
    fingerprint = data_fingerprint()
    with _snapshot_lock:
        current = _snapshot[0] if _snapshot else None
        fresh = current is not None and time.monotonic() - current.loaded_at_s < SNAPSHOT_MAX_AGE_S
        if current is not None and fresh and current.fingerprint == fingerprint:
            return current
        loaded = _snapshot_load(fingerprint)
        _snapshot[:] = [loaded]
        return loaded


def snapshot_clear() -> None:
    """Forget the snapshot (tests that change rows without touching `updated_at`)."""
    with _snapshot_lock:
        _snapshot.clear()


def _snapshot_load(fingerprint: tuple[object, ...]) -> Snapshot:
    services = tuple(
        Service.objects.filter(status=Status.OPERATING)
        .select_related("unit")
        .prefetch_related("sources")
        .order_by("code")
    )
    units = {u.code: u for u in AdminUnit.objects.filter(country=settings.COUNTRY)}
    days = PublicHoliday.objects.filter(country=settings.COUNTRY)
    closed = days.filter(is_working_day=False).values_list("date", flat=True)
    working = days.filter(kind=PublicHoliday.Kind.WEEKEND_WORKDAY).values_list("date", flat=True)
    texts: dict[str, dict[str, str]] = {}
    for row in PageText.objects.exclude(text=""):
        texts.setdefault(row.language, {})[row.slot] = row.text
    return Snapshot(
        fingerprint=fingerprint,
        loaded_at_s=time.monotonic(),
        services=services,
        units=units,
        closed=frozenset(closed),
        working=frozenset(working),
        texts=texts,
    )


def units_for_choice(language: str) -> list[tuple[str, str]]:
    """(code, name in the language) of the districts and cities a visitor can choose from,
    sorted by name."""
    names = {
        code: (
            u.name_ru
            if language == "ru" and u.name_ru
            else u.name_local
            if language == "az" and u.name_local
            else u.name_en
        )
        for code, u in snapshot().units.items()
    }
    return sorted(names.items(), key=lambda item: item[1])


def unit_get(code: str) -> AdminUnit:
    """One unit of the country by code (the form has already checked that it exists)."""
    return snapshot().units[code]


def help_find(query: HelpQuery) -> HelpAnswer:
    """Answer a visitor's question: accepting services per kind of help, nearest first."""
    profile = profile_for(query.who)
    groups = NEEDS[query.need].groups
    kinds = {k for g in groups for k in g.kinds} | {Kind.HELPLINE}
    data = snapshot()
    services = [s for s in data.services if s.kind in kinds]
    local = timezone.localtime(query.at).replace(tzinfo=None)  # opening hours are wall-clock
    found = _found_all(query, local, services, data)
    answers = tuple(_group_answer(g, profile, services, found) for g in groups)
    helplines = tuple(found[s.pk] for s in services if s.kind == Kind.HELPLINE)
    soon = local.date() + dt.timedelta(days=14)
    return HelpAnswer(
        query=query,
        groups=answers,
        helplines=helplines,
        holidays=tuple(sorted(d for d in data.closed if local.date() <= d <= soon)),
        assumptions={
            "circuity": CIRCUITY,
            "origin": query.unit.centre_name or query.unit.name_en,
            "confidential_step_km": CONFIDENTIAL_STEP_KM,
            "country": settings.COUNTRY,
        },
    )


def _found_all(
    query: HelpQuery, local: dt.datetime, services: list[Service], data: Snapshot
) -> dict[int, Found]:
    origin = Origin(query.unit.centre_lat, query.unit.centre_lon, query.unit.road_component)
    ranked = rank_by_road_km(
        origin,
        [s.lat for s in services],
        [s.lon for s in services],
        [s.unit.road_component if s.unit else "main" for s in services],
        circuity=CIRCUITY,
    )
    found: dict[int, Found] = {}
    for index in ranked.order:
        service = services[index]
        road = float(ranked.road_km[index])
        confidential = service.address_confidential
        step = CONFIDENTIAL_STEP_KM if confidential else PUBLIC_STEP_KM
        open_now, opens_at = _opening(service, local, data)
        found[service.pk] = Found(
            service=service,
            road_km=rounded_km(road, step_km=step),
            reachable=road != float("inf"),
            open_now=open_now,
            opens_at=opens_at,
            address="" if confidential else service.address,
        )
    return found  # insertion order is nearest first


def _opening(
    service: Service, at: dt.datetime, data: Snapshot
) -> tuple[bool | None, dt.datetime | None]:
    if service.open_24_7:
        return True, None
    try:
        hours = parse_hours(service.hours)
    except HoursError:
        return None, None  # stored hours the parser refuses: say "not known", never guess
    return opening_at(
        hours,
        at,
        closed_dates=data.closed,
        working_weekends=data.working,
        closes_on_holidays={Tri.YES: True, Tri.NO: False}.get(
            Tri(service.closes_on_public_holidays)
        ),
        horizon_days=HORIZON_DAYS,
    )


def _group_answer(
    group: Group, profile: Profile, services: list[Service], found: dict[int, Found]
) -> GroupAnswer:
    mine = {s.pk for s in services if s.kind in group.kinds}
    ordered = [f for pk, f in found.items() if pk in mine]
    accepted = [f for f in ordered if accepts(profile, f.service)]
    maybe = [
        f
        for f in ordered
        if not accepts(profile, f.service) and accepts(profile, f.service, unknown_accepts=True)
    ]
    reachable = [f for f in accepted if f.reachable]
    open_now = any(f.open_now for f in reachable)
    times = [f.opens_at for f in reachable if f.opens_at is not None]
    return GroupAnswer(
        group=group,
        accepted=tuple(accepted[:SHOWN_PER_GROUP]),
        maybe=tuple(maybe[:SHOWN_PER_GROUP]),
        accepted_total=len(accepted),
        maybe_total=len(maybe),
        open_now=open_now,
        opens_at=None if open_now or not times else min(times),
        refused_total=len(ordered) - len(accepted) - len(maybe),
    )


def helplines_at(at: dt.datetime) -> tuple[Found, ...]:
    """Operating helplines, open now or not, for the question page (no distances); `at` aware."""
    local = timezone.localtime(at).replace(tzinfo=None)
    data = snapshot()
    found = []
    for service in data.services:
        if service.kind != Kind.HELPLINE:
            continue
        open_now, opens_at = _opening(service, local, data)
        address = "" if service.address_confidential else service.address
        found.append(Found(service, None, True, open_now, opens_at, address))
    return tuple(found)


def page_texts(language: str) -> dict[str, str]:
    """The coordinators' texts of the page in one language, by slot (missing slots absent)."""
    return dict(snapshot().texts.get(language, {}))


def refusal_reports_for(user: Any) -> QuerySet[RefusalReport]:
    """Refusal reports sent to the user's organisation (coded fields; sealed ones stay sealed)."""
    return RefusalReport.objects.filter(organisation_id=user.membership.organisation_id)
