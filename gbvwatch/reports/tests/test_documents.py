"""The statement built from the shipped dataset and the coalition's cases, in every format and
language, each figure with its source note; snapshots render from their frozen inputs only."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from docx import Document as open_docx
from PIL import Image

from gbvwatch.core.actions import ActionError
from gbvwatch.directory.models import Service
from gbvwatch.reference.models import KeyFigure
from gbvwatch.reports.actions import report_create, report_snapshot_create
from gbvwatch.reports.inputs import data_hash
from gbvwatch.reports.render import report_render, snapshot_document

AZERBAIJANI_LETTERS = ("ə", "ş", "ğ", "ı", "İ")  # noqa: RUF001


def _snapshot(world: dict[str, Any], kind: str = "statement", language: str = "en") -> Any:
    user = world["analyst"].user
    report = report_create(user=user, kind=kind, language=language, title="UPR", year=2023)
    return report_snapshot_create(user=user, report=report)


def _paragraph(markdown: str, needle: str) -> str:
    """The line of the Markdown text that contains `needle` (exactly one)."""
    lines = [line for line in markdown.splitlines() if needle in line]
    assert len(lines) >= 1, needle
    return lines[0]


def _notes(markdown: str) -> dict[str, str]:
    return dict(re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, flags=re.MULTILINE))


def test_statement_quotes_the_figures_computed_from_data_each_with_its_source_note(world):
    snapshot = _snapshot(world)
    text = report_render(snapshot, fmt="md")[0].decode()
    notes = _notes(text)
    expected = {
        "GBV recommendations by group": "received 6 recommendations on gender-based violence",
        "group": "- 3: Legal reform and National Action Plan",
        "group 2": "- 3: Violence against women",
        "shelter places vs required, ratio": "Only 175 survivors of domestic violence can be "
        "sheltered at one time, against 1,025 places that the minimum standard requires for "
        "the population: 5.9 times fewer",
        "cities with shelters": "located only in Baku and Ganja.",
        "farthest district": "Survivors from Astara District have to travel about 300 km",
        "holiday gap": "the longest stretch without it lasted 9 days, from March 18, 2023",
        "attacks and impunity": "documented 15 digital attacks against activists. Of 15 "
        "complaints filed with the authorities and platforms, 100% have had no outcome",
    }
    for what, needle in expected.items():
        line = _paragraph(text, needle)
        marks = re.findall(r"\[\^(\d+)\]", line)
        assert marks, f"{what}: no note"
        for mark in marks:
            assert "Inputs:" in notes[mark] and "Sources:" in notes[mark], what
    assert "Assumptions:" in notes[re.findall(r"\[\^(\d+)\]", _paragraph(text, "Astara"))[0]]
    doc = snapshot_document(snapshot, language="en")
    assert doc.spoken_minutes is not None and 3 <= doc.spoken_minutes <= 7
    assert [s.key for s in doc.slides] == ["received", "shelters", "forensic", "attacks", "ours"]
    # The snapshot renders from what was frozen, not from today's data.
    KeyFigure.objects.filter(indicator="shelter_places_claimed").update(value=999)
    Service.objects.filter(kind="shelter_dv").delete()
    again = report_render(snapshot, fmt="md")[0].decode()
    assert "Only 175 survivors" in again and "Baku and Ganja" in again
    assert data_hash(snapshot.inputs) == snapshot.data_hash


def _pdf_text_and_pages(pdf: bytes, tmp_path: Path) -> tuple[str, list[float]]:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(source), str(tmp_path / "page")],
                   check=True)  # fmt: skip
    variances = [
        float(np.asarray(Image.open(p).convert("L"), dtype=np.float64).var())
        for p in sorted(tmp_path.glob("page*.png"))
    ]
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    return text, variances


def _docx_text(data: bytes) -> str:
    docx = open_docx(io.BytesIO(data))
    cells = [c.text for t in docx.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in docx.paragraphs] + cells)


def test_pdf_pages_are_drawn_with_azerbaijani_text_and_word_has_the_same_figures(world, tmp_path):
    snapshot = _snapshot(world, kind="statement", language="az")
    pdf, content_type, name = report_render(snapshot, fmt="pdf")
    assert content_type == "application/pdf" and name.endswith(".pdf") and pdf[:5] == b"%PDF-"
    text, variances = _pdf_text_and_pages(pdf, tmp_path)
    assert len(variances) >= 2 and min(variances) > 50, variances
    for letter in AZERBAIJANI_LETTERS:
        assert letter in text, letter
    docx_bytes = report_render(snapshot, fmt="docx")[0]
    docx = _docx_text(docx_bytes)
    html = report_render(snapshot, fmt="html")[0].decode()
    md = report_render(snapshot, fmt="md")[0].decode()
    doc = snapshot_document(snapshot, language="az")
    figures = doc.figures
    # Every chart of the statement and its slides: inline SVG in HTML, a PNG picture in Word.
    charts = doc.chart_keys()
    assert len(charts) == 5 and html.count("<svg") == len(charts)
    assert all(f'id="chart-{key}"' in html for key in charts)
    assert len(open_docx(io.BytesIO(docx_bytes)).inline_shapes) == len(charts)
    flat_pdf = " ".join(text.split())
    for key in ("shelter_places", "shelter_places_required", "shelter_ratio", "shelter_cities",
                "farthest_district", "farthest_district_km", "forensic_gap_days",
                "attacks_total", "impunity_rate", "upr_gbv_total"):  # fmt: skip
        shown = figures[key].text
        assert shown in docx and shown in md and shown in html, key
        assert " ".join(shown.split()) in flat_pdf, key
    assert "Bakı şəhəri" in docx  # noqa: RUF001


def test_every_kind_renders_in_every_language_and_format(world):
    headings = {
        "en": "Sources and notes",
        "az": "Mənbələr və qeydlər",
        "ru": "Источники и примечания",
    }
    for kind in ("statement", "shadow", "factsheet"):
        snapshot = _snapshot(world, kind=kind)
        for language, heading in headings.items():
            md = report_render(snapshot, fmt="md", language=language)[0].decode()
            html = report_render(snapshot, fmt="html", language=language)[0].decode()
            assert heading in md and heading in html, (kind, language)
            assert f'<html lang="{language}">' in html
            docx = report_render(snapshot, fmt="docx", language=language)[0]
            assert zipfile.is_zipfile(io.BytesIO(docx)) and heading in _docx_text(docx)
            if kind == "statement":  # PDF is slower: one kind is enough for every language
                assert report_render(snapshot, fmt="pdf", language=language)[0][:5] == b"%PDF-"
    with pytest.raises(ActionError, match="format"):
        report_render(snapshot, fmt="odt")
    with pytest.raises(ActionError, match="language"):
        report_render(snapshot, fmt="md", language="fr")


@pytest.mark.django_db
def test_command_writes_the_file_prints_the_hash_and_names_bad_arguments(tmp_path):
    out = io.StringIO()
    call_command("report", "--type", "factsheet", "--lang", "ru", "--format", "md",
                 "-o", str(tmp_path / "f.md"), "--year", "2023",
                 "--save-inputs", str(tmp_path / "inputs.json"), stdout=out)  # fmt: skip
    digest = re.search(r"data hash \(SHA-256\): ([0-9a-f]{64})", out.getvalue())
    assert digest is not None
    import hashlib

    assert hashlib.sha256((tmp_path / "inputs.json").read_bytes()).hexdigest() == digest[1]
    assert digest[1] in (tmp_path / "f.md").read_text("utf-8")
    with pytest.raises(CommandError, match="year"):
        call_command("report", "--type", "shadow", "--lang", "en", "--format", "md",
                     "-o", str(tmp_path / "x.md"), "--year", "1800")  # fmt: skip
    with pytest.raises(CommandError, match="does not exist"):
        call_command("report", "--type", "shadow", "--lang", "en", "--format", "md",
                     "-o", str(tmp_path / "missing" / "x.md"))  # fmt: skip
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("report", "--type", "memo", "--lang", "en", "--format", "md", "-o", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.md", "inputs.json"]
    folder = tmp_path / "md"
    folder.mkdir()
    call_command("report", "--type", "factsheet", "--lang", "az", "--format", "md",
                 "-o", str(folder), "--year", "2023", stdout=io.StringIO())  # fmt: skip
    (md,) = folder.glob("*.md")
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert pngs and all(f"]({name})" in md.read_text("utf-8") for name in pngs)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in folder.glob("*.png"))
