"""Forms of digital attacks: the attack (coded and sensitive fields, consent), an indicator,
the indicator search and a campaign."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from gbvwatch.cases.attacks_actions import AttackSecrets
from gbvwatch.cases.attacks_index import VALUE_LIMIT, IndicatorError, kinds_accepting, normalise
from gbvwatch.cases.forms import CaseSearchForm
from gbvwatch.cases.models import Attack, AttackType, Campaign, IndicatorKind, Platform

TEXT_LIMIT = 20_000  # characters of a narrative; longer text is refused, never cut


class AttackForm(forms.ModelForm):  # type: ignore[type-arg]
    target_identity = forms.CharField(
        label=_lazy("Real identity of the target"),
        help_text=_lazy("Encrypted. Name, accounts, anything that identifies her."),
        required=False,
        max_length=500,
    )
    attack_types = forms.MultipleChoiceField(
        label=_lazy("Kinds of attack"),
        choices=AttackType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    losses = forms.CharField(
        label=_lazy("What was lost"),
        help_text=_lazy("Encrypted. Accounts, followers, content, money, contacts..."),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    narrative = forms.CharField(
        label=_lazy("What happened"),
        help_text=_lazy("Encrypted."),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta:
        model = Attack
        fields = [
            "target_pseudonym", "platform", "attack_types", "started_on", "detected_on",
            "reported_on", "unit", "campaign", "consent_statistics", "consent_coalition",
            "consent_advocacy",
        ]  # fmt: skip
        help_texts = {
            "target_pseudonym": _lazy("Stored unencrypted: a pseudonym, never the real name."),
        }

    def __init__(self, *args: Any, campaigns: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign_field = self.fields["campaign"]
        assert isinstance(campaign_field, forms.ModelChoiceField)
        campaign_field.queryset = campaigns if campaigns is not None else Campaign.objects.none()

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for later in ("detected_on", "reported_on"):
            if data.get("started_on") and data.get(later) and data[later] < data["started_on"]:
                self.add_error(later, _lazy("This date is before the attack started."))
        return data

    def secrets(self) -> AttackSecrets:
        """The sensitive fields as entered."""
        d = self.cleaned_data
        return AttackSecrets(d["target_identity"], d["losses"], d["narrative"])


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Kind of indicator"), choices=IndicatorKind.choices)
    value = forms.CharField(
        label=_lazy("Value"),
        help_text=_lazy("Encrypted; only an exact-match fingerprint is kept for searching."),
        max_length=VALUE_LIMIT,
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("kind") and data.get("value") is not None:
            try:
                normalise(data["kind"], data["value"])
            except IndicatorError as exc:
                self.add_error("value", str(exc))
        return data


class IndicatorSearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_lazy("Kind of indicator"),
        required=False,
        choices=[("", _lazy("any")), *IndicatorKind.choices],
    )
    value = forms.CharField(
        label=pgettext_lazy("trace of a digital attack", "Indicator"),
        help_text=_lazy("Exact match, ignoring case where case does not matter."),
        max_length=VALUE_LIMIT,
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        value = data.get("value")
        if value is None or "kind" not in data:
            return data
        if data["kind"]:
            try:
                normalise(data["kind"], value)
            except IndicatorError as exc:
                self.add_error("value", str(exc))
        elif not kinds_accepting(value):
            self.add_error("value", _lazy("This value is not valid for any kind of indicator."))
        return data


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    description = forms.CharField(
        label=_lazy("Description"),
        help_text=_lazy("Encrypted."),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Campaign
        fields = ["label"]
        help_texts = {
            "label": _lazy(
                "Stored unencrypted: a neutral label of your own (such as “Campaign A”), "
                "never a name of a person or a group."
            ),
        }

    def __init__(self, *args: Any, campaigns: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._campaigns = campaigns

    def clean_label(self) -> str:
        label: str = self.cleaned_data["label"].strip()
        if self._campaigns is not None and self._campaigns.filter(label__iexact=label).exists():
            raise ValidationError(
                _lazy("Your organisation already has a campaign with this label.")
            )
        return label


class AttackFilterForm(CaseSearchForm):
    """Search over the coded fields of the attack list (nothing encrypted is searched)."""

    platform = forms.ChoiceField(
        label=_lazy("Platform"), required=False, choices=[("", _lazy("any")), *Platform.choices]
    )
    attack_type = forms.ChoiceField(
        label=_lazy("Kind of attack"),
        required=False,
        choices=[("", _lazy("any")), *AttackType.choices],
    )
    campaign = forms.ModelChoiceField(
        label=_lazy("Campaign"), required=False, queryset=Campaign.objects.none()
    )
    date_from = forms.DateField(label=_lazy("Started from"), required=False)
    date_to = forms.DateField(label=_lazy("Started until"), required=False)
    field_order = ["platform", "attack_type", "campaign", "unit", "date_from", "date_to"]

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
