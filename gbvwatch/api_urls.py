"""REST API routes (versioned) and the OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from gbvwatch.core.access import public

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
]
