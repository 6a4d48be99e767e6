from django.urls import path

from gbvwatch.accountability import views

app_name = "accountability"
urlpatterns = [
    path("", views.overview, name="overview"),
    path(
        "new/incident/<str:case_id>/",
        views.complaint_file,
        {"kind": "incident"},
        name="incident_complaint_file",
    ),
    path(
        "new/attack/<str:case_id>/",
        views.complaint_file,
        {"kind": "attack"},
        name="attack_complaint_file",
    ),
    path("<str:complaint_id>/", views.complaint_detail, name="complaint_detail"),
    path("<str:complaint_id>/respond/", views.complaint_respond, name="complaint_respond"),
]
