"""Reads behind the reception reports: campaign totals and attendance per representative.

Both count only events the user can see (`ReceptionEvent.objects.visible_to`),
and both take a constant number of queries whatever the number of events,
stations or representatives.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, IntegerField, Prefetch, Q, Sum, TextChoices, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from liaison import office_settings
from liaison.jurisdictions import code_at
from liaison.models import Jurisdiction
from stations.models import Campaign, EventKind, Level, Membership, ReceptionEvent, Representative, RosterEntry, Station
from stations.reception.workflow import COUNTED, UPCOMING

HELD = ReceptionEvent.Status.HELD
TOWNSHIP_PREFIX = Jurisdiction.PREFIX_LENGTH[Jurisdiction.Level.TOWNSHIP]


# --------------------------------------------------------------------------- campaign totals


@dataclass
class TotalsRow:
    """One line of the totals table: the whole campaign, one township or street, or one station."""

    key: object = None
    label: str = ""
    code: str = ""
    held: int = 0
    held_by_kind: dict = field(default_factory=dict)
    scheduled: int = 0
    residents: int = 0
    opinions: int = 0
    present: int = 0  # distinct representatives checked in at held events
    rostered: int = 0  # distinct representatives on the roster of scheduled or held events
    stations: int = 0
    parent_label: str = ""

    def add_events(self, other: "TotalsRow") -> None:
        self.held += other.held
        self.scheduled += other.scheduled
        self.residents += other.residents
        self.opinions += other.opinions
        for kind, n in other.held_by_kind.items():
            self.held_by_kind[kind] = self.held_by_kind.get(kind, 0) + n

    @property
    def kinds(self) -> list[int]:
        """Held events per kind, in EventKind order (for table columns)."""
        return [self.held_by_kind.get(kind, 0) for kind in EventKind.values]


@dataclass
class CampaignTotals:
    campaign: Campaign
    total: TotalsRow
    areas: list[TotalsRow]
    stations: list[TotalsRow]
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(EventKind.choices))


def _kind_key(kind: str) -> str:
    return f"held_{kind}"


def _event_sums(events):
    held = Q(status=HELD)
    return {
        "held": Count("pk", filter=held),
        "scheduled": Count("pk", filter=Q(status__in=UPCOMING)),
        "residents": Coalesce(Sum("residents_received", filter=held), 0),
        "opinions": Coalesce(Sum("opinions_collected", filter=held), 0),
        **{_kind_key(k): Count("pk", filter=held & Q(kind=k)) for k in EventKind.values},
    }


def _rep_counts():
    return {
        "present": Count("representative", distinct=True, filter=Q(attended=True, event__status=HELD)),
        "rostered": Count("representative", distinct=True, filter=Q(event__status__in=COUNTED)),
    }


def _township_code(jurisdiction_code: str) -> str:
    return code_at(jurisdiction_code, "township")


def campaign_totals(campaign: Campaign, user) -> CampaignTotals:
    """The campaign's figures as the seeds report them, over the events `user` can see.

    Representatives taking part are distinct per line (a representative present at
    two stations counts once in the total and once at each station). Six queries.
    """
    events = ReceptionEvent.objects.visible_to(user).filter(campaign=campaign)
    entries = RosterEntry.objects.filter(event__in=events.values("pk")).order_by()

    per_station = events.order_by().values("station").annotate(**_event_sums(events))
    reps_station = {r["event__station"]: r for r in entries.values("event__station").annotate(**_rep_counts())}
    reps_area = {
        r["area"]: r
        for r in entries.annotate(area=Substr("event__station__jurisdiction__code", 1, TOWNSHIP_PREFIX))
        .values("area")
        .annotate(**_rep_counts())
    }
    reps_total = entries.aggregate(**_rep_counts())

    station_rows = {}
    for row in per_station:
        station_rows[row["station"]] = TotalsRow(
            key=row["station"],
            held=row["held"],
            scheduled=row["scheduled"],
            residents=row["residents"],
            opinions=row["opinions"],
            held_by_kind={k: row[_kind_key(k)] for k in EventKind.values},
            present=reps_station.get(row["station"], {}).get("present", 0),
            rostered=reps_station.get(row["station"], {}).get("rostered", 0),
            stations=1,
        )
    stations = Station.objects.filter(pk__in=list(station_rows)).select_related("jurisdiction")
    area_codes = {s.pk: _township_code(s.jurisdiction.code) for s in stations}
    area_names = dict(Jurisdiction.objects.filter(code__in=set(area_codes.values())).values_list("code", "name"))

    total = TotalsRow(label=str(campaign), present=reps_total["present"], rostered=reps_total["rostered"])
    areas: dict[str, TotalsRow] = {}
    for station in stations:
        row = station_rows[station.pk]
        code = area_codes[station.pk]
        row.label, row.code, row.key = station.name, station.code, station
        row.parent_label = area_names.get(code, "")
        area = areas.get(code)
        if area is None:
            counts = reps_area.get(code[:TOWNSHIP_PREFIX], {})
            area = areas[code] = TotalsRow(
                key=code,
                code=code,
                label=area_names.get(code, code),
                present=counts.get("present", 0),
                rostered=counts.get("rostered", 0),
            )
        area.add_events(row)
        area.stations += 1
        total.add_events(row)
        total.stations += 1
    return CampaignTotals(
        campaign=campaign,
        total=total,
        areas=sorted(areas.values(), key=lambda r: r.code),
        stations=sorted(station_rows.values(), key=lambda r: (area_codes.get(r.key.pk, ""), r.code)),
    )


def campaign_list(user):
    """The campaigns the user sees, with the number of their events the user sees."""
    events = ReceptionEvent.objects.visible_to(user).values("pk")
    return (
        Campaign.objects.visible_to(user)
        .select_related("jurisdiction")
        .annotate(
            event_count=Count("events", filter=Q(events__in=events, events__status__in=COUNTED)),
            held_count=Count("events", filter=Q(events__in=events, events__status=HELD)),
        )
        .order_by("-start_date", "name")
    )


# --------------------------------------------------------------------------- attendance


class Status(TextChoices):
    BELOW = "below", _("Below quota")
    MET = "met", _("Quota met")
    OVER = "over", _("Over quota")


ATTENDANCE_SORTS = {
    "name": "name",
    "code": "code",
    "level": "level_rank",
    "rostered": "rostered",
    "attended": "attended",
    "absent": "absent",
    "upcoming": "upcoming",
    "quota": "quota",
    "status": "status",
}
LEVEL_ORDER = [Level.NATIONAL, Level.PROVINCIAL, Level.CITY, Level.COUNTY, Level.TOWNSHIP]


def quotas(place: str = "", book: office_settings.Book | None = None) -> dict[str, int]:
    """Reception days a year per level at the place `place` (a 12-digit code; "" the deployment
    defaults): `liaison.office_settings`."""
    return (book or office_settings.Book.load([place])).quotas(place)


def attendance_rows(user, year: int, filters: dict | None = None, book: office_settings.Book | None = None):
    """One row per representative the user sees, annotated for `year`:

    rostered (scheduled or held events on their roster), attended (held, checked
    in), absent (held, not checked in), upcoming (scheduled), quota (by level and
    where elected, `liaison.office_settings`) and status: attended + upcoming against the
    quota ("below", "met", "over"). Only events the user sees are counted.

    `filters`: level, station (a visible Station), jurisdiction (a Jurisdiction:
    elected there or attached to a station there), q (name or number),
    below_quota (bool), sort (a key of ATTENDANCE_SORTS, "-" for descending).
    One query (and one for the offices' quotas unless `book` has them loaded); each
    filter is a condition or a subquery, never a join that would multiply the counts.
    """
    filters = filters or {}
    events = ReceptionEvent.objects.visible_to(user).in_year(year).countable().values("pk")
    on_event = Q(roster_entries__event__in=events)
    held = on_event & Q(roster_entries__event__status=HELD)
    present = Q(roster_entries__attended=True)
    # Held without a check-in (False or never recorded) is absent; spelled out rather
    # than negated, since negating a lookup across a to-many relation means "none of them".
    not_present = Q(roster_entries__attended=False) | Q(roster_entries__attended__isnull=True)
    rows = (
        Representative.objects.visible_to(user)
        .select_related("jurisdiction")
        .annotate(
            rostered=Count("roster_entries", filter=on_event),
            attended=Count("roster_entries", filter=held & present),
            absent=Count("roster_entries", filter=held & not_present),
            upcoming=Count("roster_entries", filter=on_event & Q(roster_entries__event__status__in=UPCOMING)),
            quota=office_settings.quota_case(book=book),
            level_rank=Case(
                *[When(level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)],
                default=Value(len(LEVEL_ORDER)),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            counted=F("attended") + F("upcoming"),
        )
        .annotate(
            status=Case(
                When(counted__lt=F("quota"), then=Value(Status.BELOW.value)),
                When(counted=F("quota"), then=Value(Status.MET.value)),
                default=Value(Status.OVER.value),
                output_field=CharField(),
            )
        )
    )
    if filters.get("level"):
        rows = rows.filter(level=filters["level"])
    if filters.get("station"):
        rows = rows.filter(pk__in=Membership.objects.filter(station=filters["station"]).values("representative"))
    if filters.get("jurisdiction"):
        rows = rows.in_area(filters["jurisdiction"])
    if filters.get("q"):
        value = filters["q"].strip()
        rows = rows.filter(Q(name__icontains=value) | Q(code__iexact=value) | Q(work_unit__icontains=value))
    if filters.get("below_quota"):
        rows = rows.filter(status=Status.BELOW)
    sort = filters.get("sort") or ""
    key = ATTENDANCE_SORTS.get(sort.lstrip("-"))
    if key:
        return rows.order_by(f"-{key}" if sort.startswith("-") else key, "level_rank", "name", "pk")
    return rows.order_by("level_rank", "name", "pk")


def with_visible_stations(rows, user):
    """Prefetch each representative's memberships of stations the user sees (one query a page)."""
    visible = Membership.objects.filter(station__in=Station.objects.visible_to(user)).select_related("station")
    return rows.prefetch_related(
        Prefetch("memberships", queryset=visible.order_by("station__code"), to_attr="visible_memberships")
    )


def attendance_summary(rows) -> dict:
    """Totals over the filtered rows (before pagination): one query."""
    return rows.order_by().aggregate(
        representatives=Count("pk"),
        below=Count("pk", filter=Q(status=Status.BELOW)),
    )
