"""Read-only pages of the reference data the analyses use."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gbvwatch.analysis.calendar import CalendarDay, longest_closure
from gbvwatch.core.access import member_required
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
