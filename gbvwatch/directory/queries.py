"""Reads of the service directory, scoped to what the acting person may see or change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from gbvwatch.core.scoping import scope_to_organisation_or_shared
from gbvwatch.directory.models import Service, Status, Tri


@dataclass(frozen=True)
class ServiceFilters:
    """Filters of the directory list; empty strings mean 'any'."""

    kind: str = ""
    unit: str = ""
    status: str = ""
    transgender: str = ""
    open_24_7: bool = False
    text: str = ""


def services_for_members() -> QuerySet[Service]:
    """Every service of the instance, as members see them (all fields)."""
    return Service.objects.select_related("unit", "organisation").prefetch_related("sources")


def services_public() -> QuerySet[Service]:
    """Services the public may see: operating ones only (confidential fields hidden by callers)."""
    return services_for_members().filter(status=Status.OPERATING)


def services_filtered(queryset: QuerySet[Service], filters: ServiceFilters) -> QuerySet[Service]:
    """Apply the directory filters to a queryset."""
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.unit:
        queryset = queryset.filter(unit__code=filters.unit)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.transgender in Tri.values:
        queryset = queryset.filter(accepts_transgender=filters.transgender)
    if filters.open_24_7:
        queryset = queryset.filter(open_24_7=True)
    if filters.text:
        queryset = queryset.filter(
            Q(name__icontains=filters.text)
            | Q(operator__icontains=filters.text)
            | Q(city__icontains=filters.text)
        )
    return queryset


def service_get(code: str) -> Service:
    """One service by its identifier, for members; 404 if unknown."""
    return get_object_or_404(services_for_members(), code=code)


def services_editable_by(user: Any) -> QuerySet[Service]:
    """Services the user's organisation maintains, plus shared dataset entries."""
    return scope_to_organisation_or_shared(services_for_members(), user)


def service_get_editable(user: Any, code: str) -> Service:
    """A service the user may change; another organisation's entry is a 404."""
    return get_object_or_404(services_editable_by(user), code=code)


@dataclass(frozen=True)
class Availability:
    """Whether a service is open at a moment: True, False or None (not known), and why."""

    open_now: bool | None
    next_opening: Any
    reason: str


def closed_dates_for(country: str, start: Any, end: Any) -> frozenset[Any]:
    """Public holidays and transferred days off between two dates (inclusive)."""
    from gbvwatch.reference.models import PublicHoliday

    rows = PublicHoliday.objects.filter(
        country=country, date__gte=start, date__lte=end, is_working_day=False
    ).values_list("date", flat=True)
    return frozenset(rows)


def service_availability(service: Service, at: Any, country: str) -> Availability:
    """Open now / next opening, counting public holidays and day-off transfers."""
    import datetime as dt

    from gbvwatch.analysis.hours import is_open, next_opening, parse_hours

    if service.open_24_7:
        return Availability(True, None, "24/7")
    hours = parse_hours(service.hours)
    closes = {Tri.YES: True, Tri.NO: False}.get(Tri(service.closes_on_public_holidays))
    closed = closed_dates_for(country, at.date(), at.date() + dt.timedelta(days=31))
    local = at.replace(tzinfo=None)
    state = is_open(hours, local, closed_dates=closed, closes_on_holidays=closes)
    upcoming = None
    if state is False:
        upcoming = next_opening(hours, local, closed_dates=closed, closes_on_holidays=closes)
    return Availability(state, upcoming, service.hours or "")
