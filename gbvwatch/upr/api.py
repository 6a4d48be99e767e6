"""Read API of the UPR tracker for members: recommendations (with assessments, claims and
links in the detail) and the summary."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gbvwatch.upr import queries
from gbvwatch.upr.models import Assessment, EvidenceLink, GovernmentClaim, Recommendation

RECOMMENDATION_FIELDS = [
    "id", "country", "cycle", "document", "number", "session", "recommending_states", "text",
    "response", "response_source", "primary_group", "themes", "action_category",
    "leading_verb", "confidence", "action_confidence", "matched_words", "taxonomy_version",
    "classification_overridden", "override_reason",
]  # fmt: skip


class RecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    latest_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Recommendation
        fields = [*RECOMMENDATION_FIELDS, "latest_status"]


class EvidenceLinkSerializer(serializers.ModelSerializer[EvidenceLink]):
    service: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = EvidenceLink
        fields = ["kind", "label", "url", "service", "key_figure"]


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    evidence = EvidenceLinkSerializer(many=True, read_only=True)
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Assessment
        fields = ["status", "assessed_on", "note", "author_label", "organisation", "evidence"]


class ClaimSerializer(serializers.ModelSerializer[GovernmentClaim]):
    class Meta:
        model = GovernmentClaim
        fields = ["claimed_on", "claimed_status", "text", "source", "url"]


class RecommendationDetailSerializer(RecommendationSerializer):
    assessments = AssessmentSerializer(many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    repeats = serializers.SerializerMethodField()
    repeated_by = serializers.SerializerMethodField()

    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "assessments", "claims", "repeats",
                  "repeated_by"]  # fmt: skip

    def get_repeats(self, rec: Recommendation) -> list[int]:
        return [r.pk for r in queries.recommendation_links(rec)["earlier"]]

    def get_repeated_by(self, rec: Recommendation) -> list[int]:
        return [r.pk for r in queries.recommendation_links(rec)["later"]]


FILTER_PARAMETERS = [
    OpenApiParameter("cycle", int),
    OpenApiParameter("group", str, description="group code, or 'none'"),
    OpenApiParameter("theme", str, description="theme code"),
    OpenApiParameter("response", str, enum=["supported", "noted", "pending"]),
    OpenApiParameter("status", str, description="latest assessment status, or not_assessed"),
    OpenApiParameter("state", str, description="recommending state (part of the name)"),
    OpenApiParameter("action_category", int, description="1 to 5"),
]


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 6 else None


def filters_from(request: Request) -> queries.RecommendationFilters:
    """Filters from query parameters; malformed numbers are ignored."""
    p = request.query_params
    return queries.RecommendationFilters(
        country=settings.COUNTRY,
        cycle=_int_or_none(p.get("cycle")),
        group=p.get("group", "")[:60],
        theme=p.get("theme", "")[:60],
        response=p.get("response", "")[:40],
        status=p.get("status", "")[:40],
        state=p.get("state", "")[:100],
        action_category=_int_or_none(p.get("action_category")),
    )


@extend_schema(parameters=FILTER_PARAMETERS)
class RecommendationListAPI(generics.ListAPIView):  # type: ignore[type-arg]
    """UPR recommendations with classification and latest status."""

    serializer_class = RecommendationSerializer

    def get_queryset(self) -> QuerySet[Recommendation]:
        return queries.recommendations_filtered(filters_from(self.request))


class RecommendationDetailAPI(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One recommendation with assessments (and evidence), claims and links across cycles."""

    serializer_class = RecommendationDetailSerializer

    def get_queryset(self) -> QuerySet[Recommendation]:
        return queries.recommendations_filtered(queries.RecommendationFilters()).prefetch_related(
            "assessments__evidence__service", "assessments__organisation", "claims"
        )


class UprSummaryAPI(APIView):
    """Counts by group, response, status, state; progress; inputs, assumptions, sources."""

    @extend_schema(
        parameters=[OpenApiParameter("cycle", int), OpenApiParameter("group", str)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(queries.upr_summary(filters_from(request)))
