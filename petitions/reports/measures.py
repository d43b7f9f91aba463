"""The cohort a dashboard counts and the measures it counts it by.

A cohort is the items the user can see (`visible_to`), whose place lies in the chosen
jurisdiction, received in the period (`cohort`). A figure is a count of the cohort under
one of the `MEASURES`, so the ledger can show the very items behind it
(`petitions.ledger.filters` applies the same `measure_q`); rates divide two such counts.
The dashboard (`petitions.reports.dashboard`) and the department evaluation
(`petitions.reports.evaluation`) both count through these definitions.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.jurisdictions import under_q
from liaison.models import Jurisdiction
from petitions.handling.workflow import (
    ANSWERED,
    ANSWERED_AT_TRIAGE,
    AWAITING_TRIAGE,
    FED_BACK,
    FINISHED,
    IN_HAND,
    SUSPENDED,
    WITH_SUGGESTION,
    overdue_q,
)
from petitions.models import Petition, Satisfaction, Status


def measure_q(key: str, today: date) -> Q:
    """The items of a cohort that a figure counts (`MEASURES`)."""
    assigned = Q(lead_department__isnull=False)
    replied = assigned & Q(replied_at__isnull=False)
    overdue = overdue_q(today)
    on_time = replied & Q(due_on__isnull=False, replied_at__date__lte=F("due_on"))
    late = (replied & Q(replied_at__date__gt=F("due_on"))) | (assigned & overdue)
    return {
        "received": Q(),
        "triaged": ~Q(status=Status.REGISTERED),
        "assigned": assigned,
        "replied": replied,
        "answered": Q(status__in=ANSWERED_AT_TRIAGE),
        "closed": Q(status=Status.CLOSED),
        # Items that fell due: replied against a deadline, or past it without a reply.
        "due": on_time | late,
        "on_time": on_time,
        "late": late,
        "rated": ~Q(satisfaction=""),
        "satisfied": Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
        "dissatisfied": Q(satisfaction=Satisfaction.DISSATISFIED),
        "overdue": overdue,
    }[key]


MEASURES = {
    "received": pgettext_lazy("dashboard", "Received"),
    "triaged": pgettext_lazy("dashboard", "Triaged"),
    "assigned": pgettext_lazy("dashboard", "Assigned to a department"),
    "replied": pgettext_lazy("dashboard", "Replied by the department"),
    "answered": pgettext_lazy("dashboard", "Answered at triage"),
    "closed": pgettext_lazy("dashboard", "Closed out"),
    "due": pgettext_lazy("dashboard", "Fallen due"),
    "on_time": pgettext_lazy("dashboard", "Replied on time"),
    "late": pgettext_lazy("dashboard", "Late"),
    "rated": pgettext_lazy("dashboard", "Rated"),
    "satisfied": pgettext_lazy("dashboard", "Satisfied or basically satisfied"),
    "dissatisfied": pgettext_lazy("dashboard", "Dissatisfied"),
    "overdue": pgettext_lazy("dashboard", "Overdue now"),
}
# What became of the items escalated to an office above (`Petition.escalated_to`: the last office
# an item was handed up to). Besides "escalated", the outcomes partition the escalated items:
# still waiting to be routed there, in hand there, answered there (or finished), sent back down.
# "Taken over" counts, among them, those the office above now owns.
ESCALATIONS = {
    "escalated": pgettext_lazy("dashboard", "Escalated"),
    "waiting": pgettext_lazy("dashboard", "Waiting to be routed above"),
    "in_hand": pgettext_lazy("dashboard", "In hand above"),
    "answered": pgettext_lazy("dashboard", "Answered above"),
    "sent_down": pgettext_lazy("dashboard", "Sent back down"),
    "taken_over": pgettext_lazy("dashboard", "Taken over above"),
}
ESCALATION_OUTCOMES = ("waiting", "in_hand", "answered", "sent_down")


def escalation_q(key: str) -> Q:
    """The escalated items an escalation figure counts (`ESCALATIONS`)."""
    escalated = Q(escalated_to__isnull=False)
    above = escalated & Q(handling_office=F("escalated_to"))
    return {
        "escalated": escalated,
        "waiting": above & Q(status__in=AWAITING_TRIAGE),
        "in_hand": above & Q(status__in=IN_HAND | SUSPENDED | WITH_SUGGESTION),
        "answered": above & Q(status__in=ANSWERED | FED_BACK | FINISHED),
        "sent_down": escalated & ~Q(handling_office=F("escalated_to")),
        "taken_over": escalated & Q(owner_office=F("escalated_to")),
    }[key]


# The counts of a row in the order of the tables' columns.
ROW_MEASURES = ("received", "assigned", "replied", "closed", "on_time", "due", "satisfied", "rated", "overdue")

# Each rate: (numerator, denominator, label, definition shown in the page's help).
RATES = {
    "reply_rate": (
        "replied",
        "assigned",
        _("Reply rate (办复率)"),
        _("Items the department replied to, divided by the items assigned to a department."),
    ),
    "on_time_rate": (
        "on_time",
        "due",
        _("On-time rate"),
        _(
            "Replies given on or before the deadline, divided by the items that fell due: replied, "
            "or past their deadline without a reply."
        ),
    ),
    "satisfaction_rate": (
        "satisfied",
        "rated",
        _("Satisfaction rate"),
        _("Items rated satisfied or basically satisfied, divided by the items rated."),
    ),
}


@dataclass
class Figures:
    """Counts of one cohort (or one group of it) and the rates derived from them."""

    counts: dict = field(default_factory=dict)
    avg_days: float | None = None
    key: object = None
    label: str = ""
    params: dict = field(default_factory=dict)  # the ledger filter of this group (station=…)
    links: dict = field(default_factory=dict)  # measure → the ledger with the items behind the figure
    linkable: bool = True  # False for "no category" and the like, which the ledger cannot filter

    def link(self, base: dict) -> "Figures":
        """Fill `links` for a group the ledger can filter on (not "no category", say)."""
        if self.linkable:
            self.links = {m: ledger_url(base, m, **self.params) for m in MEASURES}
        return self

    def __getattr__(self, name):
        if name in RATES:
            num, den, _label, _help = RATES[name]
            return _rate(self.counts.get(num, 0), self.counts.get(den, 0))
        if name in MEASURES:
            return self.counts.get(name, 0)
        raise AttributeError(name)


def _rate(num: int, den: int) -> float | None:
    return None if not den else num / den


def _aggregates(today: date, prefix: str = "") -> dict:
    """Count per measure (and the average reply time) in one pass over the rows."""

    def shift(q: Q) -> Q:
        if not prefix:
            return q
        return _prefixed(q, prefix)

    out = {key: Count(f"{prefix}pk", filter=shift(measure_q(key, today))) for key in MEASURES if key != "received"}
    out["received"] = Count(f"{prefix}pk")
    out["avg_days"] = Avg(f"{prefix}reply_working_days", filter=shift(measure_q("replied", today)))
    return out


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition on a related petition (`petition__…`)."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            lookup, value = child
            if isinstance(value, F):
                value = F(prefix + value.name)
            children.append((prefix + lookup, value))
    new = Q(*children, _connector=q.connector, _negated=q.negated)
    return new


def _figures(row: dict, **kwargs) -> Figures:
    avg = row.pop("avg_days", None)
    return Figures(
        counts={k: row.get(k, 0) for k in MEASURES}, avg_days=float(avg) if avg is not None else None, **kwargs
    )


# --------------------------------------------------------------------------- the period and the scope


@dataclass
class Period:
    start: date
    end: date

    @property
    def months(self) -> list[date]:
        """First days of the months the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return months


def preset_periods(today: date) -> list[tuple[str, str, Period]]:
    """(key, label, period): the choices above the filters."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        ("month", _("This month"), Period(month_start, today)),
        ("last_month", _("Last month"), Period(last_month_end.replace(day=1), last_month_end)),
        ("quarter", _("This quarter"), Period(quarter_start, today)),
        ("year", _("This year"), Period(date(today.year, 1, 1), today)),
        ("last_year", _("Last year"), Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))),
    ]


def jurisdiction_choices(user) -> QuerySet:
    """Jurisdictions a user may narrow the dashboard to: those they work in, down to townships."""
    return (
        Jurisdiction.objects.visible_to(user)
        .exclude(level=Jurisdiction.Level.COMMUNITY)
        .only("pk", "code", "name", "level")
        .order_by("code")
    )


def cohort(user, period: Period, jurisdiction: Jurisdiction | None = None) -> QuerySet:
    """The items a dashboard counts: visible to the user, in the jurisdiction, received in the period."""
    items = Petition.objects.visible_to(user).filter(received_on__gte=period.start, received_on__lte=period.end)
    if jurisdiction is not None:
        items = items.filter(under_q(jurisdiction, "area_code"))
    return items.order_by()


def base_params(period: Period, jurisdiction: Jurisdiction | None) -> dict:
    """The ledger filter of a whole cohort: the period and the jurisdiction."""
    base = {"received_from": period.start.isoformat(), "received_to": period.end.isoformat()}
    if jurisdiction is not None:
        base["area"] = jurisdiction.code
    return base


def ledger_url(base: dict, measure: str = "received", **params) -> str:
    """The ledger filtered to the items behind a figure."""
    query = {**base, **{k: v for k, v in params.items() if v not in (None, "")}}
    if measure != "received":
        query["measure"] = measure
    return reverse("petitions:ledger") + "?" + urlencode(query)
