"""Number formatting for tables: thousands separated by a thin space, '—' for missing."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """12345 -> '12 345'; None -> '—'."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}".replace(",", "\u202f")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
