from django.urls import include, path

from gbvwatch.cases import attacks_urls, views

app_name = "cases"
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    # Digital attacks: before the incident patterns, which would otherwise shadow them.
    path("attacks/", include(attacks_urls)),
    path("<str:incident_id>/", views.incident_detail, name="incident_detail"),
    path("<str:incident_id>/edit/", views.incident_edit, name="incident_edit"),
]
