"""Importing UPR recommendations: the shipped file, report text, UHRI and UPR Info exports,
detection, idempotent re-import, and whole-file rejection with the line named."""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gbvwatch.core.models import AuditEntry
from gbvwatch.geography.importers import ImportRejected
from gbvwatch.upr.importers import (
    Options,
    recommendations_import,
    recommendations_parse,
    source_detect,
    states_from_text,
)
from gbvwatch.upr.models import Recommendation

SHIPPED = Path(__file__).resolve().parents[2] / "datasets" / "az" / "upr_aze_cycle2.csv"


def _shipped_rows() -> list[dict[str, str]]:
    with SHIPPED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _report_text(rows: list[dict[str, str]], lead: str) -> str:
    """The rows laid out as pdftotext gives a Working Group report: page headers and numbers,
    a lead paragraph, each recommendation wrapped over indented lines, text after the list."""
    symbol = rows[0]["document"]
    lines = [symbol, "", "GE.13-15184", "", *textwrap.wrap(f"109. {lead}", width=80), ""]
    for i, row in enumerate(rows):
        if i and i % 12 == 0:  # a page break: footer number, form feed, running header
            lines += ["", str(20 + i // 12), "\f" + symbol, ""]
        wrapped = textwrap.wrap(
            f"{row['rec_id']}  {row['text']}",
            width=76,
            initial_indent="         ",
            subsequent_indent="               ",
        )
        lines += [*wrapped, ""]
    lines += [
        "110. All conclusions and/or recommendations contained in the present report reflect",
        "the position of the submitting State(s) and/or the State under review.",
    ]
    return "\n".join(lines) + "\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_shipped_second_cycle_file_gives_162_recommendations_and_reimport_changes_nothing():
    call_command("upr", "import", str(SHIPPED), stdout=io.StringIO())
    assert Recommendation.objects.filter(country="AZ", cycle=2).count() == 162
    before = list(Recommendation.objects.order_by("pk").values())
    out = io.StringIO()
    call_command("upr", "import", str(SHIPPED), "--format", "json", stdout=out)
    assert '"unchanged": 162' in out.getvalue()
    assert list(Recommendation.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.filter(action="upr.import").count() == 2


@pytest.mark.django_db
def test_report_text_reproduces_the_csv_ids_states_and_texts():
    rows = _shipped_rows()
    lead = (
        "The following recommendations will be examined by Azerbaijan, which will provide "
        "responses in due time, but no later than the twenty-fourth session:"
    )
    data = _report_text(rows, lead).encode()
    assert source_detect(data) == "report-text"
    items = recommendations_parse(data, source="report-text", options=Options("AZ", 2))
    got = [
        (
            i.fields["document"],
            i.fields["number"],
            i.fields["recommending_states"],
            i.fields["text"],
        )
        for i in items
    ]
    want = [
        (
            r["document"],
            r["rec_id"],
            "; ".join(s.strip() for s in r["recommending_states"].split(";")),
            r["text"],
        )
        for r in rows
    ]
    assert got == want
    assert all(i.response is None for i in items)  # "will be examined": no position yet


@pytest.mark.django_db
def test_report_text_after_the_csv_leaves_everything_unchanged():
    rows = _shipped_rows()
    call_command("upr", "import", str(SHIPPED), stdout=io.StringIO())
    data = _report_text(rows, "The following recommendations will be examined by Azerbaijan:")
    _source, result = recommendations_import(
        data.encode(), name="report.txt", actor="test", cycle=2
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 162)


def test_multi_state_endings_and_state_names_with_parentheses():
    text = (
        "Ratify the Istanbul Convention (Norway); (Spain); ratify the Optional Protocol "
        "(Bolivia (Plurinational State of), Chile)."
    )
    assert states_from_text(text) == [
        "Norway",
        "Spain",
        "Bolivia (Plurinational State of)",
        "Chile",
    ]
    assert states_from_text("Ratify CPED (Brazil, Chile);") == ["Brazil", "Chile"]


@pytest.mark.django_db
def test_report_lead_paragraph_gives_the_response():
    text = (
        "A/HRC/39/14\n"
        "140. The recommendations formulated during the interactive dialogue and listed\n"
        "below have been examined by Azerbaijan and enjoy its support:\n"
        "   140.1 Ratify the Istanbul Convention (Norway); (Spain);\n"
        "141. The following recommendations did not enjoy the support of Azerbaijan and\n"
        "would thus be noted:\n"
        "   141.1 Decriminalize defamation and adopt a law on access to public informa-\n"
        "   tion (Estonia);\n"
    )
    items = recommendations_parse(text.encode(), source="report-text", options=Options("AZ", 3))
    assert [(i.fields["number"], i.response) for i in items] == [
        ("140.1", "supported"),
        ("141.1", "noted"),
    ]
    assert items[0].fields["recommending_states"] == "Norway; Spain"
    assert items[0].fields["document"] == "A/HRC/39/14"
    assert "public informa-tion" in items[1].fields["text"]


@pytest.mark.django_db
def test_uhri_xlsx_export_is_detected_and_imported_with_cycle_from_the_session():
    data = _xlsx(
        [
            [
                "Text",
                "Countries concerned",
                "Recommending Body/State",
                "Document symbol",
                "Session",
                "Position",
                "Themes",
            ],
            [
                "140.1 Ratify the Istanbul Convention (Norway);",
                "Azerbaijan",
                "Norway",
                "A/HRC/39/14",
                "30",
                "Supported",
                "Women's rights",
            ],
            [
                "140.2 Criminalize marital rape (Canada);",
                "Azerbaijan",
                "Canada",
                "A/HRC/39/14",
                "30",
                "Noted",
                "Women's rights; Sexual violence",
            ],
        ]
    )
    assert source_detect(data) == "uhri"
    source, result = recommendations_import(data, name="uhri.xlsx", actor="test")
    assert (source, result.created) == ("uhri", 2)
    rec = Recommendation.objects.get(number="140.2")
    assert (rec.cycle, rec.response, rec.recommending_states) == (3, "noted", "Canada")
    assert rec.text == "Criminalize marital rape (Canada);"
    assert rec.primary_group == "legal_reform_nap"
    again = recommendations_import(data, name="uhri.xlsx", actor="test")[1]
    assert again.unchanged == 2


@pytest.mark.django_db
def test_upr_info_csv_without_paragraphs_gets_stable_keys():
    data = (
        b"State under Review,Recommending State,Recommendation,Response,Session,Issues,"
        b"Action Category\n"
        b'Azerbaijan,Iceland,"Ratify the Istanbul Convention",Supported,44,Women\'s rights,5\n'
        b'Azerbaijan,Chile,"Raise the minimum age of marriage to 18",Noted,44,Women\'s rights,5\n'
    )
    assert source_detect(data) == "upr-info"
    recommendations_import(data, name="upr-info.csv", actor="test", document="A/HRC/55/x")
    keys = sorted(Recommendation.objects.values_list("number", flat=True))
    assert all(k.startswith("#") and len(k) == 11 for k in keys)
    assert Recommendation.objects.get(recommending_states="Chile").cycle == 4
    result = recommendations_import(data, name="upr-info.csv", actor="test", document="A/HRC/55/x")[
        1
    ]
    assert result.unchanged == 2


def _rejected(data: bytes, **kwargs: object) -> str:
    with pytest.raises(ImportRejected) as caught:
        recommendations_import(data, name="bad", actor="test", **kwargs)  # type: ignore[arg-type]
    assert Recommendation.objects.count() == 0
    assert not AuditEntry.objects.filter(action="upr.import").exists()
    return str(caught.value)


@pytest.mark.django_db
def test_wrong_columns_are_rejected_naming_the_header_line():
    message = _rejected(
        b"cycle,document,rec_id,states,text,response,response_source\n", source="csv"
    )
    assert 'line 1, field "states"' in message
    assert 'field "recommending_states": the column is missing' in message
    uhri = _xlsx([["Country", "Remarks"], ["Azerbaijan", "x"]])
    assert "line 1: the uhri file lacks columns for: text" in _rejected(uhri, source="uhri")


@pytest.mark.django_db
def test_empty_text_is_rejected_with_its_line_and_nothing_is_written():
    rows = SHIPPED.read_text(encoding="utf-8").splitlines()
    lines = [*rows[:4], '2,A/HRC/24/13,109.999,Norway,"  ",supported,']
    message = _rejected("\n".join(lines).encode())
    assert 'line 5, field "text": a value is required' in message


@pytest.mark.django_db
def test_duplicate_ids_with_different_texts_are_rejected():
    data = (
        b"cycle,document,rec_id,recommending_states,text,response,response_source\n"
        b"2,A/HRC/24/13,109.1,Norway,Ratify the Istanbul Convention (Norway);,,\n"
        b"2,A/HRC/24/13,109.2,Spain,Adopt a law (Spain);,,\n"
        b"2,A/HRC/24/13,109.1,Chile,Ratify CPED (Chile);,,\n"
    )
    message = _rejected(data)
    assert (
        'line 4, field "rec_id": "109.1" already appears on line 2 with a different text' in message
    )


@pytest.mark.django_db
def test_report_paragraph_without_a_state_is_rejected_with_its_line():
    text = (
        "A/HRC/24/13\n109.1 Ratify the Istanbul Convention (Norway);\n"
        "109.2 Adopt a law on\ndomestic violence;\n"
    )
    message = _rejected(text.encode(), cycle=2)
    assert "line 3: recommendation 109.2 does not end with the recommending state" in message


@pytest.mark.django_db
def test_report_text_needs_a_cycle_and_garbage_is_not_recognised():
    assert "--cycle" in _rejected(b"A/HRC/24/13\n109.1 Ratify it (Norway);\n")
    assert "format was not recognised" in _rejected(b"hello\nworld\n")
    assert "could not be read" in _rejected(b"PK\x03\x04garbage", source="uhri")


@pytest.mark.django_db
def test_import_command_names_the_problem_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "cycle,document,rec_id,recommending_states,text,response,response_source\n"
        "x,A/HRC/24/13,109.1,Norway,Do it (Norway);,maybe,\n"
    )
    with pytest.raises(CommandError) as caught:
        call_command("upr", "import", str(bad))
    assert 'line 2, field "cycle"' in str(caught.value)
    assert 'line 2, field "response": "maybe" is not a response' in str(caught.value)
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_responses_from_the_addendum_are_added_later():
    text = (
        "A/HRC/39/14\n140. The following recommendations will be examined by Azerbaijan:\n"
        "   140.1 Ratify the Istanbul Convention (Norway); (Spain);\n"
        "   140.2 Criminalize marital rape (Canada);\n"
    )
    recommendations_import(text.encode(), name="report.txt", actor="test", cycle=3)
    assert set(Recommendation.objects.values_list("response", flat=True)) == {""}
    addendum = (
        b"document,rec_id,response,response_source\n"
        b"A/HRC/39/14,140.1,noted,A/HRC/39/14/Add.1 para 5\n"
        b"A/HRC/39/14,140.2,supported,A/HRC/39/14/Add.1 para 4\n"
    )
    assert source_detect(addendum) == "responses"
    result = recommendations_import(addendum, name="add1.csv", actor="test")[1]
    assert (result.updated, result.unchanged) == (2, 0)
    assert Recommendation.objects.get(number="140.1").response == "noted"
    again = recommendations_import(addendum, name="add1.csv", actor="test")[1]
    assert again.unchanged == 2


@pytest.mark.django_db
def test_responses_for_unknown_paragraphs_are_rejected_whole():
    call_command("upr", "import", str(SHIPPED), stdout=io.StringIO())
    addendum = (
        b"document,rec_id,response,response_source\n"
        b"A/HRC/24/13,109.1,noted,\n"
        b"A/HRC/24/13,109.999,supported,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        recommendations_import(addendum, name="add1.csv", actor="test")
    assert 'line 3, field "rec_id": no recommendation "109.999"' in str(caught.value)
    assert Recommendation.objects.get(number="109.1").response == "supported"


@pytest.mark.django_db
def test_report_text_with_the_number_alone_on_its_line():
    text = (
        "A/HRC/24/13\n"
        "109.1\n"
        "Sign and ratify the Optional Protocol on a communications procedure\n"
        "(Slovakia);\n"
        "109.2\n"
        "Ratify CPED (Brazil,\n"
        "Chile);\n"
    )
    items = recommendations_parse(text.encode(), source="report-text", options=Options("AZ", 2))
    assert [(i.fields["number"], i.fields["recommending_states"]) for i in items] == [
        ("109.1", "Slovakia"),
        ("109.2", "Brazil; Chile"),
    ]
    assert items[1].fields["text"] == "Ratify CPED (Brazil, Chile);"
