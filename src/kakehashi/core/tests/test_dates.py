from datetime import UTC, date, datetime

import pytest

from kakehashi.core import dates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 23), False),  # 勤労感謝の日 (Labour Thanksgiving Day)
        (date(2026, 12, 29), False),  # year-end closure
        (date(2027, 1, 4), True),  # first business day of 2027
        (date(2026, 5, 4), False),  # みどりの日 (Golden Week)
        (date(2026, 5, 6), False),  # 振替休日 for Constitution Day on a Sunday
    ],
)
def test_business_days_follow_the_japanese_calendar(day, expected):
    assert dates.is_business_day(day) is expected


def test_adding_business_days_skips_weekends_holidays_and_year_end():
    # Friday 2026-12-25 + 2 business days: Mon 28th, then the closure until Jan 3 → Mon Jan 4.
    assert dates.add_business_days(date(2026, 12, 25), 2) == date(2027, 1, 4)
    assert dates.add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 24)
    assert dates.add_business_days(date(2026, 11, 20), 0) == date(2026, 11, 20)


def test_counting_business_days_between_two_dates():
    assert dates.business_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 4
    assert dates.business_days_between(date(2026, 11, 27), date(2026, 11, 20)) == 0


def test_default_target_is_day_zero_plus_45_days():
    assert dates.default_target_publication(date(2026, 1, 10)) == date(2026, 2, 24)


def test_adding_months_clamps_to_the_end_of_the_month():
    assert dates.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert dates.add_months(date(2026, 1, 15), 3) == date(2026, 4, 15)
    assert dates.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_jst_date_of_an_instant_crosses_midnight_correctly():
    assert dates.jst_date(datetime(2026, 11, 28, 15, 30, tzinfo=UTC)) == date(2026, 11, 29)
    assert dates.end_of_jst_day(date(2026, 11, 29)).astimezone(UTC).hour == 14


def test_next_business_day_from_a_holiday():
    assert dates.next_business_day(date(2026, 11, 23)) == date(2026, 11, 24)
    assert dates.next_business_day(date(2026, 11, 24)) == date(2026, 11, 24)
