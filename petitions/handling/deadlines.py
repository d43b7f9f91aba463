"""Deadlines of handling, in Chinese working days (`liaison.workdays`) at the item's place: the
deployment's calendar with the local entries of the offices above the place (a township's local
holiday moves the deadlines of the items in that township, not those of the next one).

- An assignment's deadlines come from the `DeadlineRule` of the nearest jurisdiction above the
  item's place that has one (`liaison.jurisdictions.nearest_above`), else the administrator's
  default, else 3 / 15 working days (urgent / normal) for the lead and 2 / 10 for co-handlers.
- The office routes what a reception day brought within `LIAISON_TRIAGE_WORKING_DAYS`.
- A suggestion is answered within 3 months, 6 for a complex one the office approved
  (代表法 art. 51).
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from liaison import workdays
from liaison.jurisdictions import nearest_above
from petitions.models import DeadlineRule, Petition, Urgency


def deadline_rule(*, route: str, urgency: str, area_code: str = "") -> DeadlineRule | None:
    """The rule of the nearest jurisdiction above the place that has one, else the default."""
    return nearest_above(DeadlineRule.objects.filter(route=route, urgency=urgency), area_code)


def deadline_for(*, route: str, urgency: str, start: date | None = None, area_code: str = "") -> tuple[date, date]:
    """(lead deadline, co-handlers' deadline) in working days from `start` (today) by the rule that
    applies to the place (`deadline_rule`)."""
    start = start or timezone.localdate()
    rule = deadline_rule(route=route, urgency=urgency, area_code=area_code)
    if rule is None:
        rule = DeadlineRule(
            working_days=3 if urgency == Urgency.URGENT else 15, co_working_days=2 if urgency == Urgency.URGENT else 10
        )
    calendar = workdays.current(area_code)
    return calendar.add(start, rule.working_days), calendar.add(start, rule.co_working_days)


def reply_working_days(assigned_at, replied_at, *, area_code: str = "") -> int | None:
    """Working days from the assignment to the reply at the item's place (0 when answered the
    same working day)."""
    if assigned_at is None or replied_at is None:
        return None
    start, end = timezone.localdate(assigned_at), timezone.localdate(replied_at)
    return workdays.working_days_between(start, end, place=area_code) if end > start else 0


def suggestion_deadline(*, start: date | None = None, complex_: bool = False) -> date:
    """Three months from assignment, six for a complex suggestion the office approved (代表法 art. 51)."""
    start = start or timezone.localdate()
    months = settings.LIAISON_SUGGESTION_COMPLEX_MONTHS if complex_ else settings.LIAISON_SUGGESTION_MONTHS
    return start + relativedelta(months=months)


def triage_due(petition: Petition) -> date:
    """The office routes what a reception day brought within LIAISON_TRIAGE_WORKING_DAYS working days
    (at the item's place)."""
    return workdays.add_working_days(
        petition.received_on, settings.LIAISON_TRIAGE_WORKING_DAYS, place=petition.area_code
    )
