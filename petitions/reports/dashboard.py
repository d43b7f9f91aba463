"""The oversight dashboard: what happened to the items received in a period, within a scope.

Every figure counts one cohort: the items the user can see (`visible_to`), whose place
lies in the chosen jurisdiction, received in the period. A figure is a count of the
cohort under one of the `MEASURES` below, so the ledger can show the very items behind
it (`petitions.ledger.filters` applies the same `measure_q`). Rates divide two such
counts. Breakdowns (category, station, department, representative, channel, month)
group the same cohort; one grouped query each. The cohort, the measures and the rates are
defined in `petitions.reports.measures`.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Count, DateField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import at_or_above_q, under_q
from liaison.models import Jurisdiction
from petitions.models import (
    Category,
    Channel,
    Department,
    Petition,
    PetitionRepresentative,
    Status,
)
from petitions.reports.measures import (
    ESCALATIONS,
    MEASURES,
    Figures,
    Period,
    _aggregates,
    _figures,
    base_params,
    cohort,
    escalation_q,
    ledger_url,
    measure_q,
)
from stations.models import Representative, Station

# --------------------------------------------------------------------------- the dashboard


@dataclass
class Dashboard:
    period: Period
    jurisdiction: Jurisdiction | None
    today: date
    total: Figures
    categories: list
    stations: list
    departments: list
    representatives: list
    channels: list
    months: list
    campaigns: list
    base_params: dict
    built_at: datetime | None = None
    escalations: list = field(default_factory=list)

    def url(self, measure: str = "received", **params) -> str:
        return ledger_url(self.base_params, measure, **params)

    @property
    def escalation_labels(self) -> list[str]:
        return [str(label) for label in ESCALATIONS.values()]


# The groupings of the breakdowns, as expressions over a petition row.
DIMENSIONS = {
    "category": lambda: Coalesce("category__parent_id", "category_id"),
    "station": lambda: F("station_id"),
    "department": lambda: F("lead_department_id"),
    "channel": lambda: F("channel"),
    "month": lambda: TruncMonth("received_on", output_field=DateField()),
}


def grouped_counts(items: QuerySet, today: date, dimensions) -> tuple[dict, dict]:
    """(the whole cohort's counts, {dimension: [counts of each group, with its "key"]}).

    On PostgreSQL one pass over the rows with GROUPING SETS (the cohort is read once,
    however many breakdowns); elsewhere one grouped query per dimension.
    """
    if connection.vendor != "postgresql":
        aggs = _aggregates(today)
        groups = {
            d: [{**row, "key": row.pop("g")} for row in items.annotate(g=DIMENSIONS[d]()).values("g").annotate(**aggs)]
            for d in dimensions
        }
        return items.aggregate(**aggs), groups
    measures = [k for k in MEASURES if k != "received"]
    inner = items.annotate(
        **{f"g_{d}": DIMENSIONS[d]() for d in dimensions},
        **{f"m_{k}": ExpressionWrapper(measure_q(k, today), output_field=BooleanField()) for k in measures},
    ).values(*[f"g_{d}" for d in dimensions], *[f"m_{k}" for k in measures], "reply_working_days")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a scope with nothing in it (staff of no station)
        return dict.fromkeys(MEASURES, 0), {d: [] for d in dimensions}
    columns = ", ".join(f"g_{d}" for d in dimensions)
    sets = ", ".join([f"(g_{d})" for d in dimensions] + ["()"])
    counts = ", ".join(
        ["COUNT(*) AS received"]
        + [f"COUNT(*) FILTER (WHERE m_{k}) AS {k}" for k in measures]
        + ["AVG(reply_working_days) FILTER (WHERE m_replied) AS avg_days"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT GROUPING({columns}) AS grouping_bits, {columns}, {counts} "
            f"FROM ({sql}) AS cohort GROUP BY GROUPING SETS ({sets})",
            params,
        )
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    width = len(dimensions)
    total, groups = dict.fromkeys(MEASURES, 0), {d: [] for d in dimensions}
    for row in rows:
        bits = row.pop("grouping_bits")
        keys = {d: row.pop(f"g_{d}") for d in dimensions}
        if bits == (1 << width) - 1:
            total = row
            continue
        # GROUPING() sets a bit for each column left out; the first column is the highest bit.
        d = next(d for i, d in enumerate(dimensions) if not bits & (1 << (width - 1 - i)))
        groups[d].append({**row, "key": keys[d]})
    return total, groups


def build(
    user,
    period: Period,
    jurisdiction: Jurisdiction | None = None,
    *,
    today: date | None = None,
    limit: int | None = None,
    breakdowns: bool = True,
) -> Dashboard:
    """Every figure of the dashboard: one grouped pass over the cohort (`grouped_counts`), one
    for the representatives, then the names.

    `limit` keeps the busiest rows of the long breakdowns (stations, representatives);
    the Excel file takes them all. Without `breakdowns`, only the total and the months.
    """
    today = today or timezone.localdate()
    base = base_params(period, jurisdiction)
    items = cohort(user, period, jurisdiction)
    dimensions = list(DIMENSIONS) if breakdowns else ["month"]
    total_row, groups = grouped_counts(items, today, dimensions)
    total = _figures(total_row, label=str(_("Total")))
    categories = stations = departments = representatives = channels = []

    if breakdowns:
        names = dict(Category.objects.filter(parent__isnull=True).values_list("pk", "name"))
        categories = _rows(
            sorted(groups["category"], key=lambda r: (r["key"] is None, r["key"] or 0)),
            names,
            "category",
            uncategorised=pgettext_lazy("dashboard", "No category"),
        )

        by_station = sorted(groups["station"], key=lambda r: (-r["received"], r["key"] or 0))[:limit]
        station_names = dict(
            Station.objects.filter(pk__in=[r["key"] for r in by_station if r["key"]]).values_list("pk", "name")
        )
        stations = _rows(by_station, station_names, "station", uncategorised=pgettext_lazy("dashboard", "No station"))

        by_department = sorted(
            (r for r in groups["department"] if r["key"] is not None), key=lambda r: (-r["assigned"], r["key"])
        )
        department_names = dict(
            Department.objects.filter(pk__in=[r["key"] for r in by_department]).values_list("pk", "name")
        )
        departments = _rows(by_department, department_names, "department")

        links = PetitionRepresentative.objects.filter(petition__in=items.values("pk")).order_by()
        by_rep = [
            {**r, "key": r.pop("representative_id")}
            for r in links.values("representative_id")
            .annotate(**_aggregates(today, "petition__"))
            .order_by("-received", "representative_id")[:limit]
        ]
        rep_names = {
            pk: f"{name}（{code}）"
            for pk, name, code in Representative.objects.filter(pk__in=[r["key"] for r in by_rep]).values_list(
                "pk", "name", "code"
            )
        }
        representatives = _rows(by_rep, rep_names, "representative")

        by_channel = {r["key"]: r for r in groups["channel"]}
        channels = [
            _figures(by_channel[value], key=value, label=str(label), params={"channel": value})
            for value, label in Channel.choices
            if value in by_channel
        ]

    by_month = {(r["key"].date() if isinstance(r["key"], datetime) else r["key"]): r for r in groups["month"]}
    months = []
    for first in period.months:
        last = min(period.end, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        row = by_month.get(first) or dict.fromkeys(MEASURES, 0)
        months.append(
            _figures(
                dict(row),
                key=first,
                label=f"{first:%Y-%m}",
                params={
                    "received_from": max(first, period.start).isoformat(),
                    "received_to": last.isoformat(),
                },
            )
        )

    for group in (categories, stations, departments, representatives, channels):
        for row in group:
            row.link(base)
    total.link(base)
    for row in months:
        row.links = {m: ledger_url({**base, **row.params}, m) for m in MEASURES}
    return Dashboard(
        period=period,
        jurisdiction=jurisdiction,
        today=today,
        total=total,
        categories=categories,
        stations=stations,
        departments=departments,
        representatives=representatives,
        channels=channels,
        months=months,
        campaigns=campaign_rows(user, period, jurisdiction) if breakdowns else [],
        base_params=base,
        escalations=escalation_rows(items, base) if breakdowns else [],
    )


@dataclass
class EscalationRow:
    """What became of the cohort's items escalated to offices of one level (`ESCALATIONS`)."""

    level: str
    label: str
    counts: dict
    links: dict

    @property
    def cells(self) -> list[tuple[str, int, str]]:
        """(figure, count, the ledger's link) in the columns' order."""
        return [(key, self.counts[key], self.links[key]) for key in ESCALATIONS]


def escalation_rows(items: QuerySet, base: dict) -> list[EscalationRow]:
    """One row per level of the offices the cohort's items were escalated to, shallowest first,
    then the total: one grouped query."""
    aggregates = {key: Count("pk", filter=escalation_q(key)) for key in ESCALATIONS}
    found = {
        row.pop("escalated_to__jurisdiction__level"): row
        for row in items.filter(escalated_to__isnull=False)
        .values("escalated_to__jurisdiction__level")
        .annotate(**aggregates)
        .order_by()
    }
    rows = []
    for level, label in Jurisdiction.Level.choices:
        if level in found:
            links = {k: ledger_url(base, escalation=k, escalated_level=level) for k in ESCALATIONS}
            rows.append(EscalationRow(level, str(label), found[level], links))
    if len(rows) > 1:
        total = {k: sum(r.counts[k] for r in rows) for k in ESCALATIONS}
        rows.append(EscalationRow("", str(_("Total")), total, {k: ledger_url(base, escalation=k) for k in ESCALATIONS}))
    return rows


def cache_key(user, period: Period, jurisdiction: Jurisdiction | None, **options) -> str:
    """One user's dashboard for one period, jurisdiction, day and language."""
    raw = "|".join(
        map(
            str,
            [
                user.pk,
                period.start,
                period.end,
                jurisdiction.code if jurisdiction else "",
                timezone.localdate(),
                get_language(),
                sorted(options.items()),
            ],
        )
    )
    return "dashboard:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def cached(
    user, period: Period, jurisdiction: Jurisdiction | None = None, *, refresh: bool = False, **options
) -> tuple[Dashboard | None, str]:
    """(the dashboard if it was built in the last LIAISON_DASHBOARD_CACHE_SECONDS, its cache key)."""
    key = cache_key(user, period, jurisdiction, **options)
    return (None if refresh else cache.get(key)), key


def build_cached(
    user, period: Period, jurisdiction: Jurisdiction | None = None, *, refresh: bool = False, **options
) -> Dashboard:
    """`build`, kept for a few minutes per user: figures over a million items take seconds."""
    board, key = cached(user, period, jurisdiction, refresh=refresh, **options)
    if board is None:
        board = build(user, period, jurisdiction, **options)
        board.built_at = timezone.now()
        cache.set(key, board, settings.LIAISON_DASHBOARD_CACHE_SECONDS)
    return board


def _rows(rows: list[dict], names: dict, param: str, uncategorised=None) -> list[Figures]:
    out = []
    for row in rows:
        row = dict(row)
        pk = row.pop("key")
        if pk is None:
            if uncategorised is None:
                continue
            out.append(_figures(row, key=None, label=str(uncategorised), linkable=False))
            continue
        out.append(_figures(row, key=pk, label=names.get(pk, str(pk)), params={param: pk}))
    return out


# --------------------------------------------------------------------------- campaigns


@dataclass
class CampaignRow:
    campaign: object
    representatives: int
    events: int
    residents: int
    opinions: int
    registered: int
    resolved: int
    url: str = ""


def campaign_rows(user, period: Period, jurisdiction: Jurisdiction | None) -> list[CampaignRow]:
    """Campaigns overlapping the period in the user's view, with the totals the seeds report:
    representatives taking part, events held, residents, opinions, and the items resolved."""
    from stations.models import Campaign
    from stations.reception.reports.selectors import campaign_totals

    campaigns = Campaign.objects.visible_to(user).filter(start_date__lte=period.end, end_date__gte=period.start)
    if jurisdiction is not None:
        # A campaign of the jurisdiction, of one below it, or of one above it (which concerns it too).
        campaigns = campaigns.filter(
            under_q(jurisdiction, "jurisdiction__code") | at_or_above_q(jurisdiction, "jurisdiction__code")
        )
    rows = []
    for campaign in campaigns.select_related("jurisdiction").order_by("-start_date")[:10]:
        totals = campaign_totals(campaign, user)
        items = Petition.objects.visible_to(user).filter(event__campaign=campaign)
        counts = items.aggregate(
            registered=Count("pk"),
            resolved=Count("pk", filter=Q(replied_at__isnull=False) | Q(status=Status.CLOSED)),
        )
        rows.append(
            CampaignRow(
                campaign=campaign,
                representatives=totals.total.present,
                events=totals.total.held,
                residents=totals.total.residents,
                opinions=totals.total.opinions,
                registered=counts["registered"],
                resolved=counts["resolved"],
                url=reverse("reception_reports:campaign_detail", args=[campaign.pk]),
            )
        )
    return rows
