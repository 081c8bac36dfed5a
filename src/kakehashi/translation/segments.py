"""Split a text into sentences so the editor can align each sentence with its
translation, and join the translated sentences back into one text.

Boundaries: a line break (paragraphs, list items, Markdown lines); after Japanese
「。」「！」「？」 (and closing brackets after them); after ``.``, ``!`` or ``?`` when
whitespace or the end follows, except after a few abbreviations (``e.g.``, ``Mr.``…)
and single capital initials. ``split`` loses nothing: ``prefix`` plus each segment's
``text`` and ``after`` is the original text exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .choices import Language

_LINE_BREAKS = re.compile(r"(\s*\n\s*)")
_SENTENCE_END = re.compile(
    r"""
      [。！？]+[」』）】"'”’)\]]*          # Japanese: no space needed after
    | [.!?]+[)"'”’\]]*(?=\s|$)           # Latin: whitespace or the end must follow
    """,
    re.VERBOSE,
)
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "no", "fig", "ver", "approx", "cf", "inc"}
)


@dataclass(frozen=True)
class Segment:
    text: str
    after: str  # the whitespace that followed the sentence in the source


@dataclass(frozen=True)
class Split:
    prefix: str
    segments: list[Segment]

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.segments]


def _is_abbreviation(line: str, end: int, start: int) -> bool:
    if line[end - 1] != ".":
        return False
    word = re.search(r"([\w.]+)\.$", line[start:end])
    if word is None:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _split_line(line: str) -> list[tuple[str, str]]:
    """(sentence, whitespace after) pairs of one line without line breaks."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.end()
        if _is_abbreviation(line, end, start):
            continue
        gap = re.match(r"\s*", line[end:])
        after = gap.group(0) if gap else ""
        sentence = line[start:end]
        if sentence.strip():
            pieces.append((sentence, after))
        start = end + len(after)
    if line[start:].strip():
        pieces.append((line[start:], ""))
    elif pieces:  # trailing spaces after the last sentence
        last, after = pieces[-1]
        pieces[-1] = (last, after + line[start:])
    return pieces


def split(text: str) -> Split:
    """The sentences of ``text``, in order."""
    text = text.replace("\r\n", "\n")
    prefix_match = re.match(r"\s*", text)
    prefix = prefix_match.group(0) if prefix_match else ""
    parts = _LINE_BREAKS.split(text[len(prefix) :])
    segments: list[Segment] = []
    # parts alternates line, separator, line, separator … (separators hold a "\n").
    for index in range(0, len(parts), 2):
        line = parts[index]
        separator = parts[index + 1] if index + 1 < len(parts) else ""
        pieces = _split_line(line)
        if not pieces:
            if segments:  # a blank line: its whitespace joins the previous separator
                last = segments[-1]
                segments[-1] = Segment(last.text, last.after + line + separator)
            else:
                prefix += line + separator
            continue
        for position, (sentence, gap) in enumerate(pieces):
            last_of_line = position == len(pieces) - 1
            segments.append(Segment(sentence, gap + separator if last_of_line else gap))
    return Split(prefix, segments)


def join(split_source: Split, translations: list[str], target_language: str) -> str:
    """The translated sentences as one text: line breaks as in the source; between
    sentences of one line a space in English and nothing in Japanese. Sentences not
    translated yet are left out."""
    glue = "" if target_language == Language.JA else " "
    out = [split_source.prefix]
    last = len(split_source.segments) - 1
    for index, segment in enumerate(split_source.segments):
        translated = (translations[index] if index < len(translations) else "").strip()
        if not translated:
            continue
        out.append(translated)
        if "\n" in segment.after:
            out.append(segment.after)
        elif index != last:
            out.append(glue)
    return "".join(out).strip()
