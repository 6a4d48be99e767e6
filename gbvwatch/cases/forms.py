"""Forms of the case records: coded fields, sensitive fields, consent, one refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.cases.actions import IncidentSecrets, RefusalInput
from gbvwatch.cases.models import Incident, RefusalReason
from gbvwatch.directory.models import Kind

TEXT_LIMIT = 20_000  # characters of a narrative; longer text is refused, never cut


class IncidentForm(forms.ModelForm):  # type: ignore[type-arg]
    survivor_name = forms.CharField(
        label=_lazy("Survivor's name or pseudonym"),
        required=False,
        max_length=300,
    )
    contact = forms.CharField(
        label=_lazy("Contact (how to reach her safely)"),
        required=False,
        max_length=500,
    )
    exact_place = forms.CharField(label=_lazy("Exact place"), required=False, max_length=500)
    narrative = forms.CharField(
        label=_lazy("What happened"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    services_sought = forms.MultipleChoiceField(
        label=_lazy("Services sought"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    services_received = forms.MultipleChoiceField(
        label=_lazy("Services received"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    refusal_kind = forms.ChoiceField(
        label=_lazy("A service refused her: kind"),
        required=False,
        choices=[("", "—"), *Kind.choices],
    )
    refusal_reason = forms.ChoiceField(
        label=_lazy("Reason for the refusal"),
        required=False,
        choices=[("", "—"), *RefusalReason.choices],
    )
    refusal_date = forms.DateField(label=_lazy("Date of the refusal"), required=False)

    class Meta:
        model = Incident
        fields = [
            "type", "incident_date", "first_contact_date", "reported_date", "unit", "setting",
            "age_band", "gender_identity", "disability", "perpetrator", "services_sought",
            "services_received", "consent_statistics", "consent_referral", "consent_coalition",
            "consent_advocacy", "assigned_to",
        ]  # fmt: skip

    def __init__(self, *args: Any, assignable: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if assignable is not None:
            self.fields["assigned_to"].queryset = assignable  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if bool(data.get("refusal_kind")) != bool(data.get("refusal_reason")):
            self.add_error("refusal_reason", _lazy("Give both the kind of service and the reason."))
        for earlier, later in (
            ("incident_date", "first_contact_date"),
            ("incident_date", "reported_date"),
        ):
            if data.get(earlier) and data.get(later) and data[later] < data[earlier]:
                self.add_error(later, _lazy("This date is before the date of the incident."))
        return data

    def secrets(self) -> IncidentSecrets:
        """The sensitive fields as entered."""
        d = self.cleaned_data
        return IncidentSecrets(d["survivor_name"], d["contact"], d["narrative"], d["exact_place"])

    def refusals(self) -> list[RefusalInput]:
        """The refusal entered, if any."""
        d = self.cleaned_data
        if not d.get("refusal_kind"):
            return []
        return [RefusalInput(d["refusal_kind"], d["refusal_reason"], None, d.get("refusal_date"))]
