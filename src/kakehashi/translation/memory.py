"""Translation memory: suggestions for each sentence from reviewed translations.

Entries hold one sentence pair each and are written only when a task is reviewed
(``actions.review_task``). The memory is shared across the operator's cases, but a
suggestion is drawn only from cases the user may open with ``need="details"``
(``access.details_cases``): a sentence of an embargoed case never reaches someone who
may not read that case. Identical sentences (same text after Unicode NFKC folding,
whitespace and case) come first, then similar ones: character-trigram overlap picks
candidates, ``difflib``'s ratio scores them, and only scores of at least
``SIMILAR_THRESHOLD`` are kept. Similar matches are searched among the newest
``MAX_CANDIDATES`` entries of the language pair, which bounds the cost of a page.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .access import details_cases
from .models import MemoryEntry

SIMILAR_THRESHOLD = 0.6
TRIGRAM_PREFILTER = 0.3
MAX_CANDIDATES = 5000
PER_SENTENCE = 3


def normalise(sentence: str) -> str:
    folded = unicodedata.normalize("NFKC", sentence)
    return re.sub(r"\s+", " ", folded).strip().casefold()


def source_key(sentence: str) -> str:
    return hashlib.sha256(normalise(sentence).encode("utf-8")).hexdigest()


def trigrams(text: str) -> set[str]:
    if len(text) < 3:
        return {text} if text else set()
    return {text[i : i + 3] for i in range(len(text) - 2)}


@dataclass(frozen=True)
class Suggestion:
    source: str
    target: str
    score: float  # 1.0 for an identical sentence

    @property
    def identical(self) -> bool:
        return self.score >= 1.0

    @property
    def percent(self) -> int:
        return int(self.score * 100)


def _similar(sentence: str, candidates: list[tuple[str, str, str, set[str]]]) -> list[Suggestion]:
    wanted = normalise(sentence)
    grams = trigrams(wanted)
    scored: list[Suggestion] = []
    for source, target, normalised, candidate_grams in candidates:
        if not grams or not candidate_grams:
            continue
        overlap = len(grams & candidate_grams) / len(grams | candidate_grams)
        if overlap < TRIGRAM_PREFILTER:
            continue
        ratio = difflib.SequenceMatcher(None, wanted, normalised, autojunk=False).ratio()
        if ratio >= SIMILAR_THRESHOLD and ratio < 1.0:
            scored.append(Suggestion(source, target, ratio))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


def suggestions(
    user: Any, source_language: str, target_language: str, sentences: list[str]
) -> list[list[Suggestion]]:
    """For each sentence, up to ``PER_SENTENCE`` suggestions, identical first.
    Two queries, whatever the number of sentences."""
    entries = MemoryEntry.objects.filter(
        source_language=source_language,
        target_language=target_language,
        case__in=details_cases(user),
    )
    keys = [source_key(s) for s in sentences]
    identical: dict[str, list[Suggestion]] = {}
    for key, source, target in (
        entries.filter(source_key__in=set(keys))
        .order_by("-created_at")
        .values_list("source_key", "source_text", "target_text")
    ):
        identical.setdefault(key, []).append(Suggestion(source, target, 1.0))
    candidates = [
        (source, target, normalise(source), trigrams(normalise(source)))
        for source, target in entries.order_by("-created_at").values_list(
            "source_text", "target_text"
        )[:MAX_CANDIDATES]
    ]
    result: list[list[Suggestion]] = []
    for sentence, key in zip(sentences, keys, strict=True):
        chosen: list[Suggestion] = []
        seen: set[str] = set()
        for suggestion in identical.get(key, []) + _similar(sentence, candidates):
            if suggestion.target in seen:
                continue
            seen.add(suggestion.target)
            chosen.append(suggestion)
            if len(chosen) == PER_SENTENCE:
                break
        result.append(chosen)
    return result
