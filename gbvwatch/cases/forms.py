"""Forms of the case records: coded fields, sensitive fields, consent, one refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.cases.actions import IncidentSecrets, RefusalInput
from gbvwatch.cases.models import (
    AgeBand,
    GenderIdentity,
    Incident,
    IncidentType,
    RefusalReason,
    Relationship,
    Setting,
    YesNoUnknown,
)
from gbvwatch.directory.models import Kind
from gbvwatch.geography.models import AdminUnit

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


ASSIGNED_CHOICES = [
    ("", _lazy("anyone")),
    ("me", _lazy("me")),
    ("none", _lazy("nobody yet")),
]
CONSENT_CHOICES = [
    ("", _lazy("any")),
    ("statistics", _lazy("counted in statistics")),
    ("referral", _lazy("referral")),
    ("coalition", _lazy("shared with the coalition")),
    ("advocacy", _lazy("quoted in advocacy")),
]


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _lazy("any")), *choices]


class CaseSearchForm(forms.Form):
    """Criteria over coded fields shared by the case lists: district, a date range and the
    caseworker. Invalid criteria are named on the form and left out of the search."""

    unit = forms.ModelChoiceField(
        label=_lazy("District"), required=False, queryset=AdminUnit.objects.none()
    )
    assigned = forms.ChoiceField(
        label=_lazy("Caseworker"), required=False, choices=ASSIGNED_CHOICES
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        unit.queryset = AdminUnit.objects.all()  # type: ignore[attr-defined]
        unit.to_field_name = "code"  # type: ignore[attr-defined]
        unit.label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _lazy("This date is before the first one."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid criteria, by name (empty ones left out)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class IncidentFilterForm(CaseSearchForm):
    """Search over the coded fields of the list (nothing encrypted is searched)."""

    type = forms.ChoiceField(
        label=_lazy("Type"), required=False, choices=_any(IncidentType.choices)
    )
    date_from = forms.DateField(label=_lazy("Incident from"), required=False)
    date_to = forms.DateField(label=_lazy("Incident until"), required=False)
    gender_identity = forms.ChoiceField(
        label=_lazy("Gender identity"), required=False, choices=_any(GenderIdentity.choices)
    )
    age_band = forms.ChoiceField(label=_lazy("Age"), required=False, choices=_any(AgeBand.choices))
    disability = forms.ChoiceField(
        label=_lazy("Disability"), required=False, choices=_any(YesNoUnknown.choices)
    )
    perpetrator = forms.ChoiceField(
        label=_lazy("Perpetrator"), required=False, choices=_any(Relationship.choices)
    )
    setting = forms.ChoiceField(
        label=_lazy("Setting"), required=False, choices=_any(Setting.choices)
    )
    refusal = forms.ChoiceField(
        label=_lazy("Refused because of"), required=False, choices=_any(RefusalReason.choices)
    )
    consent = forms.ChoiceField(label=_lazy("Consent"), required=False, choices=CONSENT_CHOICES)
    field_order = ["type", "unit", "date_from", "date_to"]
