"""Scoped reads of digital attacks and campaigns: every function takes the acting user, and
another organisation's object is simply not found (404)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, QuerySet

from gbvwatch.cases.models import Attack, Campaign
from gbvwatch.core.scoping import get_by_uuid_or_404, scope_to_organisation


def attacks_for(user: Any) -> QuerySet[Attack]:
    """Attacks of the user's organisation (coded fields; nothing decrypted)."""
    return scope_to_organisation(Attack.objects.select_related("unit", "campaign"), user)


def attacks_filter(
    attacks: QuerySet[Attack], user: Any, criteria: Mapping[str, Any]
) -> QuerySet[Attack]:
    """Narrow a list by coded criteria (as AttackFilterForm.filters() gives them)."""
    attacks = attacks.filter(
        **{name: criteria[name] for name in ("platform", "campaign", "unit") if name in criteria}
    )
    if "attack_type" in criteria:
        # A JSON list of codes; no code is a substring of another, so text matching is exact.
        attacks = attacks.filter(attack_types__icontains=f'"{criteria["attack_type"]}"')
    if "date_from" in criteria:
        attacks = attacks.filter(started_on__gte=criteria["date_from"])
    if "date_to" in criteria:
        attacks = attacks.filter(started_on__lte=criteria["date_to"])
    if criteria.get("assigned") == "me":
        attacks = attacks.filter(assigned_to=user)
    elif criteria.get("assigned") == "none":
        attacks = attacks.filter(assigned_to__isnull=True)
    return attacks


def attack_get(user: Any, attack_id: str) -> Attack:
    """One attack of the user's organisation; another organisation's is a 404."""
    return get_by_uuid_or_404(attacks_for(user), attack_id)


def attacks_with_indicator(user: Any, blind_indexes: Iterable[str]) -> QuerySet[Attack]:
    """Attacks of the user's organisation with an indicator of one of these blind indexes."""
    return attacks_for(user).filter(indicators__blind_index__in=list(blind_indexes)).distinct()


def attacks_of_campaign(user: Any, campaign: Campaign) -> QuerySet[Attack]:
    """The attacks linked to one campaign, within the user's organisation."""
    return attacks_for(user).filter(campaign=campaign)


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """Campaigns of the user's organisation, each with its number of attacks."""
    return scope_to_organisation(Campaign.objects.annotate(attack_count=Count("attacks")), user)


def campaign_get(user: Any, campaign_id: str) -> Campaign:
    """One campaign of the user's organisation; another organisation's is a 404."""
    return get_by_uuid_or_404(scope_to_organisation(Campaign.objects.all(), user), campaign_id)


def attacks_countable(organisation_id: int) -> QuerySet[Attack]:
    """Attacks whose target consented to being counted in statistics (only these count)."""
    return Attack.objects.filter(organisation_id=organisation_id, consent_statistics=True)


def attacks_shareable_with_coalition() -> QuerySet[Attack]:
    """Across organisations: only attacks whose target consented to sharing and counting."""
    return Attack.objects.filter(consent_coalition=True, consent_statistics=True)
