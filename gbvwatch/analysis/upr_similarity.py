"""Which recommendations of other cycles ask the same thing (no Django).

Texts are reduced to sets of content words (lower case, stop words and the recommending states in
the closing parentheses removed, a plain suffix strip so "ratifying" meets "ratify"); two texts
score |shared| / sqrt(|a| x |b|), the cosine of their word sets: 1 for the same words, 0 for none.
A short recommendation contained in a longer one still scores well ("Ratify the Istanbul
Convention" against a long paragraph naming it), which is what repeated asks look like.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "its",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "those",
        "to",
        "with",
        "all",
        "also",
        "other",
        "such",
        "which",
        "who",
        "whom",
        "will",
        "would",
        "should",
        "shall",
        "may",
        "can",
        "including",
        "particular",
        "especially",
        "order",
        "ensure",
        "take",
        "measures",
        "further",
        "continue",
        "efforts",
        "necessary",
        "appropriate",
        "state",
        "states",
    ]
)
_LAST_STATES = re.compile(r"\((?:[^()]|\([^()]*\))*\)\s*[;.]?\s*$")
_MORE_STATES = re.compile(r"\((?:[^()]|\([^()]*\))*\)\s*[;.]\s*$")
_WORD = re.compile(r"[a-z][a-z'-]+")
_SUFFIXES = ("ications", "ication", "ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s")


@dataclass(frozen=True)
class SimilarText:
    """A candidate's index in the input, its score (0-1) and the shared words."""

    index: int
    score: float
    shared_words: tuple[str, ...]


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith(("y", "e")) and len(word) > 4 else word


def content_words(text: str) -> frozenset[str]:
    """The stemmed content words of a recommendation, without its closing state names."""
    body = _LAST_STATES.sub("", text.replace("\u2019", "'").lower()).rstrip()
    while True:  # "... (Norway); (Spain);": earlier groups of states end with ; or .
        stripped = _MORE_STATES.sub("", body).rstrip()
        if stripped == body:
            break
        body = stripped
    return frozenset(_stem(w) for w in _WORD.findall(body) if w not in STOP_WORDS)


def similar_texts(
    target: str, candidates: Sequence[str], *, min_score: float = 0.4, limit: int = 5
) -> list[SimilarText]:
    """The candidates most like `target`, best first, at least `min_score`, at most `limit`."""
    words = content_words(target)
    if not words:
        return []
    found = []
    for index, text in enumerate(candidates):
        other = content_words(text)
        shared = words & other
        if not shared:
            continue
        score = len(shared) / math.sqrt(len(words) * len(other))
        if score >= min_score:
            found.append(SimilarText(index, round(score, 2), tuple(sorted(shared))))
    found.sort(key=lambda s: (-s.score, s.index))
    return found[:limit]
