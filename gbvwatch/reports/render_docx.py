"""The document as a Word file (python-docx): real headings and lists, a table of figures,
note numbers in superscript and a numbered "Sources and notes" section, charts as PNG."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from gbvwatch.analysis.charts import Chart
from gbvwatch.reports.document import (
    Block,
    Bullets,
    Document,
    FigureTable,
    Text,
    note_lines,
)

MAX_WIDTH_MM = 170.0


def _text(paragraph: Paragraph, text: Text) -> None:
    paragraph.add_run(text.text)
    if text.notes:
        run = paragraph.add_run(",".join(str(n) for n in text.notes))
        run.font.superscript = True


def _table(docx: DocxDocument, block: FigureTable) -> None:
    docx.add_paragraph(block.caption).runs[0].bold = True
    table = docx.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, (_("Figure"), _("Value"), _("Note")), strict=True):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    for row in block.rows:
        value = f"{row.text} {row.unit}".strip() + (f" ({row.missing})" if row.missing else "")
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = row.label, value, str(row.note)


def _block(docx: DocxDocument, block: Block) -> None:
    if isinstance(block, Text):
        _text(docx.add_paragraph(), block)
    elif isinstance(block, Bullets):
        for item in block.items:
            _text(docx.add_paragraph(style="List Bullet"), item)
    else:
        _table(docx, block)


def _charts(docx: DocxDocument, keys: Sequence[str], charts: Mapping[str, Chart]) -> None:
    for key in keys:
        chart = charts.get(key)
        if chart is None:
            continue
        docx.add_picture(io.BytesIO(chart.png), width=Mm(min(chart.width_mm, MAX_WIDTH_MM)))
        caption = docx.add_paragraph()
        caption.add_run(f"{chart.title}. ").bold = True
        caption.add_run(chart.source_note).font.size = Pt(8)


def docx_render(doc: Document, charts: Mapping[str, Chart]) -> bytes:
    """The .docx file of a document."""
    with translation.override(doc.language):
        docx = new_docx()
        docx.core_properties.title = doc.title
        docx.core_properties.language = doc.language
        docx.add_heading(doc.title, level=0)
        meta = docx.add_paragraph(f"{doc.kind_label} · {doc.year} · ")
        meta.add_run(_("generated %(when)s") % {"when": doc.created_at})
        docx.add_paragraph(f"{_('Data hash (SHA-256 of the frozen inputs)')}: {doc.data_hash}")
        if doc.spoken_minutes:
            docx.add_paragraph(
                _("Spoken length: about %(minutes)s minutes (%(words)s words).")
                % {"minutes": doc.spoken_minutes, "words": doc.words}
            )
        for section in doc.sections:
            docx.add_heading(section.title, level=1)
            for block in section.blocks:
                _block(docx, block)
            _charts(docx, section.charts, charts)
        if doc.slides:
            docx.add_heading(_("Slides"), level=1)
            for slide in doc.slides:
                docx.add_heading(slide.title, level=2)
                _block(docx, Bullets(slide.items))
                _charts(docx, slide.charts, charts)
        docx.add_heading(_("Sources and notes"), level=1)
        for note in doc.notes:
            paragraph = docx.add_paragraph()
            paragraph.add_run(f"{note.number}. ").bold = True
            paragraph.add_run(" ".join(note_lines(note))).font.size = Pt(9)
        out = io.BytesIO()
        docx.save(out)
        return out.getvalue()
