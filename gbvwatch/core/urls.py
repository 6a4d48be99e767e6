from django.urls import path
from django.views.i18n import set_language

from gbvwatch.core import views
from gbvwatch.core.access import public

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/setup/", views.account_setup, name="account_setup"),
    path("account/", views.account, name="account"),
    path("account/lock/", views.lock_now, name="lock_now"),
    path("account/recover-key/", views.key_recover, name="key_recover"),
    path("account/rotate-key/", views.key_rotate, name="key_rotate"),
    path("account/sessions/<int:record_id>/end/", views.session_end, name="session_end"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path(
        "members/<int:membership_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("language/", public(set_language), name="set_language"),
]
