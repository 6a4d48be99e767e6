"""Forms of the service directory: filters, add/edit with validation, close."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.analysis.hours import HoursError, parse_hours
from gbvwatch.directory.actions import SourceInput
from gbvwatch.directory.importers import SOURCE_SEPARATOR, format_sources, parse_sources
from gbvwatch.directory.models import Kind, LocationPrecision, Service, Status, Tri
from gbvwatch.geography.models import AdminUnit

UNIT_NAMES = ("code", "name_en", "name_local", "name_ru")


class FilterForm(forms.Form):
    q = forms.CharField(label=_lazy("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_lazy("Kind"), required=False, choices=[("", _lazy("any")), *Kind.choices]
    )
    unit = forms.ChoiceField(label=_lazy("District"), required=False)
    status = forms.ChoiceField(
        label=_lazy("Status"), required=False, choices=[("", _lazy("any")), *Status.choices]
    )
    transgender = forms.ChoiceField(
        label=_lazy("Accepts transgender and gender-diverse people"),
        required=False,
        choices=[("", _lazy("any")), *Tri.choices],
    )
    open_24_7 = forms.BooleanField(label=_lazy("Open 24/7"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = sorted((u.display_name, u.code) for u in AdminUnit.objects.only(*UNIT_NAMES))
        self.fields["unit"].choices = [("", _lazy("any")), *((c, n) for n, c in units)]  # type: ignore[attr-defined]


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(
        label=_lazy("Website"), required=False, max_length=300, assume_scheme="https"
    )
    sources_text = forms.CharField(
        label=_lazy("Sources"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy(
            "One per line: a web address or a citation, optionally followed by ' @ date'."
        ),
        error_messages={"required": _lazy("Give at least one source for this entry.")},
    )

    class Meta:
        model = Service
        fields = [
            "code", "name", "kind", "operator", "sector", "unit", "city", "lat", "lon",
            "location_precision", "address", "address_confidential", "capacity", "capacity_unit",
            "accepts_women", "accepts_children", "boys_max_age", "accepts_men",
            "accepts_transgender", "wheelchair_access", "languages", "open_24_7", "hours",
            "closes_on_public_holidays", "status", "opened", "phone", "website", "target_group",
            "notes",
        ]  # fmt: skip
        help_texts = {
            "hours": _lazy("For example 'Mo-Fr 09:00-18:00; Sa 10:00-14:00'. Empty if not known."),
            "code": _lazy("A short identifier of letters, digits, - and _."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["sources_text"] = "\n".join(
                format_sources([SourceInput(s.citation, s.url, s.date)])
                for s in self.instance.sources.all()
            )
        for name in ("accepts_women", "accepts_children", "accepts_men", "accepts_transgender",
                     "wheelchair_access", "closes_on_public_holidays"):  # fmt: skip
            self.fields[name].initial = Tri.UNKNOWN

    def clean_hours(self) -> str:
        text: str = self.cleaned_data.get("hours", "")
        try:
            parse_hours(text)
        except HoursError as exc:
            raise ValidationError(str(exc)) from exc
        return text.strip()

    def clean_lat(self) -> float | None:
        return _in_range(self.cleaned_data.get("lat"), -90, 90, _("latitude"))

    def clean_lon(self) -> float | None:
        return _in_range(self.cleaned_data.get("lon"), -180, 180, _("longitude"))

    def clean_sources_text(self) -> list[SourceInput]:
        lines = [line.strip() for line in self.cleaned_data.get("sources_text", "").splitlines()]
        sources, errors = parse_sources(SOURCE_SEPARATOR.join(line for line in lines if line))
        if errors:
            raise ValidationError(errors)
        if not sources:
            raise ValidationError(_("Give at least one source for this entry."))
        return sources

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        has_point = data.get("lat") is not None and data.get("lon") is not None
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lon", _("Give both latitude and longitude, or neither."))
        national = data.get("location_precision") == LocationPrecision.NATIONAL
        if not national and not has_point:
            self.add_error("lat", _("A service with a location needs coordinates."))
        if data.get("capacity") is not None and not data.get("capacity_unit"):
            self.add_error("capacity_unit", _("Say what the capacity counts."))
        return data


def _in_range(value: float | None, low: float, high: float, what: str) -> float | None:
    if value is not None and not low <= value <= high:
        raise ValidationError(
            _("%(value)s is not a %(what)s between %(low)s and %(high)s.")
            % {"value": value, "what": what, "low": low, "high": high}
        )
    return value


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_lazy("Closed on"), required=False)
    reason = forms.CharField(
        label=_lazy("Reason or source"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
