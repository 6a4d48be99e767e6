"""Reads of the UPR tracker: filtered recommendations and the summary with its inputs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.analysis.upr_similarity import similar_texts
from gbvwatch.upr.models import (
    Assessment,
    EvidenceLink,
    GovernmentClaim,
    Recommendation,
    RecommendationLink,
    Status,
)
from gbvwatch.upr.taxonomy import taxonomy_load

NOT_ASSESSED = "not_assessed"
PENDING = "pending"
NO_GROUP = "none"
ASSUMPTIONS = (
    _lazy(
        "A recommendation's status is its most recent assessment by the coalition; "
        "recommendations never assessed count as not assessed."
    ),
    _lazy("An empty response counts as pending (no supported or noted position recorded yet)."),
    _lazy(
        "Groups and themes come from the rule-based taxonomy named in the inputs; manual "
        "overrides replace the automatic classification and are counted as overridden."
    ),
    _lazy(
        "A recommendation made jointly by several states counts once in the total and once for "
        "each state in the count by state."
    ),
)


@dataclass(frozen=True)
class RecommendationFilters:
    """Filters of the list page, the API and the summary; empty values do not filter."""

    country: str = ""
    cycle: int | None = None
    group: str = ""
    theme: str = ""
    response: str = ""
    status: str = ""
    state: str = ""
    action_category: int | None = None
    text: str = ""


def _latest_status() -> Subquery:
    latest = Assessment.objects.filter(recommendation=OuterRef("pk")).order_by(
        "-assessed_on", "-id"
    )
    return Subquery(latest.values("status")[:1])


def _newest_pk() -> Subquery:
    """For an assessment row: the pk of its recommendation's most recent assessment."""
    newest = Assessment.objects.filter(recommendation=OuterRef("recommendation")).order_by(
        "-assessed_on", "-id"
    )
    return Subquery(newest.values("pk")[:1])


def recommendations_filtered(
    filters: RecommendationFilters, *, with_status: bool = True
) -> QuerySet[Recommendation]:
    """Recommendations matching the filters, annotated with `latest_status` unless
    `with_status` is False and no status filter needs it (the summary computes it itself)."""
    f = filters
    qs = Recommendation.objects.all()
    if with_status:
        qs = qs.annotate(latest_status=_latest_status())
    if f.country:
        qs = qs.filter(country=f.country)
    if f.cycle is not None:
        qs = qs.filter(cycle=f.cycle)
    if f.group == NO_GROUP:
        qs = qs.filter(primary_group="")
    elif f.group:
        qs = qs.filter(primary_group=f.group)
    if f.response == PENDING:
        qs = qs.filter(response="")
    elif f.response:
        qs = qs.filter(response=f.response)
    if f.status == NOT_ASSESSED:
        qs = qs.exclude(pk__in=Assessment.objects.values("recommendation"))
    elif f.status:
        latest = Assessment.objects.filter(pk=_newest_pk(), status=f.status)
        qs = qs.filter(pk__in=latest.values("recommendation"))
    if f.state:
        qs = qs.filter(recommending_states__icontains=f.state)
    if f.action_category is not None:
        qs = qs.filter(action_category=f.action_category)
    if f.text:
        qs = qs.filter(Q(text__icontains=f.text) | Q(number__icontains=f.text))
    if f.theme:
        # JSON containment is not available on SQLite; themes are short lists of codes.
        qs = qs.filter(themes__icontains=f'"{f.theme}"')
    return qs.order_by("cycle", "document", "id")


def recommendation_get(pk: int) -> Recommendation:
    """One recommendation with assessments (and evidence) and claims; 404 when missing."""
    rec = (
        Recommendation.objects.prefetch_related(
            Prefetch(
                "assessments",
                Assessment.objects.select_related("organisation").prefetch_related(
                    "evidence__service", "evidence__key_figure"
                ),
            ),
            Prefetch("claims", GovernmentClaim.objects.all()),
        )
        .filter(pk=pk)
        .first()
    )
    if rec is None:
        raise Http404
    return rec


def recommendation_links(rec: Recommendation) -> dict[str, list[Recommendation]]:
    """Recommendations this one repeats (earlier) and that repeat it (later)."""
    links = RecommendationLink.objects.filter(Q(earlier=rec) | Q(later=rec)).select_related(
        "earlier", "later"
    )
    return {
        "earlier": [link.earlier for link in links if link.later_id == rec.pk],
        "later": [link.later for link in links if link.earlier_id == rec.pk],
    }


SUGGESTION_CANDIDATES = 5000


def link_suggestions(rec: Recommendation) -> list[tuple[Recommendation, float, tuple[str, ...]]]:
    """Recommendations of other cycles that look like the same ask, not linked yet: same
    primary group when it has one; best first with the score and the shared words."""
    linked = RecommendationLink.objects.filter(Q(earlier=rec) | Q(later=rec))
    exclude = {rec.pk} | {pk for pair in linked.values_list("earlier", "later") for pk in pair}
    candidates = Recommendation.objects.filter(country=rec.country).exclude(cycle=rec.cycle)
    if rec.primary_group:
        candidates = candidates.filter(primary_group=rec.primary_group)
    pool = [
        c
        for c in candidates.only("pk", "cycle", "document", "number", "text")[
            :SUGGESTION_CANDIDATES
        ]
        if c.pk not in exclude
    ]
    found = similar_texts(rec.text, [c.text for c in pool])
    return [(pool[s.index], s.score, s.shared_words) for s in found]


def _progress(
    assessments: QuerySet[Assessment], total: int
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Status counts at the end of each month in which an assessment was made, and the
    latest status of each assessed recommendation (one pass in date order)."""
    rows = assessments.order_by("assessed_on", "id").values_list(
        "recommendation_id", "assessed_on", "status"
    )
    latest: dict[int, str] = {}
    counts = {NOT_ASSESSED: total, **{s: 0 for s in Status.values}}
    months: dict[str, dict[str, int]] = {}
    for rec_id, day, status in rows:
        counts[latest.get(rec_id, NOT_ASSESSED)] -= 1
        counts[status] += 1
        latest[rec_id] = status
        months[f"{day:%Y-%m}"] = dict(counts)
    return [{"month": m, "by_status": c} for m, c in months.items()], latest


def _latest_assessments(assessments: QuerySet[Assessment]) -> list[dict[str, Any]]:
    """The latest assessment of each recommendation with its evidence, as plain data."""
    latest = assessments.filter(pk=_newest_pk())
    evidence: dict[int, list[dict[str, Any]]] = {}
    for e in (
        EvidenceLink.objects.filter(assessment__in=latest.values("pk"))
        .order_by("id")
        .values(
            "assessment_id",
            "kind",
            "label",
            "url",
            "service__code",
            "key_figure_id",
            "key_figure__indicator",
            "key_figure__year",
            "key_figure__value",
            "key_figure__source",
        )
    ):
        figure = None
        if e["key_figure_id"] is not None:
            row: dict[str, Any] = dict(e)
            figure = {k: row[f"key_figure__{k}"] for k in ("indicator", "year", "value", "source")}
        evidence.setdefault(e["assessment_id"], []).append(
            {
                "kind": e["kind"],
                "label": e["label"],
                "url": e["url"],
                "service": e["service__code"],
                "key_figure": figure,
            }
        )
    rows = latest.order_by("recommendation_id").values(
        "id",
        "recommendation_id",
        "recommendation__document",
        "recommendation__number",
        "status",
        "assessed_on",
        "author_label",
    )
    return [
        {
            "recommendation": f"{r['recommendation__document']} {r['recommendation__number']}",
            "recommendation_id": r["recommendation_id"],
            "status": r["status"],
            "assessed_on": r["assessed_on"].isoformat(),
            "author": r["author_label"],
            "evidence": evidence.get(r["id"], []),
        }
        for r in rows
    ]


def upr_summary(filters: RecommendationFilters) -> dict[str, Any]:
    """Counts by group, response, status, state, theme and action category; progress over
    time; the latest assessment of each recommendation with its evidence; inputs, assumptions
    and sources. The contract of `gbvwatch upr summary --format json`."""
    taxonomy = taxonomy_load()
    filtered = recommendations_filtered(filters, with_status=False)
    recs: list[Any] = list(
        filtered.values(
            "cycle",
            "document",
            "primary_group",
            "themes",
            "response",
            "response_source",
            "recommending_states",
            "action_category",
            "classification_overridden",
            "pk",
        )
    )
    assessments = Assessment.objects.filter(recommendation__in=filtered.values("pk"))
    by_group = {g.code: 0 for g in taxonomy.groups} | {NO_GROUP: 0}
    by_group.update(Counter(r["primary_group"] or NO_GROUP for r in recs))
    by_response = {"supported": 0, "noted": 0, PENDING: 0}
    by_response.update(Counter(r["response"] or PENDING for r in recs))
    by_status = {NOT_ASSESSED: 0, **{s: 0 for s in Status.values}}
    progress, latest = _progress(assessments, len(recs))
    by_status.update(Counter(latest.get(r["pk"], NOT_ASSESSED) for r in recs))
    by_group_status = {group: dict.fromkeys(by_status, 0) for group in by_group}
    for r in recs:
        by_group_status[r["primary_group"] or NO_GROUP][latest.get(r["pk"], NOT_ASSESSED)] += 1
    by_state = Counter(
        s.strip() for r in recs for s in r["recommending_states"].split(";") if s.strip()
    )
    by_action = Counter(str(r["action_category"] or "none") for r in recs)
    themes = Counter(t for r in recs for t in r["themes"])
    documents = sorted({(r["cycle"], r["document"]) for r in recs})
    return {
        "total": len(recs),
        "by_group": by_group,
        "by_response": by_response,
        "by_status": by_status,
        "by_group_status": by_group_status,
        "by_state": dict(sorted(by_state.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_theme": {t.code: themes.get(t.code, 0) for t in taxonomy.themes},
        "by_action_category": {k: by_action.get(k, 0) for k in ("1", "2", "3", "4", "5", "none")},
        "overridden": sum(r["classification_overridden"] for r in recs),
        "progress": progress,
        "assessments": _latest_assessments(assessments),
        "inputs": {
            "country": filters.country,
            "cycle": filters.cycle,
            "group": filters.group,
            "taxonomy_version": taxonomy.version,
            "documents": [{"cycle": c, "document": d} for c, d in documents],
        },
        "assumptions": [str(a) for a in ASSUMPTIONS],
        "sources": sorted({r["response_source"] for r in recs if r["response_source"]})
        + [f"{d} (UN document, cycle {c})" for c, d in documents],
    }
