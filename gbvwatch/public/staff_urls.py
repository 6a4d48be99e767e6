from django.urls import path

from gbvwatch.public import views

app_name = "public_staff"
urlpatterns = [
    path("texts/", views.texts, name="texts"),
    path("reports/", views.reports, name="reports"),
]
