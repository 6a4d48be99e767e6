"""Pages of the service directory: list with filters, detail, map, add, edit, close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.core.access import has_permission, member_required, public, signed_in
from gbvwatch.directory import actions, queries
from gbvwatch.directory.forms import CloseForm, FilterForm, ServiceForm
from gbvwatch.directory.models import Service, Status
from gbvwatch.geography.maps import boundary_map
from gbvwatch.geography.models import AdminUnit


def _filters(form: FilterForm) -> queries.ServiceFilters:
    if not form.is_valid():
        return queries.ServiceFilters()
    d = form.cleaned_data
    return queries.ServiceFilters(
        kind=d["kind"],
        unit=d["unit"],
        status=d["status"],
        transgender=d["transgender"],
        open_24_7=bool(d["open_24_7"]),
        text=d["q"].strip(),
    )


@member_required("directory.view")
def service_list(request: HttpRequest) -> HttpResponse:
    """All services with filters by kind, district, status, transgender access and 24/7."""
    form = FilterForm(request.GET or None)
    services = queries.services_filtered(queries.services_for_members(), _filters(form))
    context = {
        "form": form,
        "services": services,
        "can_edit": has_permission(request.user, "directory.edit"),
        "filter_errors": form.errors if request.GET else {},
    }
    return render(request, "directory/service_list.html", context)


@member_required("directory.view")
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One service with its sources, who it accepts and whether it is open now."""
    service = queries.service_get(code)
    editable = (
        has_permission(request.user, "directory.edit")
        and queries.services_editable_by(request.user).filter(pk=service.pk).exists()
    )
    context = {
        "service": service,
        "availability": queries.service_availability(
            service, timezone.localtime(), settings.COUNTRY
        ),
        "can_edit": editable,
    }
    return render(request, "directory/service_detail.html", context)


def _map_context(services: list[Service], highlight_unit: str = "") -> dict[str, Any]:
    located = [s for s in services if s.lat is not None and s.lon is not None]
    drawn = boundary_map([(float(s.lon), float(s.lat)) for s in located])  # type: ignore[arg-type]
    shapes = [
        {"d": d, "unit": b.unit, "highlight": b.unit.code == highlight_unit}
        for b, d in drawn.shapes
    ]
    # Services at the same place (city precision) share one marker that shows their number.
    groups: dict[tuple[float, float], list[Service]] = {}
    for s, xy in zip(located, drawn.points_xy, strict=True):
        groups.setdefault(xy, []).append(s)
    dots = [
        {"x": x, "y": y, "services": group, "service": group[0], "count": len(group)}
        for (x, y), group in groups.items()
    ]
    return {"view_box": drawn.view_box, "shapes": shapes, "dots": dots}


@member_required("directory.view")
def service_map(request: HttpRequest) -> HttpResponse:
    """Services drawn on the district polygons (server-side SVG; no tiles, no requests out)."""
    form = FilterForm(request.GET or None)
    services = list(queries.services_filtered(queries.services_for_members(), _filters(form)))
    national = [s for s in services if s.lat is None]
    context = {"form": form, "national": national, **_map_context(services)}
    return render(request, "directory/service_map.html", context)


@member_required("directory.edit")
def service_create(request: HttpRequest) -> HttpResponse:
    """Add a service maintained by the member's organisation."""
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = actions.service_create(
            actor=signed_in(request),
            service=form.save(commit=False),
            sources=form.cleaned_data["sources_text"],
        )
        messages.success(request, _("The service was added."))
        return redirect("directory:service_detail", code=service.code)
    return render(request, "directory/service_form.html", {"form": form, "creating": True})


@member_required("directory.edit")
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a service the member's organisation maintains (or a shared dataset entry)."""
    service = queries.service_get_editable(request.user, code)
    before = {f.attname: getattr(service, f.attname) for f in Service._meta.concrete_fields}
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        actions.service_update(
            actor=signed_in(request),
            service=form.save(commit=False),
            before=before,
            sources=form.cleaned_data["sources_text"],
        )
        messages.success(request, _("The service was saved."))
        return redirect("directory:service_detail", code=service.code)
    return render(request, "directory/service_form.html", {"form": form, "service": service})


@member_required("directory.edit")
def service_close(request: HttpRequest, code: str) -> HttpResponse:
    """Record that a service closed; it stays in the directory as closed."""
    service = queries.service_get_editable(request.user, code)
    form = CloseForm(request.POST or None)
    if service.status == Status.CLOSED:
        messages.info(request, _("This service is already closed."))
        return redirect("directory:service_detail", code=service.code)
    if request.method == "POST" and form.is_valid():
        actions.service_close(
            actor=signed_in(request),
            service=service,
            closed_on=form.cleaned_data["closed_on"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The service is now marked closed."))
        return redirect("directory:service_detail", code=service.code)
    return render(request, "directory/service_close.html", {"form": form, "service": service})


@member_required("directory.view")
def unit_list(request: HttpRequest) -> HttpResponse:
    """Districts with population, women and operating services."""
    units = AdminUnit.objects.select_related("parent").order_by("name_en")
    totals = AdminUnit.objects.filter(counted_in_national_total=True).aggregate(
        population=Sum("population"), women=Sum("women")
    )
    return render(request, "directory/unit_list.html", {"units": units, "totals": totals})


@member_required("directory.view")
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One district: figures, its place on the map, and the services in it."""
    unit = get_object_or_404(AdminUnit, code=code)
    services = list(queries.services_for_members().filter(unit=unit))
    context = {"unit": unit, "services": services, **_map_context(services, unit.code)}
    return render(request, "directory/unit_detail.html", context)


@public
def sources(request: HttpRequest) -> HttpResponse:
    """Where the shipped data comes from, and under which licences."""
    path = Path(__file__).resolve().parent.parent / "datasets" / settings.COUNTRY.lower()
    text = (
        (path / "SOURCES.md").read_text(encoding="utf-8") if (path / "SOURCES.md").exists() else ""
    )
    return render(request, "directory/sources.html", {"sources": text})
