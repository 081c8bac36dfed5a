"""Find glossary terms in a source sentence and mark them, safely.

The sentence and the terms are untrusted text: every piece is escaped before it is
put between ``<mark>`` tags, so neither a glossary entry nor a source text can inject
markup. Longer terms win over shorter ones they contain (「製品開発者」 before 「開発者」);
English terms match whole words, ignoring case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .choices import Language, other_language
from .models import GlossaryTerm


@dataclass(frozen=True)
class TermHit:
    source: str
    targets: tuple[str, ...]


class Glossary:
    """The glossary for one direction, compiled once per page."""

    def __init__(self, terms: Iterable[GlossaryTerm], source_language: str) -> None:
        target_language = other_language(source_language)
        self.english = source_language == Language.EN
        self.targets: dict[str, list[str]] = {}
        self.spelling: dict[str, str] = {}
        for term in terms:
            source, target = term.term(source_language).strip(), term.term(target_language).strip()
            if not source or not target:
                continue
            key = self._key(source)
            self.spelling.setdefault(key, source)
            if target not in self.targets.setdefault(key, []):
                self.targets[key].append(target)
        self.pattern = self._compile(sorted(self.spelling.values(), key=len, reverse=True))

    def _key(self, text: str) -> str:
        return text.casefold() if self.english else text

    def _compile(self, sources: list[str]) -> re.Pattern[str] | None:
        if not sources:
            return None
        alternatives = "|".join(re.escape(s) for s in sources)
        if self.english:
            return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        return re.compile(alternatives)

    def hits(self, sentence: str) -> list[TermHit]:
        """The terms found in ``sentence``, each once, in order of appearance."""
        found: dict[str, TermHit] = {}
        if self.pattern is None:
            return []
        for match in self.pattern.finditer(sentence):
            key = self._key(match.group(0))
            if key not in found:
                found[key] = TermHit(self.spelling[key], tuple(self.targets[key]))
        return list(found.values())

    def highlight(self, sentence: str) -> SafeString:
        """``sentence`` as HTML with each term in a ``<mark>`` titled with its agreed
        translation; everything escaped."""
        if self.pattern is None:
            return escape(sentence)
        out: list[str] = []
        position = 0
        for match in self.pattern.finditer(sentence):
            out.append(escape(sentence[position : match.start()]))
            targets = " / ".join(self.targets[self._key(match.group(0))])
            out.append(
                format_html('<mark class="term" title="{}">{}</mark>', targets, match.group(0))
            )
            position = match.end()
        out.append(escape(sentence[position:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def load_glossary(source_language: str) -> Glossary:
    return Glossary(GlossaryTerm.objects.all(), source_language)
