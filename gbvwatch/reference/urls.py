from django.urls import path

from gbvwatch.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.reference_data, name="reference_data"),
]
