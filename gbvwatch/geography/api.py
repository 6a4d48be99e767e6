"""REST API of administrative units (public data: population figures and centres)."""

from __future__ import annotations

from typing import Any

from rest_framework import generics, serializers

from gbvwatch.geography.models import AdminUnit


class AdminUnitSerializer(serializers.ModelSerializer[AdminUnit]):
    parent: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = AdminUnit
        exclude = ["id"]


class UnitListAPI(generics.ListAPIView):  # type: ignore[type-arg]
    """Administrative units with population, women and centre coordinates."""

    queryset = AdminUnit.objects.select_related("parent").order_by("code")
    serializer_class = AdminUnitSerializer


class UnitDetailAPI(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One administrative unit by code."""

    queryset = AdminUnit.objects.select_related("parent")
    serializer_class = AdminUnitSerializer
    lookup_field = "code"
