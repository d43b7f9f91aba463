"""Reads of the plan review page and the station's reception panel."""

import calendar as _months
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.dates import MONTHS

from liaison import office_settings, workdays
from liaison.workdays import Calendars
from stations.models import (
    EventKind,
    Membership,
    ReceptionEvent,
    ReceptionPlan,
    ReceptionRule,
    Representative,
    RosterEntry,
    Station,
)
from stations.reception.plans.services import plan_stations
from stations.reception.workflow import OCCUPYING


def plan_list(user):
    """The plans the user sees, with their event counts."""
    events = (
        ReceptionEvent.objects.filter(plan=OuterRef("pk")).order_by().values("plan").annotate(n=Count("pk")).values("n")
    )
    return (
        ReceptionPlan.objects.visible_to(user)
        .select_related("jurisdiction", "generated_by", "published_by")
        .annotate(event_count=Coalesce(Subquery(events, output_field=IntegerField()), Value(0)))
        .order_by("-year", "jurisdiction__code")
    )


@dataclass
class MonthRow:
    month: int
    label: str
    counts: list[int]  # by kind, in EventKind order
    total: int


def plan_event_counts(plan: ReceptionPlan) -> dict:
    """Events of the plan by month × kind (cancelled ones left out) and by status."""
    kinds = list(EventKind)
    grid = defaultdict(lambda: defaultdict(int))
    for month, kind, n in (
        plan.events.filter(status__in=OCCUPYING)
        .annotate(month=ExtractMonth("date"))
        .order_by()
        .values_list("month", "kind")
        .annotate(n=Count("pk"))
    ):
        grid[month][kind] = n
    rows = [MonthRow(m, MONTHS[m], [grid[m][k] for k in kinds], sum(grid[m].values())) for m in range(1, 13)]
    totals = [sum(r.counts[i] for r in rows) for i in range(len(kinds))]
    by_status = dict(plan.events.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "kinds": [k.label for k in kinds],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "by_status": [
            (label, by_status[value]) for value, label in ReceptionEvent.Status.choices if by_status.get(value)
        ],
    }


def plan_events(plan: ReceptionPlan, *, station: str = "", month: int | None = None, kind: str = ""):
    """The plan's events for the review table, filtered by station (name or number), month and kind."""
    events = plan.events.select_related("station").prefetch_related("roster__representative")
    if station:
        events = events.filter(Q(station__name__icontains=station) | Q(station__code__icontains=station))
    if month:
        events = events.filter(
            date__gte=date(plan.year, month, 1),
            date__lte=date(plan.year, month, _months.monthrange(plan.year, month)[1]),
        )
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("date", "start_time", "station__code", "pk")


def plan_stations_without_rules(plan: ReceptionPlan):
    """Stations the plan covers that have no rule in use: they get no reception days."""
    return (
        plan_stations(plan.jurisdiction)
        .exclude(Exists(ReceptionRule.objects.filter(station=OuterRef("pk"), is_active=True)))
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "code")
    )


def plan_representatives_below_quota(plan: ReceptionPlan):
    """Serving members of the plan's stations rostered on fewer events that year than
    their quota (by level and where elected, `liaison.office_settings`; any station, cancelled
    events left out); fewest first."""
    year_entries = (
        RosterEntry.objects.filter(
            representative=OuterRef("pk"),
            event__date__gte=date(plan.year, 1, 1),
            event__date__lte=date(plan.year, 12, 31),
        )
        .filter(event__status__in=OCCUPYING)
        .order_by()
        .values("representative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    quota = office_settings.quota_case()
    members = Membership.objects.filter(representative=OuterRef("pk"), station__in=plan_stations(plan.jurisdiction))
    return (
        Representative.objects.filter(is_active=True)
        .filter(Exists(members))
        .annotate(year_count=Coalesce(Subquery(year_entries, output_field=IntegerField()), Value(0)), quota=quota)
        .filter(year_count__lt=F("quota"))
        .order_by("year_count", "level", "name", "pk")
    )


def plan_off_days(plan: ReceptionPlan, calendars: Calendars | None = None) -> list[tuple[date, int]]:
    """Dates of the plan's events that are not working days at their station (rules that keep
    the date, events moved by hand, or holidays entered after generation, local ones included),
    with counts of such events."""
    calendars = calendars or workdays.snapshot()
    per_place = (
        plan.events.filter(status__in=OCCUPYING)
        .order_by("date")
        .values_list("date", "station__jurisdiction__code")
        .annotate(n=Count("pk"))
    )
    off: dict[date, int] = {}
    for day, place, n in per_place:
        if not calendars.at(place).is_working_day(day):
            off[day] = off.get(day, 0) + n
    return sorted(off.items())


def plan_double_bookings(plan: ReceptionPlan) -> int:
    """Representatives on two events of the same day within the plan (edited by hand)."""
    return (
        RosterEntry.objects.filter(event__plan=plan)
        .filter(event__status__in=OCCUPYING)
        .order_by()
        .values("representative", "event__date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )


def station_reception_context(station: Station, user) -> dict:
    """The reception panel of the station page: rules, and the next five scheduled events."""
    can_see_rules = user.has_perm("stations.view_receptionrule")
    events = ReceptionEvent.objects.none()
    if user.has_perm("stations.view_receptionevent"):
        events = ReceptionEvent.objects.visible_to(user).filter(station=station).upcoming(timezone.localdate())[:5]
    return {
        "reception_rules": list(station.reception_rules.all()) if can_see_rules else None,
        "can_rules": user.has_perm("stations.change_receptionrule"),
        "next_events": list(events),
    }
