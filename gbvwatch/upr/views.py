"""Pages of the UPR tracker: list with filters, detail with assessments, summary with charts,
taxonomy; and the forms that post assessments, claims, classifications and links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gbvwatch.core.access import has_permission, member_required, signed_in
from gbvwatch.core.actions import ActionError
from gbvwatch.geography.importers import ImportRejected
from gbvwatch.upr import actions, queries
from gbvwatch.upr.charts import STATUS_COLOURS, bar_chart, stacked_chart
from gbvwatch.upr.forms import (
    AssessmentForm,
    ClaimForm,
    ClassificationForm,
    FilterForm,
    ImportForm,
    LinkForm,
)
from gbvwatch.upr.importers import recommendations_import
from gbvwatch.upr.models import Recommendation, Response, Status
from gbvwatch.upr.taxonomy import (
    DEFAULT_FILE,
    action_label,
    category_label,
    taxonomy_load,
    taxonomy_path,
)

LIST_LIMIT = 500


def _filters(form: FilterForm) -> queries.RecommendationFilters:
    if not form.is_valid():
        return queries.RecommendationFilters(country=settings.COUNTRY)
    d = form.cleaned_data
    return queries.RecommendationFilters(
        country=settings.COUNTRY,
        cycle=d["cycle"],
        group=d["group"],
        theme=d["theme"],
        response=d["response"],
        status=d["status"],
        state=d["state"].strip(),
        action_category=int(d["action_category"]) if d["action_category"] else None,
        text=d["q"].strip(),
    )


def status_labels() -> dict[str, str]:
    """Labels of the statuses, including 'not assessed'."""
    return {queries.NOT_ASSESSED: _("not assessed"), **{k: str(v) for k, v in Status.choices}}


@member_required("upr.view")
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """Recommendations with filters by cycle, group, theme, response, status and state."""
    form = FilterForm(request.GET or None)
    recs = list(queries.recommendations_filtered(_filters(form))[: LIST_LIMIT + 1])
    labels = status_labels()
    rows = [
        {
            "rec": r,
            "group": category_label(r.primary_group),
            "status": labels.get(r.latest_status or queries.NOT_ASSESSED, ""),  # type: ignore[attr-defined]
        }
        for r in recs[:LIST_LIMIT]
    ]
    context = {
        "form": form,
        "rows": rows,
        "truncated": len(recs) > LIST_LIMIT,
        "limit": LIST_LIMIT,
        "filter_errors": form.errors if request.GET else {},
    }
    return render(request, "upr/list.html", context, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, rec: Recommendation, **forms: Any) -> dict[str, Any]:
    overrides = {
        "primary_group": rec.primary_group,
        "themes": rec.themes,
        "action_category": str(rec.action_category or ""),
    }
    return {
        "rec": rec,
        "group": category_label(rec.primary_group),
        "themes": [category_label(t) for t in rec.themes],
        "action": action_label(rec.action_category),
        "matched": [(category_label(c), words) for c, words in rec.matched_words.items()],
        "links": queries.recommendation_links(rec),
        "suggestions": queries.link_suggestions(rec),
        "can_assess": has_permission(request.user, "upr.assess"),
        "can_classify": has_permission(request.user, "upr.classify"),
        "assessment_form": forms.get("assessment_form") or AssessmentForm(),
        "claim_form": forms.get("claim_form") or ClaimForm(),
        "classification_form": forms.get("classification_form")
        or ClassificationForm(initial=overrides),
        "link_form": forms.get("link_form") or LinkForm(),
    }


@member_required("upr.view")
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One recommendation: text, classification and why, assessments, claims, links."""
    rec = queries.recommendation_get(pk)
    return render(request, "upr/detail.html", _detail_context(request, rec))


def _invalid(request: HttpRequest, rec: Recommendation, **forms: Any) -> HttpResponse:
    # The page again with the errors beside the fields (200, as Django's form views answer).
    return render(request, "upr/detail.html", _detail_context(request, rec, **forms))


@member_required("upr.assess")
@require_POST
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the coalition's assessment with evidence."""
    rec = queries.recommendation_get(pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.assessment_create(
                actor=signed_in(request),
                recommendation=rec,
                status=d["status"],
                assessed_on=d["assessed_on"],
                note=d["note"],
                evidence=d["evidence"],
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The assessment was recorded."))
            return redirect("upr:detail", pk=rec.pk)
    return _invalid(request, rec, assessment_form=form)


@member_required("upr.assess")
@require_POST
def claim_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what the government claims about the recommendation."""
    rec = queries.recommendation_get(pk)
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            actions.claim_create(actor=signed_in(request), recommendation=rec, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The government's claim was recorded."))
            return redirect("upr:detail", pk=rec.pk)
    return _invalid(request, rec, claim_form=form)


@member_required("upr.classify")
@require_POST
def classification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Override the automatic classification, or return to it ('reset' button)."""
    rec = queries.recommendation_get(pk)
    if "reset" in request.POST:
        actions.classification_reset(actor=signed_in(request), recommendation=rec)
        messages.success(request, _("The automatic classification applies again."))
        return redirect("upr:detail", pk=rec.pk)
    form = ClassificationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.classification_override(
                actor=signed_in(request),
                recommendation=rec,
                primary_group=d["primary_group"],
                themes=list(d["themes"]),
                action_category=int(d["action_category"]) if d["action_category"] else None,
                reason=d["reason"],
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The classification was changed."))
            return redirect("upr:detail", pk=rec.pk)
    return _invalid(request, rec, classification_form=form)


@member_required("upr.assess")
@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Link this recommendation to one it repeats or that repeats it."""
    rec = queries.recommendation_get(pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        other = Recommendation.objects.filter(
            country=rec.country, document=d["document"].strip(), number=d["number"].strip()
        ).first()
        if other is None:
            form.add_error("number", _("No recommendation with this document and paragraph."))
        else:
            earlier, later = (other, rec) if d["direction"] == "earlier" else (rec, other)
            try:
                actions.recommendation_link(
                    actor=signed_in(request), earlier=earlier, later=later, note=d["note"]
                )
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The recommendations were linked."))
                return redirect("upr:detail", pk=rec.pk)
    return _invalid(request, rec, link_form=form)


def _summary_charts(summary: dict[str, Any]) -> dict[str, Any]:
    labels = status_labels()
    responses = {k: str(v) for k, v in Response.choices} | {queries.PENDING: _("pending")}
    groups = [
        (category_label(c) if c != queries.NO_GROUP else _("no group"), n)
        for c, n in summary["by_group"].items()
    ]
    actions_ = [
        (action_label(int(k)) if k != "none" else _("no leading verb recognised"), n)
        for k, n in summary["by_action_category"].items()
    ]
    rows, height = stacked_chart(
        [(p["month"], p["by_status"]) for p in summary["progress"]], labels
    )
    return {
        "groups": bar_chart(groups),
        "responses": bar_chart(
            [(responses.get(k, k), n) for k, n in summary["by_response"].items()]
        ),
        "statuses": bar_chart([(labels.get(k, k), n) for k, n in summary["by_status"].items()]),
        "themes": bar_chart([(category_label(k), n) for k, n in summary["by_theme"].items()]),
        "actions": bar_chart(actions_),
        "states": bar_chart(list(summary["by_state"].items())[:15]),
        "progress": rows,
        "progress_height": height,
        "legend": [(labels[s], c) for s, c in STATUS_COLOURS.items()],
    }


@member_required("upr.view")
def summary_page(request: HttpRequest) -> HttpResponse:
    """Counts by group, response, status, theme, action and state; progress over time."""
    form = FilterForm(request.GET or None)
    summary = queries.upr_summary(_filters(form))
    context = {"form": form, "summary": summary, "charts": _summary_charts(summary)}
    return render(request, "upr/summary.html", context, status=400 if form.errors else 200)


@member_required("data.import")
def import_page(request: HttpRequest) -> HttpResponse:
    """Import one file of recommendations (or responses), all or nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        name = getattr(request.FILES.get("file"), "name", None) or "upload"
        try:
            source, result = recommendations_import(
                d["file"],
                name=name,
                actor=signed_in(request),
                source=d["source"] or None,
                cycle=d["cycle"],
                document=d["document"].strip(),
            )
        except ImportRejected as exc:
            context["problems"] = [str(p) for p in exc.problems]
            return render(request, "upr/import.html", context, status=400)
        context.update({"result": result, "source": source, "form": ImportForm()})
    return render(request, "upr/import.html", context)


@member_required("upr.view")
def taxonomy_page(request: HttpRequest) -> HttpResponse:
    """The rules, examples and action scale the classification uses."""
    taxonomy = taxonomy_load()
    context = {
        "taxonomy": taxonomy,
        "custom": taxonomy_path() != DEFAULT_FILE,
        "categories": [
            (category_label(c.code, taxonomy), c) for c in (*taxonomy.groups, *taxonomy.themes)
        ],
        "actions": [(action_label(a.number), a) for a in taxonomy.actions],
    }
    return render(request, "upr/taxonomy.html", context)
