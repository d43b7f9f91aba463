"""The working-day calendar page: a wall calendar of one year, and the entries on it.

Reference data: every signed-in user sees it. A committee office below the province level sees
the calendar at its jurisdiction: the deployment's entries, its own local entries and those of
the offices above it (read-only, named by office); everyone else sees the deployment's calendar.
Who enters what is `calendar_services` (`writer`, `may_change`): the system administrator and
the province-level office the deployment's entries, any other office its own local ones; the
administrator also sees, and may delete, every office's local entries. Each change is recorded.
"""

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date

from chinese_calendar import Holiday
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from liaison import calendar_services, workdays
from liaison.calendar_services import YEAR_RANGE, CalendarImportError
from liaison.forms import CalendarDayForm, CalendarImportForm
from liaison.models import CalendarChange, CalendarDay

# The small marks of a Chinese wall calendar: 休 on holidays, 班 on make-up working days.
_MARKS = {
    "holiday": lambda: pgettext("calendar mark on a holiday", "off"),
    "makeup": lambda: pgettext("calendar mark on a make-up working day", "work"),
}
_OFFICIAL_CHINESE = {h.value: h.chinese for h in Holiday}


@dataclass
class Cell:
    date: date | None
    css: str = ""
    mark: str = ""
    title: str = ""


@dataclass
class Month:
    number: int
    weeks: list[list[Cell]] = field(default_factory=list)


@dataclass
class Special:
    """A row of the list under the grid: one entry, or a run of official days."""

    start: date
    end: date
    name: str
    is_working_day: bool
    source: str
    entry: CalendarDay | None = None
    office: str = ""  # the office of a local entry
    can_change: bool = False  # the viewer may delete the entry
    beneath: list[str] = field(default_factory=list)  # entries above that the deciding one replaces here

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _display_name(info: workdays.DayInfo) -> str:
    if info.source == "official" and info.name:
        language = translation.get_language() or ""
        if language.startswith("zh"):
            return _OFFICIAL_CHINESE.get(info.name, info.name)
    return info.name


def _source_label(info: workdays.DayInfo) -> str:
    if info.source == "local":
        return _("Local entry: %(office)s") % {"office": info.office}
    return {"office": _("Deployment entry"), "official": _("Official calendar")}.get(info.source, _("Weekday rule"))


_ENTERED = ("office", "local")


def _classify(info: workdays.DayInfo) -> tuple[str, bool]:
    """(css kind, is special): holiday, makeup, weekend or "" for an ordinary working day."""
    weekend = info.date.weekday() >= 5
    if info.is_working_day:
        if weekend or info.source in _ENTERED:
            return "makeup", True
        return "", False
    if weekend and not info.name and info.source not in _ENTERED:
        return "weekend", False
    return "holiday", True


def _entries_at(year: int, office) -> dict[date, list[CalendarDay]]:
    """The year's entries that apply at the office's place (the deployment's without an office),
    per date, nearest owner first (the deployment's last)."""
    entries = CalendarDay.objects.filter(date__year=year).select_related("created_by", "office__jurisdiction")
    entries = entries.applying_at(office.jurisdiction.code) if office is not None else entries.deployment()
    found: dict[date, list[CalendarDay]] = {}
    for entry in entries:
        found.setdefault(entry.date, []).append(entry)
    for same_day in found.values():
        same_day.sort(key=lambda e: e.office.jurisdiction.code if e.office_id else "", reverse=True)
    return found


def year_view_data(year: int, today: date, *, user=None) -> dict:
    """The twelve month grids and the list of holidays and make-up days at the viewer's place
    (`calendar_services.local_office`; the deployment's calendar for a viewer without one), in
    two queries."""
    office = calendar_services.local_office(user) if user is not None else None
    cal = workdays.WorkingCalendar.load(office.jurisdiction.code if office is not None else None)
    entries = _entries_at(year, office)
    grid = pycalendar.Calendar(firstweekday=0)
    months, specials = [], []
    for number in range(1, 13):
        month = Month(number)
        for week in grid.monthdatescalendar(year, number):
            row = []
            for day in week:
                if day.month != number:
                    row.append(Cell(None))
                    continue
                info = cal.info(day)
                kind, special = _classify(info)
                name = _display_name(info)
                css = [kind] if kind else []
                if info.source in _ENTERED:
                    css.append(info.source)
                if day == today:
                    css.append("today")
                label = _("working day") if info.is_working_day else _("rest day")
                title = " · ".join(p for p in [day.isoformat(), name, str(label), _source_label(info)] if p)
                row.append(Cell(day, " ".join(css), _MARKS[kind]() if kind in _MARKS else "", title))
                if special:
                    _add_special(specials, info, name, entries.get(day, []), user)
            month.weeks.append(row)
        months.append(month)
    return {
        "months": months,
        "specials": specials,
        "known": cal.year_is_known(year),
        "official": year in workdays.OFFICIAL_YEARS,
        "viewer_office": office,
        "office_entry_count": sum(1 for same_day in entries.values() if not same_day[-1].office_id),
        "local_entry_count": sum(1 for same_day in entries.values() if same_day[0].office_id),
        "marks": {kind: mark() for kind, mark in _MARKS.items()},
        "weekday_names": [
            pgettext("calendar column: Monday", "Mo"),
            pgettext("calendar column: Tuesday", "Tu"),
            pgettext("calendar column: Wednesday", "We"),
            pgettext("calendar column: Thursday", "Th"),
            pgettext("calendar column: Friday", "Fr"),
            pgettext("calendar column: Saturday", "Sa"),
            pgettext("calendar column: Sunday", "Su"),
        ],
    }


def _add_special(specials: list[Special], info, name: str, same_day: list[CalendarDay], user) -> None:
    """Add the day to the list: a row of its own for an entered day, else onto the run of
    official days it continues."""
    entry = same_day[0] if info.source in _ENTERED and same_day else None
    last = specials[-1] if specials else None
    if (
        entry is None
        and last is not None
        and last.entry is None
        and last.source == info.source
        and last.name == name
        and last.is_working_day == info.is_working_day
        and (info.date - last.end).days == 1
    ):
        last.end = info.date
        return
    specials.append(
        Special(
            info.date,
            info.date,
            name,
            info.is_working_day,
            info.source,
            entry,
            office=info.office,
            can_change=entry is not None and user is not None and calendar_services.may_change(user, entry),
            beneath=[_describe_owned(e) for e in same_day[1:]],
        )
    )


def _describe_owned(entry: CalendarDay) -> str:
    owner = entry.office.name if entry.office_id else _("the deployment")
    return f"{calendar_services.describe(entry)}, {owner}"


# The administrator's list of every office's local entries stops here (they are rare).
LOCAL_LIST_LIMIT = 500


def _changes(user, writer) -> list[CalendarChange]:
    """The recent changes the writer is answerable for: its own calendar's (the deployment's or
    its office's); the administrator's, every calendar's."""
    changes = CalendarChange.objects.select_related("office")
    if not user.is_system_admin:
        changes = changes.filter(office=writer.office)
    return list(changes[:20])


def _local_entries(user, year: int) -> dict:
    """For the system administrator: every office's local entries of the year (it may delete them)."""
    if not user.is_system_admin:
        return {"local_entries": None}
    entries = (
        CalendarDay.objects.filter(date__year=year, office__isnull=False)
        .select_related("office__jurisdiction", "created_by")
        .order_by("office__jurisdiction__code", "date")
    )
    return {"local_entries": list(entries[:LOCAL_LIST_LIMIT]), "local_entries_total": entries.count()}


def _render_year(request, year: int, *, day_form=None, import_form=None, status=200):
    if year not in YEAR_RANGE:
        raise Http404
    today = timezone.localdate()
    writer = calendar_services.writer(request.user)
    can_change = writer is not None
    office = writer.office if can_change else None
    context = {
        "year": year,
        "today": today,
        "previous_year": year - 1 if year - 1 in YEAR_RANGE else None,
        "next_year": year + 1 if year + 1 in YEAR_RANGE else None,
        "can_change": can_change,
        "writes_local": office is not None,
        "day_form": (day_form or CalendarDayForm(office=office, initial={"date": date(year, 1, 1)}))
        if can_change
        else None,
        "import_form": (import_form or CalendarImportForm()) if can_change else None,
        "nav_active": "calendar",
        "changes": _changes(request.user, writer) if can_change else (),
        **_local_entries(request.user, year),
        **year_view_data(year, today, user=request.user),
    }
    return render(request, "liaison/calendar_year.html", context, status=status)


def _require_writer(user) -> calendar_services.Writer:
    writer = calendar_services.writer(user)
    if writer is None:
        raise PermissionDenied
    return writer


@login_required
def calendar_index(request):
    return redirect("calendar:year", year=timezone.localdate().year)


@login_required
def calendar_year(request, year: int):
    return _render_year(request, year)


@login_required
@require_POST
def calendar_day_add(request, year: int):
    writer = _require_writer(request.user)
    form = CalendarDayForm(request.POST, office=writer.office)
    if not form.is_valid():
        messages.error(request, _("The date was not entered; see the message under the field."))
        return _render_year(request, year, day_form=form, status=400)
    day = calendar_services.calendar_day_set(
        actor=request.user,
        date=form.cleaned_data["date"],
        is_working_day=form.is_working_day,
        name=form.cleaned_data["name"],
    )
    values = {"date": day.date.isoformat(), "entry": calendar_services.describe(day)}
    if writer.office is None:
        messages.success(request, _("Entered %(date)s: %(entry)s.") % values)
    else:
        values["office"] = writer.office.name
        messages.success(request, _("Entered %(date)s: %(entry)s, a local entry of %(office)s.") % values)
    return redirect(reverse("calendar:year", args=[day.date.year]) + "#entries")


@login_required
@require_POST
def calendar_day_delete(request, pk: int):
    _require_writer(request.user)
    # Another office's entry is not found (404); the deployment's, or an office's above, is seen
    # but not the viewer's to delete (403), and the service refuses it too.
    day = get_object_or_404(CalendarDay.objects.visible_to(request.user), pk=pk)
    if not calendar_services.may_change(request.user, day):
        raise PermissionDenied
    calendar_services.calendar_day_delete(actor=request.user, day=day)
    messages.success(request, _("Deleted the entry for %(date)s.") % {"date": day.date.isoformat()})
    return redirect(reverse("calendar:year", args=[day.date.year]) + "#entries")


@login_required
@require_POST
def calendar_import(request, year: int):
    _require_writer(request.user)
    form = CalendarImportForm(request.POST)
    if form.is_valid():
        try:
            result = calendar_services.calendar_days_import(actor=request.user, lines=form.line_list())
        except CalendarImportError as error:
            form.add_error("lines", error.messages)
        else:
            added = ngettext("%(n)s date entered.", "%(n)s dates entered.", len(result.added)) % {
                "n": len(result.added)
            }
            if result.unchanged:
                added += " " + ngettext(
                    "%(n)s line was already entered.", "%(n)s lines were already entered.", result.unchanged
                ) % {"n": result.unchanged}
            messages.success(request, added)
            years = sorted({d.date.year for d in result.added}) or [year]
            return redirect(reverse("calendar:year", args=[years[0]]) + "#entries")
    messages.error(request, _("Nothing was saved; correct the lines named below and send them again."))
    return _render_year(request, year, import_form=form, status=400)
