"""Import UPR recommendations, all or nothing per file, from four formats:

- `csv`: gbvwatch's own columns (the shipped dataset's file);
- `uhri`: an export of the OHCHR Universal Human Rights Index (xlsx or csv);
- `upr-info`: a UPR Info style CSV (State under Review, Recommending State, Recommendation, ...);
- `report-text`: the recommendations section of a Working Group report as `pdftotext` gives it
  (`109.12 Ratify ... (Norway); (Spain);`, wrapped over lines, page headers in between);
- `responses`: the State's positions added later (document, rec_id, response, response_source).

Rows are matched on (country, document, paragraph), so importing again changes nothing.
Spreadsheet exports without a paragraph column get a key derived from the text (`#` + 10 hex
digits of its SHA-256), which is stable across re-imports of the same text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gbvwatch.analysis.upr_classify import Taxonomy, classify
from gbvwatch.core.audit import audit_append
from gbvwatch.geography.importers import (
    ImportProblem,
    ImportRejected,
    ImportResult,
    decode_upload,
    file_problem,
    read_csv_rows,
    unquote_cell,
)
from gbvwatch.upr.models import Recommendation
from gbvwatch.upr.taxonomy import taxonomy_load

SOURCES = ("csv", "uhri", "upr-info", "report-text", "responses")
# The State's positions, added later (from the report's addendum): one row per paragraph.
RESPONSE_COLUMNS = ("document", "rec_id", "response", "response_source")
CSV_COLUMNS = (
    "cycle",
    "document",
    "rec_id",
    "recommending_states",
    "text",
    "response",
    "response_source",
)
# Canonical field -> header names seen in UHRI and UPR Info exports (compared lower-case,
# punctuation removed).
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "recommendation", "recommendations", "annotation", "recommendation text"),
    "country": (
        "countries concerned",
        "country concerned",
        "countries",
        "country",
        "state under review",
        "sur",
    ),
    "states": (
        "recommending body state",
        "recommending bodies states",
        "recommending state",
        "recommending states",
        "recommending body",
        "recommending country",
        "recommending countries",
        "source",
    ),
    "document": ("document symbol", "symbol", "document", "document code", "un symbol"),
    "session": ("session", "upr session"),
    "cycle": ("cycle", "upr cycle"),
    "response": (
        "position",
        "position response",
        "response",
        "sur position",
        "sur response",
        "status",
    ),
    "themes": ("themes", "theme", "issues", "issue", "thematic issues"),
    "number": (
        "paragraph",
        "para",
        "paragraph number",
        "recommendation number",
        "rec id",
        "number",
        "reference",
    ),
}
SUPPORTED_WORDS = frozenset({"supported", "accepted", "support", "accept", "supports"})
NOTED_WORDS = frozenset({"noted", "rejected", "not accepted", "not supported", "note"})
PENDING_WORDS = frozenset({"", "pending", "no response", "will be examined", "general response"})
# UPR sessions per cycle (the Working Group's numbering): cycle 1 = sessions 1-12, and so on.
SESSIONS_PER_CYCLE = ((1, 1, 12), (2, 13, 26), (3, 27, 40), (4, 41, 54), (5, 55, 68))

# "109.12 Ratify ..." or, as pdftotext without -layout may give it, "109.12" alone on a line.
_PARAGRAPH = re.compile(r"^\s*(\d{1,3}\.\d{1,3})\.?(?:\s+(\S.*))?$")
_LEAD = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,3}\.\d{1,3})\.?\s+")
_STATE_GROUP = re.compile(r"\(((?:[^()]|\([^()]*\))+)\)\s*(?=[;.]|$)")
_STATE_SPLIT = re.compile(r",\s*(?![^()]*\))")
_SYMBOL_LINE = re.compile(r"^\s*(A/HRC/\d+/\d+(?:/Add\.\d+)?)\s*$")
_NOISE = (re.compile(r"^\s*\d{1,3}\s*$"), re.compile(r"^\s*GE\.\d{2}-\d+"), _SYMBOL_LINE)
_COMPLETE = re.compile(r"\)\s*[;.]\s*$")


@dataclass(frozen=True)
class ParsedRecommendation:
    """A validated row: the fields to store, and the response (None: leave it as it is)."""

    line: int
    fields: dict[str, Any]
    response: str | None = None
    response_source: str | None = None


@dataclass(frozen=True)
class Options:
    """What the file itself may not say: country (ISO 3166-1 alpha-2), cycle, document."""

    country: str
    cycle: int | None = None
    document: str = ""


@dataclass
class _Collector:
    problems: list[ImportProblem] = field(default_factory=list)

    def add(self, line: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(line, column, message))


def _clean(text: str) -> str:
    return " ".join(text.split())


def states_from_text(text: str) -> list[str]:
    """Recommending states named at the end of each part: `(Norway); (Spain, Chile);`."""
    return [
        _clean(name)
        for group in _STATE_GROUP.findall(text)
        for name in _STATE_SPLIT.split(group)
        if name.strip()
    ]


def cycle_of_session(session: str) -> int | None:
    """The UPR cycle of a session number such as "16" or "16th session"; None if unknown."""
    match = re.search(r"\d+", session)
    if match is None:
        return None
    number = int(match.group(0))
    return next((c for c, low, high in SESSIONS_PER_CYCLE if low <= number <= high), None)


# -- detection ---------------------------------------------------------------------------------


def _normal_header(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


def source_detect(data: bytes) -> str:
    """Guess the format of a file by its content; raises ImportRejected when none fits."""
    if data[:4] == b"PK\x03\x04":
        return "uhri"
    text = decode_upload(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = next(csv.reader([first]), [])
    header = {_normal_header(h) for h in cells}
    if {h.strip() for h in cells} >= set(CSV_COLUMNS):
        return "csv"
    if {h.strip() for h in cells} == set(RESPONSE_COLUMNS):
        return "responses"
    if header & {"state under review", "recommending state", "action category", "issues"}:
        return "upr-info"
    if header & {"document symbol", "countries concerned", "annotation", "themes", "symbol"}:
        return "uhri"
    if any(_PARAGRAPH.match(line) for line in text.splitlines()):
        return "report-text"
    raise file_problem(
        _("the format was not recognised; name it with --source (one of: %(sources)s)")
        % {"sources": ", ".join(SOURCES)}
    )


# -- common validation -------------------------------------------------------------------------


def _limit(item: dict[str, Any], line: int, col: _Collector, columns: Mapping[str, str]) -> None:
    for name, column in columns.items():
        max_length = getattr(Recommendation._meta.get_field(name), "max_length", None)
        if max_length and len(str(item[name])) > max_length:
            message = _("longer than %(limit)d characters") % {"limit": max_length}
            col.add(line, column, message)


def _response(value: str, line: int, column: str, col: _Collector) -> str | None:
    word = _clean(value).lower()
    if word in SUPPORTED_WORDS:
        return "supported"
    if word in NOTED_WORDS:
        return "noted"
    if word in PENDING_WORDS:
        return None
    message = _('"%(value)s" is not a response; use supported, noted or leave it empty')
    col.add(line, column, message % {"value": value})
    return None


def _duplicates(
    items: Sequence[ParsedRecommendation], col: _Collector, column: str
) -> list[ParsedRecommendation]:
    """Drop exact repeats; a repeated paragraph with another text is a problem."""
    seen: dict[tuple[str, str], ParsedRecommendation] = {}
    kept = []
    for item in items:
        key = (item.fields["document"], item.fields["number"])
        first = seen.get(key)
        if first is None:
            seen[key] = item
            kept.append(item)
        elif first.fields["text"] != item.fields["text"]:
            message = _('"%(id)s" already appears on line %(line)d with a different text')
            col.add(item.line, column, message % {"id": key[1], "line": first.line})
    return kept


# -- gbvwatch CSV ------------------------------------------------------------------------------


def _parse_csv(text: str, options: Options, col: _Collector) -> list[ParsedRecommendation]:
    items = []
    for row in read_csv_rows(text, CSV_COLUMNS):
        v = row.values
        for name in ("cycle", "document", "rec_id", "recommending_states", "text"):
            if not v[name]:
                col.add(row.line, name, _("a value is required"))
        cycle = None
        if v["cycle"]:
            cycle = int(v["cycle"]) if v["cycle"].isdigit() and int(v["cycle"]) > 0 else None
            if cycle is None:
                col.add(
                    row.line,
                    "cycle",
                    _('"%(value)s" is not a cycle number') % {"value": v["cycle"]},
                )
        fields = {
            "country": options.country,
            "cycle": cycle,
            "document": v["document"],
            "number": v["rec_id"],
            "recommending_states": "; ".join(
                _clean(s) for s in v["recommending_states"].split(";") if s.strip()
            ),
            "text": _clean(v["text"]),
        }
        _limit(
            fields,
            row.line,
            col,
            {
                "document": "document",
                "number": "rec_id",
                "recommending_states": "recommending_states",
            },
        )
        response = _response(v["response"], row.line, "response", col)
        items.append(ParsedRecommendation(row.line, fields, response, v["response_source"]))
    return _duplicates(items, col, "rec_id")


# -- UHRI and UPR Info spreadsheets ------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # imported here: only spreadsheet imports need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise file_problem(
            _("the spreadsheet could not be read: %(error)s") % {"error": exc}
        ) from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else str(v) for v in values]
    finally:
        book.close()


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for record in reader:
            yield start, [unquote_cell(cell) for cell in record]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRejected([ImportProblem(reader.line_num, "", str(exc))]) from exc


def _table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    rows = list(_xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(decode_upload(data)))
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise file_problem(_("the file is empty"))
    return [c.strip() for c in rows[0][1]], rows[1:]


def _columns(header: list[str], source: str, options: Options) -> dict[str, int]:
    found: dict[str, int] = {}
    normal = [_normal_header(h) for h in header]
    for canonical, names in ALIASES.items():
        index = next((i for i, h in enumerate(normal) if h in names), None)
        if index is not None:
            found[canonical] = index
    needed = ["text", "states"] + ([] if options.document else ["document"])
    missing = [c for c in needed if c not in found]
    if missing:
        expected = "; ".join(f"{c}: {' / '.join(ALIASES[c])}" for c in missing)
        message = _(
            "the %(source)s file lacks columns for: %(columns)s (the header has: %(header)s)"
        )
        values = {"source": source, "columns": expected, "header": ", ".join(header) or "-"}
        raise ImportRejected([ImportProblem(1, "", message % values)])
    return found


def _cell(cells: list[str], columns: Mapping[str, int], name: str) -> str:
    index = columns.get(name)
    return _clean(cells[index]) if index is not None and index < len(cells) else ""


def _row_cycle(
    cells: list[str], columns: Mapping[str, int], options: Options, line: int, col: _Collector
) -> int | None:
    text = _cell(cells, columns, "cycle")
    if text:
        number = cycle_of_session(text) if not text.isdigit() else int(text)
        if number is None or number < 1:
            col.add(line, "cycle", _('"%(value)s" is not a cycle number') % {"value": text})
        return number
    cycle = cycle_of_session(_cell(cells, columns, "session")) or options.cycle
    if cycle is None:
        col.add(line, "cycle", _("no cycle: the file has no cycle or session; give --cycle"))
    return cycle


def _parse_table(
    data: bytes, source: str, options: Options, col: _Collector
) -> list[ParsedRecommendation]:
    header, rows = _table(data)
    columns = _columns(header, source, options)
    items: list[ParsedRecommendation] = []
    countries: dict[str, int] = {}
    for line, cells in rows:
        text = _cell(cells, columns, "text")
        number = _cell(cells, columns, "number")
        leading = _LEADING_NUMBER.match(text)
        if leading and not number:
            number, text = leading.group(1), text[leading.end() :]
        if not text:
            col.add(line, header[columns["text"]], _("a value is required"))
        number = number or "#" + hashlib.sha256(text.encode()).hexdigest()[:10]
        country = _cell(cells, columns, "country")
        if country:
            countries.setdefault(country, line)
        states = _cell(cells, columns, "states") or "; ".join(states_from_text(text))
        if not states:
            col.add(line, header[columns["states"]], _("a value is required"))
        fields = {
            "country": options.country,
            "cycle": _row_cycle(cells, columns, options, line, col),
            "document": _cell(cells, columns, "document") or options.document,
            "number": number,
            "recommending_states": "; ".join(
                s.strip() for s in re.split(r"[;,]", states) if s.strip()
            ),
            "text": text,
            "session": _cell(cells, columns, "session"),
            "source_themes": _cell(cells, columns, "themes"),
        }
        _limit(
            fields,
            line,
            col,
            {k: k for k in ("document", "number", "session", "recommending_states")},
        )
        if not fields["document"]:
            col.add(line, "document", _("a value is required"))
        column = header[columns["response"]] if "response" in columns else "response"
        response = _response(_cell(cells, columns, "response"), line, column, col)
        items.append(ParsedRecommendation(line, fields, response))
    if len(countries) > 1:
        (first, _l), (other, line) = list(countries.items())[:2]
        message = _(
            'the file mixes recommendations to "%(first)s" and "%(other)s"; import one '
            "country at a time"
        )
        col.add(line, "country", message % {"first": first, "other": other})
    return _duplicates(items, col, "paragraph")


# -- report text -------------------------------------------------------------------------------


def _lead_response(text: str) -> str | None:
    lowered = text.lower()
    if "noted" in lowered or "did not enjoy" in lowered or "not enjoy" in lowered:
        return "noted"
    if "enjoy the support" in lowered or "enjoy its support" in lowered:
        return "supported"
    return None


@dataclass
class _Paragraph:
    line: int
    number: str
    parts: list[str]
    response: str | None
    open: bool = True

    def add(self, text: str) -> None:
        if self.parts and self.parts[-1].endswith("-") and text[:1].islower():
            self.parts[-1] += text
        else:
            self.parts.append(text)

    @property
    def text(self) -> str:
        return _clean(" ".join(self.parts))


def _paragraphs(text: str) -> tuple[list[_Paragraph], str]:
    paragraphs: list[_Paragraph] = []
    lead: _Paragraph | None = None
    current: _Paragraph | None = None
    symbol = ""
    for number, raw in enumerate(text.replace("\f", "\n").splitlines(), start=1):
        line = raw.strip()
        symbol_match = _SYMBOL_LINE.match(line)
        if symbol_match and not symbol:
            symbol = symbol_match.group(1)
        if not line or any(p.match(line) for p in _NOISE):
            continue
        if match := _PARAGRAPH.match(line):
            response = _lead_response(lead.text) if lead else None
            first = [match.group(2)] if match.group(2) else []
            current = _Paragraph(number, match.group(1), first, response)
            paragraphs.append(current)
        elif match := _LEAD.match(line):
            lead = current = _Paragraph(number, match.group(1), [match.group(2)], None)
        elif current is not None and current.open:
            if _COMPLETE.search(current.text) and not line[:1].islower():
                current.open = False  # the paragraph ended; this is text after the section
            else:
                current.add(line)
    return paragraphs, symbol


def _parse_report(text: str, options: Options, col: _Collector) -> list[ParsedRecommendation]:
    paragraphs, symbol = _paragraphs(text)
    if not paragraphs:
        raise file_problem(_('no numbered recommendations such as "109.1 ..." were found'))
    document = options.document or symbol
    if not document:
        raise file_problem(_("the document symbol was not found in the text; give --document"))
    if options.cycle is None:
        raise file_problem(_("report text needs --cycle"))
    items = []
    for p in paragraphs:
        states = states_from_text(p.text)
        if not states:
            message = _(
                "recommendation %(id)s does not end with the recommending state in "
                "parentheses, like (Norway);"
            )
            col.add(p.line, "", message % {"id": p.number})
        fields = {
            "country": options.country,
            "cycle": options.cycle,
            "document": document,
            "number": p.number,
            "recommending_states": "; ".join(states),
            "text": p.text,
        }
        _limit(fields, p.line, col, {"document": "document", "recommending_states": "states"})
        items.append(ParsedRecommendation(p.line, fields, p.response))
    return _duplicates(items, col, "")


# -- parse, write, import ----------------------------------------------------------------------


def recommendations_parse(
    data: bytes, *, source: str, options: Options
) -> list[ParsedRecommendation]:
    """Validate a whole file; raises ImportRejected listing every problem with its line."""
    if source not in SOURCES or source == "responses":
        raise file_problem(_('unknown source "%(source)s"') % {"source": source})
    col = _Collector()
    if source == "csv":
        items = _parse_csv(decode_upload(data), options, col)
    elif source == "report-text":
        items = _parse_report(decode_upload(data), options, col)
    else:
        items = _parse_table(data, source, options, col)
    if col.problems:
        raise ImportRejected(sorted(col.problems, key=lambda p: p.row))
    if not items:
        raise file_problem(_("the file holds no recommendations"))
    return items


def classification_apply(rec: Recommendation, taxonomy: Taxonomy) -> None:
    """Set the automatic classification on an unsaved or changed recommendation."""
    result = classify(rec.text, taxonomy)
    rec.primary_group = result.primary_group
    rec.themes = list(result.themes)
    rec.action_category = result.action_category
    rec.leading_verb = result.leading_verb[:40]
    rec.confidence = result.confidence
    rec.action_confidence = result.action_confidence
    rec.matched_words = result.matched_words
    rec.taxonomy_version = taxonomy.version


def recommendations_write(items: Sequence[ParsedRecommendation]) -> ImportResult:
    """Upsert validated recommendations and classify new or changed texts (manual overrides
    are kept); call inside a transaction."""
    taxonomy = taxonomy_load()
    keys = {(i.fields["country"], i.fields["document"], i.fields["number"]) for i in items}
    existing = {
        (r.country, r.document, r.number): r
        for r in Recommendation.objects.filter(
            country__in={k[0] for k in keys}, document__in={k[1] for k in keys}
        )
    }
    updated = unchanged = 0
    new: list[Recommendation] = []
    for item in items:
        values = dict(item.fields)
        if item.response is not None:
            values["response"] = item.response
        if item.response_source is not None:
            values["response_source"] = item.response_source
        key = (values["country"], values["document"], values["number"])
        rec = existing.get(key)
        if rec is None:
            rec = Recommendation(**values)
            classification_apply(rec, taxonomy)
            new.append(rec)
            continue
        changed = [k for k, v in values.items() if getattr(rec, k) != v]
        if not changed:
            unchanged += 1
            continue
        for k in changed:
            setattr(rec, k, values[k])
        if "text" in changed and not rec.classification_overridden:
            classification_apply(rec, taxonomy)
        rec.save()
        updated += 1
    Recommendation.objects.bulk_create(new, batch_size=500)
    return ImportResult(created=len(new), updated=updated, unchanged=unchanged)


def _responses(data: bytes, options: Options) -> tuple[list[tuple[Recommendation, str, str]], int]:
    """Pair each row with its stored recommendation; every unknown paragraph is a problem."""
    rows = read_csv_rows(decode_upload(data), RESPONSE_COLUMNS)
    col = _Collector()
    found = {
        (r.document, r.number): r
        for r in Recommendation.objects.filter(
            country=options.country, document__in={row.values["document"] for row in rows}
        )
    }
    changes: list[tuple[Recommendation, str, str]] = []
    unchanged = 0
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.values["document"], row.values["rec_id"])
        rec = found.get(key)
        response = _response(row.values["response"], row.line, "response", col) or ""
        if not row.values["response"]:
            col.add(row.line, "response", _("a value is required"))
        if key in seen:
            message = _('"%(id)s" already appears on line %(line)d')
            col.add(row.line, "rec_id", message % {"id": key[1], "line": seen[key]})
        seen.setdefault(key, row.line)
        if rec is None:
            message = _('no recommendation "%(id)s" of document "%(document)s" is stored')
            col.add(row.line, "rec_id", message % {"id": key[1], "document": key[0]})
        elif (rec.response, rec.response_source) == (response, row.values["response_source"]):
            unchanged += 1
        else:
            changes.append((rec, response, row.values["response_source"]))
    if col.problems:
        raise ImportRejected(col.problems)
    if not rows:
        raise file_problem(_("the file holds no recommendations"))
    return changes, unchanged


def responses_import(data: bytes, *, name: str, actor: Any, options: Options) -> ImportResult:
    """Set the State's responses of stored recommendations, all or nothing; audited."""
    with transaction.atomic():
        changes, unchanged = _responses(data, options)
        for rec, response, source in changes:
            rec.response, rec.response_source = response, source
            rec.save(update_fields=["response", "response_source"])
        result = ImportResult(updated=len(changes), unchanged=unchanged)
        details = {"file": name, "source": "responses", **result.as_dict()}
        audit_append(actor=actor, action="upr.import", details=details)
    return result


def recommendations_import(
    data: bytes,
    *,
    name: str,
    actor: Any,
    source: str | None = None,
    country: str | None = None,
    cycle: int | None = None,
    document: str = "",
) -> tuple[str, ImportResult]:
    """Detect (or take) the format, validate the whole file, then write in one transaction
    with one audit entry. Returns the format used and the counts."""
    source = source or source_detect(data)
    options = Options((country or settings.COUNTRY).upper(), cycle, document)
    if source == "responses":
        return source, responses_import(data, name=name, actor=actor, options=options)
    items = recommendations_parse(data, source=source, options=options)
    with transaction.atomic():
        result = recommendations_write(items)
        details = {"file": name, "source": source, **result.as_dict()}
        audit_append(actor=actor, action="upr.import", details=details)
    return source, result
