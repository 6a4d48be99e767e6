"""The coalition statistics page, the organisation's consent to share, releases, and the API."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gbvwatch.core.access import has_permission, member_required
from gbvwatch.core.actions import ActionError
from gbvwatch.stats import actions, queries
from gbvwatch.stats.models import Release
from gbvwatch.stats.report import ParameterError, StatsParameters, parameters_from, stats_report

BAR_WIDTH = 100  # the SVG bar chart's width in its own units


def chart_bars(table: dict[str, Any]) -> list[dict[str, Any]]:
    """One bar per column total that is published; hidden totals get a label and no bar."""
    cells = table["totals"]["cells"]
    shown = [c["value"] for c in cells if c["value"] is not None]
    top = max(shown, default=0) or 1
    bars = []
    for column, cell in zip(table["columns"], cells, strict=True):
        width = None if cell["value"] is None else round(BAR_WIDTH * cell["value"] / top, 1)
        bars.append({"label": column["label"], "text": cell["label"], "width": width})
    return bars


def _report(request: HttpRequest) -> tuple[dict[str, Any], str, int]:
    try:
        params = parameters_from(request.GET)
    except ParameterError as exc:
        return stats_report(StatsParameters()), str(exc), 400
    return stats_report(params), "", 200


@member_required("stats.view")
def stats_page(request: HttpRequest) -> HttpResponse:
    """Tables and charts of the coalition's figures, small cells hidden."""
    report, error, status = _report(request)
    tables = [{**t, "bars": chart_bars(t)} for t in report["tables"]]
    membership = request.user.membership  # type: ignore[union-attr]
    context = {
        "report": report,
        "tables": tables,
        "error": error,
        "shares": queries.organisation_shares(membership.organisation_id),
        "can_consent": has_permission(request.user, "stats.consent"),
        "can_release": has_permission(request.user, "stats.release"),
    }
    return render(request, "stats/stats.html", context, status=status)


@require_POST
@member_required("stats.consent")
def consent_set(request: HttpRequest) -> HttpResponse:
    """Turn the organisation's sharing with the coalition on or off."""
    shares = request.POST.get("shares") == "yes"
    actions.coalition_consent_set(actor=request.user, shares=shares)  # type: ignore[arg-type]
    if shares:
        messages.success(request, _("Your organisation now shares its consented figures."))
    else:
        messages.success(request, _("Your organisation no longer shares its figures."))
    return redirect("stats:stats")


@member_required("stats.view")
def release_list(request: HttpRequest) -> HttpResponse:
    """Every release, frozen or approved."""
    context = {
        "releases": queries.releases(),
        "can_release": has_permission(request.user, "stats.release"),
    }
    return render(request, "stats/release_list.html", context)


@require_POST
@member_required("stats.release")
def release_create(request: HttpRequest) -> HttpResponse:
    """Freeze the figures of the chosen year (or all years) as a release awaiting approval."""
    try:
        params = parameters_from(request.POST)
        release = actions.release_freeze(
            actor=request.user,  # type: ignore[arg-type]
            title=request.POST.get("title", ""),
            params=params,
        )
    except (ParameterError, ActionError) as exc:
        messages.error(request, str(exc))
        return redirect("stats:release_list")
    messages.success(request, _("The release is frozen; a second person must approve it."))
    return redirect("stats:release_detail", release_id=release.pk)


def _release(release_id: Any) -> Release:
    release = queries.releases().filter(pk=release_id).first()
    if release is None:
        raise Http404
    return release


@member_required("stats.view")
def release_detail(request: HttpRequest, release_id: Any) -> HttpResponse:
    """A release as frozen, with its fingerprint and who froze and approved it."""
    release = _release(release_id)
    payload = json.loads(release.payload_text)
    tables = [{**t, "bars": chart_bars(t)} for t in payload["tables"]]
    can_approve = (
        has_permission(request.user, "stats.approve")
        and release.status == "frozen"
        and release.created_by_id != request.user.pk
    )
    context = {
        "release": release,
        "report": payload,
        "tables": tables,
        "can_approve": can_approve,
    }
    return render(request, "stats/release_detail.html", context)


@require_POST
@member_required("stats.approve")
def release_approve(request: HttpRequest, release_id: Any) -> HttpResponse:
    """Approve a frozen release (a coordinator other than the person who froze it)."""
    release = _release(release_id)
    try:
        actions.release_approve(actor=request.user, release=release)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The release is approved and can no longer change."))
    return redirect("stats:release_detail", release_id=release.pk)


@member_required("stats.view")
def release_json(request: HttpRequest, release_id: Any) -> HttpResponse:
    """The frozen JSON exactly as hashed, as a download."""
    release = _release(release_id)
    response = HttpResponse(release.payload_text.encode("utf-8"), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="release-{release.pk}.json"'
    return response


class StatsAPI(APIView):
    """The coalition's figures (the contract of `gbvwatch stats --format json`)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="only this calendar year")],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        description=(
            "Counts of coded fields across the organisations that share, small cells hidden "
            '("<5"; "x" for cells hidden to protect them), with inputs, assumptions and '
            "sources. Members only."
        ),
    )
    def get(self, request: Request) -> Response:
        try:
            params = parameters_from(request.query_params)
        except ParameterError as exc:
            return Response({"detail": str(exc)}, status=400)
        return Response(stats_report(params))


stats_api = member_required("stats.view")(StatsAPI.as_view())
