"""Forms of the report pages: a new report, its narrative blocks, and a download."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gbvwatch.reports.actions import FIRST_YEAR, TITLE_MAX_CHARS
from gbvwatch.reports.kinds import (
    NARRATIVE_LABELS,
    NARRATIVE_MAX_CHARS,
    narrative_defaults,
    narrative_keys,
)
from gbvwatch.reports.models import Report, ReportKind
from gbvwatch.reports.render import FORMATS


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise forms.ValidationError(_("Contains a NUL character, which nothing accepts."))


class ReportCreateForm(forms.Form):
    """Type, language, year and an optional title of a new report."""

    kind = forms.ChoiceField(label=_("Type"), choices=ReportKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    year = forms.IntegerField(label=_("Report year"), min_value=FIRST_YEAR)
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_CHARS,
        required=False,
        validators=[_no_nul],
        help_text=_("Leave empty for the type and year."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.IntegerField)
        year_field.max_value = this_year
        year_field.validators.append(MaxValueValidator(this_year))
        year_field.initial = this_year - 1


class NarrativeForm(forms.Form):
    """One text area per narrative block of the report's kind, holding the saved text or,
    when none is saved, the default in the report's language."""

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = narrative_defaults(report.language)
        for key in narrative_keys(report.kind):
            self.fields[key] = forms.CharField(
                label=str(NARRATIVE_LABELS[key]),
                required=False,
                max_length=NARRATIVE_MAX_CHARS,
                validators=[_no_nul],
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=report.narrative.get(key) or defaults[key],
                help_text=_(
                    "Paragraphs are separated by an empty line; lines that start with “- ” "
                    "are list items. Empty: the default text."
                ),
            )


class DownloadForm(forms.Form):
    """A format and a language to render a snapshot in."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", "PDF"), ("docx", _("Word")), ("html", "HTML"), ("md", "Markdown")],
    )
    lang = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_format(self) -> str:
        value = str(self.cleaned_data["format"])
        assert value in FORMATS
        return value
