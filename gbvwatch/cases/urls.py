from django.urls import path

from gbvwatch.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    path("<str:incident_id>/", views.incident_detail, name="incident_detail"),
    path("<str:incident_id>/edit/", views.incident_edit, name="incident_edit"),
]
