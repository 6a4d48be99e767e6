"""The document as one self-contained HTML page: charts inline as SVG (PNG in the PDF), notes at
the end."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from gbvwatch.analysis.charts import Chart
from gbvwatch.reports.document import Document, Note, note_lines

SLIDE_CHART_SCALE = 0.6  # a slide holds its lines and up to two charts on one A4 page


def _charts(
    keys: Sequence[str], charts: Mapping[str, Chart], *, as_image: bool, scale: float = 1.0
) -> list[Any]:
    """The charts of a section that exist; inline SVG, or for the PDF their PNG as <img> data
    URIs: the same drawing (texts are glyph outlines in both), laid out about three times
    faster by WeasyPrint than the map's SVG paths."""
    out = []
    for key in keys:
        chart = charts.get(key)
        if chart is None:
            continue
        src = ""
        if as_image:
            src = f"data:image/png;base64,{base64.b64encode(chart.png).decode('ascii')}"
        out.append(
            {
                "key": key,
                "title": chart.title,
                "alt": chart.alt,
                "source_note": chart.source_note,
                # The SVG is drawn by gbvwatch.analysis.charts (matplotlib escapes its texts).
                "svg": mark_safe(chart.svg),  # noqa: S308
                "src": src,
                "width_mm": f"{chart.width_mm * scale:.1f}",
            }
        )
    return out


def _note(note: Note) -> dict[str, Any]:
    # Sources are shown as links, so the plain-text line of sources is left out here.
    lines = note_lines(note, sources=False)
    if note.source.sources:
        lines.append(_("Sources:"))
    return {"number": note.number, "lines": lines, "sources": note.source.sources}


def html_render(doc: Document, charts: Mapping[str, Chart], *, for_pdf: bool = False) -> str:
    """The HTML page of a document (UTF-8 text); charts missing from `charts` are left out."""
    with translation.override(doc.language):
        context = {
            "doc": doc,
            "sections": [
                {"section": s, "charts": _charts(s.charts, charts, as_image=for_pdf)}
                for s in doc.sections
            ],
            "slides": [
                {
                    "slide": s,
                    "charts": _charts(s.charts, charts, as_image=for_pdf, scale=SLIDE_CHART_SCALE),
                }
                for s in doc.slides
            ],
            "notes": [_note(n) for n in doc.notes],
        }
        return render_to_string("reports/report.html", context)
