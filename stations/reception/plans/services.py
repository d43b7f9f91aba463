"""Reception rules and the annual plan (年度预安排).

- `rule_dates()` expands a station's rule over one year with the working-day
  calendar (pure: no queries when a calendar is passed).
- `plan_generate()`, the background job "reception_plan" that turns the rules
  into the year's draft events and proposes rosters, is in
  `stations.reception.plans.generation`; who may plan where (`_check_may_plan`)
  and which stations a plan covers (`plan_stations`) are here.
- `plan_publish()` makes a draft plan's events scheduled; notices follow.
- `rule_save()` / `rule_delete()`: the writes of the rule pages.
- The review page's selectors are in `stations.reception.plans.selectors`.
"""

import calendar as _months
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from liaison import workdays
from liaison.access import scope_for
from liaison.jurisdictions import under_q
from liaison.models import Jurisdiction, User
from liaison.workdays import WorkingCalendar
from stations.models import EventKind, ReceptionEvent, ReceptionPlan, ReceptionRule, RosterEntry, Station
from stations.reception.plans.forms import ReceptionRuleForm
from stations.reception.workflow import EVENTS, PLANS, EventMove, PlanMove

PLAN_JOB = "reception_plan"
PLAN_PERMISSION = "stations.change_receptionplan"

Pattern = ReceptionRule.Pattern
Draft = ReceptionEvent.Status.DRAFT


# --------------------------------------------------------------------------- rule expansion


def _occurrences(rule, year: int):
    """The rule's nominal dates in the year, before validity and working days."""
    if rule.pattern == Pattern.MONTHLY_DAY:
        for month in range(1, 13):
            yield date(year, month, min(rule.day_of_month, _months.monthrange(year, month)[1]))
    elif rule.pattern == Pattern.NTH_WEEKDAY:
        for month in range(1, 13):
            if rule.week_of_month == -1:
                last = date(year, month, _months.monthrange(year, month)[1])
                yield last - timedelta(days=(last.weekday() - rule.weekday) % 7)
            else:
                first = date(year, month, 1)
                yield first + timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.week_of_month - 1))
    elif rule.pattern == Pattern.WEEKLY:
        day = date(year, 1, 1)
        day += timedelta(days=(rule.weekday - day.weekday()) % 7)
        while day.year == year:
            yield day
            day += timedelta(days=7)


def rule_place(rule: ReceptionRule) -> str:
    """Where a rule's working days are counted: its station's place."""
    return rule.station.jurisdiction.code


def rule_dates(rule: ReceptionRule, year: int, calendar: WorkingCalendar | None = None) -> list[date]:
    """The rule's reception days in `year`, sorted and without duplicates.

    Dates outside valid_from..valid_until are dropped. A date that is not a
    working day stays (`keep`) or moves to the next working day (`next`); when
    that would leave the year or the rule's validity (the 31st of December on
    a Saturday), it moves back to the working day before instead. Working days
    are those at the rule's station (`calendar`: the calendar at that place,
    when the caller holds it).
    """
    calendar = calendar or workdays.current(rule_place(rule))
    first, last = date(year, 1, 1), date(year, 12, 31)
    if rule.valid_from and rule.valid_from > first:
        first = rule.valid_from
    if rule.valid_until and rule.valid_until < last:
        last = rule.valid_until
    moving = rule.on_non_working_day == ReceptionRule.NonWorkingDay.NEXT_WORKING_DAY
    days = set()
    for day in _occurrences(rule, year):
        if not first <= day <= last:
            continue
        if moving and not calendar.is_working_day(day):
            later = calendar.next_working_day(day)
            day = later if later <= last else calendar.previous_working_day(day)
            if day < first:
                continue
        days.add(day)
    return sorted(days)


def _schedule_key(rule) -> tuple:
    """What decides a rule's dates: rules sharing it share one expansion."""
    return (
        rule.pattern,
        rule.day_of_month,
        rule.week_of_month,
        rule.weekday,
        rule.on_non_working_day,
        rule.valid_from,
        rule.valid_until,
    )


def _still_missing(rule, wanted: list[date], have: set[date]) -> list[date]:
    """Wanted dates without an event, except those an event moved by hand stands in for.

    An event of the rule on a date the rule does not give was moved by the
    office (or the calendar changed); it stands in for the nearest wanted date
    within half a period, so regenerating does not bring the old date back.
    """
    missing = [d for d in wanted if d not in have]
    moved = sorted(have.difference(wanted))
    if not missing or not moved:
        return missing
    reach = 3 if rule.pattern == Pattern.WEEKLY else 15
    result = []
    for day in missing:
        nearest = min(moved, key=lambda m: abs((m - day).days), default=None)
        if nearest is not None and abs((nearest - day).days) <= reach:
            moved.remove(nearest)
        else:
            result.append(day)
    return result


# --------------------------------------------------------------------------- who plans what


def _check_may_plan(actor, jurisdiction: Jurisdiction) -> None:
    """Plans are the committee office's: its own jurisdiction and those below it."""
    scope = scope_for(actor)
    in_scope = scope.everything or any(jurisdiction.code.startswith(p) for p in scope.jurisdiction_prefixes)
    if not in_scope or not actor.has_perm(PLAN_PERMISSION):
        raise PermissionDenied


def plan_stations(jurisdiction: Jurisdiction) -> QuerySet[Station]:
    """The stations a jurisdiction's plan covers: those in service under it."""
    return Station.objects.filter(under_q(jurisdiction, "jurisdiction__code"), is_active=True)


# --------------------------------------------------------------------------- publishing


@transaction.atomic
def plan_publish(*, plan: ReceptionPlan, actor: User) -> int:
    """Publish a draft plan: its draft events become scheduled, and the notice
    task is queued after commit. Returns the number of events scheduled.

    Raises ValidationError when the plan is published already.
    """
    _check_may_plan(actor, plan.jurisdiction)
    locked = ReceptionPlan.objects.select_for_update().get(pk=plan.pk)
    PLANS.check(PlanMove.PUBLISH, locked.status, permission=False)  # "published already"; who: just above
    now = timezone.now()
    scheduled = EVENTS.apply_many(locked.events.all(), EventMove.PUBLISH, actor=actor, updated_at=now)
    PLANS.apply(locked, PlanMove.PUBLISH, actor=actor)
    locked.published_at, locked.published_by = now, actor
    PLANS.save(locked, ["published_at", "published_by"])
    plan.refresh_from_db(fields=["status", "published_at", "published_by"])

    from stations.reception.events.notices import notices_kick

    notices_kick()  # queues the notice task on commit
    return scheduled


# --------------------------------------------------------------------------- rules


def _untouched_drafts(rule: ReceptionRule, station: Station):
    """Draft-plan events of the rule as generation left them: no roster, same time,
    place and slots, nothing added; the ones a rule change or deletion may remove."""
    return ReceptionEvent.objects.filter(
        rule=rule,
        status=Draft,
        plan__status=ReceptionPlan.Status.DRAFT,
        start_time=rule.start_time,
        end_time=rule.end_time,
        place=rule.place or station.address,
        open_slots=rule.representatives_per_event,
        kind=EventKind.RECEPTION,
        title="",
        campaign=None,
        department=None,
        topics="",
        public_note="",
    ).exclude(Exists(RosterEntry.objects.filter(event=OuterRef("pk"))))


def _drop_untouched_drafts(rule: ReceptionRule) -> int:
    """Delete the rule's untouched draft events that are still on a date the rule gave."""
    events = list(_untouched_drafts(rule, rule.station).select_related("plan").only("pk", "date", "plan__year"))
    calendar = WorkingCalendar.load(rule_place(rule))
    given: dict[int, set[date]] = {}
    doomed = []
    for event in events:
        year = event.plan.year
        if year not in given:
            given[year] = set(rule_dates(rule, year, calendar))
        if event.date in given[year]:
            doomed.append(event.pk)
    return ReceptionEvent.objects.filter(pk__in=doomed).delete()[0] if doomed else 0


_SCHEDULE_FIELDS = (
    "pattern",
    "day_of_month",
    "week_of_month",
    "weekday",
    "start_time",
    "end_time",
    "place",
    "on_non_working_day",
    "representatives_per_event",
    "valid_from",
    "valid_until",
    "is_active",
)


@transaction.atomic
def rule_save(*, form: ReceptionRuleForm, actor: User) -> tuple[ReceptionRule, int]:
    """Save a valid ReceptionRuleForm (its instance's station is set).

    When an existing rule's schedule changes, its events in draft plans that
    nobody touched are removed, so regenerating the plan adds the new dates
    and does not keep the old ones. Returns the rule and how many events went.
    """
    rule = form.instance
    removed = 0
    if rule.pk:
        before = ReceptionRule.objects.select_for_update().select_related("station").get(pk=rule.pk)
        if any(getattr(before, f) != getattr(rule, f) for f in _SCHEDULE_FIELDS):
            removed = _drop_untouched_drafts(before)
    return form.save(), removed


@transaction.atomic
def rule_delete(*, rule: ReceptionRule, actor: User) -> int:
    """Delete a rule and its untouched draft-plan events; other events stay (without the rule)."""
    rule = ReceptionRule.objects.select_for_update().select_related("station").get(pk=rule.pk)
    removed = _drop_untouched_drafts(rule)
    rule.delete()
    return removed
