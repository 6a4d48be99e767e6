"""Scoped reads of complaints and the accountability figures of one organisation.

The impunity rate is the share of complaints with no investigation or no outcome (every status
but charged, convicted or redressed) among all complaints; the clock counts the days since a
complaint was filed without an outcome."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gbvwatch.accountability.models import OUTCOME_STATUSES, Complaint
from gbvwatch.core.scoping import get_by_uuid_or_404, scope_to_organisation

DEFINITION = _(
    "Impunity rate: complaints without an investigation or without an outcome (anything but "
    "someone charged, someone convicted, or the harm redressed) divided by all complaints. "
    "A complaint is overdue when it has no outcome more than the set number of days after it "
    "was filed."
)


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """Complaints of the user's organisation (coded fields; nothing decrypted)."""
    return scope_to_organisation(Complaint.objects.select_related("incident", "attack"), user)


def complaint_get(user: Any, complaint_id: str) -> Complaint:
    """One complaint of the user's organisation; another organisation's is a 404."""
    return get_by_uuid_or_404(complaints_for(user), complaint_id)


@dataclass(frozen=True)
class Rate:
    """Complaints without an outcome among all complaints of a group."""

    label: str
    total: int
    without_outcome: int

    @property
    def percent(self) -> float:
        """The impunity rate of the group, in percent (0 when there is no complaint)."""
        return 100.0 * self.without_outcome / self.total if self.total else 0.0


@dataclass(frozen=True)
class Accountability:
    """The organisation's accountability figures on a given day."""

    today: dt.date
    overdue_days: int
    overall: Rate
    by_year: tuple[Rate, ...]
    by_authority: tuple[Rate, ...]
    by_case: tuple[Rate, ...]
    overdue: tuple[tuple[Complaint, int], ...]  # (complaint, days since filed), oldest first
    definition: str


def _rates(rows: list[tuple[str, bool]]) -> tuple[Rate, ...]:
    totals = Counter(label for label, _ in rows)
    open_ = Counter(label for label, has_outcome in rows if not has_outcome)
    return tuple(Rate(label, totals[label], open_[label]) for label in sorted(totals))


def accountability_for(user: Any, *, today: dt.date, overdue_days: int) -> Accountability:
    """Impunity rates (overall, by year filed, authority, kind of case) and the overdue list."""
    complaints = list(complaints_for(user).order_by("filed_on"))
    outcome = {c.pk: c.status in OUTCOME_STATUSES for c in complaints}
    authority = {c.pk: str(c.get_authority_display()) for c in complaints}
    kind = {
        c.pk: str(c.incident.get_type_display()) if c.incident else str(_("Digital attack"))
        for c in complaints
    }
    overdue = tuple(
        (c, (today - c.filed_on).days)
        for c in complaints
        if not outcome[c.pk] and (today - c.filed_on).days > overdue_days
    )
    return Accountability(
        today=today,
        overdue_days=overdue_days,
        overall=Rate("", len(complaints), sum(not v for v in outcome.values())),
        by_year=_rates([(str(c.filed_on.year), outcome[c.pk]) for c in complaints]),
        by_authority=_rates([(authority[c.pk], outcome[c.pk]) for c in complaints]),
        by_case=_rates([(kind[c.pk], outcome[c.pk]) for c in complaints]),
        overdue=overdue,
        definition=str(DEFINITION),
    )
