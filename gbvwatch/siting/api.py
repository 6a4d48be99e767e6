"""REST API of the siting planner: solve a scenario (`GET /api/v1/siting/`), the same JSON
contract as `gbvwatch site --format json`, and the organisation's saved scenarios."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gbvwatch.cases.api import ERRORS, NOT_FOUND, CasesAPIView
from gbvwatch.core.access import signed_in
from gbvwatch.gaps.params import ParameterError
from gbvwatch.siting import actions, queries
from gbvwatch.siting.models import Scenario
from gbvwatch.siting.params import (
    DEMAND_CHOICES,
    OBJECTIVE_CODES,
    SITING_KINDS,
    capped_for_web,
    scenario_name,
    siting_parameters_from,
)
from gbvwatch.siting.report import siting_report

_SITE_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "rank": serializers.IntegerField(),
    "code": serializers.CharField(),
    "name": serializers.CharField(),
    "lat": serializers.FloatField(),
    "lon": serializers.FloatField(),
    "component": serializers.CharField(),
    "locked": serializers.BooleanField(),
    "marginal_gain": serializers.FloatField(allow_null=True),
}
_REPORT = inline_serializer(
    "SitingReport",
    {
        "objective": serializers.ChoiceField(
            choices=["coverage", "median", "center", "cover_all", "capacity"]
        ),
        "objective_value": serializers.FloatField(),
        "bound": serializers.FloatField(help_text="proven bound on the best possible value"),
        "gap": serializers.FloatField(help_text="|value - bound| / value; 0 = proven optimal"),
        "status": serializers.ChoiceField(
            choices=["optimal", "within_tolerance", "time_limit", "heuristic"]
        ),
        "method": serializers.CharField(),
        "seconds": serializers.FloatField(),
        "sites": inline_serializer("SitingSite", _SITE_FIELDS, many=True),
        "gain_unit": serializers.CharField(),
        "women_newly_within_radius": serializers.IntegerField(),
        "before": serializers.DictField(),
        "after": serializers.DictField(),
        "per_profile": serializers.ListField(child=serializers.DictField()),
        "existing_services": serializers.ListField(child=serializers.DictField()),
        "inputs": serializers.DictField(),
        "notes": serializers.ListField(child=serializers.CharField()),
        "assumptions": serializers.DictField(),
        "sources": serializers.ListField(child=serializers.DictField()),
        "demand": serializers.ListField(child=serializers.DictField()),
    },
)
_ERROR = inline_serializer("SitingError", {"detail": serializers.CharField()})


def _parameter(name: str, description: str, kind: Any = str, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **extra)


PARAMETERS = [
    _parameter("kind", "service kind to site", enum=list(SITING_KINDS)),
    _parameter("objective", "what to optimise", enum=list(OBJECTIVE_CODES)),
    _parameter("add", "number of new sites K (default 5; none for cover-all)", int),
    _parameter("radius_km", "travel threshold in km (default 100)", float),
    _parameter("profile", "who is looking for help (default woman)"),
    _parameter("demand", "demand points", enum=list(DEMAND_CHOICES)),
    _parameter("circuity", "road km / straight-line km (1.3)", float),
    _parameter("lock", "comma-separated unit codes that must be chosen"),
    _parameter("remove", "comma-separated unit codes not to consider"),
    _parameter("sites", "extra candidates, one 'lat,lon[,name]' per line"),
    _parameter("heuristic", "1: greedy + swaps with a bound instead of the exact solver"),
    _parameter("unknown_accepts", "1: count 'not known' as accepting", OpenApiTypes.STR),
    _parameter("time_limit", "seconds for the exact solver (at most 30)", float),
    _parameter(
        "places",
        "places per new site (capacity objective; default: the family-place standard's "
        "shortfall shared by the new sites)",
        float,
    ),
    _parameter("stay_days", "mean stay in days (capacity objective, 90)", float),
    _parameter("arrivals", "survivors needing a place per year (capacity objective)", float),
    _parameter("target", "turn-away probability to plan for (0.05)", float),
]


class SitingAPI(APIView):
    """Solve a siting scenario for the query parameters; the proof travels with the answer."""

    @extend_schema(parameters=PARAMETERS, responses={200: _REPORT, 400: _ERROR})
    def get(self, request: Request) -> Response:
        try:
            params = siting_parameters_from(capped_for_web(request.query_params))
            report = siting_report(params)
        except ParameterError as exc:
            return Response({"detail": str(exc)}, status=400)
        return Response(report)


class ScenarioAPIView(CasesAPIView):
    """Every member reads her organisation's scenarios; coordinators and analysts save and
    delete them (session authentication, CSRF on writes)."""

    read_permission = "directory.view"
    write_permission = "scenarios.save"


_SCENARIO_ROWS = inline_serializer(
    "SitingScenario",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "parameters": serializers.DictField(),
        "objective": serializers.CharField(),
        "objective_value": serializers.FloatField(),
        "bound": serializers.FloatField(),
        "gap": serializers.FloatField(),
        "status": serializers.CharField(),
        "sites": serializers.ListField(child=serializers.CharField()),
    },
    many=True,
)
_SCENARIO = inline_serializer(
    "SitingScenarioDetail",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "parameters": serializers.DictField(),
        "report": _REPORT,
    },
)
_SCENARIO_SAVE = inline_serializer(
    "SitingScenarioSave",
    {
        "name": serializers.CharField(max_length=120),
        "parameters": serializers.DictField(
            help_text="the query parameters of GET /api/v1/siting/ (kind, objective, add, ...)"
        ),
    },
)
SCENARIO_ID = OpenApiParameter("scenario_id", int, OpenApiParameter.PATH)


def _detail(scenario: Scenario) -> dict[str, Any]:
    return {**queries.scenario_about(scenario), "report": scenario.report}


class ScenarioListAPI(ScenarioAPIView):
    """The saved scenarios of the caller's organisation, and saving a new one."""

    @extend_schema(responses={200: _SCENARIO_ROWS, **ERRORS})
    def get(self, request: Request) -> Response:
        """Parameters and headline figures, newest first (at most 200)."""
        scenarios = queries.scenarios_for(signed_in(request))[:200]
        return Response([queries.scenario_row(s) for s in scenarios])

    @extend_schema(request=_SCENARIO_SAVE, responses={201: _SCENARIO, **ERRORS})
    def post(self, request: Request) -> Response:
        """Solve the parameters (time limit capped for the web) and keep the report."""
        data = request.data if isinstance(request.data, dict) else {}
        raw = data.get("parameters", {})
        try:
            name = scenario_name(data.get("name"))
        except ParameterError as exc:
            raise ValidationError({"name": [str(exc)]}) from exc
        if not isinstance(raw, dict) or not all(
            isinstance(v, str | int | float | bool) for v in raw.values()
        ):
            raise ValidationError(
                {"parameters": [_("parameters: an object of parameter names and plain values")]}
            )
        try:
            params = siting_parameters_from(capped_for_web({k: str(v) for k, v in raw.items()}))
            report = siting_report(params)
        except ParameterError as exc:
            raise ValidationError({"parameters": [str(exc)]}) from exc
        scenario = actions.scenario_save(
            actor=signed_in(request), name=name, parameters=params.query(), report=report
        )
        location = reverse("api-siting-scenario-detail", args=[scenario.pk])
        return Response(_detail(scenario), status=201, headers={"Location": location})


class ScenarioDetailAPI(ScenarioAPIView):
    """One saved scenario with its whole report; deleting it."""

    @extend_schema(parameters=[SCENARIO_ID], responses={200: _SCENARIO, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, scenario_id: int) -> Response:
        """The report as it was computed, with the parameters to run it again."""
        return Response(_detail(queries.scenario_get(signed_in(request), scenario_id)))

    @extend_schema(parameters=[SCENARIO_ID], responses={204: None, **ERRORS, **NOT_FOUND})
    def delete(self, request: Request, scenario_id: int) -> Response:
        """Delete the scenario (audited)."""
        scenario = queries.scenario_get(signed_in(request), scenario_id)
        actions.scenario_delete(actor=signed_in(request), scenario=scenario)
        return Response(status=204)


class ScenarioCompareAPI(ScenarioAPIView):
    """Saved scenarios side by side: the figures the comparison page shows."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ids", int, OpenApiParameter.QUERY, many=True, description="scenario ids (<= 6)"
            )
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """In the order asked; ids of other organisations are left out."""
        try:
            scenarios = queries.scenarios_compared(
                signed_in(request), request.query_params.getlist("ids")
            )
        except ParameterError as exc:
            raise ValidationError({"ids": [str(exc)]}) from exc
        return Response([queries.comparison_row(s) for s in scenarios])
