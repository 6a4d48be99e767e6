"""REST API of the siting planner: solve a scenario (`GET /api/v1/siting/`), the same JSON
contract as `gbvwatch site --format json`, and the organisation's saved scenarios."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gbvwatch.gaps.params import ParameterError
from gbvwatch.siting import queries
from gbvwatch.siting.params import (
    DEMAND_CHOICES,
    OBJECTIVE_CODES,
    SITING_KINDS,
    capped_for_web,
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


class ScenarioListAPI(APIView):
    """The saved scenarios of the caller's organisation (parameters and headline figures)."""

    @extend_schema(
        responses=inline_serializer(
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
    )
    def get(self, request: Request) -> Response:
        rows = [
            {
                "id": s.pk,
                "name": s.name,
                "created_at": s.created_at.isoformat(),
                "parameters": s.parameters,
                **{k: s.report.get(k) for k in ("objective", "objective_value", "bound", "gap")},
                "status": s.report.get("status"),
                "sites": [site.get("code") for site in s.report.get("sites", [])],
            }
            for s in queries.scenarios_for(request.user)[:200]
        ]
        return Response(rows)
