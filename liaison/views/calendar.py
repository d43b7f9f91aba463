"""The working-day calendar page: a wall calendar of one year, and the office's entries.

Reference data: every signed-in user sees it. Entering or deleting dates is for the
province-level committee office and the system administrator (`calendar_services.may_write`);
the entries are the same for the whole deployment, and each change is recorded.
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
    """A row of the list under the grid: one office entry, or a run of official days."""

    start: date
    end: date
    name: str
    is_working_day: bool
    source: str
    entry: CalendarDay | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _display_name(info: workdays.DayInfo) -> str:
    if info.source == "official" and info.name:
        language = translation.get_language() or ""
        if language.startswith("zh"):
            return _OFFICIAL_CHINESE.get(info.name, info.name)
    return info.name


def _source_label(source: str) -> str:
    return {"office": _("Office entry"), "official": _("Official calendar")}.get(source, _("Weekday rule"))


def _classify(info: workdays.DayInfo) -> tuple[str, bool]:
    """(css kind, is special): holiday, makeup, weekend or "" for an ordinary working day."""
    weekend = info.date.weekday() >= 5
    if info.is_working_day:
        if weekend or info.source == "office":
            return "makeup", True
        return "", False
    if weekend and not info.name and info.source != "office":
        return "weekend", False
    return "holiday", True


def year_view_data(year: int, today: date) -> dict:
    """The twelve month grids and the list of holidays and make-up days (one query)."""
    cal = workdays.WorkingCalendar.load()
    entries = {e.date: e for e in CalendarDay.objects.filter(date__year=year).select_related("created_by")}
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
                if info.source == "office":
                    css.append("office")
                if day == today:
                    css.append("today")
                label = _("working day") if info.is_working_day else _("rest day")
                title = " · ".join(p for p in [day.isoformat(), name, str(label), _source_label(info.source)] if p)
                row.append(Cell(day, " ".join(css), _MARKS[kind]() if kind in _MARKS else "", title))
                if special:
                    _add_special(specials, info, name, entries.get(day))
            month.weeks.append(row)
        months.append(month)
    return {
        "months": months,
        "specials": specials,
        "known": cal.year_is_known(year),
        "official": year in workdays.OFFICIAL_YEARS,
        "office_entry_count": len(entries),
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


def _add_special(specials: list[Special], info, name: str, entry: CalendarDay | None) -> None:
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
    specials.append(Special(info.date, info.date, name, info.is_working_day, info.source, entry))


def _render_year(request, year: int, *, day_form=None, import_form=None, status=200):
    if year not in YEAR_RANGE:
        raise Http404
    today = timezone.localdate()
    can_change = calendar_services.may_write(request.user)
    context = {
        "year": year,
        "today": today,
        "previous_year": year - 1 if year - 1 in YEAR_RANGE else None,
        "next_year": year + 1 if year + 1 in YEAR_RANGE else None,
        "can_change": can_change,
        "day_form": (day_form or CalendarDayForm(initial={"date": date(year, 1, 1)})) if can_change else None,
        "import_form": (import_form or CalendarImportForm()) if can_change else None,
        "nav_active": "calendar",
        "changes": CalendarChange.objects.all()[:20] if can_change else (),
        **year_view_data(year, today),
    }
    return render(request, "liaison/calendar_year.html", context, status=status)


def _require_writer(user) -> None:
    if not calendar_services.may_write(user):
        raise PermissionDenied


@login_required
def calendar_index(request):
    return redirect("calendar:year", year=timezone.localdate().year)


@login_required
def calendar_year(request, year: int):
    return _render_year(request, year)


@login_required
@require_POST
def calendar_day_add(request, year: int):
    _require_writer(request.user)
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The date was not entered; see the message under the field."))
        return _render_year(request, year, day_form=form, status=400)
    day = calendar_services.calendar_day_set(
        actor=request.user,
        date=form.cleaned_data["date"],
        is_working_day=form.is_working_day,
        name=form.cleaned_data["name"],
    )
    messages.success(
        request,
        _("Entered %(date)s: %(entry)s.") % {"date": day.date.isoformat(), "entry": calendar_services.describe(day)},
    )
    return redirect(reverse("calendar:year", args=[day.date.year]) + "#entries")


@login_required
@require_POST
def calendar_day_delete(request, pk: int):
    _require_writer(request.user)
    day = get_object_or_404(CalendarDay, pk=pk)
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
