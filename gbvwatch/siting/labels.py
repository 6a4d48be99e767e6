"""What the planner's codes (objective, status, gain) read as on a page, in the member's
language. Reports keep the codes, so a saved scenario is shown in the language of whoever
opens it."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gbvwatch.analysis.siting import SitingError

OBJECTIVES: dict[str, Promise] = {
    "coverage": _("Most women within the radius"),
    "median": _("Least women-weighted travel"),
    "center": _("Shortest longest trip"),
    "cover-all": _("Fewest sites to reach every woman"),
    "capacity": _("Most women served within capacity"),
}

STATUSES: dict[str, Promise] = {
    "optimal": _("proven optimal"),
    "within_tolerance": _("within the solver's tolerance"),
    "time_limit": _("stopped at the time limit, not proven"),
    "heuristic": _("heuristic answer, not proven"),
}

GAIN_UNITS: dict[str, Promise] = {
    "coverage": _("women newly within the radius"),
    "cover-all": _("women newly within the radius"),
    "median": _("women-km saved (none: the first site to reach women with no service)"),
    "center": _("km cut from the farthest woman's trip (none: the first site on its road network)"),
    "capacity": _("women served by the site within its capacity"),
}


def gain_unit_in_english(objective: str) -> str:
    """The unit of the marginal gain as the JSON report states it (English, like its keys)."""
    with translation.override("en"):
        return str(GAIN_UNITS[form_code(objective)])


def form_code(objective: str) -> str:
    """The form's code of an objective (reports write cover_all, the form cover-all)."""
    return "cover-all" if objective == "cover_all" else objective


# The solver's refusals that a form can cause, by their code (analysis.siting stays free of
# Django and words them in English; the params fill the same placeholders).
REFUSALS: dict[str, Promise] = {
    "k_above_candidates": _(
        "k: %(k)s sites asked but there are only %(candidates)s candidate sites"
    ),
    "k_below_locked": _(
        "k: %(k)s sites asked, but at least 1 and at least the %(locked)s locked site(s) are needed"
    ),
    "k_components": _(
        "k: %(k)s sites cannot reach every road-network component that has women and no "
        "existing service"
    ),
}


def refusal(exc: ValueError) -> str:
    """The message of a solver's refusal in the active language (as given when unknown)."""
    if isinstance(exc, SitingError) and exc.code in REFUSALS:
        try:
            return str(REFUSALS[exc.code]) % exc.params
        except (KeyError, TypeError, ValueError):  # a catalogue that lost a placeholder
            return str(exc)
    return str(exc)
