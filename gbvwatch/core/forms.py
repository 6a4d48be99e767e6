"""Forms for login, account set-up and member management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gbvwatch.core.models import Role


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=1024)
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        required=False,
        help_text=_("Leave empty only at your first login with a one-time password."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NewPasswordForm(forms.Form):
    """A current password and a new one typed twice."""

    current_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput, max_length=1024
    )
    new_password = forms.CharField(
        label=_("New password (at least 12 characters)"),
        widget=forms.PasswordInput,
        max_length=1024,
    )
    new_password_again = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, max_length=1024
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class PasswordChangeForm(NewPasswordForm):
    """Change one's password from the account page."""


class SetupForm(NewPasswordForm):
    code = forms.CharField(
        label=_("Code shown by your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["current_password"].label = _("One-time password")


class InviteForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    your_password = forms.CharField(
        label=_("Your password (to share the organisation key with the new member)"),
        widget=forms.PasswordInput,
        max_length=1024,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RecoveryForm(forms.Form):
    recovery_key = forms.CharField(
        label=_("Recovery key"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    your_password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput, max_length=1024
    )


class RotateForm(forms.Form):
    your_password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput, max_length=1024
    )
