"""Who writes which entries of the working-day calendar (`CalendarDay`), and every write.

Two kinds of entry (`liaison.workdays` says how they apply):

- The deployment's (no office): official holidays and make-up days the package lacks or gets
  wrong. They move every deadline in the deployment, so only the system administrator and the
  province-level committee office write them. A deployment serves one province, so the
  province's office has no local entries: whatever it enters is the deployment's.
- An office's local entries: a committee office below the province level (city, county or
  district, township or street) enters holidays and make-up days that apply only inside its
  jurisdiction, and changes or deletes only its own. It reads the deployment's entries and those
  of the offices above it, never changes them, and never sees another office's.

The system administrator may also delete any office's local entry (to clear up a wrong one);
what it enters is always the deployment's.

Each write checks its actor (`writer`, `may_change`: the views ask the same) and records a
`CalendarChange` with the owner and the entry before and after, so no date changes or
disappears without a trace. Each process's cached calendar is dropped once the transaction
commits (the model signals also drop it, but inside the transaction, before other requests can
see the change).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison import audit, workdays
from liaison.models import CalendarChange, CalendarDay, Jurisdiction, Office
from liaison.offices import office_of

PERMISSION = "liaison.change_calendarday"

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length
YEAR_RANGE = range(2000, 2101)

# The last word of a pasted line: rest day or working day (Chinese or English).
_HOLIDAY_WORDS = {"休", "休息", "假", "放假", "holiday", "off", "h"}
_WORKING_WORDS = {"班", "上班", "补班", "working", "work", "w"}
_SEPARATORS = re.compile(r"[\s,，;；\t]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass(frozen=True)
class Writer:
    """What a user's entries belong to: `office` None is the deployment."""

    office: Office | None

    @property
    def is_deployment(self) -> bool:
        return self.office is None


def _writes_deployment(user) -> bool:
    if user.is_system_admin:
        return True
    return bool(user.jurisdiction_id) and user.jurisdiction.level == Jurisdiction.Level.PROVINCE


def local_office(user) -> Office | None:
    """The office whose local entries `user` reads and writes: the user's committee office below
    the province level; None for everyone else (the province's office is the deployment)."""
    office = office_of(user)
    if office is None or office.level == Jurisdiction.Level.PROVINCE:
        return None
    return office


def writer(user) -> Writer | None:
    """Whose entries `user` writes: the deployment's (the system administrator, the province-level
    office), its office's local ones (an office below the province level), or none (None)."""
    if not user.is_authenticated or not user.has_perm(PERMISSION):
        return None
    if _writes_deployment(user):
        return Writer(None)
    office = local_office(user)
    return Writer(office) if office is not None else None


def may_write(user) -> bool:
    """Whether `user` enters dates at all (the deployment's or its office's)."""
    return writer(user) is not None


def may_change(user, day: CalendarDay) -> bool:
    """Whether `user` may change or delete the entry `day`: its owner's writer only (the
    deployment's for the deployment's entries), and the system administrator any entry."""
    found = writer(user)
    if found is None:
        return False
    if user.is_system_admin:
        return True
    return day.office_id == (found.office.pk if found.office is not None else None)


def _writer_or_403(actor) -> Writer:
    found = writer(actor)
    if found is None:
        raise PermissionDenied
    return found


def _entry(day: CalendarDay | None) -> dict | None:
    return None if day is None else {"is_working_day": day.is_working_day, "name": day.name}


def _record(actor, day_date: date, office: Office | None, action: str, before: dict | None, after: dict | None):
    CalendarChange.objects.create(
        date=day_date,
        office=office,
        action=action,
        before=before,
        after=after,
        actor=actor,
        actor_name=str(actor)[:150],
    )


@transaction.atomic
def calendar_day_set(*, actor, date: date, is_working_day: bool, name: str = "") -> CalendarDay:
    """Enter (or change) the actor's ruling for one date: the deployment's entry for the system
    administrator and the province-level office, the actor's office's local entry for an office
    below it. Returns the entry; recorded with before and after. Raises PermissionDenied for
    anyone else; never touches another owner's entry of the same date."""
    owner = _writer_or_403(actor).office
    old = CalendarDay.objects.select_for_update().filter(date=date, office=owner).first()
    before = _entry(old)
    day, _created = CalendarDay.objects.update_or_create(
        date=date,
        office=owner,
        defaults={"is_working_day": is_working_day, "name": name.strip(), "created_by": actor},
    )
    if before != _entry(day):
        _record(actor, date, owner, CalendarChange.Action.SET, before, _entry(day))
        _audit(actor, day, "added" if old is None else "changed")
    transaction.on_commit(workdays.forget)
    return day


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    """Remove an entry; the date falls back to the entries above and the official calendar.
    Recorded with the entry as it was. Raises PermissionDenied unless the actor may change it
    (`may_change`): nobody deletes another owner's entry."""
    if not may_change(actor, day):
        raise PermissionDenied
    old = CalendarDay.objects.select_for_update().filter(pk=day.pk).first()
    if old is None:
        return
    if not may_change(actor, old):  # the row as locked, not as the caller held it
        raise PermissionDenied
    _record(actor, old.date, old.office, CalendarChange.Action.DELETE, _entry(old), None)
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

    The lines become the actor's entries, as `calendar_day_set` says whose. A date
    that already has the same entry of that owner is left alone; a date that has a
    different one is an error (delete the entry first), so an import never silently
    changes what was entered before. Other owners' entries of the same dates are
    left as they are. Raises PermissionDenied for an actor who writes no entries,
    CalendarImportError (nothing saved) when any line is invalid.
    """
    owner = _writer_or_403(actor).office
    parsed, errors = parse_lines(lines)
    if not parsed and not errors:
        raise CalendarImportError([(1, _("Paste at least one line such as 2027-01-01 元旦 休."))])
    existing = {
        d.date: d
        for d in CalendarDay.objects.select_for_update().filter(office=owner, date__in=[p.date for p in parsed])
    }
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
        [
            CalendarDay(date=p.date, office=owner, is_working_day=p.is_working_day, name=p.name, created_by=actor)
            for p in new
        ]
    )
    CalendarChange.objects.bulk_create(
        [
            CalendarChange(
                date=d.date,
                office=owner,
                action=CalendarChange.Action.SET,
                after=_entry(d),
                actor=actor,
                actor_name=str(actor)[:150],
            )
            for d in added
        ]
    )
    for day in added:
        _audit(actor, day, "added")
    transaction.on_commit(workdays.forget)  # bulk_create sends no post_save
    return ImportResult(added=added, unchanged=unchanged)


def _audit(actor, day: CalendarDay, change: str) -> None:
    area = day.office.jurisdiction.code if day.office_id else None
    audit.record(
        audit.Action.CALENDAR,
        actor=actor,
        obj=day,
        area_code=area,  # a local entry's line is its office's; the deployment's the actor's
        detail={
            "change": change,
            "date": day.date.isoformat(),
            "working_day": day.is_working_day,
            "name": day.name,
            # Whose calendar: the office's jurisdiction for a local entry, "" for the deployment's.
            "office": area or "",
        },
    )


def describe(day: CalendarDay) -> str:
    kind = _("working day") if day.is_working_day else _("holiday")
    return f"{day.name} ({kind})" if day.name else str(kind)
