"""Rendering a snapshot in a format and language, from its frozen inputs only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.reports.document import ChartLike, Document, document_build
from gbvwatch.reports.models import ReportSnapshot

# Format -> (content type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "html": ("text/html; charset=utf-8", "html"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


def format_check(fmt: Any, language: Any) -> tuple[str, str]:
    """A known format and language, or ActionError naming the bad one."""
    if fmt not in FORMATS:
        raise ActionError(_("format: choose one of %(formats)s.") % {"formats": ", ".join(FORMATS)})
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise ActionError(_("language: choose one of %(codes)s.") % {"codes": ", ".join(languages)})
    return str(fmt), str(language)


# Drawn charts by (data hash, language, keys): the hash names the frozen inputs exactly, so a
# snapshot rendered in several formats is drawn once. Small: each entry holds a few PNGs.
_CHART_CACHE: OrderedDict[tuple[str, str, tuple[str, ...]], dict[str, ChartLike]] = OrderedDict()
CHART_CACHE_SIZE = 6
_CHART_LOCK = threading.Lock()


def charts_for(
    inputs: Mapping[str, Any], keys: Sequence[str], *, language: str, data_hash: str = ""
) -> dict[str, ChartLike]:
    """The charts of `keys` drawn from the frozen inputs, with texts in `language`; kept in a
    small in-process cache when `data_hash` (the inputs' hash) is given."""
    cache_key = (data_hash, language, tuple(keys))
    with _CHART_LOCK:
        if data_hash and cache_key in _CHART_CACHE:
            _CHART_CACHE.move_to_end(cache_key)
            return _CHART_CACHE[cache_key]
    charts = _draw(inputs, keys, language=language)
    if data_hash:
        with _CHART_LOCK:
            _CHART_CACHE[cache_key] = charts
            while len(_CHART_CACHE) > CHART_CACHE_SIZE:
                _CHART_CACHE.popitem(last=False)
    return charts


def _draw(inputs: Mapping[str, Any], keys: Sequence[str], *, language: str) -> dict[str, ChartLike]:
    try:
        from gbvwatch.reports.charts import report_charts
    except ImportError:  # the charts module lands from its own branch
        return {}
    with translation.override(language):
        charts: dict[str, ChartLike] = report_charts(
            gaps=inputs.get("gaps") or {},
            upr=inputs.get("upr") or {},
            stats=inputs.get("stats") or {},
            services=inputs.get("services") or [],
            keys=keys,
        )
    return charts


def document_render(
    doc: Document,
    charts: Mapping[str, ChartLike],
    fmt: str,
    *,
    chart_files: Mapping[str, str] | None = None,
) -> bytes:
    """The bytes of a document in one of FORMATS (Markdown may link chart files)."""
    if fmt == "html":
        from gbvwatch.reports.render_html import html_render

        return html_render(doc, charts).encode("utf-8")
    if fmt == "md":
        from gbvwatch.reports.render_md import markdown_render

        return markdown_render(doc, charts, chart_files).encode("utf-8")
    if fmt == "pdf":
        from gbvwatch.reports.render_pdf import pdf_render

        return pdf_render(doc, charts)
    from gbvwatch.reports.render_docx import docx_render

    return docx_render(doc, charts)


def snapshot_document(snapshot: ReportSnapshot, *, language: str) -> Document:
    """The document of a snapshot: frozen inputs, and the title and narrative frozen with it."""
    report, params = snapshot.report, snapshot.parameters
    return document_build(
        kind=report.kind,
        language=language,
        title=params.get("title") or report.title,
        year=int(params.get("year") or report.year),
        narrative=params.get("narrative") or {},
        inputs=snapshot.inputs,
        data_hash=snapshot.data_hash,
        created_at=snapshot.created_at,
    )


def file_name(title: str, data_hash: str, language: str, fmt: str) -> str:
    """A safe download name: the title as a slug, language, the first 8 hex of the hash."""
    stem = slugify(title)[:60] or "report"
    return f"{stem}-{language}-{data_hash[:8]}.{FORMATS[fmt][1]}"


def report_render(
    snapshot: ReportSnapshot, *, fmt: str, language: str | None = None, user: Any = None
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of a snapshot in a format and language (the report's
    by default). Reads only the snapshot; with `user`, the rendering is audited."""
    report = snapshot.report
    fmt, language = format_check(fmt, language or report.language)
    doc = snapshot_document(snapshot, language=language)
    charts = charts_for(
        snapshot.inputs, doc.chart_keys(), language=language, data_hash=snapshot.data_hash
    )
    data = document_render(doc, charts, fmt)
    if user is not None:
        with transaction.atomic():
            audit_append(
                actor=user,
                action="report.render",
                obj=snapshot,
                organisation_id=report.organisation_id,
                details={"format": fmt, "language": language, "data_hash": snapshot.data_hash},
            )
    return data, FORMATS[fmt][0], file_name(doc.title, snapshot.data_hash, language, fmt)
