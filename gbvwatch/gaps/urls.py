from django.urls import path

from gbvwatch.gaps import views

app_name = "gaps"
urlpatterns = [
    path("", views.gaps_page, name="gaps"),
]
