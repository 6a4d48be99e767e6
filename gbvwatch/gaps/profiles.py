"""Who is looking for help, and which services would accept her: the profiles of the analysis.

"Not known" is never silently read as "yes": by default a service counts for a profile only
when its record says it accepts that person (`unknown_accepts=True` relaxes this, and the
output says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gbvwatch.directory.models import Kind, Service, Tri


@dataclass(frozen=True)
class Profile:
    """A person looking for help; `accepts` decides whether a service would take her."""

    code: str
    label: str | Promise  # lazy: translated when shown, in the language of the request
    needs: tuple[str, ...]  # the Service fields that must say "yes"
    boys_age: int | None = None  # a son of this age must be admitted


PROFILES: dict[str, Profile] = {
    p.code: p
    for p in (
        Profile("woman", _("Woman"), ("accepts_women",)),
        Profile(
            "woman_with_son_15",
            _("Woman with a 15-year-old son"),
            ("accepts_women", "accepts_children"),
            boys_age=15,
        ),
        Profile("transgender_woman", _("Transgender woman"), ("accepts_transgender",)),
        Profile("man", _("Man"), ("accepts_men",)),
        Profile(
            "wheelchair_user",
            _("Woman using a wheelchair"),
            ("accepts_women", "wheelchair_access"),
        ),
    )
}

# The service kinds of the analysis and the directory kinds each one counts.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "shelter": (Kind.SHELTER_DV,),
    "crisis_centre": (Kind.CRISIS_CENTRE,),
    "rape_crisis_centre": (Kind.RAPE_CRISIS_CENTRE,),
    "sexual_assault_centre": (Kind.SEXUAL_ASSAULT_CENTRE,),
    "forensic_medical": (Kind.FORENSIC_MEDICAL, Kind.SEXUAL_ASSAULT_CENTRE),
    "counselling": (Kind.COUNSELLING,),
    "helpline": (Kind.HELPLINE,),
}

# What each kind of the analysis is called on the page (the label of its first directory kind).
KIND_LABELS: dict[str, str | Promise] = {
    group: Kind(kinds[0]).label for group, kinds in KIND_GROUPS.items()
}


def accepts(profile: Profile, service: Service, *, unknown_accepts: bool = False) -> bool:
    """Whether the service would accept a person of this profile, by its recorded criteria."""
    allowed = {Tri.YES, Tri.UNKNOWN} if unknown_accepts else {Tri.YES}
    if any(getattr(service, field) not in allowed for field in profile.needs):
        return False
    if profile.boys_age is not None:
        limit = service.boys_max_age
        if limit is None:
            return unknown_accepts
        return limit >= profile.boys_age
    return True


def acceptance_rule(profile: Profile, *, unknown_accepts: bool) -> Callable[[Service], bool]:
    """A one-argument predicate for filtering services."""
    return lambda service: accepts(profile, service, unknown_accepts=unknown_accepts)
