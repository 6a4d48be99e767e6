"""A report as a document: sections of narrative and of sentences built from figures, each figure
with a numbered note of its inputs, assumptions and sources; slides for a statement. Every
renderer (HTML, Markdown, PDF, Word) draws the same Document."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gbvwatch.reports.figures import Figure, SourceNote, figures_compute
from gbvwatch.reports.kinds import (
    KINDS,
    NARRATIVE_DEFAULTS,
    SLIDE_CHART_BY_SLIDE,
    SectionSpec,
)
from gbvwatch.reports.models import ReportKind

COUNTRY_NAMES = {"AZ": gettext_lazy("Azerbaijan")}


@dataclass(frozen=True)
class Text:
    """A paragraph, with the numbers of the notes its figures point to."""

    text: str
    notes: tuple[int, ...] = ()
    kind: str = "text"


@dataclass(frozen=True)
class Bullets:
    """A list of short paragraphs."""

    items: tuple[Text, ...]
    kind: str = "bullets"


@dataclass(frozen=True)
class FigureRow:
    """One row of a table of figures."""

    label: str
    text: str
    unit: str
    note: int
    missing: str = ""


@dataclass(frozen=True)
class FigureTable:
    """A table of figures with their notes."""

    caption: str
    rows: tuple[FigureRow, ...]
    kind: str = "table"


Block = Text | Bullets | FigureTable


@dataclass(frozen=True)
class Section:
    """A titled part of the document and the charts it shows."""

    key: str
    title: str
    blocks: tuple[Block, ...]
    charts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slide:
    """A slide of a spoken statement: a title, a few lines and charts."""

    key: str
    title: str
    items: tuple[Text, ...]
    charts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """A numbered note: the figures it covers and what they were computed from."""

    number: int
    figures: tuple[str, ...]
    source: SourceNote


@dataclass(frozen=True)
class Document:
    """Everything a renderer draws, already in the document's language."""

    kind: str
    kind_label: str
    language: str
    title: str
    year: int
    data_hash: str
    created_at: str
    sections: tuple[Section, ...]
    slides: tuple[Slide, ...]
    notes: tuple[Note, ...]
    figures: Mapping[str, Figure] = field(default_factory=dict)
    words: int = 0
    spoken_minutes: float | None = None

    def chart_keys(self) -> tuple[str, ...]:
        """Every chart the document shows, in order of first appearance."""
        keys: list[str] = []
        for charts in [s.charts for s in self.sections] + [s.charts for s in self.slides]:
            keys += [k for k in charts if k not in keys]
        return tuple(keys)


class _Notes:
    """Numbers notes in order of first use; figures that share a source note share a number."""

    def __init__(self) -> None:
        self._numbers: dict[SourceNote, int] = {}
        self._figures: dict[SourceNote, list[str]] = {}

    def ref(self, *figures: Figure) -> tuple[int, ...]:
        numbers: list[int] = []
        for fig in figures:
            number = self._numbers.setdefault(fig.note, len(self._numbers) + 1)
            labels = self._figures.setdefault(fig.note, [])
            if fig.label not in labels:
                labels.append(fig.label)
            if number not in numbers:
                numbers.append(number)
        return tuple(numbers)

    def all(self) -> tuple[Note, ...]:
        return tuple(Note(n, tuple(self._figures[src]), src) for src, n in self._numbers.items())


@dataclass
class _Context:
    figures: Mapping[str, Figure]
    notes: _Notes
    narrative: Mapping[str, str]
    year: int
    country: str


# -- building blocks --------------------------------------------------------------------------


def narrative_blocks(text: str) -> list[Block]:
    """Paragraphs split on blank lines; lines starting with '- ' or '• ' become a list."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines, items = [], []
        for line in paragraph.splitlines():
            stripped = line.strip()
            if stripped[:2] in ("- ", "• "):
                items.append(Text(stripped[2:].strip()))
            elif items and stripped:  # a continuation of the last item
                items[-1] = Text(f"{items[-1].text} {stripped}")
            elif stripped:
                lines.append(stripped)
        if lines:
            blocks.append(Text(" ".join(lines)))
        if items:
            blocks.append(Bullets(tuple(items)))
    return blocks


def say(ctx: _Context, template: str, keys: Sequence[str], **extra: Any) -> list[Text]:
    """The sentence with its figures filled in and their notes; or, when a figure is missing,
    one 'no data' sentence per missing figure with the reason."""
    figures = [ctx.figures[k] for k in keys if k in ctx.figures]
    missing = [f for f in figures if not f.available]
    absent = [k for k in keys if k not in ctx.figures]
    if missing or absent:
        out = [
            Text(
                _("%(label)s: no data (%(reason)s).") % {"label": f.label, "reason": f.missing},
                ctx.notes.ref(f),
            )
            for f in missing
        ]
        out += [Text(_("%(label)s: no data.") % {"label": k}) for k in absent]
        return out
    values = {f.key: f.text for f in figures} | extra
    return [Text(template % values, ctx.notes.ref(*figures))]


def _figure_line(ctx: _Context, key: str) -> Text | None:
    fig = ctx.figures.get(key)
    if fig is None:
        return None
    value = f"{fig.text} {fig.unit}".strip() if fig.available and fig.unit != "%" else fig.text
    if not fig.available:
        value = _("no data (%(reason)s)") % {"reason": fig.missing}
    return Text(
        _("%(label)s: %(value)s") % {"label": fig.label, "value": value}, ctx.notes.ref(fig)
    )


# -- computed parts ---------------------------------------------------------------------------


def _upr_groups(ctx: _Context) -> list[Block]:
    lead = say(
        ctx,
        _("%(country)s received %(upr_gbv_total)s recommendations on gender-based violence, of "
          "%(upr_total)s recommendations in all:"),
        ("upr_gbv_total", "upr_total"),
        country=ctx.country,
    )  # fmt: skip
    groups = [f for k, f in ctx.figures.items() if k.startswith("upr_group_") and f.value]
    items = tuple(
        Text(_("%(count)s: %(group)s") % {"count": f.text, "group": f.label}, ctx.notes.ref(f))
        for f in groups
    )
    return [*lead, Bullets(items)] if items else list(lead)


def _status_list(ctx: _Context, prefix: str) -> Bullets | None:
    statuses = [f for k, f in ctx.figures.items() if k.startswith(prefix)]
    if not statuses:
        return None
    return Bullets(tuple(
        Text(_("%(count)s %(status)s") % {"count": f.text, "status": f.label}, ctx.notes.ref(f))
        for f in statuses
    ))  # fmt: skip


def _upr_status(ctx: _Context) -> list[Block]:
    blocks: list[Block] = []
    gbv = _status_list(ctx, "upr_gbv_status_")
    if gbv is not None:
        blocks += [Text(_("Status of the GBV recommendations as last assessed by the coalition:")),
                   gbv]  # fmt: skip
    every = _status_list(ctx, "upr_status_")
    if every is not None:
        blocks += [Text(_("Status of all the recommendations as last assessed by the coalition:")),
                   every]  # fmt: skip
    return blocks


def _shelters(ctx: _Context) -> list[Block]:
    return [
        *say(
            ctx,
            _("Only %(shelter_places)s survivors of domestic violence can be sheltered at one "
              "time, against %(shelter_places_required)s places that the minimum standard "
              "requires for the population: %(shelter_ratio)s times fewer than the standard, a "
              "shortfall of %(shelter_shortfall)s places."),
            ("shelter_places", "shelter_places_required", "shelter_ratio", "shelter_shortfall"),
        ),
        *say(ctx, _("The shelters are located only in %(shelter_cities)s."), ("shelter_cities",)),
    ]  # fmt: skip


def _distance(ctx: _Context) -> list[Block]:
    return [
        *say(
            ctx,
            _("Survivors from %(farthest_district)s have to travel about "
              "%(farthest_district_km)s km to reach the nearest shelter."),
            ("farthest_district", "farthest_district_km"),
        ),
        *say(
            ctx,
            _("%(share_beyond_100km)s of women (%(women_beyond_100km)s) live more than 100 km "
              "from a shelter, and %(share_beyond_300km)s (%(women_beyond_300km)s) more than "
              "300 km."),
            ("share_beyond_100km", "women_beyond_100km", "share_beyond_300km",
             "women_beyond_300km"),
        ),
    ]  # fmt: skip


def _capacity(ctx: _Context) -> list[Block]:
    return list(
        say(
            ctx,
            _("With so few places, a survivor who asks for shelter finds every place taken with "
              "a probability of %(turn_away_probability)s: about %(turned_away_per_year)s "
              "survivors a year. Turning away at most 5%% would take %(places_for_5_percent)s "
              "places."),
            ("turn_away_probability", "turned_away_per_year", "places_for_5_percent"),
        )
    )  # fmt: skip


def _forensic(ctx: _Context) -> list[Block]:
    return list(
        say(
            ctx,
            _("Forensic examination is not available around the clock: in %(year)s the longest "
              "stretch without it lasted %(forensic_gap_days)s days, from %(forensic_gap_start)s, "
              "when evidence of sexual violence could not be collected."),
            ("forensic_gap_days", "forensic_gap_start"),
            year=ctx.year,
        )
    )  # fmt: skip


def _refusals(ctx: _Context) -> list[Block]:
    rows = [f for k, f in ctx.figures.items() if k.startswith("refusals")]
    if len(rows) == 1 and not rows[0].available:
        return [Text(_("Refusals recorded or reported in %(year)s: none.") % {"year": ctx.year},
                     ctx.notes.ref(rows[0]))]  # fmt: skip
    items = tuple(
        Text(_("%(label)s: %(value)s") % {"label": f.label, "value": f.text}, ctx.notes.ref(f))
        for f in rows
    )
    lead = _("Services that turned survivors away in %(year)s, by kind of service and reason:")
    return [Text(lead % {"year": ctx.year}), Bullets(items)]


def _attacks(ctx: _Context) -> list[Block]:
    return [
        *say(
            ctx,
            _("The coalition's member organisations documented %(attacks_total)s digital attacks "
              "against activists. Of %(complaints_total)s complaints filed with the authorities "
              "and platforms, %(impunity_rate)s have had no outcome: no one was charged or "
              "convicted and no harm was redressed."),
            ("attacks_total", "complaints_total", "impunity_rate"),
        ),
    ]  # fmt: skip


PARTS = {
    "upr_groups": _upr_groups,
    "upr_status": _upr_status,
    "shelters": _shelters,
    "distance": _distance,
    "capacity": _capacity,
    "forensic": _forensic,
    "refusals": _refusals,
    "attacks": _attacks,
}


# -- sections, slides, the document -------------------------------------------------------------


def _narrative(ctx: _Context, key: str) -> list[Block]:
    text = ctx.narrative.get(key) or str(NARRATIVE_DEFAULTS[key])
    return narrative_blocks(text)


def _section(ctx: _Context, spec: SectionSpec) -> Section:
    blocks: list[Block] = []
    for key in spec.narrative:
        blocks += _narrative(ctx, key)
    for part in spec.parts:
        blocks += PARTS[part](ctx)
    for key in spec.narrative_after:
        blocks += _narrative(ctx, key)
    return Section(spec.key, str(spec.title), tuple(blocks), spec.charts)


def _lines(ctx: _Context, keys: Sequence[str]) -> tuple[Text, ...]:
    return tuple(line for key in keys if (line := _figure_line(ctx, key)) is not None)


def _slides(ctx: _Context) -> tuple[Slide, ...]:
    groups = [k for k, f in ctx.figures.items() if k.startswith("upr_group_") and f.value]
    ours = [b for b in _narrative(ctx, "recommendations") if isinstance(b, Bullets)]
    charts = SLIDE_CHART_BY_SLIDE
    return (
        Slide("received", _("Recommendations received"),
              _lines(ctx, ["upr_gbv_total", *groups]), charts["received"]),
        Slide("shelters", _("Shelters"),
              _lines(ctx, ["shelter_places", "shelter_places_required", "shelter_ratio",
                           "shelter_cities", "farthest_district", "farthest_district_km"]),
              charts["shelters"]),
        Slide("forensic", _("Forensic examination"),
              _lines(ctx, ["forensic_gap_days", "forensic_gap_start"]), charts["forensic"]),
        Slide("attacks", _("Digital attacks"),
              _lines(ctx, ["attacks_total", "complaints_total", "impunity_rate"]),
              charts["attacks"]),
        Slide("ours", _("Our recommendations"), ours[0].items if ours else ()),
    )  # fmt: skip


def _figure_table(ctx: _Context) -> Section:
    rows = tuple(
        FigureRow(f.label, f.text, "" if f.unit == "%" else f.unit, ctx.notes.ref(f)[0], f.missing)
        for f in ctx.figures.values()
    )
    table = FigureTable(_("Every figure of this report"), rows)
    return Section("figures", _("Figures and their sources"), (table,))


def _words(sections: Sequence[Section]) -> int:
    count = 0
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Text):
                count += len(block.text.split())
            elif isinstance(block, Bullets):
                count += sum(len(item.text.split()) for item in block.items)
    return count


def document_build(
    *,
    kind: str,
    language: str,
    title: str,
    year: int,
    narrative: Mapping[str, str],
    inputs: Mapping[str, Any],
    data_hash: str,
    created_at: dt.datetime,
) -> Document:
    """The document of a report from frozen inputs only, with every text in `language`."""
    spec = KINDS[kind]
    with translation.override(language):
        country = inputs.get("country", "")
        ctx = _Context(
            figures=figures_compute(inputs, language=language),
            notes=_Notes(),
            narrative=narrative,
            year=year,
            country=str(COUNTRY_NAMES.get(country, country)),
        )
        sections = [_section(ctx, s) for s in spec.sections]
        slides = _slides(ctx) if spec.slides else ()
        if spec.figure_table:
            sections.append(_figure_table(ctx))
        words = _words(sections)
        return Document(
            kind=kind,
            kind_label=str(ReportKind(kind).label),
            language=language,
            title=title,
            year=year,
            data_hash=data_hash,
            created_at=formats.date_format(created_at, "DATETIME_FORMAT", use_l10n=True),
            sections=tuple(sections),
            slides=slides,
            notes=ctx.notes.all(),
            figures=ctx.figures,
            words=words,
            spoken_minutes=round(words / spec.words_per_minute, 1)
            if spec.words_per_minute
            else None,
        )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:;)" else f"{text}."


def note_lines(note: Note, *, sources: bool = True) -> list[str]:
    """A note as sentences in the active language: figures, inputs, assumptions and (unless
    `sources` is False, for a renderer that links them itself) sources."""
    src = note.source
    lines = [_sentence(_("Figures: %(list)s") % {"list": "; ".join(note.figures)})]
    if src.inputs:
        pairs = "; ".join(f"{k} = {v}" for k, v in src.inputs)
        lines.append(_sentence(_("Inputs: %(list)s") % {"list": pairs}))
    if src.assumptions:
        said = " ".join(_sentence(a) for a in src.assumptions)
        lines.append(_("Assumptions: %(list)s") % {"list": said})
    if sources and src.sources:
        refs = "; ".join(
            f"{s.title} <{s.url}>" if s.url and s.url != s.title else s.title or s.url
            for s in src.sources
        )
        lines.append(_sentence(_("Sources: %(list)s") % {"list": refs}))
    return lines
