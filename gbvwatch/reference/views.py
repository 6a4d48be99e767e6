"""Pages of the reference data the analyses use, and the forms to add or edit standards."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gbvwatch.analysis.calendar import CalendarDay, longest_closure
from gbvwatch.core.access import has_permission, member_required
from gbvwatch.core.models import User
from gbvwatch.reference.actions import standard_save
from gbvwatch.reference.forms import StandardForm
from gbvwatch.reference.models import KeyFigure, PublicHoliday, Standard
from gbvwatch.upr.models import Recommendation


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    this_year = timezone.localdate().year
    return int(text) if text.isdigit() and 1900 < int(text) < 2200 else this_year


@member_required("directory.view")
def reference_data(request: HttpRequest) -> HttpResponse:
    """Standards, published figures, the holiday calendar of a year, recommendations stored."""
    year = _year(request)
    country = settings.COUNTRY
    holidays = list(PublicHoliday.objects.filter(country=country, date__year=year))
    days = [CalendarDay(h.date, h.name, h.kind, h.is_working_day) for h in holidays]  # type: ignore[arg-type]
    years = PublicHoliday.objects.filter(country=country).dates("date", "year")
    context = {
        "standards": Standard.objects.all(),
        "can_edit_standards": has_permission(request.user, "standards.edit"),
        "figures": KeyFigure.objects.filter(country=country),
        "holidays": holidays,
        "year": year,
        "years": [d.year for d in years],
        "closure": longest_closure(days, year) if holidays else None,
        "upr_cycles": Recommendation.objects.filter(country=country)
        .values("cycle", "document")
        .annotate(n=Count("id"))
        .order_by("cycle"),
    }
    return render(request, "reference/reference_data.html", context)


def _edit_standard(request: HttpRequest, standard: Standard | None) -> HttpResponse:
    form = StandardForm(request.POST or None, instance=standard)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.service_kinds = ",".join(form.cleaned_data["kinds"])
        assert isinstance(request.user, User)
        standard_save(actor=request.user, standard=saved)
        messages.success(request, _("The standard was saved."))
        return redirect("reference:reference_data")
    return render(request, "reference/standard_form.html", {"form": form, "standard": standard})


@member_required("standards.edit")
def standard_create(request: HttpRequest) -> HttpResponse:
    """Add a standard of one's own (for example a national norm) with its source."""
    return _edit_standard(request, None)


@member_required("standards.edit")
def standard_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a standard; the dataset loader will not overwrite it afterwards."""
    return _edit_standard(request, get_object_or_404(Standard, code=code))
