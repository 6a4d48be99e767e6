"""Template filters: a planner code shown as words in the page's language (the code itself
when it has no label)."""

from __future__ import annotations

from django import template

from gbvwatch.siting import labels

register = template.Library()


@register.filter
def objective_label(code: object) -> str:
    return str(labels.OBJECTIVES.get(labels.form_code(str(code)), code))


@register.filter
def status_label(code: object) -> str:
    return str(labels.STATUSES.get(str(code), code))


@register.filter
def gain_unit(objective: object) -> str:
    return str(labels.GAIN_UNITS.get(labels.form_code(str(objective)), ""))
