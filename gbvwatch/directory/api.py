"""REST API of the service directory: members read every field, the public only
non-confidential fields of operating services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request

from gbvwatch.core.access import active_membership
from gbvwatch.directory import queries
from gbvwatch.directory.models import PUBLIC_FIELDS, Service, Source, Status, Tri


class SourceSerializer(serializers.ModelSerializer[Source]):
    class Meta:
        model = Source
        fields = ["citation", "url", "date"]


class PublicServiceSerializer(serializers.ModelSerializer[Service]):
    """What anyone may read. Coordinates are withheld when the address is confidential."""

    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    sources = SourceSerializer(many=True, read_only=True)
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [f for f in PUBLIC_FIELDS if f != "address"]

    def _coarse(self, service: Service, value: float | None) -> float | None:
        # A confidential shelter is shown at city precision only (2 decimals, ~1 km).
        if value is None:
            return None
        return round(value, 2) if service.address_confidential else value

    def get_lat(self, service: Service) -> float | None:
        return self._coarse(service, service.lat)

    def get_lon(self, service: Service) -> float | None:
        return self._coarse(service, service.lon)


class MemberServiceSerializer(serializers.ModelSerializer[Service]):
    """Every field, for members of the instance."""

    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        exclude = ["id"]


FILTER_PARAMETERS = [
    OpenApiParameter("kind", str, description="service kind code"),
    OpenApiParameter("unit", str, description="administrative unit code"),
    OpenApiParameter("status", str, description="operating, planned, announced, closed"),
    OpenApiParameter("transgender", str, enum=Tri.values),
    OpenApiParameter("open_24_7", bool),
]


def _filters(request: Request) -> queries.ServiceFilters:
    params = request.query_params
    return queries.ServiceFilters(
        kind=params.get("kind", ""),
        unit=params.get("unit", ""),
        status=params.get("status", ""),
        transgender=params.get("transgender", ""),
        open_24_7=params.get("open_24_7", "").lower() in {"1", "true", "yes"},
    )


class _ServiceViewMixin(generics.GenericAPIView):  # type: ignore[type-arg]
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Service]:
        if active_membership(self.request.user) is not None:
            base = queries.services_for_members()
        else:
            base = queries.services_public()
        return queries.services_filtered(base, _filters(self.request))

    def get_serializer_class(self) -> Any:
        if active_membership(self.request.user) is not None:
            return MemberServiceSerializer
        return PublicServiceSerializer


@extend_schema(parameters=FILTER_PARAMETERS, responses=MemberServiceSerializer(many=True))
class ServiceListAPI(_ServiceViewMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Services; anonymous callers get operating services and public fields only."""


@extend_schema(responses=MemberServiceSerializer)
class ServiceDetailAPI(_ServiceViewMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One service by code; non-operating services are not found for the public."""


__all__ = ["ServiceDetailAPI", "ServiceListAPI", "Status"]
