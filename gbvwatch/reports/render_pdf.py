"""The document as PDF, through WeasyPrint from the HTML page, with DejaVu Sans embedded.

The font files are the ones matplotlib ships (the locked dependency), named through
@font-face, so the PDF has the Azerbaijani letters (schwa, g-breve, dotless i, dotted capital
I, s-cedilla) whatever fonts the system has."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gbvwatch.analysis.charts import Chart
from gbvwatch.reports.document import Document
from gbvwatch.reports.render_html import html_render

FONT_FACES = (
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
)


def font_dir() -> Path:
    """The folder of the DejaVu TTF files that matplotlib ships."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font_css() -> str:
    """@font-face rules for DejaVu Sans from matplotlib's files, and the body font."""
    rules = [
        f'@font-face {{ font-family: "DejaVu Sans"; src: url("{(font_dir() / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in FONT_FACES
    ]
    rules.append('body, h1, h2, h3, table, figcaption { font-family: "DejaVu Sans"; }')
    return "\n".join(rules)


def pdf_render(doc: Document, charts: Mapping[str, Chart]) -> bytes:
    """The PDF of a document (A4, page numbers, charts as vector images)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    html = html_render(doc, charts, for_pdf=True)
    pdf: bytes = HTML(string=html, base_url=str(font_dir())).write_pdf(
        stylesheets=[CSS(string=font_css(), font_config=fonts)], font_config=fonts
    )
    return pdf
