"""The working-day calendar of mainland China: the one answer to "is this a
working day" and "N working days after / before a date".

Official holidays and make-up working days (调休) come from the chinesecalendar
package; dates the office enters (`CalendarDay`) win over it, so a year the
package does not know yet can be published by the office. For a year neither
knows, Monday to Friday are working days and `year_is_known()` says so, so
pages can warn before anyone plans on a guess.

Every deadline and notice in the product goes through this module.
"""

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _official

from liaison.models import CalendarDay

OFFICIAL_YEARS = range(min(_official.holidays).year, max(_official.holidays).year + 1)

# Entries are few (tens a year) and change rarely; each process keeps them for
# a short while and drops them at once when this process writes one.
_CACHE_SECONDS = 60
_lock = threading.Lock()
_cached: "WorkingCalendar | None" = None
_cached_at = 0.0


@dataclass(frozen=True)
class DayInfo:
    date: date
    is_working_day: bool
    name: str  # holiday or make-up day name, "" for an ordinary day
    source: str  # "office", "official" or "weekday rule"


class WorkingCalendar:
    """A snapshot of the office's entries over the official calendar."""

    def __init__(self, entries: dict[date, tuple[bool, str]]):
        self.entries = entries
        self.office_years = frozenset(d.year for d in entries)

    @classmethod
    def load(cls) -> "WorkingCalendar":
        return cls({e.date: (e.is_working_day, e.name) for e in CalendarDay.objects.all()})

    def info(self, day: date) -> DayInfo:
        if day in self.entries:
            working, name = self.entries[day]
            return DayInfo(day, working, name, "office")
        if day.year in OFFICIAL_YEARS:
            working = chinese_calendar.is_workday(day)
            _, holiday = chinese_calendar.get_holiday_detail(day)
            name = _holiday_name(holiday) if holiday else ""
            return DayInfo(day, working, name, "official")
        return DayInfo(day, day.weekday() < 5, "", "weekday rule")

    def is_working_day(self, day: date) -> bool:
        if day in self.entries:
            return self.entries[day][0]
        if day.year in OFFICIAL_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n > 0) or before it (n < 0); n == 0 is `day` itself."""
        step = 1 if n > 0 else -1
        remaining = abs(n)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date, *, include_today: bool = True) -> date:
        if include_today and self.is_working_day(day):
            return day
        return self.add(day, 1)

    def previous_working_day(self, day: date, *, include_today: bool = True) -> date:
        if include_today and self.is_working_day(day):
            return day
        return self.add(day, -1)

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))

    def year_is_known(self, year: int) -> bool:
        """True when the year's holidays come from the package or the office, not a guess."""
        return year in OFFICIAL_YEARS or year in self.office_years


def _holiday_name(holiday) -> str:
    """The package's English name ("National Day"); pages show chinese_calendar.Holiday(name).chinese in Chinese."""
    return str(holiday)


def current() -> WorkingCalendar:
    """This process's calendar, at most `_CACHE_SECONDS` old."""
    global _cached, _cached_at
    with _lock:
        if _cached is None or time.monotonic() - _cached_at > _CACHE_SECONDS:
            _cached, _cached_at = WorkingCalendar.load(), time.monotonic()
        return _cached


def forget() -> None:
    """Drop the cached calendar (called when an entry is saved or deleted)."""
    global _cached
    with _lock:
        _cached = None


def is_working_day(day: date) -> bool:
    return current().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """`n` working days after `day`; a negative `n` counts back."""
    return current().add(day, n)


def working_days_before(day: date, n: int) -> date:
    return current().add(day, -n)


def working_days_between(start: date, end: date) -> int:
    return current().between(start, end)


def next_working_day(day: date, *, include_today: bool = True) -> date:
    return current().next_working_day(day, include_today=include_today)


def previous_working_day(day: date, *, include_today: bool = True) -> date:
    return current().previous_working_day(day, include_today=include_today)


def year_is_known(year: int) -> bool:
    return current().year_is_known(year)
