from django.urls import path, re_path

from gbvwatch.public import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^(?P<lang>az|ru|en)/$", views.find, name="find"),
    re_path(r"^(?P<lang>az|ru|en)/report/$", views.report, name="report"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
