"""REST API routes (version 1) and the OpenAPI schema. Read-only; anonymous callers see
public fields only (the serializers decide), so every route is marked public here."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from gbvwatch.core.access import public
from gbvwatch.directory.api import ServiceDetailAPI, ServiceListAPI
from gbvwatch.gaps.views import gaps_api
from gbvwatch.geography.api import UnitDetailAPI, UnitListAPI
from gbvwatch.stats.views import stats_api

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
    path("v1/units/", public(UnitListAPI.as_view()), name="api-unit-list"),
    path("v1/units/<slug:code>/", public(UnitDetailAPI.as_view()), name="api-unit-detail"),
    path("v1/services/", public(ServiceListAPI.as_view()), name="api-service-list"),
    path("v1/services/<slug:code>/", public(ServiceDetailAPI.as_view()), name="api-service-detail"),
    path("v1/gaps/", gaps_api, name="api-gaps"),
    path("v1/stats/", stats_api, name="api-stats"),
]
