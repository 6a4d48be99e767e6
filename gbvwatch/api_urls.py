"""REST API routes (version 1) and the OpenAPI schema. The directory routes are read-only and
public (anonymous callers see public fields only: the serializers decide). The case-record
routes are for members only: each view labels itself with the rule its permission class
enforces (see gbvwatch.cases.api)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from gbvwatch.cases import api as cases_api
from gbvwatch.core.access import member_required, public
from gbvwatch.directory.api import ServiceDetailAPI, ServiceListAPI
from gbvwatch.gaps.views import gaps_api
from gbvwatch.geography.api import UnitDetailAPI, UnitListAPI
from gbvwatch.reports import api as reports_api
from gbvwatch.siting.api import (
    ScenarioCompareAPI,
    ScenarioDetailAPI,
    ScenarioListAPI,
    SitingAPI,
)
from gbvwatch.stats.views import stats_api
from gbvwatch.upr.api import RecommendationDetailAPI, RecommendationListAPI, UprSummaryAPI

_upr = member_required("upr.view")

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
    path("v1/units/", public(UnitListAPI.as_view()), name="api-unit-list"),
    path("v1/units/<slug:code>/", public(UnitDetailAPI.as_view()), name="api-unit-detail"),
    path("v1/services/", public(ServiceListAPI.as_view()), name="api-service-list"),
    path("v1/services/<slug:code>/", public(ServiceDetailAPI.as_view()), name="api-service-detail"),
    path("v1/gaps/", gaps_api, name="api-gaps"),
    # Case records: session authentication, members with cases.view / cases.edit only.
    path(
        "v1/cases/incidents/",
        cases_api.IncidentListAPI.as_view(),
        name="api-case-incident-list",
    ),
    path(
        "v1/cases/incidents/<str:incident_id>/",
        cases_api.IncidentDetailAPI.as_view(),
        name="api-case-incident-detail",
    ),
    path(
        "v1/cases/incidents/<str:incident_id>/evidence/",
        cases_api.IncidentEvidenceAPI.as_view(),
        name="api-case-incident-evidence",
    ),
    path("v1/cases/attacks/", cases_api.AttackListAPI.as_view(), name="api-case-attack-list"),
    path(
        "v1/cases/attacks/<str:attack_id>/",
        cases_api.AttackDetailAPI.as_view(),
        name="api-case-attack-detail",
    ),
    path(
        "v1/cases/attacks/<str:attack_id>/indicators/",
        cases_api.IndicatorAddAPI.as_view(),
        name="api-case-indicator-add",
    ),
    path(
        "v1/cases/attacks/<str:attack_id>/evidence/",
        cases_api.AttackEvidenceAPI.as_view(),
        name="api-case-attack-evidence",
    ),
    path(
        "v1/cases/campaigns/",
        cases_api.CampaignListAPI.as_view(),
        name="api-case-campaign-list",
    ),
    path(
        "v1/cases/indicators/lookup/",
        cases_api.IndicatorLookupAPI.as_view(),
        name="api-case-indicator-lookup",
    ),
    path(
        "v1/upr/recommendations/",
        _upr(RecommendationListAPI.as_view()),
        name="api-upr-recommendation-list",
    ),
    path(
        "v1/upr/recommendations/<int:pk>/",
        _upr(RecommendationDetailAPI.as_view()),
        name="api-upr-recommendation-detail",
    ),
    path("v1/upr/summary/", _upr(UprSummaryAPI.as_view()), name="api-upr-summary"),
    path(
        "v1/siting/",
        member_required("directory.view")(SitingAPI.as_view()),
        name="api-siting",
    ),
    path(
        "v1/siting/scenarios/",
        ScenarioListAPI.as_view(),
        name="api-siting-scenarios",
    ),
    path(
        "v1/siting/scenarios/compare/",
        ScenarioCompareAPI.as_view(),
        name="api-siting-scenario-compare",
    ),
    path(
        "v1/siting/scenarios/<int:scenario_id>/",
        ScenarioDetailAPI.as_view(),
        name="api-siting-scenario-detail",
    ),
    path("v1/stats/", stats_api, name="api-stats"),
    # Reports: session authentication, reports.view to read, reports.build to write.
    path("v1/reports/", reports_api.ReportListAPI.as_view(), name="api-report-list"),
    path(
        "v1/reports/<str:report_id>/",
        reports_api.ReportDetailAPI.as_view(),
        name="api-report-detail",
    ),
    path(
        "v1/reports/<str:report_id>/snapshots/",
        reports_api.SnapshotCreateAPI.as_view(),
        name="api-report-generate",
    ),
    path(
        "v1/reports/<str:report_id>/snapshots/<str:snapshot_id>/",
        reports_api.SnapshotAPI.as_view(),
        name="api-report-snapshot",
    ),
    path(
        "v1/reports/<str:report_id>/snapshots/<str:snapshot_id>/file/",
        reports_api.SnapshotFileAPI.as_view(),
        name="api-report-file",
    ),
    path(
        "v1/reports/<str:report_id>/snapshots/<str:snapshot_id>/inputs/",
        reports_api.SnapshotInputsAPI.as_view(),
        name="api-report-inputs",
    ),
    path(
        "v1/reports/<str:report_id>/jobs/<str:job_id>/",
        reports_api.JobAPI.as_view(),
        name="api-report-job",
    ),
]
