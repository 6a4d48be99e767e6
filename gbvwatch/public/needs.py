"""What a visitor may ask for, and who she may be: the choices of the find-help form, and the
acceptance profile they make (the same rule as the gap analysis: 'not known' is not 'yes')."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gbvwatch.directory.models import Kind
from gbvwatch.gaps.profiles import Profile


@dataclass(frozen=True)
class Group:
    """A kind of help on the answer page and the directory kinds that give it."""

    code: str
    label: str | Promise
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Need:
    """One answer to 'what do you need?': the groups of services shown for it, in order."""

    code: str
    label: str | Promise
    groups: tuple[Group, ...]


SHELTER = Group(
    "shelter",
    _("A safe place to stay"),
    (Kind.SHELTER_DV, Kind.CRISIS_CENTRE, Kind.SHELTER_GENERAL),
)
FORENSIC = Group(
    "forensic",
    _("Forensic medical examination"),
    (Kind.FORENSIC_MEDICAL, Kind.SEXUAL_ASSAULT_CENTRE),
)
EMERGENCY_CARE = Group(
    "emergency_care",
    _("Emergency medical care (PEP, emergency contraception)"),
    (Kind.MEDICAL, Kind.SEXUAL_ASSAULT_CENTRE),
)
RAPE_CRISIS = Group(
    "rape_crisis", _("Rape crisis support"), (Kind.RAPE_CRISIS_CENTRE, Kind.SEXUAL_ASSAULT_CENTRE)
)
TALK = Group(
    "talk",
    _("Counselling and support"),
    (Kind.COUNSELLING, Kind.PSYCHOSOCIAL, Kind.CRISIS_CENTRE, Kind.RAPE_CRISIS_CENTRE),
)
LEGAL = Group("legal", _("Legal help"), (Kind.LEGAL_AID,))
REPORT = Group("report", _("Reporting lines"), (Kind.HELPLINE_REPORTING,))

NEEDS: dict[str, Need] = {
    n.code: n
    for n in (
        Need("shelter", _("A safe place tonight"), (SHELTER,)),
        Need(
            "assault",
            _("After sexual assault (urgent: examination and medical care within 72 hours)"),
            (FORENSIC, EMERGENCY_CARE, RAPE_CRISIS),
        ),
        Need("talk", _("Someone to talk to"), (TALK,)),
        Need("legal", _("Legal help"), (LEGAL,)),
        Need("report", pgettext_lazy("find help", "To report violence"), (REPORT,)),
    )
}

# Gender as the visitor describes herself; the Service fields that must say "yes".
GENDERS: dict[str, tuple[str | Promise, tuple[str, ...]]] = {
    "woman": (_("Woman"), ("accepts_women",)),
    "trans_woman": (_("Transgender woman"), ("accepts_transgender",)),
    "trans_man": (_("Transgender man"), ("accepts_transgender",)),
    "nonbinary": (_("Non-binary"), ("accepts_transgender",)),
    "man": (_("Man"), ("accepts_men",)),
}

MAX_CHILD_AGE = 17


@dataclass(frozen=True)
class Who:
    """The visitor as she described herself on the form."""

    gender: str
    with_children: bool = False
    oldest_boy_age: int | None = None  # a son of this age comes with her
    wheelchair: bool = False


def profile_for(who: Who) -> Profile:
    """The acceptance profile of the gap analysis for this visitor."""
    label, needs = GENDERS[who.gender]
    fields = list(needs)
    if who.with_children or who.oldest_boy_age is not None:
        fields.append("accepts_children")
    if who.wheelchair:
        fields.append("wheelchair_access")
    return Profile("visitor", label, tuple(fields), boys_age=who.oldest_boy_age)
