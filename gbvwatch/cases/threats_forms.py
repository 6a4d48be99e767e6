"""Forms of threat sharing and evidence bundles: choices, TLP, re-entered password, upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.cases.threats_stix import DEFAULT_TLP

TLP_CHOICES = [
    ("clear", _lazy("TLP:CLEAR (WHITE) - may be published")),
    ("green", _lazy("TLP:GREEN - the community, not published")),
    ("amber", _lazy("TLP:AMBER - the recipient's organisation and its clients only")),
    ("red", _lazy("TLP:RED - the named recipients only")),
]


class _Reauthenticate(forms.Form):
    your_password = forms.CharField(
        label=_lazy("Your password (to confirm this export)"),
        widget=forms.PasswordInput,
        max_length=1024,
        required=False,
    )


class StixExportForm(_Reauthenticate):
    attacks = forms.MultipleChoiceField(
        label=_lazy("Attacks to share"), widget=forms.CheckboxSelectMultiple
    )
    tlp = forms.ChoiceField(label=_lazy("Marking"), choices=TLP_CHOICES, initial=DEFAULT_TLP)

    def __init__(self, *args: Any, attacks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attacks"].choices = [  # type: ignore[attr-defined]
            (
                str(a.pk),
                f"{a.target_pseudonym} · {a.started_on or '—'} · {a.get_platform_display()}",
            )
            for a in attacks
        ]


class EvidenceBundleForm(_Reauthenticate):
    evidence = forms.MultipleChoiceField(
        label=_lazy("Evidence to put in the bundle"), widget=forms.CheckboxSelectMultiple
    )
    understood = forms.BooleanField(
        label=_lazy("I understand that the zip is not encrypted."), required=True
    )

    def __init__(self, *args: Any, evidence: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [  # type: ignore[attr-defined]
            (str(e.pk), f"{str(e.pk)[:8]} · {e.content_type} · {e.sha256[:16]}…") for e in evidence
        ]


class MvtImportForm(forms.Form):
    file = forms.FileField(
        label=_lazy("MVT JSON file"),
        help_text=_lazy("A *_detected.json file or alerts.json from MVT's output folder."),
        allow_empty_file=False,
    )
    description = forms.CharField(
        label=_lazy("Description"),
        help_text=_lazy("Encrypted. Which phone was checked, when and by whom."),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
