from django.urls import include, path

from gbvwatch.cases import attacks_urls, casework_views, evidence_views, threats_views, views

app_name = "cases"
INCIDENT = {"kind": "incident"}
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    # Evidence files: before the incident patterns, which would otherwise shadow them.
    path("evidence/", casework_views.evidence_list, name="evidence_list"),
    path(
        "evidence/<str:evidence_id>/destroy/",
        casework_views.evidence_shred,
        name="evidence_shred",
    ),
    path("evidence/<str:evidence_id>/", evidence_views.evidence_detail, name="evidence_detail"),
    path(
        "evidence/<str:evidence_id>/download/",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<str:evidence_id>/working-copy/",
        evidence_views.evidence_working_copy,
        name="evidence_working_copy",
    ),
    path(
        "attacks/<str:attack_id>/evidence/new/",
        evidence_views.attack_evidence_add,
        name="attack_evidence_add",
    ),
    path(
        "<str:incident_id>/evidence/new/",
        evidence_views.incident_evidence_add,
        name="incident_evidence_add",
    ),
    path(
        "<str:case_id>/evidence/bundle/",
        threats_views.evidence_bundle,
        INCIDENT,
        name="incident_evidence_bundle",
    ),
    # Digital attacks: before the incident patterns, which would otherwise shadow them.
    path("attacks/", include(attacks_urls)),
    path("<str:incident_id>/", views.incident_detail, name="incident_detail"),
    path("<str:incident_id>/edit/", views.incident_edit, name="incident_edit"),
    path("<str:case_id>/notes/new/", casework_views.note_add, INCIDENT, name="incident_note_add"),
    path("<str:case_id>/assign/", casework_views.case_assign, INCIDENT, name="incident_assign"),
    path("<str:case_id>/destroy/", casework_views.case_shred, INCIDENT, name="incident_shred"),
]
