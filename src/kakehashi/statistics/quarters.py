"""Calendar quarters in Japan time, as IPA's quarterly reports (届出状況) count them.

A quarter is [start, end) with both instants at 00:00 JST, so a report received at
23:59 JST on 31 March belongs to Q1 whatever zone the server or the viewer uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from kakehashi.core.dates import JST

_PATTERN = re.compile(r"^(?P<year>\d{4})-Q(?P<number>[1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4: January–March … October–December

    @classmethod
    def containing(cls, instant: datetime) -> Quarter:
        local = instant.astimezone(JST)
        return cls(local.year, (local.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """``2025-Q2`` → Quarter(2025, 2); anything else → None."""
        found = _PATTERN.match(text)
        if found is None:
            return None
        return cls(int(found["year"]), int(found["number"]))

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=JST)

    @property
    def end(self) -> datetime:
        """The first instant after the quarter (exclusive)."""
        return self.next().start

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def label(self) -> str:
        return _("%(year)d Q%(number)d") % {"year": self.year, "number": self.number}

    def span(self) -> str:
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last``, both included, oldest first."""
    found = []
    current = first
    while current <= last:
        found.append(current)
        current = current.next()
    return found
