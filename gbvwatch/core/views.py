"""Login, first-login set-up, account, and member management pages."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gbvwatch.core import actions, keyring, queries
from gbvwatch.core.access import authenticated, member_required, public
from gbvwatch.core.forms import (
    InviteForm,
    LoginForm,
    PasswordChangeForm,
    RecoveryForm,
    RoleForm,
    RotateForm,
    SetupForm,
)
from gbvwatch.core.models import MemberSession, User

PENDING_TOTP_KEY = "gbvw_pending_totp"


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _as_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@public
def home(request: HttpRequest) -> HttpResponse:
    """Members go to the directory; everyone else to the login page."""
    if request.user.is_authenticated:
        return redirect("directory:service_list")
    return redirect("core:login")


@public
def login_view(request: HttpRequest) -> HttpResponse:
    """Password plus TOTP code in one step; one message for every failure (no enumeration)."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = _client_ip(request)
        wait = actions.login_cooloff_remaining(username=username, ip_address=ip)
        if wait:
            minutes = max(1, (wait + 59) // 60)
            message = ngettext(
                "Too many attempts. Try again in %(m)d minute.",
                "Too many attempts. Try again in %(m)d minutes.",
                minutes,
            )
            form.add_error(None, message % {"m": minutes})
            return render(request, "core/login.html", {"form": form}, status=429)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        outcome = (
            actions.login_verify(
                user=user,
                password=form.cleaned_data["password"],
                totp_code=form.cleaned_data["code"],
            )
            if isinstance(user, User)
            else actions.LoginOutcome(False)
        )
        if isinstance(user, User) and outcome.ok:
            actions.login_failures_clear(username=username)
            login(request, user)
            if outcome.private_key is not None:
                keyring.unlock(request, outcome.private_key)
            assert request.session.session_key is not None
            actions.session_record(
                user=user,
                session_key=request.session.session_key,
                ip_address=ip,
                user_agent=request.headers.get("User-Agent", ""),
            )
            return redirect("core:home")
        actions.login_failure_record(username=username, ip_address=ip)
        form.add_error(None, _("The username, password or code is not correct."))
    return render(request, "core/login.html", {"form": form})


@authenticated
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session (and with it any unwrapped key material)."""
    key = request.session.session_key
    user = _as_user(request)
    record = MemberSession.objects.filter(user=user, session_key=key).first()
    if record is not None:
        actions.session_end(actor=user, record=record)
    logout(request)
    return redirect("core:login")


def _totp_qr_svg(user: User, secret: str) -> str:
    uri = f"otpauth://totp/gbvwatch:{user.get_username()}?secret={secret}&issuer=gbvwatch"
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, dark="#111")
    return svg


@authenticated
def account_setup(request: HttpRequest) -> HttpResponse:
    """First login: set a password of one's own and enrol TOTP (forced by middleware)."""
    user = _as_user(request)
    if not user.must_change_password and user.has_totp:
        return redirect("core:home")
    secret = request.session.get(PENDING_TOTP_KEY) or actions.totp_new_secret()
    request.session[PENDING_TOTP_KEY] = secret
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.account_setup_complete(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                totp_secret=secret,
                totp_code=form.cleaned_data["code"],
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            update_session_auth_hash(request, result.user)
            del request.session[PENDING_TOTP_KEY]
            if result.private_key is not None:
                keyring.unlock(request, result.private_key)
            if result.recovery_key:
                return render(
                    request, "core/recovery_key.html", {"recovery_key": result.recovery_key}
                )
            messages.success(request, _("Your account is ready."))
            return redirect("core:home")
    context: dict[str, Any] = {"form": form, "secret": secret, "qr_svg": _totp_qr_svg(user, secret)}
    return render(request, "core/setup.html", context)


@member_required("account.self")
def account(request: HttpRequest) -> HttpResponse:
    """Change one's password (the organisation key and TOTP secret are rewrapped)."""
    user = _as_user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("core:account")
    context = {
        "form": form,
        "sessions": queries.sessions_of(user),
        "current_key": request.session.session_key,
    }
    return render(request, "core/account.html", context)


@member_required("account.self")
@require_POST
def session_end(request: HttpRequest, record_id: int) -> HttpResponse:
    """End one of one's own logins (for example on a phone that was lost)."""
    user = _as_user(request)
    record = queries.session_get(user, record_id)
    ending_current = record.session_key == request.session.session_key
    actions.session_end(actor=user, record=record)
    if ending_current:
        logout(request)
        return redirect("core:login")
    messages.success(request, _("The session was ended."))
    return redirect("core:account")


@member_required("members.manage")
def member_list(request: HttpRequest) -> HttpResponse:
    """The organisation's members with their roles."""
    user = _as_user(request)
    return render(
        request,
        "core/member_list.html",
        {"members": queries.members_for(user), "role_form": RoleForm()},
    )


@member_required("members.manage")
def member_invite(request: HttpRequest) -> HttpResponse:
    """Invite a member; the one-time password is shown once on the response page."""
    user = _as_user(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.member_invite(
                actor=user,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                actor_password=form.cleaned_data["your_password"],
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "core/member_invited.html", {"invitation": invitation})
    return render(request, "core/member_invite.html", {"form": form})


@member_required("members.manage")
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Change a member's role."""
    user = _as_user(request)
    membership = queries.member_get(user, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("core:member_list")
    try:
        actions.member_set_role(actor=user, membership=membership, role=form.cleaned_data["role"])
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Role changed."))
    return redirect("core:member_list")


@member_required("members.manage")
@require_POST
def member_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Deactivate a member: she can no longer log in and her key copy is destroyed."""
    user = _as_user(request)
    membership = queries.member_get(user, membership_id)
    try:
        actions.member_deactivate(actor=user, membership=membership)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Member deactivated."))
    return redirect("core:member_list")


@member_required("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The latest audit entries concerning the organisation (metadata only)."""
    return render(
        request, "core/audit_log.html", {"entries": queries.audit_entries_for(_as_user(request))}
    )


@authenticated
@require_POST
def lock_now(request: HttpRequest) -> HttpResponse:
    """Panic button: destroy this session's copy of the organisation key and log out."""
    user = _as_user(request)
    keyring.lock(request)
    actions.session_lock_record(actor=user, session_key=request.session.session_key or "")
    logout(request)
    messages.info(
        request, _("Locked. Your organisation's records stay encrypted until you log in again.")
    )
    return redirect("core:login")


@member_required("members.manage")
def key_recover(request: HttpRequest) -> HttpResponse:
    """A coordinator restores her copy of the organisation key with the recovery key."""
    user = _as_user(request)
    form = RecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private = actions.organisation_key_recover(
                actor=user,
                recovery_key=form.cleaned_data["recovery_key"],
                password=form.cleaned_data["your_password"],
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            keyring.unlock(request, private)
            messages.success(request, _("Your copy of the organisation key was restored."))
            return redirect("core:account")
    return render(request, "core/key_recover.html", {"form": form})


@member_required("members.manage")
def key_rotate(request: HttpRequest) -> HttpResponse:
    """Replace the organisation key (e.g. after a device was seized); new recovery key once."""
    user = _as_user(request)
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rotation = actions.organisation_key_rotate(
                actor=user, password=form.cleaned_data["your_password"]
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            keyring.unlock(
                request,
                actions.member_private_key(user=user, password=form.cleaned_data["your_password"]),
            )
            return render(request, "core/key_rotated.html", {"rotation": rotation})
    return render(request, "core/key_rotate.html", {"form": form})
