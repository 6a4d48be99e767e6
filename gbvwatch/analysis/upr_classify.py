"""Transparent, rule-based classification of UPR recommendations (no Django).

A taxonomy lists groups (one of which becomes a recommendation's primary group) and themes
(any number may apply). Each category has rules written as plain text: `a|b + c|d` matches when
the text contains one of `a`, `b` AND one of `c`, `d`. Terms match whole words, case-insensitive;
a trailing `*` matches any word ending (`criminali*`). A rule adds its weight to the category's
score once; the words it matched are kept so a reader can see why.

The action category (UPR Info's scale, 1 = minimal action ... 5 = specific action) comes from the
recommendation's leading verb, after adverbs such as "further" or "promptly".

Confidence of the primary group = top / (top + runner-up) x min(1, top / FULL_SCORE): a single
weak match gives 0.5, a clear specific match 1.0, two groups scoring alike about half.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FULL_SCORE = 2.0  # score at which a lone group is classified with full confidence
ADVERB_CONFIDENCE = 0.8  # the leading verb was found after skipping adverbs
ACTION_CATEGORIES = (1, 2, 3, 4, 5)


class TaxonomyError(ValueError):
    """The taxonomy is malformed; the message names the category and rule at fault."""


@dataclass(frozen=True)
class Rule:
    """All of `alternatives` must match (each: one of its terms); adds `weight` once."""

    source: str
    alternatives: tuple[tuple[str, ...], ...]
    weight: float
    patterns: tuple[re.Pattern[str], ...] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Category:
    """A group or theme: its code, label, rules, and hand-labelled examples."""

    code: str
    label: str
    kind: str  # "group" or "theme"
    rules: tuple[Rule, ...]
    description: str = ""
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionCategory:
    """One step of the action scale with the leading verbs (or phrases) that select it."""

    number: int
    label: str
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Groups, themes, the action scale and the adverbs skipped before the leading verb."""

    version: str
    groups: tuple[Category, ...]
    themes: tuple[Category, ...]
    actions: tuple[ActionCategory, ...]
    skipped_adverbs: tuple[str, ...]

    def category(self, code: str) -> Category | None:
        """The group or theme with this code, or None."""
        return next((c for c in (*self.groups, *self.themes) if c.code == code), None)


@dataclass(frozen=True)
class Classification:
    """Result for one text: primary group ('' for none), themes, action category and why."""

    primary_group: str
    groups: tuple[str, ...]
    themes: tuple[str, ...]
    confidence: float
    scores: dict[str, float]
    matched_words: dict[str, list[str]]
    action_category: int | None
    leading_verb: str
    action_confidence: float


def _term_pattern(term: str) -> str:
    words = term.strip().lower().split()
    if not words or any(not w.rstrip("*") for w in words):
        raise TaxonomyError(f"empty term in {term!r}")
    parts = [re.escape(w.rstrip("*")) + (r"[\w-]*" if w.endswith("*") else "") for w in words]
    return r"\b" + r"[\s-]+".join(parts) + r"\b"


def rule_parse(text: str, weight: float = 1.0) -> Rule:
    """Parse `a|b + c` into a rule; raises TaxonomyError on empty parts."""
    alternatives = tuple(
        tuple(t.strip() for t in part.split("|") if t.strip()) for part in text.split("+")
    )
    if not alternatives or any(not alt for alt in alternatives):
        raise TaxonomyError(f"rule {text!r} has an empty part")
    patterns = tuple(
        re.compile("|".join(f"(?:{_term_pattern(t)})" for t in alt)) for alt in alternatives
    )
    return Rule(text, alternatives, float(weight), patterns)


def _category(data: Mapping[str, Any], kind: str) -> Category:
    code = str(data.get("code", "")).strip()
    if not code:
        raise TaxonomyError(f"a {kind} has no code")
    rules = []
    for item in data.get("rules", []):
        text, weight = (item, 1.0) if isinstance(item, str) else (item["match"], item["weight"])
        try:
            rules.append(rule_parse(str(text), float(weight)))
        except (TaxonomyError, ValueError, TypeError) as exc:
            raise TaxonomyError(f"{kind} {code}: {exc}") from exc
    if not rules:
        raise TaxonomyError(f"{kind} {code} has no rules")
    return Category(
        code=code,
        label=str(data.get("label", code)),
        kind=kind,
        rules=tuple(rules),
        description=str(data.get("description", "")),
        examples=tuple(str(e) for e in data.get("examples", [])),
        counterexamples=tuple(str(e) for e in data.get("counterexamples", [])),
    )


def taxonomy_parse(data: Mapping[str, Any]) -> Taxonomy:
    """Build a taxonomy from plain data (the JSON file's content); raises TaxonomyError."""
    try:
        actions = tuple(
            ActionCategory(int(a["number"]), str(a["label"]), tuple(str(v) for v in a["verbs"]))
            for a in data["actions"]
        )
        groups = tuple(_category(g, "group") for g in data["groups"])
        themes = tuple(_category(t, "theme") for t in data.get("themes", []))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, TaxonomyError):
            raise
        raise TaxonomyError(f"missing or malformed entry: {exc}") from exc
    if sorted(a.number for a in actions) != list(ACTION_CATEGORIES):
        raise TaxonomyError("the action scale must define categories 1 to 5 exactly once")
    codes = [c.code for c in (*groups, *themes)]
    if len(codes) != len(set(codes)):
        raise TaxonomyError("group and theme codes must be unique")
    return Taxonomy(
        version=str(data.get("version", "")),
        groups=groups,
        themes=themes,
        actions=actions,
        skipped_adverbs=tuple(str(a).lower() for a in data.get("skipped_adverbs", [])),
    )


def _normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2010", "-").replace("\u2011", "-").lower()


def _score(category: Category, text: str) -> tuple[float, list[str]]:
    score, words = 0.0, list[str]()
    for rule in category.rules:
        found = [p.search(text) for p in rule.patterns]
        if all(found):
            score += rule.weight
            words.extend(m.group(0) for m in found if m is not None)
    return score, sorted(set(words))


def _leading_verb(text: str, taxonomy: Taxonomy) -> tuple[int | None, str, float]:
    words = re.findall(r"[a-z][a-z'-]*", _normalise(text))
    skipped = 0
    while skipped < len(words) and words[skipped] in taxonomy.skipped_adverbs:
        skipped += 1
    head = " ".join(words[skipped : skipped + 4])
    best: tuple[int, str] | None = None
    for action in taxonomy.actions:
        for verb in action.verbs:
            phrase = verb.lower()
            if (head == phrase or head.startswith(phrase + " ")) and (
                best is None or len(phrase) > len(best[1])
            ):
                best = (action.number, phrase)
    if best is None:
        return None, words[skipped] if skipped < len(words) else "", 0.0
    return best[0], best[1], 1.0 if skipped == 0 else ADVERB_CONFIDENCE


def classify(text: str, taxonomy: Taxonomy) -> Classification:
    """Classify one recommendation's text; pure, deterministic."""
    lowered = _normalise(text)
    scores: dict[str, float] = {}
    matched: dict[str, list[str]] = {}
    for category in (*taxonomy.groups, *taxonomy.themes):
        score, words = _score(category, lowered)
        if score > 0:
            scores[category.code], matched[category.code] = score, words
    ranked = sorted(
        (g for g in taxonomy.groups if g.code in scores),
        key=lambda g: -scores[g.code],  # stable: ties go to the taxonomy's order
    )
    primary, confidence = "", 0.0
    if ranked:
        top = scores[ranked[0].code]
        runner_up = scores[ranked[1].code] if len(ranked) > 1 else 0.0
        primary = ranked[0].code
        confidence = round(top / (top + runner_up) * min(1.0, top / FULL_SCORE), 2)
    number, verb, action_confidence = _leading_verb(text, taxonomy)
    return Classification(
        primary_group=primary,
        groups=tuple(g.code for g in ranked),
        themes=tuple(t.code for t in taxonomy.themes if t.code in scores),
        confidence=confidence,
        scores=scores,
        matched_words=matched,
        action_category=number,
        leading_verb=verb,
        action_confidence=action_confidence,
    )


def examples_check(taxonomy: Taxonomy) -> list[str]:
    """Problems with the taxonomy's own examples: each example must classify as its category
    (primary group for groups, among the themes for themes); no counterexample may."""
    problems = []
    for category in (*taxonomy.groups, *taxonomy.themes):
        for example in category.examples:
            result = classify(example, taxonomy)
            got: Sequence[str] = (
                (result.primary_group,) if category.kind == "group" else result.themes
            )
            if category.code not in got:
                problems.append(f"{category.code}: example not recognised: {example}")
        for example in category.counterexamples:
            result = classify(example, taxonomy)
            if category.code in (*result.groups, *result.themes):
                problems.append(f"{category.code}: counterexample matched: {example}")
    return problems
