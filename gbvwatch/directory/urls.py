from django.urls import path

from gbvwatch.directory import views, views_data

app_name = "directory"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("map/", views.service_map, name="service_map"),
    path("new/", views.service_create, name="service_create"),
    path("services/<slug:code>/", views.service_detail, name="service_detail"),
    path("services/<slug:code>/edit/", views.service_edit, name="service_edit"),
    path("services/<slug:code>/close/", views.service_close, name="service_close"),
    path("districts/", views.unit_list, name="unit_list"),
    path("districts/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("sources/", views.sources, name="sources"),
    path("data/", views_data.data_page, name="data"),
    path("data/import/", views_data.data_import, name="data_import"),
    path("data/<slug:what>.<slug:fmt>", views_data.data_export, name="data_export"),
]
