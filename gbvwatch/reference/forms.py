"""The form to add or edit a minimum standard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.directory.models import Kind
from gbvwatch.reference.models import Standard

COUNTS = [
    ("family_places", _lazy("family places")),
    ("places", _lazy("places (persons)")),
    ("beds", _lazy("beds")),
    ("services", _lazy("services")),
]


class StandardForm(forms.ModelForm):  # type: ignore[type-arg]
    kinds = forms.MultipleChoiceField(
        label=_lazy("Service kinds counted"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity_unit = forms.ChoiceField(label=_lazy("What is counted"), choices=COUNTS)
    per = forms.IntegerField(label=_lazy("per"), min_value=1)
    amount = forms.FloatField(label=_lazy("amount"), min_value=0.000001)
    source_url = forms.URLField(
        label=_lazy("Source address"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Standard
        fields = ["code", "title", "amount", "per", "denominator", "capacity_unit", "version",
                  "source", "source_url", "notes"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["kinds"] = [k for k in self.instance.service_kinds.split(",") if k]
