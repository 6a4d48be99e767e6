"""The taxonomy in use: the shipped default or the JSON file named by GBVWATCH_UPR_TAXONOMY."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gbvwatch.analysis.upr_classify import Taxonomy, TaxonomyError, taxonomy_parse

DEFAULT_FILE = Path(__file__).resolve().parent / "taxonomy" / "default.json"

# Translations of the default taxonomy's labels; a custom taxonomy shows its own labels.
DEFAULT_LABELS: dict[str, Promise] = {
    "istanbul_convention": _("Istanbul Convention"),
    "legal_reform_nap": _("Legal reform and National Action Plan"),
    "awareness_response": _("Awareness and strengthening responses"),
    "violence_against_women": _("Violence against women"),
    "womens_rights": _("Women's rights"),
    "lgbti": _("LGBTI people"),
    "human_rights_defenders": _("Human-rights defenders"),
    "expression_online": _("Freedom of expression, online and offline"),
    "trafficking": _("Trafficking in human beings"),
    "child_marriage": _("Child and forced marriage"),
}
ACTION_LABELS: dict[int, Promise] = {
    1: _("1 minimal action"),
    2: _("2 continuing action"),
    3: _("3 considering action"),
    4: _("4 general action"),
    5: _("5 specific action"),
}
_cache: dict[tuple[str, float], Taxonomy] = {}


def taxonomy_path() -> Path:
    """The taxonomy file in use."""
    return Path(settings.UPR_TAXONOMY_FILE) if settings.UPR_TAXONOMY_FILE else DEFAULT_FILE


def taxonomy_load(path: Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file (cached while the file is unchanged)."""
    path = path or taxonomy_path()
    try:
        key = (str(path), path.stat().st_mtime)
        if key not in _cache:
            _cache[key] = taxonomy_parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        if isinstance(exc, TaxonomyError):
            raise
        raise TaxonomyError(f"{path.name}: {exc}") from exc
    return _cache[key]


def category_label(code: str, taxonomy: Taxonomy | None = None) -> str:
    """The label to show for a group or theme code ('' stays '')."""
    if not code:
        return ""
    taxonomy = taxonomy or taxonomy_load()
    category = taxonomy.category(code)
    if code in DEFAULT_LABELS and (category is None or taxonomy_path() == DEFAULT_FILE):
        return str(DEFAULT_LABELS[code])
    return category.label if category else code


def action_label(number: int | None) -> str:
    """The label of an action category, or '' when none."""
    return str(ACTION_LABELS[number]) if number in ACTION_LABELS else ""
