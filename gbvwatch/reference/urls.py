from django.urls import path

from gbvwatch.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.reference_data, name="reference_data"),
    path("standards/new/", views.standard_create, name="standard_create"),
    path("standards/<slug:code>/edit/", views.standard_edit, name="standard_edit"),
]
