from django.urls import path

from gbvwatch.siting import views

app_name = "siting"
urlpatterns = [
    path("", views.siting_page, name="siting"),
    path("scenarios/save/", views.scenario_save, name="scenario_save"),
    path("scenarios/compare/", views.scenario_compare, name="scenario_compare"),
    path("scenarios/<int:scenario_id>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:scenario_id>/delete/", views.scenario_delete, name="scenario_delete"),
]
