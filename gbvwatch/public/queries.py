"""Reads of the public page: which services would accept the visitor, nearest first, open now or
when they open; the page's texts; and, for coordinators, the refusal reports sent to them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from gbvwatch.analysis.findhelp import Origin, rank_by_road_km, rounded_km
from gbvwatch.analysis.hours import HoursError, is_open, next_opening, parse_hours
from gbvwatch.directory.models import Kind, Service, Status, Tri
from gbvwatch.directory.queries import closed_dates_for
from gbvwatch.gaps.profiles import Profile, accepts
from gbvwatch.geography.models import AdminUnit
from gbvwatch.public.models import PageText, RefusalReport
from gbvwatch.public.needs import NEEDS, Group, Who, profile_for

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


def units_for_choice() -> list[AdminUnit]:
    """Districts and cities a visitor can choose from, in the order of their English names."""
    return list(AdminUnit.objects.filter(country=settings.COUNTRY).order_by("name_en"))


def help_find(query: HelpQuery) -> HelpAnswer:
    """Answer a visitor's question: accepting services per kind of help, nearest first."""
    profile = profile_for(query.who)
    groups = NEEDS[query.need].groups
    kinds = {k for g in groups for k in g.kinds} | {Kind.HELPLINE}
    services = list(
        Service.objects.filter(status=Status.OPERATING, kind__in=kinds)
        .select_related("unit")
        .prefetch_related("sources")
        .order_by("code")
    )
    local = timezone.localtime(query.at).replace(tzinfo=None)  # opening hours are wall-clock
    end = local.date() + dt.timedelta(days=HORIZON_DAYS + 1)
    closed = closed_dates_for(settings.COUNTRY, local.date(), end)
    found = _found_all(query, local, services, closed)
    answers = tuple(_group_answer(g, profile, services, found) for g in groups)
    helplines = tuple(found[s.pk] for s in services if s.kind == Kind.HELPLINE)
    return HelpAnswer(
        query=query,
        groups=answers,
        helplines=helplines,
        holidays=tuple(sorted(d for d in closed if d <= local.date() + dt.timedelta(days=14))),
        assumptions={
            "circuity": CIRCUITY,
            "origin": query.unit.centre_name or query.unit.name_en,
            "confidential_step_km": CONFIDENTIAL_STEP_KM,
            "country": settings.COUNTRY,
        },
    )


def _found_all(
    query: HelpQuery, local: dt.datetime, services: list[Service], closed: frozenset[dt.date]
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
        open_now, opens_at = _opening(service, local, closed)
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
    service: Service, at: dt.datetime, closed: frozenset[dt.date]
) -> tuple[bool | None, dt.datetime | None]:
    if service.open_24_7:
        return True, None
    try:
        hours = parse_hours(service.hours)
    except HoursError:
        return None, None  # stored hours the parser refuses: say "not known", never guess
    closes = {Tri.YES: True, Tri.NO: False}.get(Tri(service.closes_on_public_holidays))
    state = is_open(hours, at, closed_dates=closed, closes_on_holidays=closes)
    if state is not False:
        return state, None
    upcoming = next_opening(
        hours, at, closed_dates=closed, closes_on_holidays=closes, horizon_days=HORIZON_DAYS
    )
    return False, upcoming


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
    at = timezone.localtime(at).replace(tzinfo=None)
    rows = list(
        Service.objects.filter(status=Status.OPERATING, kind=Kind.HELPLINE)
        .select_related("unit")
        .order_by("code")
    )
    closed = closed_dates_for(
        settings.COUNTRY, at.date(), at.date() + dt.timedelta(days=HORIZON_DAYS + 1)
    )
    found = []
    for service in rows:
        open_now, opens_at = _opening(service, at, closed)
        address = "" if service.address_confidential else service.address
        found.append(Found(service, None, True, open_now, opens_at, address))
    return tuple(found)


def page_texts(language: str) -> dict[str, str]:
    """The coordinators' texts of the page in one language, by slot (missing slots absent)."""
    rows = PageText.objects.filter(language=language).exclude(text="")
    return {row.slot: row.text for row in rows}


def refusal_reports_for(user: Any) -> QuerySet[RefusalReport]:
    """Refusal reports sent to the user's organisation (coded fields; sealed ones stay sealed)."""
    return RefusalReport.objects.filter(organisation_id=user.membership.organisation_id)
