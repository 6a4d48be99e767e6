"""Forms for filing a complaint and recording a response."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.accountability.actions import TEXT_LIMIT
from gbvwatch.accountability.models import Authority, ComplaintStatus


class ComplaintForm(forms.Form):
    authority = forms.ChoiceField(label=_lazy("Authority"), choices=Authority.choices)
    authority_name = forms.CharField(
        label=_lazy("Name of the authority"),
        help_text=_lazy("The body, not a person: “Binagadi district police”, “Meta”."),
        required=False,
        max_length=200,
    )
    filed_on = forms.DateField(label=_lazy("Date filed"))
    reference = forms.CharField(
        label=_lazy("Reference number"),
        help_text=_lazy("Encrypted."),
        required=False,
        max_length=TEXT_LIMIT,
    )


class ResponseForm(forms.Form):
    received_on = forms.DateField(label=_lazy("Date"))
    status = forms.ChoiceField(label=_lazy("Status"), choices=ComplaintStatus.choices)
    note = forms.CharField(
        label=_lazy("What they answered"),
        help_text=_lazy("Encrypted."),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClockForm(forms.Form):
    overdue_days = forms.IntegerField(
        label=_lazy("Overdue after (days)"), min_value=1, max_value=3650, required=False
    )
