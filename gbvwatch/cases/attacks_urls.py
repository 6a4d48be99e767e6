"""URLs of digital attacks, included under /cases/attacks/ in the `cases` namespace."""

from django.urls import path

from gbvwatch.cases import attacks_views as views
from gbvwatch.cases import casework_views, threats_views

ATTACK = {"kind": "attack"}

urlpatterns = [
    path("", views.attack_list, name="attack_list"),
    path("new/", views.attack_create, name="attack_create"),
    path("find/", views.attack_find, name="attack_find"),
    path("share/stix/", threats_views.stix_export, name="stix_export"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<str:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<str:attack_id>/", views.attack_detail, name="attack_detail"),
    path("<str:attack_id>/edit/", views.attack_edit, name="attack_edit"),
    path("<str:attack_id>/indicators/new/", views.indicator_add, name="indicator_add"),
    path("<str:attack_id>/mvt/", threats_views.mvt_import, name="mvt_import"),
    path(
        "<str:case_id>/evidence/bundle/",
        threats_views.evidence_bundle,
        ATTACK,
        name="attack_evidence_bundle",
    ),
    path("<str:case_id>/notes/new/", casework_views.note_add, ATTACK, name="attack_note_add"),
    path("<str:case_id>/assign/", casework_views.case_assign, ATTACK, name="attack_assign"),
    path("<str:case_id>/destroy/", casework_views.case_shred, ATTACK, name="attack_shred"),
]
