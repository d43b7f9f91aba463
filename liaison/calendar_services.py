"""Writes to the working-day calendar: the office's entries (CalendarDay).

The calendar is the same for the whole deployment, so only the province-level
committee office (or the system administrator) writes it (`may_write`); each
write checks its actor and records a `CalendarChange` with the entry before and
after, so no date changes or disappears without a trace. Each process's cached
calendar is dropped once the transaction commits (the model signals also drop
it, but inside the transaction, before other requests can see the change).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison import audit, workdays
from liaison.models import CalendarChange, CalendarDay, Jurisdiction

PERMISSION = "liaison.change_calendarday"

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length
YEAR_RANGE = range(2000, 2101)

# The last word of a pasted line: rest day or working day (Chinese or English).
_HOLIDAY_WORDS = {"休", "休息", "假", "放假", "holiday", "off", "h"}
_WORKING_WORDS = {"班", "上班", "补班", "working", "work", "w"}
_SEPARATORS = re.compile(r"[\s,，;；\t]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def may_write(user) -> bool:
    """The system administrator, or a province-level committee office holding the capability."""
    if not user.is_authenticated or not user.has_perm(PERMISSION):
        return False
    if user.is_system_admin:
        return True
    return bool(user.jurisdiction_id) and user.jurisdiction.level == Jurisdiction.Level.PROVINCE


def _check(actor) -> None:
    if not may_write(actor):
        raise PermissionDenied


def _entry(day: CalendarDay | None) -> dict | None:
    return None if day is None else {"is_working_day": day.is_working_day, "name": day.name}


def _record(actor, day_date: date, action: str, before: dict | None, after: dict | None) -> None:
    CalendarChange.objects.create(
        date=day_date, action=action, before=before, after=after, actor=actor, actor_name=str(actor)[:150]
    )


@transaction.atomic
def calendar_day_set(*, actor, date: date, is_working_day: bool, name: str = "") -> CalendarDay:
    """Enter (or change) the office's ruling for one date; returns the entry. Recorded with before and after."""
    _check(actor)
    old = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = _entry(old)
    day, _created = CalendarDay.objects.update_or_create(
        date=date, defaults={"is_working_day": is_working_day, "name": name.strip(), "created_by": actor}
    )
    if before != _entry(day):
        _record(actor, date, CalendarChange.Action.SET, before, _entry(day))
        _audit(actor, day, "added" if old is None else "changed")
    transaction.on_commit(workdays.forget)
    return day


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    """Remove an entry; the date falls back to the official calendar or the weekday rule. Recorded with
    the entry as it was."""
    _check(actor)
    old = CalendarDay.objects.select_for_update().filter(pk=day.pk).first()
    if old is None:
        return
    _record(actor, old.date, CalendarChange.Action.DELETE, _entry(old), None)
    _audit(actor, old, "deleted")
    old.delete()
    transaction.on_commit(workdays.forget)


@dataclass(frozen=True)
class ParsedLine:
    number: int
    date: date
    is_working_day: bool
    name: str


@dataclass
class ImportResult:
    added: list[CalendarDay]
    unchanged: int


class CalendarImportError(ValidationError):
    """Some lines are invalid; `line_errors` is [(line number, message)], nothing was saved."""

    def __init__(self, line_errors: list[tuple[int, str]]):
        self.line_errors = line_errors
        super().__init__([_("Line %(line)s: %(error)s") % {"line": n, "error": e} for n, e in line_errors])


def parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_lines(lines: list[str]) -> tuple[list[ParsedLine], list[tuple[int, str]]]:
    """Parse `2027-01-01 元旦 休` lines; blank lines and lines starting with # are skipped.

    Returns the parsed lines and [(line number, message)] for the others; a
    date given twice is an error on its second line.
    """
    parsed, errors, seen = [], [], {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        words = _SEPARATORS.split(text)
        day = parse_date(words[0])
        if day is None:
            errors.append((number, _("“%(text)s” is not a date; write it as 2027-01-01.") % {"text": words[0]}))
            continue
        if day.year not in YEAR_RANGE:
            errors.append((number, _("The year %(year)s is out of range.") % {"year": day.year}))
            continue
        marker = words[-1].lower() if len(words) > 1 else ""
        if marker in _HOLIDAY_WORDS:
            working = False
        elif marker in _WORKING_WORDS:
            working = True
        else:
            errors.append((number, _("End the line with 休 (a holiday) or 班 (a make-up working day).")))
            continue
        name = " ".join(words[1:-1])
        if len(name) > NAME_MAX_LENGTH:
            errors.append((number, _("The name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH}))
            continue
        if day in seen:
            errors.append(
                (number, _("%(date)s is already on line %(line)s.") % {"date": day.isoformat(), "line": seen[day]})
            )
            continue
        seen[day] = number
        parsed.append(ParsedLine(number, day, working, name))
    return parsed, errors


@transaction.atomic
def calendar_days_import(*, actor, lines: list[str]) -> ImportResult:
    """Enter several dates at once, all or nothing.

    A date that already has the same entry is left alone; a date that has a
    different entry is an error (delete the entry first), so an import never
    silently changes what the office entered before.
    Raises CalendarImportError (nothing saved) when any line is invalid.
    """
    _check(actor)
    parsed, errors = parse_lines(lines)
    if not parsed and not errors:
        raise CalendarImportError([(1, _("Paste at least one line such as 2027-01-01 元旦 休."))])
    existing = {d.date: d for d in CalendarDay.objects.select_for_update().filter(date__in=[p.date for p in parsed])}
    new, unchanged = [], 0
    for line in parsed:
        old = existing.get(line.date)
        if old is None:
            new.append(line)
        elif old.is_working_day == line.is_working_day and old.name == line.name:
            unchanged += 1
        else:
            errors.append(
                (
                    line.number,
                    _("%(date)s is already entered as %(entry)s; delete that entry first.")
                    % {
                        "date": line.date.isoformat(),
                        "entry": describe(old),
                    },
                )
            )
    if errors:
        raise CalendarImportError(sorted(errors))
    added = CalendarDay.objects.bulk_create(
        [CalendarDay(date=p.date, is_working_day=p.is_working_day, name=p.name, created_by=actor) for p in new]
    )
    CalendarChange.objects.bulk_create(
        [
            CalendarChange(
                date=d.date, action=CalendarChange.Action.SET, after=_entry(d), actor=actor, actor_name=str(actor)[:150]
            )
            for d in added
        ]
    )
    for day in added:
        _audit(actor, day, "added")
    transaction.on_commit(workdays.forget)  # bulk_create sends no post_save
    return ImportResult(added=added, unchanged=unchanged)


def _audit(actor, day: CalendarDay, change: str) -> None:
    audit.record(
        audit.Action.CALENDAR,
        actor=actor,
        obj=day,
        detail={"change": change, "date": day.date.isoformat(), "working_day": day.is_working_day, "name": day.name},
    )


def describe(day: CalendarDay) -> str:
    kind = _("working day") if day.is_working_day else _("holiday")
    return f"{day.name} ({kind})" if day.name else str(kind)
