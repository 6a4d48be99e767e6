"""Writes to the UPR tracker; each runs in a transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gbvwatch.core.access import active_membership
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User
from gbvwatch.directory.models import Service
from gbvwatch.reference.models import KeyFigure
from gbvwatch.upr.importers import classification_apply
from gbvwatch.upr.models import (
    Assessment,
    EvidenceKind,
    EvidenceLink,
    GovernmentClaim,
    Recommendation,
    RecommendationLink,
    Status,
)
from gbvwatch.upr.taxonomy import taxonomy_load

CLASSIFICATION_FIELDS = ("primary_group", "themes", "action_category")


@dataclass(frozen=True)
class EvidenceInput:
    """One piece of evidence: its kind, a description, and what it points to."""

    kind: str
    label: str
    url: str = ""
    service_code: str = ""
    key_figure_id: int | None = None


def _organisation_id(actor: User) -> int | None:
    membership = active_membership(actor)
    return membership.organisation_id if membership else None


def _snapshot(rec: Recommendation) -> dict[str, Any]:
    return {name: getattr(rec, name) for name in CLASSIFICATION_FIELDS}


def classification_override(
    *,
    actor: User,
    recommendation: Recommendation,
    primary_group: str,
    themes: list[str],
    action_category: int | None,
    reason: str,
) -> Recommendation:
    """Replace the automatic classification by a person's; the audit entry holds both."""
    taxonomy = taxonomy_load()
    group_codes = {g.code for g in taxonomy.groups}
    theme_codes = {t.code for t in taxonomy.themes}
    if primary_group and primary_group not in group_codes:
        raise ActionError(_('"%(code)s" is not a group of the taxonomy') % {"code": primary_group})
    unknown = sorted(set(themes) - theme_codes)
    if unknown:
        raise ActionError(
            _("not themes of the taxonomy: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    if action_category is not None and not 1 <= action_category <= 5:
        raise ActionError(_("the action category must be between 1 and 5"))
    if not reason.strip():
        raise ActionError(_("say why the classification is changed"))
    with transaction.atomic():
        before = _snapshot(recommendation)
        recommendation.primary_group = primary_group
        recommendation.themes = [t.code for t in taxonomy.themes if t.code in themes]
        recommendation.action_category = action_category
        recommendation.classification_overridden = True
        recommendation.override_reason = reason.strip()
        recommendation.save()
        audit_append(
            actor=actor,
            action="upr.classify.override",
            obj=recommendation,
            organisation_id=_organisation_id(actor),
            details={"before": before, "after": _snapshot(recommendation), "reason": reason},
        )
    return recommendation


def classification_reset(*, actor: User, recommendation: Recommendation) -> Recommendation:
    """Drop a manual classification and classify automatically again; audited."""
    with transaction.atomic():
        before = _snapshot(recommendation)
        recommendation.classification_overridden = False
        recommendation.override_reason = ""
        classification_apply(recommendation, taxonomy_load())
        recommendation.save()
        audit_append(
            actor=actor,
            action="upr.classify.reset",
            obj=recommendation,
            organisation_id=_organisation_id(actor),
            details={"before": before, "after": _snapshot(recommendation)},
        )
    return recommendation


def recommendations_reclassify(*, actor: Any) -> dict[str, int]:
    """Classify every recommendation without a manual override again (after the taxonomy
    changed); returns how many changed and how many overrides were kept."""
    taxonomy = taxonomy_load()
    changed = kept = 0
    with transaction.atomic():
        for rec in Recommendation.objects.order_by("pk"):
            if rec.classification_overridden:
                kept += 1
                continue
            before = (_snapshot(rec), rec.confidence, rec.matched_words, rec.taxonomy_version)
            classification_apply(rec, taxonomy)
            after = (_snapshot(rec), rec.confidence, rec.matched_words, rec.taxonomy_version)
            if before != after:
                rec.save()
                changed += 1
        counts = {"changed": changed, "overrides_kept": kept}
        details = {"taxonomy": taxonomy.version, **counts}
        audit_append(actor=actor, action="upr.reclassify", details=details)
    return counts


def _evidence_row(assessment: Assessment, item: EvidenceInput) -> EvidenceLink:
    if item.kind not in EvidenceKind.values:
        raise ActionError(_('"%(kind)s" is not a kind of evidence') % {"kind": item.kind})
    if not item.label.strip():
        raise ActionError(_("each piece of evidence needs a description"))
    if item.url and not item.url.lower().startswith(("https://", "http://")):
        raise ActionError(_("a web address must start with https:// or http://"))
    link = EvidenceLink(assessment=assessment, kind=item.kind, label=item.label.strip()[:300])
    link.url = item.url
    if item.kind == EvidenceKind.SERVICE:
        link.service = Service.objects.filter(code=item.service_code).first()
        if link.service is None:
            raise ActionError(_('no service "%(code)s"') % {"code": item.service_code})
    elif item.kind == EvidenceKind.GAP_FIGURE and item.key_figure_id is not None:
        link.key_figure = KeyFigure.objects.filter(pk=item.key_figure_id).first()
        if link.key_figure is None:
            raise ActionError(_("no key figure %(id)d") % {"id": item.key_figure_id})
    elif item.kind == EvidenceKind.URL and not item.url:
        raise ActionError(_("evidence of kind web address needs the address"))
    return link


def assessment_create(
    *,
    actor: User,
    recommendation: Recommendation,
    status: str,
    assessed_on: dt.date,
    note: str,
    evidence: list[EvidenceInput],
) -> Assessment:
    """Record the coalition's dated assessment with its evidence; audited with the evidence."""
    if status not in Status.values:
        raise ActionError(_('"%(status)s" is not a status') % {"status": status})
    with transaction.atomic():
        assessment = Assessment.objects.create(
            recommendation=recommendation,
            status=status,
            assessed_on=assessed_on,
            note=note.strip(),
            author=actor,
            author_label=actor.get_username(),
            organisation_id=_organisation_id(actor),
        )
        links = [_evidence_row(assessment, item) for item in evidence]
        EvidenceLink.objects.bulk_create(links)
        audit_append(
            actor=actor,
            action="upr.assess",
            obj=assessment,
            organisation_id=_organisation_id(actor),
            details={
                "recommendation": str(recommendation),
                "status": status,
                "assessed_on": assessed_on.isoformat(),
                "evidence": [{"kind": e.kind, "label": e.label, "url": e.url} for e in links],
            },
        )
    return assessment


def claim_create(
    *,
    actor: User,
    recommendation: Recommendation,
    claimed_on: dt.date,
    claimed_status: str,
    text: str,
    source: str,
    url: str = "",
) -> GovernmentClaim:
    """Record what the government says it did about a recommendation; audited."""
    if claimed_status not in Status.values:
        raise ActionError(_('"%(status)s" is not a status') % {"status": claimed_status})
    if not text.strip() or not source.strip():
        raise ActionError(_("a claim needs what the government says and its source"))
    if url and not url.lower().startswith(("https://", "http://")):
        raise ActionError(_("a web address must start with https:// or http://"))
    with transaction.atomic():
        claim = GovernmentClaim.objects.create(
            recommendation=recommendation,
            claimed_on=claimed_on,
            claimed_status=claimed_status,
            text=text.strip(),
            source=source.strip()[:300],
            url=url,
            recorded_by=actor,
        )
        audit_append(
            actor=actor,
            action="upr.claim",
            obj=claim,
            organisation_id=_organisation_id(actor),
            details={"recommendation": str(recommendation), "claimed_status": claimed_status},
        )
    return claim


def recommendation_link(
    *, actor: User, earlier: Recommendation, later: Recommendation, note: str = ""
) -> RecommendationLink:
    """Record that `later` asks again what `earlier` asked; the cycles must be in order."""
    if earlier.pk == later.pk:
        raise ActionError(_("a recommendation cannot be linked to itself"))
    if earlier.cycle > later.cycle:
        raise ActionError(
            _("the earlier recommendation must come from the same or an earlier cycle")
        )
    with transaction.atomic():
        link, created = RecommendationLink.objects.get_or_create(
            earlier=earlier, later=later, defaults={"note": note.strip()[:300], "created_by": actor}
        )
        if created:
            audit_append(
                actor=actor,
                action="upr.link",
                obj=link,
                organisation_id=_organisation_id(actor),
                details={"earlier": str(earlier), "later": str(later)},
            )
    return link
