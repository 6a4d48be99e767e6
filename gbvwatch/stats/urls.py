from django.urls import path

from gbvwatch.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.stats_page, name="stats"),
    path("sharing/", views.consent_set, name="consent_set"),
    path("releases/", views.release_list, name="release_list"),
    path("releases/new/", views.release_create, name="release_create"),
    path("releases/<uuid:release_id>/", views.release_detail, name="release_detail"),
    path("releases/<uuid:release_id>/approve/", views.release_approve, name="release_approve"),
    path("releases/<uuid:release_id>/json/", views.release_json, name="release_json"),
]
