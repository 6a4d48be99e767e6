"""The evidence upload form: a file, a description, and the hash-only choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _lazy

DESCRIPTION_LIMIT = 5_000


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_lazy("File"),
        help_text=_lazy(
            "Kept unchanged and encrypted; its SHA-256 fingerprint is computed on arrival. "
            "Its name is kept only encrypted."
        ),
        allow_empty_file=False,
    )
    description = forms.CharField(
        label=_lazy("Description"),
        help_text=_lazy("Encrypted. What the file shows, where it comes from."),
        required=False,
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    hash_only = forms.BooleanField(
        label=_lazy("Keep only the fingerprint and the description, never the file"),
        help_text=_lazy("For leaked intimate images: the file itself is not stored anywhere."),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.EVIDENCE_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _lazy("The file is larger than %(limit)s."),
                params={"limit": filesizeformat(limit)},
            )
        return upload
