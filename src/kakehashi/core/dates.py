"""Japanese business days and the guideline's deadlines, from one place.

Reception deadlines count business days (平日: not a weekend, not a national holiday,
not the year-end closure 12/29–1/3 that Japanese public bodies observe). Coordination
deadlines (45-day target, 3- and 6-month unreachable rules) count calendar days.
All instants are UTC in storage; dates here are JST calendar dates.
"""

from __future__ import annotations

import functools
import zoneinfo
from calendar import monthrange
from datetime import date, datetime, time, timedelta

import holidays
from django.conf import settings
from django.utils import timezone

JST = zoneinfo.ZoneInfo("Asia/Tokyo")

# Days counted by the guideline (情報セキュリティ早期警戒パートナーシップガイドライン).
DEFAULT_TARGET_DAYS = 45  # target publication = day zero + 45 days
ACKNOWLEDGEMENT_DAYS = 7  # a vendor acknowledges a notice within 7 days
NON_DISCLOSURE_LIFT_DAYS = 365  # a finder may lift non-disclosure one year after day zero


def _year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@functools.lru_cache(maxsize=64)
def _holidays_for(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("JP", years=year)


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if _year_end_closure(day):
        return False
    return day not in _holidays_for(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n))
    )


def next_business_day(day: date) -> date:
    """``day`` itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def jst_date(instant: datetime) -> date:
    return timezone.localtime(instant, JST).date()


def end_of_jst_day(day: date) -> datetime:
    """The last instant of a JST calendar day, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=JST)


def default_target_publication(day_zero: date) -> date:
    days = getattr(settings, "KAKEHASHI_TARGET_DAYS", DEFAULT_TARGET_DAYS)
    return day_zero + timedelta(days=days)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (for the 3/6-month rules)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def publication_instant(day: date) -> datetime:
    """The instant of publication on a JST day (``KAKEHASHI_PUBLICATION_TIME``, HH:MM)."""
    hour, minute = (int(p) for p in settings.KAKEHASHI_PUBLICATION_TIME.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=JST)
