"""The working-day calendar of mainland China: the one answer to "is this a working day" and
"N working days after / before a date", at a place.

Official holidays and make-up working days (调休) come from the chinesecalendar package; dates
entered on the calendar (`CalendarDay`) win over it:

- the deployment's entries (no office, written by the system administrator or the
  province-level office) apply everywhere, so a year the package does not know yet can be
  published, or an official day corrected;
- an office's local entries (a local holiday, a local make-up day) apply only inside its
  jurisdiction. At a place (a 12-digit area code) the local entries of every office at or above
  it apply over the deployment's; when two offices enter the same date, the nearest office's
  entry wins.

For a year neither the package nor the deployment knows, Monday to Friday are working days and
`year_is_known()` says so (a local entry does not make a year known), so pages can warn before
anyone plans on a guess.

Every deadline and notice in the product goes through this module. Each function takes the
`place` of the item or event it counts for; without one (None or "") it counts on the
deployment's calendar alone.
"""

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _official

from liaison.jurisdictions import codes_above
from liaison.models import CalendarDay

OFFICIAL_YEARS = range(min(_official.holidays).year, max(_official.holidays).year + 1)

# Entries are few (tens a year, and a handful per office that has local ones) and change
# rarely; each process keeps them for a short while and drops them at once when this process
# writes one.
_CACHE_SECONDS = 60
_lock = threading.Lock()
_cached: "Calendars | None" = None
_cached_at = 0.0


@dataclass(frozen=True)
class DayInfo:
    date: date
    is_working_day: bool
    name: str  # holiday or make-up day name, "" for an ordinary day
    source: str  # "office" (the deployment's entry), "local", "official" or "weekday rule"
    office: str = ""  # the name of the office whose local entry decides the day


class WorkingCalendar:
    """The calendar at one place: the local entries of the offices above it over the deployment's
    entries over the official calendar.

    `entries` are the deployment's ({date: (is_working_day, name)}); `local` the local entries
    that apply at the place, already merged nearest-wins ({date: (is_working_day, name, office
    name)}); `offices` the jurisdiction codes of the offices they come from (the place-set this
    calendar serves, shallowest first).
    """

    def __init__(
        self,
        entries: dict[date, tuple[bool, str]],
        local: dict[date, tuple[bool, str, str]] | None = None,
        *,
        offices: tuple[str, ...] = (),
    ):
        self.entries = entries
        self.local = local or {}
        self.offices = tuple(offices)
        self.office_years = frozenset(d.year for d in entries)
        self._decided = {d: e[0] for d, e in entries.items()} | {d: e[0] for d, e in self.local.items()}

    @classmethod
    def load(cls, place: str | None = None) -> "WorkingCalendar":
        """The calendar at `place` (the deployment's without one), read now (one query, no cache)."""
        return Calendars.load().at(place)

    def info(self, day: date) -> DayInfo:
        if day in self.local:
            working, name, office = self.local[day]
            return DayInfo(day, working, name, "local", office)
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
        decided = self._decided.get(day)
        if decided is not None:
            return decided
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
        """True when the year's holidays come from the package or the deployment's entries, not a
        guess (an office's local entries publish no year)."""
        return year in OFFICIAL_YEARS or year in self.office_years


class Calendars:
    """One snapshot of every entry: the deployment's and each office's local ones.

    `at(place)` is the calendar at a place. Places under the same offices-with-entries share
    one `WorkingCalendar` (built once per snapshot), so a run over many items of many places
    reads the entries once and works each calendar out once.
    """

    def __init__(
        self,
        deployment: dict[date, tuple[bool, str]],
        local: dict[str, tuple[str, dict[date, tuple[bool, str]]]] | None = None,
    ):
        self.deployment = deployment
        # {office's jurisdiction code: (office name, {date: (is_working_day, name)})}
        self.local = local or {}
        self._built: dict[tuple[str, ...], WorkingCalendar] = {}

    @classmethod
    def load(cls) -> "Calendars":
        """Every entry, in one query."""
        deployment: dict[date, tuple[bool, str]] = {}
        local: dict[str, tuple[str, dict[date, tuple[bool, str]]]] = {}
        rows = CalendarDay.objects.order_by().values_list(
            "date", "is_working_day", "name", "office__jurisdiction__code", "office__name"
        )
        for day, working, name, code, office in rows:
            if code is None:
                deployment[day] = (working, name)
            else:
                local.setdefault(code, (office, {}))[1][day] = (working, name)
        return cls(deployment, local)

    def offices_at(self, place: str | None) -> tuple[str, ...]:
        """The jurisdiction codes of the offices with local entries at or above `place`, shallowest first."""
        if not place or not self.local:
            return ()
        return tuple(code for code in codes_above(place) if code in self.local)

    def at(self, place: str | None = None) -> WorkingCalendar:
        """The calendar at `place` (a 12-digit area code); the deployment's for None or ""."""
        key = self.offices_at(place)
        found = self._built.get(key)
        if found is None:
            local: dict[date, tuple[bool, str, str]] = {}
            for code in key:  # shallowest first, so the nearest office's entry is the one left
                office, entries = self.local[code]
                local.update({day: (working, name, office) for day, (working, name) in entries.items()})
            found = self._built.setdefault(key, WorkingCalendar(self.deployment, local, offices=key))
        return found

    def local_places(self) -> list[str]:
        """The jurisdiction codes of the offices that have local entries."""
        return list(self.local)

    def every_calendar(self) -> list[WorkingCalendar]:
        """The deployment's calendar and the calendar at each office that has local entries: a
        bound that must hold at every place holds over these (e.g. the furthest date N working
        days ahead)."""
        return [self.at(None), *(self.at(code) for code in self.local)]


def _holiday_name(holiday) -> str:
    """The package's English name ("National Day"); pages show chinese_calendar.Holiday(name).chinese in Chinese."""
    return str(holiday)


def snapshot() -> Calendars:
    """This process's snapshot of the entries, at most `_CACHE_SECONDS` old: take it once for a
    run over many places (`snapshot().at(place)`), never a query per row."""
    global _cached, _cached_at
    with _lock:
        if _cached is None or time.monotonic() - _cached_at > _CACHE_SECONDS:
            _cached, _cached_at = Calendars.load(), time.monotonic()
        return _cached


def current(place: str | None = None) -> WorkingCalendar:
    """The calendar at `place` (the deployment's without one) from this process's snapshot."""
    return snapshot().at(place)


def forget() -> None:
    """Drop the cached snapshot, every place's calendar with it (called when an entry is saved or deleted)."""
    global _cached
    with _lock:
        _cached = None


def is_working_day(day: date, *, place: str | None = None) -> bool:
    return current(place).is_working_day(day)


def add_working_days(day: date, n: int, *, place: str | None = None) -> date:
    """`n` working days after `day` at `place`; a negative `n` counts back."""
    return current(place).add(day, n)


def working_days_before(day: date, n: int, *, place: str | None = None) -> date:
    return current(place).add(day, -n)


def working_days_between(start: date, end: date, *, place: str | None = None) -> int:
    return current(place).between(start, end)


def next_working_day(day: date, *, include_today: bool = True, place: str | None = None) -> date:
    return current(place).next_working_day(day, include_today=include_today)


def previous_working_day(day: date, *, include_today: bool = True, place: str | None = None) -> date:
    return current(place).previous_working_day(day, include_today=include_today)


def year_is_known(year: int) -> bool:
    """Whether the year's holidays are published (officially or by the deployment); the same at every place."""
    return current().year_is_known(year)
