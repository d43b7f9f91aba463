"""Supervision (督办) reads: deadline traffic lights over the items in hand, and who sees
which supervision notices and commitments.

Selectors read through the scoped querysets (`Petition.objects.visible_to`,
`SupervisionNotice.objects.visible_to`, `Commitment.objects.visible_to`, written in
`petitions.supervision.querysets`), so counts, tables, exports and pages agree with what the
user may see. The writes are in `petitions.supervision.services`.

The light of a deadline, counted in working days (`liaison.workdays`):
    red    the deadline has passed (due_on < today);
    amber  due today or within the next 3 working days (the day the
           "deadline in 3 working days" reminder goes out, it turns amber);
    green  more than 3 working days left.
So amber is `today <= due_on < the 4th working day after today` and green
starts at that 4th working day: two date comparisons in SQL, no row is
classified in Python except the few a page shows. The lights (and the working
days left a row shows) count on the deployment's calendar, the same two dates
for every row; the deadlines themselves were counted at each item's place,
local holidays included (`petitions.handling.deadlines`).
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from liaison import workdays
from petitions.handling import workflow
from petitions.models import (
    Commitment,
    ExtensionRequest,
    Petition,
    SupervisionNotice,
)

VIEW_SUPERVISION = "petitions.view_supervisionnotice"
SUPERVISE = "petitions.supervise_petition"
VIEW_COMMITMENT = "petitions.view_commitment"
# Staff and representatives record the follow-up visit (回访) as they record feedback to residents.
FOLLOW_UP = "petitions.feed_back_petition"

AMBER_WORKING_DAYS = 3
TABLE_LIMIT = 200
EXPORT_LIMIT = 5000


# -- the light -----------------------------------------------------------------------------------


class Light(models.TextChoices):
    RED = "red", pgettext_lazy("traffic light", "Overdue")
    AMBER = "amber", pgettext_lazy("traffic light", "Due within 3 working days")
    GREEN = "green", pgettext_lazy("traffic light", "On time")


@dataclass(frozen=True)
class LightBounds:
    """The two dates that split deadlines into lights on `today`."""

    today: date
    green_from: date  # the 4th working day after today: the first green deadline

    def classify(self, due_on: date | None) -> str:
        if due_on is None or due_on >= self.green_from:
            return Light.GREEN
        if due_on < self.today:
            return Light.RED
        return Light.AMBER

    def q(self, light: str, field: str = "due_on") -> Q:
        """The SQL condition of one light on a date column (a range the due_on index serves)."""
        if light == Light.RED:
            return Q(**{f"{field}__lt": self.today})
        if light == Light.AMBER:
            return Q(**{f"{field}__gte": self.today, f"{field}__lt": self.green_from})
        if light == Light.GREEN:
            return Q(**{f"{field}__gte": self.green_from}) | Q(**{f"{field}__isnull": True})
        raise ValueError(light)


def light_bounds(today: date | None = None) -> LightBounds:
    today = today or timezone.localdate()
    return LightBounds(today=today, green_from=workdays.add_working_days(today, AMBER_WORKING_DAYS + 1))


@dataclass(frozen=True)
class Deadline:
    """What a page says about one deadline."""

    light: str
    days_left: int | None  # working days after today up to the deadline; None when overdue or none
    overdue_days: int  # calendar days past the deadline
    due_today: bool


def deadline_info(calendar, bounds: LightBounds, due_on: date | None) -> Deadline:
    """`calendar` is `workdays.current()`, loaded once per page, never per row."""
    today = bounds.today
    if due_on is None:
        return Deadline(Light.GREEN, None, 0, False)
    if due_on < today:
        return Deadline(Light.RED, None, (today - due_on).days, False)
    return Deadline(bounds.classify(due_on), calendar.between(today, due_on), 0, due_on == today)


# -- traffic lights over the items in hand ---------------------------------------------------------


def items_in_hand(user) -> QuerySet:
    """The user's items a department is handling (assigned, accepted, in progress)."""
    return Petition.objects.visible_to(user).filter(status__in=workflow.IN_HAND)


def light_counts(queryset: QuerySet, bounds: LightBounds) -> dict[str, int]:
    """{red, amber, green, total} in one aggregate query."""
    counts = queryset.order_by().aggregate(
        red=Count("pk", filter=bounds.q(Light.RED)),
        amber=Count("pk", filter=bounds.q(Light.AMBER)),
        green=Count("pk", filter=bounds.q(Light.GREEN)),
    )
    counts["total"] = counts["red"] + counts["amber"] + counts["green"]
    return counts


@dataclass
class LightRow:
    petition: Petition
    deadline: Deadline

    @property
    def light(self) -> str:
        return self.deadline.light


def light_rows(queryset: QuerySet, bounds: LightBounds, *, limit: int = TABLE_LIMIT) -> list[LightRow]:
    """The `limit` most urgent items (earliest deadline first) with their light; one query."""
    petitions = (
        queryset.select_related("lead_department", "station", "category", "category__parent")
        .defer("search_text")
        .order_by(models.F("due_on").asc(nulls_last=True), "pk")[:limit]
    )
    calendar = workdays.current()
    return [LightRow(p, deadline_info(calendar, bounds, p.due_on)) for p in petitions]


@dataclass
class DepartmentLine:
    department_id: int | None
    name: str
    in_hand: int = 0
    amber: int = 0
    red: int = 0
    extensions_pending: int = 0


def department_summary(queryset: QuerySet, bounds: LightBounds) -> list[DepartmentLine]:
    """Per lead department: items in hand, amber, red, extension requests awaiting the office. Two queries."""
    lines: dict[int | None, DepartmentLine] = {}
    grouped = (
        queryset.order_by()
        .values("lead_department_id", "lead_department__name")
        .annotate(
            in_hand=Count("pk"),
            amber=Count("pk", filter=bounds.q(Light.AMBER)),
            red=Count("pk", filter=bounds.q(Light.RED)),
        )
    )
    for row in grouped:
        lines[row["lead_department_id"]] = DepartmentLine(
            row["lead_department_id"], row["lead_department__name"] or "", row["in_hand"], row["amber"], row["red"]
        )
    pending = (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING, petition__in=queryset.values("pk"))
        .order_by()
        .values("assignment__department_id", "assignment__department__name")
        .annotate(n=Count("pk"))
    )
    for row in pending:
        key = row["assignment__department_id"]
        line = lines.setdefault(key, DepartmentLine(key, row["assignment__department__name"] or ""))
        line.extensions_pending = row["n"]
    return sorted(lines.values(), key=lambda x: (-x.red, -x.amber, -x.in_hand, x.name))


# -- who sees which notices and commitments ------------------------------------------------------


def notice_overdue_q(today: date) -> Q:
    """A notice unanswered past its answer-by date (the notice list's filter)."""
    return Q(state=SupervisionNotice.State.OPEN, due_on__lt=today)


def notice_is_overdue(notice: SupervisionNotice, today: date) -> bool:
    """`notice_overdue_q` for one notice (the notice page's warning)."""
    return notice.state == SupervisionNotice.State.OPEN and notice.due_on < today


def notices_visible_to(user) -> QuerySet:
    """`SupervisionNotice.objects.visible_to(user)` (`petitions.supervision.querysets`), by the name
    the item page (`petitions.handling.views`) reads it under."""
    return SupervisionNotice.objects.visible_to(user)


def can_view_commitments(user) -> bool:
    """The office and departments hold `view_commitment`; staff and representatives see their
    stations' commitments because they make the follow-up visits."""
    return user.has_perm(VIEW_COMMITMENT) or user.has_perm(FOLLOW_UP)


def commitments_visible_to(user) -> QuerySet:
    """`Commitment.objects.visible_to(user)` (`petitions.supervision.querysets`), by the name the item
    page (`petitions.handling.views`) reads it under."""
    return Commitment.objects.visible_to(user)
