"""Department evaluation: how each handling unit dealt with the items of a period.

The items are the dashboard's cohort (`petitions.reports.measures.cohort`: visible to the
user, in the jurisdiction, received in the period), so a department's figures add up
to the dashboard's department breakdown and link to the same ledger rows. Returns and
extensions come from the shares and requests of those items; department-head visits
and commitments from the period's dates in the user's view. A user whose scope is a set of
departments (working-body staff) gets the rows of those departments only.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from liaison.access import scope_for
from liaison.jurisdictions import under_q
from liaison.models import Jurisdiction
from petitions.models import Assignment, Commitment, Department, ExtensionRequest, Outcome, Satisfaction
from petitions.reports.measures import Figures, Period, _aggregates, _figures, base_params, cohort, ledger_url
from stations.models import EventKind, ReceptionEvent


@dataclass
class DepartmentRow:
    department: Department
    figures: Figures
    outcomes: dict = field(default_factory=dict)  # A/B/C/D → replies
    ratings: dict = field(default_factory=dict)  # satisfaction → items rated so
    co_handled: int = 0
    returns: int = 0
    extensions: int = 0
    extensions_approved: int = 0
    visits: int = 0
    commitments: int = 0
    commitments_kept: int = 0
    follow_ups: dict = field(default_factory=dict)  # satisfaction → follow-up visits rated

    @property
    def follow_ups_rated(self) -> int:
        return sum(self.follow_ups.values())


@dataclass
class Evaluation:
    period: Period
    jurisdiction: Jurisdiction | None
    rows: list
    total: DepartmentRow
    base_params: dict

    def url(self, measure: str = "received", **params) -> str:
        return ledger_url(self.base_params, measure, **params)


def evaluate(
    user, period: Period, jurisdiction: Jurisdiction | None = None, *, today: date | None = None
) -> Evaluation:
    """One row per department that led an item of the cohort or made a commitment in the period.

    Seven grouped queries and one for the names, whatever the number of departments.
    """
    today = today or timezone.localdate()
    items = cohort(user, period, jurisdiction)
    ids = items.values("pk")

    aggs = _aggregates(today)
    for outcome in Outcome.values:
        aggs[f"outcome_{outcome}"] = Count(
            "pk", filter=Q(lead_department__isnull=False, replied_at__isnull=False, outcome=outcome)
        )
    for satisfaction in Satisfaction.values:
        aggs[f"rating_{satisfaction}"] = Count("pk", filter=Q(satisfaction=satisfaction))
    per_department = {
        r.pop("lead_department_id"): r
        for r in items.filter(lead_department__isnull=False).values("lead_department_id").annotate(**aggs)
    }
    shares = {
        r["department_id"]: r
        for r in Assignment.objects.filter(petition__in=ids)
        .values("department_id")
        .annotate(
            co=Count("pk", filter=Q(role=Assignment.Role.CO)),
            returns=Count("pk", filter=Q(state=Assignment.State.RETURNED)),
        )
    }
    extensions = {
        r["assignment__department_id"]: r
        for r in ExtensionRequest.objects.filter(petition__in=ids)
        .values("assignment__department_id")
        .annotate(
            requested=Count("pk"),
            approved=Count("pk", filter=Q(state=ExtensionRequest.State.APPROVED)),
        )
    }
    events = ReceptionEvent.objects.visible_to(user).filter(
        kind=EventKind.DEPARTMENT_VISIT,
        status=ReceptionEvent.Status.HELD,
        department__isnull=False,
        date__gte=period.start,
        date__lte=period.end,
    )
    commitments = Commitment.objects.visible_to(user).filter(held_on__gte=period.start, held_on__lte=period.end)
    if jurisdiction is not None:
        events = events.filter(under_q(jurisdiction, "station__jurisdiction__code"))
        commitments = commitments.filter(under_q(jurisdiction, "jurisdiction__code"))
    visits = dict(events.order_by().values("department_id").annotate(n=Count("pk")).values_list("department_id", "n"))
    kept = {
        r["department_id"]: r
        for r in commitments.order_by()
        .values("department_id")
        .annotate(
            n=Count("pk"),
            kept=Count("pk", filter=Q(state__in=[Commitment.State.DONE, Commitment.State.VISITED])),
            **{f"fu_{s}": Count("pk", filter=Q(follow_up_satisfaction=s)) for s in Satisfaction.values},
        )
    }

    department_ids = set(per_department) | set(kept) | set(visits)
    if own := scope_for(user).department_ids:
        # A working body evaluates the departments it coordinates, not the others that led an
        # item one of them shared.
        department_ids &= own
    departments = (
        Department.objects.filter(pk__in=department_ids)
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "name")
    )
    rows = []
    for department in departments:
        pk = department.pk
        counts = dict(per_department.get(pk) or {})
        outcomes = {o: counts.pop(f"outcome_{o}", 0) for o in Outcome.values}
        ratings = {v: counts.pop(f"rating_{v}", 0) for v in Satisfaction.values}
        k = kept.get(pk, {})
        rows.append(
            DepartmentRow(
                department=department,
                figures=_figures(counts, key=pk, label=department.name, params={"department": pk}),
                outcomes=outcomes,
                ratings=ratings,
                co_handled=shares.get(pk, {}).get("co", 0),
                returns=shares.get(pk, {}).get("returns", 0),
                extensions=extensions.get(pk, {}).get("requested", 0),
                extensions_approved=extensions.get(pk, {}).get("approved", 0),
                visits=visits.get(pk, 0),
                commitments=k.get("n", 0),
                commitments_kept=k.get("kept", 0),
                follow_ups={s: k.get(f"fu_{s}", 0) for s in Satisfaction.values},
            )
        )
    rows.sort(key=lambda r: (-r.figures.assigned, r.department.jurisdiction.code, r.department.name))

    total = DepartmentRow(department=None, figures=Figures(counts={}))
    total.figures = _sum_figures([r.figures for r in rows])
    for row in rows:
        for o, n in row.outcomes.items():
            total.outcomes[o] = total.outcomes.get(o, 0) + n
        for s, n in row.follow_ups.items():
            total.follow_ups[s] = total.follow_ups.get(s, 0) + n
        for s, n in row.ratings.items():
            total.ratings[s] = total.ratings.get(s, 0) + n
        for name in (
            "co_handled",
            "returns",
            "extensions",
            "extensions_approved",
            "visits",
            "commitments",
            "commitments_kept",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))

    base = base_params(period, jurisdiction)
    for row in rows:
        row.figures.link(base)
    total.figures.link(base)
    return Evaluation(period=period, jurisdiction=jurisdiction, rows=rows, total=total, base_params=base)


def _sum_figures(rows: list[Figures]) -> Figures:
    counts, days, replied = {}, 0.0, 0
    for f in rows:
        for k, n in f.counts.items():
            counts[k] = counts.get(k, 0) + n
        if f.avg_days is not None:
            days += f.avg_days * f.replied
            replied += f.replied
    return Figures(counts=counts, avg_days=days / replied if replied else None)
