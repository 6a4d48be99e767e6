"""Every URL pattern x every role x own / other organisation.

A pattern without an access rule fails here, and so does a pattern with URL parameters that
is not declared below as either organisation-scoped or instance-wide.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gbvwatch.accountability.models import Complaint
from gbvwatch.cases.models import Attack, Campaign, Evidence, Incident
from gbvwatch.core.access import PERMISSIONS, AccessRule, signed_in
from gbvwatch.core.models import MemberSession, Membership, Organisation, Role, User
from gbvwatch.directory.models import Kind, LocationPrecision, Service, Status, Tri
from gbvwatch.geography.models import AdminUnit
from gbvwatch.reference.models import Standard
from gbvwatch.stats.actions import canonical_json
from gbvwatch.stats.models import Release
from gbvwatch.stats.report import StatsParameters, stats_report
from gbvwatch.upr.models import Recommendation

# Patterns whose object belongs to one organisation: another organisation's object is a 404.
ORG_SCOPED = {
    "cases:incident_detail",
    "cases:incident_edit",
    "cases:attack_detail",
    "cases:attack_edit",
    "cases:indicator_add",
    "cases:campaign_detail",
    "cases:evidence_detail",
    "cases:evidence_download",
    "cases:evidence_working_copy",
    "cases:incident_evidence_add",
    "cases:attack_evidence_add",
    "cases:incident_note_add",
    "cases:incident_assign",
    "cases:incident_shred",
    "cases:attack_note_add",
    "cases:attack_assign",
    "cases:attack_shred",
    "cases:evidence_shred",
    "accountability:incident_complaint_file",
    "accountability:attack_complaint_file",
    "accountability:complaint_detail",
    "accountability:complaint_respond",
    "cases:mvt_import",
    "cases:incident_evidence_bundle",
    "cases:attack_evidence_bundle",
    "core:session_end",  # scoped further, to the person: see _kwargs_for
    "core:member_role",
    "core:member_deactivate",
    "directory:service_edit",
    "directory:service_close",
    "api-case-incident-detail",
    "api-case-incident-evidence",
    "api-case-attack-detail",
    "api-case-attack-evidence",
    "api-case-indicator-add",
    "siting:scenario_detail",
    "siting:scenario_delete",
    "api-siting-scenario-detail",
    "reports:report_detail",
    "reports:report_generate",
    "reports:job_status",
    "reports:snapshot_detail",
    "reports:snapshot_preview",
    "reports:snapshot_download",
    "reports:snapshot_inputs",
    "api-report-detail",
    "api-report-generate",
    "api-report-snapshot",
    "api-report-file",
    "api-report-inputs",
    "api-report-job",
}
# Patterns with parameters whose objects are shared by the whole instance.
INSTANCE_WIDE = {
    "reference:standard_edit",
    "directory:data_export",
    "directory:service_detail",
    "directory:unit_detail",
    "api-unit-detail",
    "api-service-detail",
    "upr:detail",
    "upr:assess",
    "upr:claim",
    "upr:classify",
    "upr:link",
    "api-upr-recommendation-detail",
    "public:find",
    "public:report",
    "public:not_found",
    "stats:release_detail",
    "stats:release_approve",
    "stats:release_json",
}
# API routes for members that answer an anonymous caller 403 (JSON), not a login redirect.
API_FOR_MEMBERS = {
    "api-case-incident-list",
    "api-case-incident-detail",
    "api-case-incident-evidence",
    "api-case-attack-list",
    "api-case-attack-detail",
    "api-case-attack-evidence",
    "api-case-indicator-add",
    "api-case-campaign-list",
    "api-case-indicator-lookup",
    "api-report-list",
    "api-report-detail",
    "api-report-generate",
    "api-report-snapshot",
    "api-report-file",
    "api-report-inputs",
    "api-report-job",
    "api-siting-scenarios",
    "api-siting-scenario-compare",
    "api-siting-scenario-detail",
}
ROLES = [None, Role.COORDINATOR, Role.CASEWORKER, Role.ANALYST, Role.VIEWER]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else prefix + str(p.pattern)), p


ALL_PATTERNS = list(_walk(get_resolver().url_patterns))


@pytest.mark.django_db
def test_signed_in_gives_the_user_and_refuses_anyone_else():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in(request)
    user = User.objects.create_user(username="someone", password="a long enough password 1")
    request.user = user
    assert signed_in(request) is user


def test_every_url_pattern_declares_an_access_rule():
    missing = [
        name
        for name, p in ALL_PATTERNS
        if not isinstance(getattr(p.callback, "access_rule", None), AccessRule)
    ]
    assert not missing, f"URL patterns without an access rule: {missing}"


def test_every_pattern_with_parameters_is_classified():
    unclassified = [
        name
        for name, p in ALL_PATTERNS
        if p.pattern.regex.groupindex and name not in ORG_SCOPED | INSTANCE_WIDE
    ]
    assert not unclassified, f"say whether these are organisation-scoped: {unclassified}"


def _member(org: Organisation, username: str, role: str) -> User:
    user = User.objects.create(username=username, totp_secret_encrypted=b"enrolled")
    Membership.objects.create(user=user, organisation=org, role=role)
    MemberSession.objects.create(
        user=user, session_key=f"key-{username}", created_at=timezone.now()
    )
    return user


def _service(code: str, org: Organisation | None, unit: AdminUnit) -> Service:
    return Service.objects.create(
        code=code, name=code, kind=Kind.SHELTER_DV, organisation=org, unit=unit, lat=40.4,
        lon=49.9, location_precision=LocationPrecision.CITY, accepts_women=Tri.YES,
        accepts_children=Tri.YES, accepts_men=Tri.NO, accepts_transgender=Tri.UNKNOWN,
        wheelchair_access=Tri.UNKNOWN, closes_on_public_holidays=Tri.NO, status=Status.OPERATING,
    )  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    own, other = (
        Organisation.objects.create(name="Ayna", slug="ayna"),
        Organisation.objects.create(name="Nafas", slug="nafas"),
    )
    unit = AdminUnit.objects.create(
        country="AZ",
        code="baku",
        name_en="Baku",
        unit_type="city",
        centre_lat=40.4,
        centre_lon=49.9,
    )
    users = {role: _member(own, f"own-{role}", role) for role in Role.values}
    stranger = _member(other, "other-caseworker", Role.CASEWORKER)
    _member(other, "other-coordinator", Role.COORDINATOR)
    target = _member(own, "own-target", Role.VIEWER)
    return {
        "users": users,
        "kwargs": {
            "own": {
                "membership_id": target.membership.pk,
                "code": _service("own-shelter", own, unit).code,
            },
            "other": {
                "membership_id": stranger.membership.pk,
                "code": _service("other-shelter", other, unit).code,
            },
        },
        "unit_code": unit.code,
        "stranger": stranger,
        "incidents": {
            "own": str(
                Incident.objects.create(
                    organisation=own,
                    type="rape",
                    setting="home",
                    age_band="unknown",
                    gender_identity="woman",
                    disability="unknown",
                    perpetrator="unknown",
                ).pk
            ),
            "other": str(
                Incident.objects.create(
                    organisation=other,
                    type="rape",
                    setting="home",
                    age_band="unknown",
                    gender_identity="woman",
                    disability="unknown",
                    perpetrator="unknown",
                ).pk
            ),
        },
        "attacks": {
            scope: str(
                Attack.objects.create(
                    organisation=org,
                    target_pseudonym=f"{scope}-target",
                    platform="instagram",
                    attack_types=["account_takeover"],
                ).pk
            )
            for scope, org in (("own", own), ("other", other))
        },
        "campaigns": {
            scope: str(Campaign.objects.create(organisation=org, label=f"{scope}-campaign").pk)
            for scope, org in (("own", own), ("other", other))
        },
        "evidence": {
            scope: str(
                Evidence.objects.create(
                    organisation=org,
                    incident=Incident.objects.filter(organisation=org).first(),
                    sha256="0" * 64,
                    size=1,
                    content_type="application/octet-stream",
                    stored_name="missing",
                ).pk
            )
            for scope, org in (("own", own), ("other", other))
        },
        "complaints": {
            scope: str(
                Complaint.objects.create(
                    organisation=org,
                    incident=Incident.objects.filter(organisation=org).first(),
                    authority="police",
                    filed_on="2021-03-01",
                ).pk
            )
            for scope, org in (("own", own), ("other", other))
        },
        "recommendation": Recommendation.objects.create(
            country="AZ",
            cycle=2,
            document="A/HRC/24/13",
            number="109.1",
            recommending_states="Norway",
            text="Ratify the Istanbul Convention (Norway);",
        ).pk,
        "standard_code": Standard.objects.create(
            code="national-norm",
            title="t",
            service_kinds="shelter_dv",
            capacity_unit="services",
            denominator="women",
            source="s",
        ).code,
        "release_id": Release.objects.create(
            title="r",
            payload_text=canonical_json(stats_report(StatsParameters())),
            sha256="0" * 64,
            status="frozen",
        ).pk,
    }


def _kwargs_for(
    name: str, pattern: URLPattern, world: dict[str, Any], scope_name: str, role: str | None
) -> dict[str, Any]:
    params = set(pattern.pattern.regex.groupindex)
    if name in {"directory:unit_detail", "api-unit-detail"}:
        return {"code": world["unit_code"]}
    if name == "reference:standard_edit":
        return {"code": world["standard_code"]}
    if name == "directory:data_export":
        return {"what": "units", "fmt": "csv"}
    if "complaint_id" in params:
        return {"complaint_id": world["complaints"][scope_name]}
    if "case_id" in params:  # an incident or an attack, as the pattern's default says
        return {"case_id": world[f"{pattern.default_args['kind']}s"][scope_name]}
    if "pk" in params and (name.startswith("upr:") or name.startswith("api-upr-")):
        return {"pk": world["recommendation"]}
    if name in {"public:find", "public:report"}:
        return {"lang": "az"}
    if name == "public:not_found":
        return {"rest": "anything"}
    if "incident_id" in params:
        return {"incident_id": world["incidents"][scope_name]}
    if "attack_id" in params:
        return {"attack_id": world["attacks"][scope_name]}
    if "evidence_id" in params:
        return {"evidence_id": world["evidence"][scope_name]}
    if "campaign_id" in params:
        return {"campaign_id": world["campaigns"][scope_name]}
    if "scenario_id" in params:
        return {"scenario_id": _scenario(world, scope_name)}
    if "report_id" in params:
        return {k: v for k, v in _report(world, scope_name).items() if k in params}
    if "release_id" in params:  # coalition releases belong to the whole instance
        return {"release_id": world["release_id"]}
    if "record_id" in params:  # a login session: "own" is the acting person's own
        mine = scope_name == "own" and role is not None
        owner = world["users"][role] if mine else world["stranger"]
        return {"record_id": MemberSession.objects.get(user=owner).pk}
    return {k: v for k, v in world["kwargs"][scope_name].items() if k in params}


def _scenario(world: dict[str, Any], scope_name: str) -> int:
    """A saved siting scenario of the own or the other organisation."""
    from gbvwatch.siting.models import Scenario

    owner = world["users"][Role.COORDINATOR] if scope_name == "own" else world["stranger"]
    scenario, _ = Scenario.objects.get_or_create(
        organisation=owner.membership.organisation,
        name=f"{scope_name}-scenario",
        defaults={"parameters": {}, "report": {"sites": [], "demand": []}},
    )
    return scenario.pk


def _report(world: dict[str, Any], scope_name: str) -> dict[str, Any]:
    """A report of the own or the other organisation, with a snapshot and a finished job.
    The snapshot's inputs are empty: every figure then reads "no data" (cheap to render)."""
    from gbvwatch.reports.models import Report, ReportJob, ReportSnapshot

    owner = world["users"][Role.COORDINATOR] if scope_name == "own" else world["stranger"]
    report, _ = Report.objects.get_or_create(
        organisation=owner.membership.organisation,
        title=f"{scope_name}-report",
        defaults={"kind": "factsheet", "language": "en", "year": 2024},
    )
    snapshot = report.snapshots.first() or ReportSnapshot.objects.create(
        report=report, inputs={}, figures=[], data_hash="0" * 64, parameters={"year": 2024}
    )
    job = report.jobs.first() or ReportJob.objects.create(
        id=uuid.uuid4(), report=report, state="done", snapshot=snapshot
    )
    return {"report_id": report.pk, "snapshot_id": snapshot.pk, "job_id": job.pk}


def _request(client: Client, url: str) -> int:
    """GET, or POST when the view only accepts POST; rolled back so cases stay independent."""
    with transaction.atomic():
        status = client.get(url).status_code
        if status == 405:
            status = client.post(url, {}).status_code
        transaction.set_rollback(True)
    return status


def _expected(rule: AccessRule, role: str | None, name: str, scope_name: str) -> set[int]:
    if name == "public:not_found":
        return {404}  # the public page's friendly "not found" for any other address
    if rule.kind == "public":
        return {200, 302}
    if role is None:
        return {403} if name in API_FOR_MEMBERS else {302}  # else to the login page
    if rule.kind == "member" and role not in PERMISSIONS[rule.permission]:
        return {403}
    if scope_name == "other" and name in ORG_SCOPED:
        return {404}
    if name in API_FOR_MEMBERS:  # allowed; the matrix's empty form body is not JSON
        return {200, 302, 415, 423}
    return {200, 302, 423}  # 423: allowed, but this session holds no organisation key


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[n for n, _ in ALL_PATTERNS])
def test_access_rule_holds_for_every_role_and_organisation(name, pattern, world, client):
    rule = pattern.callback.access_rule
    failures = []
    for scope_name in ("own", "other"):
        for role in ROLES:
            kwargs = _kwargs_for(name, pattern, world, scope_name, role)
            url = reverse(name, kwargs=kwargs)
            client.logout()
            if role is not None:
                client.force_login(world["users"][role])
            status = _request(client, url)
            if status not in _expected(rule, role, name, scope_name):
                failures.append(f"{role or 'anonymous'} / {scope_name}: {url} -> {status}")
    assert not failures, failures


GARBAGE = {
    "code": "x" * 500,
    "lat": "NaN",
    "lon": "1e999",
    "capacity": "-4",
    "hours": "Mo-Zz 25:00-26:00",
    "sources_text": "javascript:alert(1) @ " + "9" * 100,
    "role": "superuser",
    "username": "<script>",
    "what": "everything",
    "language": "xx",
    "year": "-1",
    "closed_on": "2026-02-30",
    "file": "not a file",
}


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[n for n, _ in ALL_PATTERNS])
def test_garbage_input_never_causes_a_server_error(name, pattern, world, client):
    client.force_login(world["users"][Role.COORDINATOR])
    url = reverse(name, kwargs=_kwargs_for(name, pattern, world, "own", Role.COORDINATOR))
    with transaction.atomic():
        for response in (client.post(url, GARBAGE), client.get(url, GARBAGE)):
            assert response.status_code < 500, (url, response.status_code)
        transaction.set_rollback(True)
