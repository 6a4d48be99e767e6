"""Forms of the UPR tracker: list filters, assessment with evidence, claim, classification,
link across cycles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.directory.models import Service
from gbvwatch.reference.models import KeyFigure
from gbvwatch.upr.actions import EvidenceInput
from gbvwatch.upr.models import EvidenceKind, Response, Status
from gbvwatch.upr.queries import NO_GROUP, NOT_ASSESSED, PENDING
from gbvwatch.upr.taxonomy import action_label, category_label, taxonomy_load

EVIDENCE_ROWS = 3
ACTION_CHOICES = [(str(n), action_label(n)) for n in range(1, 6)]


def _group_choices() -> list[tuple[str, str]]:
    return [(g.code, category_label(g.code)) for g in taxonomy_load().groups]


def _theme_choices() -> list[tuple[str, str]]:
    return [(t.code, category_label(t.code)) for t in taxonomy_load().themes]


class FilterForm(forms.Form):
    q = forms.CharField(label=_lazy("Search"), required=False, max_length=200)
    cycle = forms.IntegerField(label=_lazy("Cycle"), required=False, min_value=1, max_value=99)
    group = forms.ChoiceField(label=_lazy("Group"), required=False)
    theme = forms.ChoiceField(label=_lazy("Theme"), required=False)
    response = forms.ChoiceField(
        label=_lazy("Response"),
        required=False,
        choices=[("", _lazy("any")), *Response.choices, (PENDING, _lazy("pending"))],
    )
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[("", _lazy("any")), (NOT_ASSESSED, _lazy("not assessed")), *Status.choices],
    )
    action_category = forms.ChoiceField(
        label=_lazy("Action category"),
        required=False,
        choices=[("", _lazy("any")), *ACTION_CHOICES],
    )
    state = forms.CharField(label=_lazy("Recommending state"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = ("", _lazy("any"))
        self.fields["group"].choices = [any_choice, *_group_choices(), (NO_GROUP, _lazy("none"))]  # type: ignore[attr-defined]
        self.fields["theme"].choices = [any_choice, *_theme_choices()]  # type: ignore[attr-defined]


class AssessmentForm(forms.Form):
    status = forms.ChoiceField(label=_lazy("Status"), choices=Status.choices)
    assessed_on = forms.DateField(
        label=_lazy("Assessed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_lazy("Note"), required=False, max_length=5000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = [("", "—"), *Service.objects.order_by("name").values_list("code", "name")]
        figures = [("", "—")] + [
            (str(f.pk), f"{f.indicator} {f.year or ''}: {f.value:g} {f.unit}")
            for f in KeyFigure.objects.order_by("indicator", "year")
        ]
        for n in range(1, EVIDENCE_ROWS + 1):
            self.fields[f"evidence_{n}_kind"] = forms.ChoiceField(
                label=_lazy("Evidence: kind"),
                required=False,
                choices=[("", "—"), *EvidenceKind.choices],
            )
            self.fields[f"evidence_{n}_label"] = forms.CharField(
                label=_lazy("Evidence: description"), required=False, max_length=300
            )
            self.fields[f"evidence_{n}_url"] = forms.URLField(
                label=_lazy("Evidence: web address"),
                required=False,
                max_length=500,
                assume_scheme="https",
            )
            self.fields[f"evidence_{n}_service"] = forms.ChoiceField(
                label=_lazy("Evidence: service"), required=False, choices=services
            )
            self.fields[f"evidence_{n}_figure"] = forms.ChoiceField(
                label=_lazy("Evidence: gap figure"), required=False, choices=figures
            )

    def evidence_rows(self) -> list[list[forms.BoundField]]:
        """The evidence fields grouped by row, for the template."""
        names = ("kind", "label", "url", "service", "figure")
        return [[self[f"evidence_{n}_{x}"] for x in names] for n in range(1, EVIDENCE_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        evidence = []
        for n in range(1, EVIDENCE_ROWS + 1):
            kind = data.get(f"evidence_{n}_kind") or ""
            label = (data.get(f"evidence_{n}_label") or "").strip()
            if not kind and not label:
                continue
            if not kind:
                self.add_error(f"evidence_{n}_kind", _("Choose the kind of this evidence."))
                continue
            if not label:
                self.add_error(f"evidence_{n}_label", _("Describe this evidence."))
                continue
            figure = data.get(f"evidence_{n}_figure") or ""
            evidence.append(
                EvidenceInput(
                    kind=kind,
                    label=label,
                    url=data.get(f"evidence_{n}_url") or "",
                    service_code=data.get(f"evidence_{n}_service") or "",
                    key_figure_id=int(figure) if figure else None,
                )
            )
        data["evidence"] = evidence
        return data


class ClaimForm(forms.Form):
    claimed_on = forms.DateField(
        label=_lazy("Date of the claim"), widget=forms.DateInput(attrs={"type": "date"})
    )
    claimed_status = forms.ChoiceField(label=_lazy("Status claimed"), choices=Status.choices)
    text = forms.CharField(
        label=_lazy("What the government says"), max_length=5000, widget=forms.Textarea({"rows": 3})
    )
    source = forms.CharField(label=_lazy("Source"), max_length=300)
    url = forms.URLField(
        label=_lazy("Web address"), required=False, max_length=500, assume_scheme="https"
    )


class ClassificationForm(forms.Form):
    primary_group = forms.ChoiceField(label=_lazy("Group"), required=False)
    themes = forms.MultipleChoiceField(
        label=_lazy("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    action_category = forms.ChoiceField(
        label=_lazy("Action category"), required=False, choices=[("", "—"), *ACTION_CHOICES]
    )
    reason = forms.CharField(label=_lazy("Why"), max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_group"].choices = [("", _lazy("none")), *_group_choices()]  # type: ignore[attr-defined]
        self.fields["themes"].choices = _theme_choices()  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    direction = forms.ChoiceField(
        label=_lazy("This recommendation"),
        choices=[
            ("earlier", _lazy("repeats an earlier one")),
            ("later", _lazy("is repeated by a later one")),
        ],
    )
    document = forms.CharField(label=_lazy("Document"), max_length=40)
    number = forms.CharField(label=_lazy("Paragraph"), max_length=20)
    note = forms.CharField(label=_lazy("Note"), required=False, max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label=_lazy("File"))
    source = forms.ChoiceField(
        label=_lazy("Format"),
        required=False,
        choices=[
            ("", _lazy("detect from the content")),
            ("uhri", _lazy("Universal Human Rights Index export (xlsx or csv)")),
            ("upr-info", _lazy("UPR Info style CSV")),
            ("csv", _lazy("gbvwatch CSV")),
            ("report-text", _lazy("Report text from pdftotext")),
            ("responses", _lazy("Responses of the State (CSV)")),
        ],
    )
    cycle = forms.IntegerField(label=_lazy("Cycle"), required=False, min_value=1, max_value=99)
    document = forms.CharField(label=_lazy("Document symbol"), required=False, max_length=40)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)d bytes.") % {"n": settings.IMPORT_MAX_BYTES}
            )
        data: bytes = upload.read()
        return data
