"""Pages to download the directory and geography as CSV / GeoJSON, and to import files."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.core.access import active_membership, has_permission, member_required
from gbvwatch.core.audit import audit_append
from gbvwatch.directory.exporters import services_export
from gbvwatch.directory.importers import services_import
from gbvwatch.geography.exporters import boundaries_export, settlements_export, units_export
from gbvwatch.geography.importers import (
    ImportRejected,
    boundaries_import,
    settlements_import,
    units_import,
)

# what -> {format -> producer}; members with the export permission see confidential addresses.
EXPORTS: dict[str, dict[str, Callable[[], str]]] = {
    "services": {
        "csv": lambda: services_export(fmt="csv", include_confidential=True),
        "geojson": lambda: services_export(fmt="geojson", include_confidential=True),
    },
    "services-public": {
        "csv": lambda: services_export(fmt="csv", include_confidential=False),
        "geojson": lambda: services_export(fmt="geojson", include_confidential=False),
    },
    "units": {"csv": lambda: units_export("csv"), "geojson": lambda: units_export("geojson")},
    "boundaries": {"geojson": boundaries_export},
    "settlements": {
        "csv": lambda: settlements_export("csv"),
        "geojson": lambda: settlements_export("geojson"),
    },
}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label=_lazy("What the file holds"),
        choices=[
            ("services", _lazy("Services (CSV or GeoJSON)")),
            ("units", _lazy("Administrative units (CSV or GeoJSON points)")),
            ("boundaries", _lazy("Boundaries (GeoJSON polygons with unit_code)")),
            ("settlements", _lazy("Settlements (CSV or GeoJSON points)")),
        ],
    )
    file = forms.FileField(label=_lazy("File"))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(size)s.")
                % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        data: bytes = upload.read()
        return data


@member_required("data.export")
def data_page(request: HttpRequest) -> HttpResponse:
    """Download links for every export, and the import form for coordinators."""
    context = {
        "exports": EXPORTS,
        "can_import": has_permission(request.user, "data.import"),
        "form": ImportForm(),
    }
    return render(request, "directory/data.html", context)


@member_required("data.export")
def data_export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """One export file, served as a download; the export is recorded in the audit log."""
    producer = EXPORTS.get(what, {}).get(fmt)
    if producer is None:
        raise Http404
    text = producer()
    membership = active_membership(request.user)
    with transaction.atomic():
        audit_append(
            actor=request.user,
            action="data.export",
            organisation_id=membership.organisation_id if membership else None,
            details={"what": what, "format": fmt},
        )
    response = HttpResponse(text, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{what}.{fmt}"'
    return response


@member_required("data.import")
def data_import(request: HttpRequest) -> HttpResponse:
    """Import one file, all or nothing; every problem is listed with its line and field."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"exports": EXPORTS, "can_import": True, "form": form}
    if request.method == "POST" and form.is_valid():
        data, what = form.cleaned_data["file"], form.cleaned_data["what"]
        name = getattr(request.FILES.get("file"), "name", None) or "upload"
        membership = active_membership(request.user)
        try:
            if what == "services":
                org = membership.organisation if membership else None
                result = services_import(data, name=name, actor=request.user, organisation=org)
            elif what == "units":
                result = units_import(data, name=name, actor=request.user)
            elif what == "boundaries":
                result = boundaries_import(data, name=name, actor=request.user)
            else:
                result = settlements_import(data, name=name, actor=request.user)
        except ImportRejected as exc:
            context["problems"] = [str(p) for p in exc.problems]
            return render(request, "directory/data.html", context, status=400)
        context["result"] = result
        context["form"] = ImportForm()
    return render(request, "directory/data.html", context)
