"""Forms of the public page (the question, the refusal report) and of the coordinators' editor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gbvwatch.cases.models import RefusalReason
from gbvwatch.directory.models import Service, Status
from gbvwatch.public.models import PageLanguage, TextSlot
from gbvwatch.public.needs import GENDERS, MAX_CHILD_AGE, NEEDS

DETAILS_LIMIT = 2000  # characters of the free text of a report; longer is refused, never cut
TEXT_LIMIT = 5000  # characters of one page text
EARLIEST = dt.date(2000, 1, 1)


class HelpForm(forms.Form):
    """What she needs, where she is (a district, nothing more precise), and who she is."""

    need = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[(code, n.label) for code, n in NEEDS.items()],
        widget=forms.RadioSelect,
    )
    unit = forms.ChoiceField(label=_("Where are you? (district or city)"))
    gender = forms.ChoiceField(
        label=_("You are"),
        choices=[(code, label) for code, (label, _fields) in GENDERS.items()],
        widget=forms.RadioSelect,
        initial="woman",
    )
    with_children = forms.BooleanField(label=_("Children are with me"), required=False)
    boy_age = forms.IntegerField(
        label=_("Age of the oldest boy with you (leave empty if none)"),
        min_value=0,
        max_value=MAX_CHILD_AGE,
        required=False,
    )
    wheelchair = forms.BooleanField(
        label=_("I use a wheelchair or need step-free access"), required=False
    )
    on = forms.DateField(
        label=_("Date (leave empty for now)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]

    def clean_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("on")
        if value is not None and not EARLIEST <= value <= dt.date(2100, 12, 31):
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return value


class RefusalReportForm(forms.Form):
    """An anonymous report that a service refused someone."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    service = forms.ChoiceField(label=_("Which service refused?"))
    refused_on = forms.DateField(label=_("When?"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(
        label=_("Why, as far as you know?"),
        choices=[("", "—"), *RefusalReason.choices],
    )
    details = forms.CharField(
        label=_("Anything else (optional; do not write names or phone numbers)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DETAILS_LIMIT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = Service.objects.filter(status=Status.OPERATING).order_by("name")
        self.services = {s.code: s for s in rows}
        choices = [(s.code, f"{s.name} ({s.city})" if s.city else s.name) for s in rows]
        self.fields["service"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]

    def clean_refused_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["refused_on"]
        if not EARLIEST <= value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date between 2000 and today."))
        return value


class PageTextForm(forms.Form):
    """One text of the public page in one language."""

    slot = forms.ChoiceField(label=_("Place on the page"), choices=TextSlot.choices)
    language = forms.ChoiceField(label=_("Language"), choices=PageLanguage.choices)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=TEXT_LIMIT,
    )
