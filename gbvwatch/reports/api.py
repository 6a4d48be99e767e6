"""REST API of reports: list and create, edit the narrative, generate a snapshot (with a job
to watch meanwhile), read a snapshot's figures, and download it in a format and language."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from gbvwatch.cases.api import (
    ERRORS,
    NOT_FOUND,
    CasesAPIView,
    CodeField,
    StrictSerializer,
    TextField,
)
from gbvwatch.core.access import signed_in
from gbvwatch.core.actions import ActionError
from gbvwatch.reports import actions, jobs, queries
from gbvwatch.reports.inputs import canonical_json
from gbvwatch.reports.models import JobState, Report, ReportKind, ReportSnapshot
from gbvwatch.reports.render import FORMATS, report_render

REPORT_ID = OpenApiParameter("report_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
SNAPSHOT_ID = OpenApiParameter("snapshot_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
JOB_ID = OpenApiParameter("job_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class SnapshotRefSerializer(serializers.ModelSerializer[ReportSnapshot]):
    class Meta:
        model = ReportSnapshot
        fields = ["id", "data_hash", "created_at"]


class ReportSerializer(serializers.ModelSerializer[Report]):
    snapshots = SnapshotRefSerializer(many=True, read_only=True, source="snapshots_listed")

    class Meta:
        model = Report
        fields = [
            "id", "title", "kind", "language", "year", "narrative", "created_at", "updated_at",
            "snapshots",
        ]  # fmt: skip


class SnapshotSerializer(serializers.ModelSerializer[ReportSnapshot]):
    class Meta:
        model = ReportSnapshot
        fields = ["id", "data_hash", "parameters", "figures", "created_at"]


class ReportCreateSerializer(StrictSerializer):
    kind = CodeField(choices=ReportKind.choices)
    language = CodeField(choices=["az", "ru", "en"])
    year = serializers.IntegerField()
    title = TextField(max_length=200, required=False, allow_blank=True)


class NarrativeSerializer(StrictSerializer):
    narrative = serializers.DictField(child=TextField(allow_blank=True, max_length=20_000))


class GenerateSerializer(StrictSerializer):
    job = serializers.UUIDField(
        required=False, help_text="an id you choose, to watch the job while it runs"
    )


class JobSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=JobState.choices)
    step = serializers.CharField()
    step_label = serializers.CharField()
    fraction = serializers.FloatField()
    snapshot = serializers.UUIDField(allow_null=True)
    error = serializers.CharField()


class ReportsAPIView(CasesAPIView):
    """Members read their organisation's reports; coordinators and analysts build them."""

    read_permission = "reports.view"
    write_permission = "reports.build"


def _refused(exc: ActionError) -> ValidationError:
    return ValidationError({"detail": [str(exc)]})


def _with_snapshots(report: Report) -> Report:
    report.snapshots_listed = list(queries.snapshots_of(report)[:50])  # type: ignore[attr-defined]
    return report


class ReportListAPI(ReportsAPIView):
    """Reports of your organisation, and creating one."""

    @extend_schema(responses={200: ReportSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        """Newest first, with the ids and data hashes of their latest snapshots."""
        reports = queries.reports_for(signed_in(request)).prefetch_related("snapshots")
        page = self.paginate_queryset(reports)
        assert page is not None
        rows = [_with_snapshots(r) for r in page]
        return self.get_paginated_response(ReportSerializer(rows, many=True).data)

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        """Create a report (no snapshot yet)."""
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            report = actions.report_create(
                user=signed_in(request),
                kind=data["kind"],
                language=data["language"],
                year=data["year"],
                title=data.get("title", ""),
            )
        except ActionError as exc:
            raise _refused(exc) from exc
        location = reverse("api-report-detail", args=[report.pk])
        body = ReportSerializer(_with_snapshots(report)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class ReportDetailAPI(ReportsAPIView):
    """One report, and changes to its narrative blocks."""

    @extend_schema(parameters=[REPORT_ID], responses={200: ReportSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, report_id: str) -> Response:
        """The report with its saved narrative blocks and its snapshots."""
        report = queries.report_get(signed_in(request), report_id)
        return Response(ReportSerializer(_with_snapshots(report)).data)

    @extend_schema(
        parameters=[REPORT_ID],
        request=NarrativeSerializer,
        responses={200: ReportSerializer, **ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, report_id: str) -> Response:
        """Replace the narrative blocks sent; an empty text restores the default."""
        user = signed_in(request)
        report = queries.report_get(user, report_id)
        incoming = NarrativeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            actions.report_narrative_update(
                user=user, report=report, blocks=incoming.validated_data["narrative"]
            )
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(ReportSerializer(_with_snapshots(report)).data)


class SnapshotCreateAPI(ReportsAPIView):
    """Generate a snapshot from the current data; the request returns when it is done."""

    @extend_schema(
        parameters=[REPORT_ID],
        request=GenerateSerializer,
        responses={201: SnapshotSerializer, **ERRORS, **NOT_FOUND},
        description=(
            "Runs the generation in this request (seconds). Send a `job` id of your own to "
            "watch its progress meanwhile at /api/v1/reports/{report_id}/jobs/{job}/."
        ),
    )
    def post(self, request: Request, report_id: str) -> Response:
        """Freeze the current data with its figures and data hash."""
        user = signed_in(request)
        report = queries.report_get(user, report_id)
        incoming = GenerateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        job_id = incoming.validated_data.get("job") or uuid.uuid4()
        try:
            job = jobs.report_job_run(user=user, report=report, job_id=job_id)
        except ActionError as exc:
            raise _refused(exc) from exc
        if job.snapshot is None:
            raise ValidationError({"detail": [job.error]})
        location = reverse("api-report-snapshot", args=[report.pk, job.snapshot.pk])
        body = SnapshotSerializer(job.snapshot).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class JobAPI(ReportsAPIView):
    """Where a generation is."""

    @extend_schema(
        parameters=[REPORT_ID, JOB_ID], responses={200: JobSerializer, **ERRORS, **NOT_FOUND}
    )
    def get(self, request: Request, report_id: str, job_id: str) -> Response:
        """Its step, the fraction done, and the snapshot when done (or the error)."""
        return Response(jobs.job_json(jobs.job_get(signed_in(request), report_id, job_id)))


class SnapshotAPI(ReportsAPIView):
    """One snapshot: its data hash, parameters and figures with their source notes."""

    @extend_schema(
        parameters=[REPORT_ID, SNAPSHOT_ID],
        responses={200: SnapshotSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, report_id: str, snapshot_id: str) -> Response:
        """The frozen figures (not the inputs, which can be large)."""
        user = signed_in(request)
        snapshot = queries.snapshot_get(user, queries.report_get(user, report_id), snapshot_id)
        return Response(SnapshotSerializer(snapshot).data)


class SnapshotFileAPI(ReportsAPIView):
    """A snapshot rendered as a file."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `format` names the file's format here, not DRF's response format: errors are JSON,
        # and the file is returned as it is.
        return (self.renderer_classes[0](), "application/json")

    @extend_schema(
        parameters=[
            REPORT_ID,
            SNAPSHOT_ID,
            OpenApiParameter("format", str, enum=list(FORMATS), description="default: pdf"),
            OpenApiParameter(
                "lang", str, enum=["az", "ru", "en"], description="default: the report's"
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, report_id: str, snapshot_id: str) -> Any:
        """PDF, Word, HTML or Markdown, in a language; the rendering is audited."""
        user = signed_in(request)
        snapshot = queries.snapshot_get(user, queries.report_get(user, report_id), snapshot_id)
        try:
            data, content_type, name = report_render(
                snapshot,
                fmt=request.query_params.get("format", "pdf"),
                language=request.query_params.get("lang") or None,
                user=user,
            )
        except ActionError as exc:
            raise _refused(exc) from exc
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SnapshotInputsAPI(ReportsAPIView):
    """The frozen inputs of a snapshot, as canonical JSON."""

    @extend_schema(
        parameters=[REPORT_ID, SNAPSHOT_ID],
        responses={200: OpenApiTypes.OBJECT, **ERRORS, **NOT_FOUND},
        description="Sorted keys, no spaces, UTF-8: the SHA-256 of the body is the data hash.",
    )
    def get(self, request: Request, report_id: str, snapshot_id: str) -> Any:
        """Every figure of the snapshot was computed from these."""
        user = signed_in(request)
        snapshot = queries.snapshot_get(user, queries.report_get(user, report_id), snapshot_id)
        return HttpResponse(canonical_json(snapshot.inputs), content_type="application/json")
