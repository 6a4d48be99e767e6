"""Reading the JSON detection output of the Mobile Verification Toolkit (MVT), without MVT.

MVT (Amnesty International's Security Lab) checks a phone's backup or dump against indicators
of spyware and writes, per module, `<module>.json` (everything it extracted) and, when something
matched, `<module>_detected.json`; newer versions also write `alerts.json`. Two record shapes
are read:

- a detected record (`*_detected.json`, MVT 1.x and 2.x): a JSON object with the module's own
  fields and a `matched_indicator` object `{"value", "type", "name", "stix2_file_name"}`;
  some modules nest the record one level down (`{"<intent>": {... "matched_indicator"}}`);
- an alert (`alerts.json` and the detection files of MVT 3): a JSON object with `level`,
  `message`, `event_time`, `event` and an `ioc` object of the same shape as above.

A file is a JSON array of such records (a single record object is accepted too). Records
without a matched indicator are counted and otherwise ignored (a plain `<module>.json` has
none). Of the indicator types MVT uses, these become gbvwatch indicators:
`domains` -> domain, `urls` -> url, `emails` -> email, `files_sha256` -> file_sha256.
Process names, file names and paths, app ids, configuration-profile ids and any other type
have no honest gbvwatch kind: they are counted by type and stay readable in the file, which is
kept whole as evidence. No database here: bytes in, a frozen dataclass out, or MvtFormatError
naming what is wrong.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024  # MVT detection files are small; a whole extraction is not one
MAX_RECORDS = 200_000
MAX_INDICATORS = 5_000  # distinct values added to one attack from one file
KIND_OF_TYPE = {
    "domains": "domain",
    "urls": "url",
    "emails": "email",
    "files_sha256": "file_sha256",
}


class MvtFormatError(ValueError):
    """The file is not MVT JSON output; the message says where and can be shown."""


@dataclass(frozen=True)
class MvtIndicator:
    """A matched indicator of a kind gbvwatch records, with the record it was found in."""

    kind: str
    value: str
    record: int  # 1-based position of the record in the file
    collection: str  # MVT's name of the indicator collection (e.g. a spyware family)


@dataclass(frozen=True)
class MvtFindings:
    """What an MVT file holds: indicators to add, and counts of everything else."""

    records: int
    detections: int
    indicators: tuple[MvtIndicator, ...]
    other_types: tuple[tuple[str, int], ...]  # (MVT type, matches) not made into indicators


def _decode(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise MvtFormatError(_("The file is larger than 20 MB; MVT detection files are smaller."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MvtFormatError(
            _("The file is not UTF-8 text (byte %(byte)d).") % {"byte": exc.start + 1}
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MvtFormatError(
            _("The file is not valid JSON: %(problem)s at line %(line)d, column %(column)d.")
            % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from exc
    except RecursionError as exc:
        raise MvtFormatError(_("The file nests JSON too deeply to be MVT output.")) from exc


def _matches(record: dict[str, Any]) -> Iterator[Any]:
    """The matched-indicator objects of one record (its own, or one level down)."""
    for key in ("matched_indicator", "ioc"):
        if key in record and record[key] is not None:
            yield record[key]
            return
    for value in record.values():
        if isinstance(value, dict) and isinstance(value.get("matched_indicator"), dict):
            yield value["matched_indicator"]


def _indicator(match: Any, position: int) -> tuple[str, str, str]:
    if not isinstance(match, dict):
        raise MvtFormatError(
            _("Record %(record)d: the matched indicator is not an object.") % {"record": position}
        )
    kind, value, name = match.get("type"), match.get("value"), match.get("name") or ""
    if not isinstance(kind, str) or not isinstance(value, str) or not value.strip():
        raise MvtFormatError(
            _("Record %(record)d: the matched indicator has no text “type” and “value”.")
            % {"record": position}
        )
    return kind, value.strip(), str(name)[:200]


def mvt_findings_parse(data: bytes, *, check: Callable[[str, str], str]) -> MvtFindings:
    """Parse one MVT JSON file. `check(kind, value)` returns the value in normal form or
    raises ValueError with a reason (the indicator rules of gbvwatch); a value it refuses
    makes the whole file refused, naming the record. Nothing is written anywhere."""
    parsed = _decode(data)
    records = [parsed] if isinstance(parsed, dict) else parsed
    if not isinstance(records, list):
        raise MvtFormatError(_("The file holds neither a list of records nor a record."))
    if len(records) > MAX_RECORDS:
        raise MvtFormatError(_("The file has more than 200,000 records."))
    found: dict[tuple[str, str], MvtIndicator] = {}
    other: Counter[str] = Counter()
    detections = 0
    for position, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise MvtFormatError(_("Record %(record)d is not an object.") % {"record": position})
        for match in _matches(record):
            detections += 1
            mvt_type, value, collection = _indicator(match, position)
            kind = KIND_OF_TYPE.get(mvt_type)
            if kind is None:
                other[mvt_type[:50]] += 1
                continue
            try:
                normal = check(kind, value)
            except ValueError as exc:
                raise MvtFormatError(
                    _("Record %(record)d: %(reason)s") % {"record": position, "reason": exc}
                ) from exc
            found.setdefault((kind, normal), MvtIndicator(kind, normal, position, collection))
    if len(found) > MAX_INDICATORS:
        raise MvtFormatError(_("The file has more than 5,000 distinct indicators."))
    return MvtFindings(
        records=len(records),
        detections=detections,
        indicators=tuple(found.values()),
        other_types=tuple(sorted(other.items())),
    )
