"""The document as Markdown: footnotes as [^n], charts as image links to files written beside
it, or, without files, left out with their alt text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils import translation
from django.utils.translation import gettext as _

from gbvwatch.analysis.charts import Chart
from gbvwatch.reports.document import Block, Bullets, Document, Text, note_lines


def _marks(notes: Sequence[int]) -> str:
    return "".join(f"[^{n}]" for n in notes)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _block(block: Block) -> list[str]:
    if isinstance(block, Text):
        return [block.text + _marks(block.notes), ""]
    if isinstance(block, Bullets):
        return [*(f"- {item.text}{_marks(item.notes)}" for item in block.items), ""]
    lines = [f"**{block.caption}**", "", f"| {_('Figure')} | {_('Value')} | {_('Note')} |"]
    lines.append("| --- | --- | --- |")
    for row in block.rows:
        value = f"{row.text} {row.unit}".strip()
        if row.missing:
            value += f" ({row.missing})"
        lines.append(f"| {_cell(row.label)} | {_cell(value)} | [^{row.note}] |")
    return [*lines, ""]


def _charts(
    keys: Sequence[str], charts: Mapping[str, Chart], files: Mapping[str, str] | None
) -> list[str]:
    lines = []
    for key in keys:
        chart = charts.get(key)
        if chart is None:
            continue
        if files and key in files:
            lines += [f"![{_cell(chart.alt)}]({files[key]})", "", f"*{chart.title}.* "
                      f"{chart.source_note}", ""]  # fmt: skip
        else:
            lines += [f"> {_('Chart')}: {chart.title}. {chart.alt}", ""]
    return lines


def markdown_render(
    doc: Document, charts: Mapping[str, Chart], chart_files: Mapping[str, str] | None = None
) -> str:
    """Markdown text of the document; `chart_files` maps chart keys to relative file names."""
    with translation.override(doc.language):
        generated = _("generated %(when)s") % {"when": doc.created_at}
        hash_label = _("Data hash (SHA-256 of the frozen inputs)")
        out = [f"# {doc.title}", "", f"{doc.kind_label} · {doc.year} · {generated}", "",
               f"{hash_label}: `{doc.data_hash}`", ""]  # fmt: skip
        if doc.spoken_minutes:
            out += [_("Spoken length: about %(minutes)s minutes (%(words)s words).")
                    % {"minutes": doc.spoken_minutes, "words": doc.words}, ""]  # fmt: skip
        for section in doc.sections:
            out += [f"## {section.title}", ""]
            for block in section.blocks:
                out += _block(block)
            out += _charts(section.charts, charts, chart_files)
        if doc.slides:
            out += [f"## {_('Slides')}", ""]
            for slide in doc.slides:
                out += [f"### {slide.title}", "", *_block(Bullets(slide.items))]
                out += _charts(slide.charts, charts, chart_files)
        out += [f"## {_('Sources and notes')}", ""]
        for note in doc.notes:
            out.append(f"[^{note.number}]: " + " ".join(note_lines(note)))
        return "\n".join(out).rstrip() + "\n"
