from django.urls import path

from gbvwatch.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<uuid:report_id>/", views.report_detail, name="report_detail"),
    path("<uuid:report_id>/generate/", views.report_generate, name="report_generate"),
    path("<uuid:report_id>/jobs/<uuid:job_id>/", views.job_status, name="job_status"),
    path(
        "<uuid:report_id>/snapshots/<uuid:snapshot_id>/",
        views.snapshot_detail,
        name="snapshot_detail",
    ),
    path(
        "<uuid:report_id>/snapshots/<uuid:snapshot_id>/preview/",
        views.snapshot_preview,
        name="snapshot_preview",
    ),
    path(
        "<uuid:report_id>/snapshots/<uuid:snapshot_id>/download/",
        views.snapshot_download,
        name="snapshot_download",
    ),
    path(
        "<uuid:report_id>/snapshots/<uuid:snapshot_id>/inputs/",
        views.snapshot_inputs,
        name="snapshot_inputs",
    ),
]
