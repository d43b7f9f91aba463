"""Reads of reception events: the ledger, the roster with its warnings, candidates, my days.

Everything starts from a scoped queryset (`visible_to(user)`) or from an event
the caller has already fetched through one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from liaison import office_settings
from liaison.models import OutboxMessage
from stations.models import Membership, ReceptionEvent, Representative, RosterEntry
from stations.reception.events.filters import EventFilter, with_default_dates
from stations.reception.workflow import OCCUPYING, PUBLIC, UPCOMING

EVENT_SORTS = {
    "date": ("date", "start_time"),
    "station": ("station__code", "date"),
    "kind": ("kind", "date"),
    "status": ("status", "date"),
    "residents": ("residents_received", "date"),
    "opinions": ("opinions_collected", "date"),
    "roster": ("roster_count", "date"),
}
CANDIDATE_LIMIT = 20
CANDIDATE_LIMIT_UNSEARCHED = 8  # before a search: the station's members, then a few others


def quota_for(rep: Representative, book: office_settings.Book) -> int:
    """The representative's reception days a year: by level and where elected (`liaison.office_settings`)."""
    return book.quota(rep.level, rep.jurisdiction.code)


# --------------------------------------------------------------------------- ledger


def _roster_count():
    sub = (
        RosterEntry.objects.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def event_filter(user, params, request):
    """The ledger's filter set over the user's events (from today on when nothing is filtered)."""
    queryset = ReceptionEvent.objects.visible_to(user).select_related("station", "campaign", "department")
    return EventFilter(with_default_dates(params), queryset=queryset, request=request)


def event_list(filterset, sort: str = ""):
    queryset = filterset.qs.annotate(roster_count=_roster_count())
    fields = EVENT_SORTS.get(sort.lstrip("-")) if sort else None
    if not fields:
        return queryset.order_by("date", "start_time", "station__code", "pk")
    if sort.startswith("-"):
        return queryset.order_by(*[f"-{f}" for f in fields], "-pk")
    return queryset.order_by(*fields, "pk")


def with_roster_names(events) -> list:
    """Attach `roster_names` (representatives on the roster, by name) to each event of a page."""
    events = list(events)
    names = defaultdict(list)
    rows = (
        RosterEntry.objects.filter(event__in=[e.pk for e in events])
        .order_by("representative__name")
        .values_list("event_id", "representative__name")
    )
    for event_id, name in rows:
        names[event_id].append(name)
    for event in events:
        event.roster_names = names.get(event.pk, [])
    return events


# --------------------------------------------------------------------------- roster


@dataclass
class Clash:
    event: ReceptionEvent
    overlaps: bool  # the times overlap; otherwise merely the same day
    visible: bool = True  # the viewer may see the other event (else its station is not named)


@dataclass
class RosterRow:
    entry: RosterEntry
    count: int  # countable events this year, this one included when it counts
    quota: int | None
    clashes: list[Clash] = field(default_factory=list)

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and self.count > self.quota

    @property
    def warn(self) -> bool:
        return self.over_quota or bool(self.clashes)


def year_counts(rep_ids, year: int) -> dict[int, int]:
    """Countable events (scheduled or held) per representative in a year."""
    rows = (
        RosterEntry.objects.filter(
            representative_id__in=list(rep_ids),
            event__date__year=year,
            event__status__in=PUBLIC,
        )
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk"))
        .values_list("representative_id", "n")
    )
    return dict(rows)


def _overlaps(a: ReceptionEvent, b: ReceptionEvent) -> bool:
    return a.start_time < b.end_time and b.start_time < a.end_time


def clashes_for(event: ReceptionEvent, rep_ids, user=None) -> dict[int, list[Clash]]:
    """Other events on the same day with these representatives on their rosters.

    Every event of that day is a clash (a representative cannot be at two
    stations the same day without it being worth a look); `overlaps` marks the
    ones whose times overlap. The warning is shown even when the other event
    is outside the viewer's scope (the representative is busy all the same),
    but then `visible` is False and the page does not name it.
    """
    found = defaultdict(list)
    entries = list(
        RosterEntry.objects.filter(
            representative_id__in=list(rep_ids), event__date=event.date, event__status__in=OCCUPYING
        )
        .exclude(event=event)
        .select_related("event", "event__station")
        .order_by("event__start_time")
    )
    visible = set()
    if user is not None and entries:
        visible = set(
            ReceptionEvent.objects.visible_to(user)
            .filter(pk__in={e.event_id for e in entries})
            .values_list("pk", flat=True)
        )
    for entry in entries:
        found[entry.representative_id].append(
            Clash(entry.event, _overlaps(event, entry.event), user is None or entry.event_id in visible)
        )
    return found


def roster_rows(event: ReceptionEvent, user=None) -> list[RosterRow]:
    """The event's roster with each representative's count for the year, quota and clashes
    (named only when `user` may see the other event)."""
    entries = list(
        event.roster.select_related("representative__jurisdiction", "added_by").order_by("representative__name", "pk")
    )
    rep_ids = [e.representative_id for e in entries]
    counts = year_counts(rep_ids, event.date.year)
    clashes = clashes_for(event, rep_ids, user)
    book = office_settings.Book.load(e.representative.jurisdiction.code for e in entries)
    return [
        RosterRow(
            entry=e,
            count=counts.get(e.representative_id, 0),
            quota=quota_for(e.representative, book),
            clashes=clashes.get(e.representative_id, []),
        )
        for e in entries
    ]


@dataclass
class Candidate:
    representative: Representative
    is_member: bool
    count: int
    quota: int | None
    clashes: list[Clash]

    @property
    def over_quota(self) -> bool:
        # Adding them makes one more this year.
        return self.quota is not None and self.count + 1 > self.quota


def roster_candidates(user, event: ReceptionEvent, query: str = "", limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
    """Who can be put on the roster: the station's members first, then representatives the
    user can see; not those already on it; filtered by name or number when `query` is given."""
    members = Membership.objects.filter(station_id=event.station_id, representative=OuterRef("pk"))
    queryset = (
        Representative.objects.visible_to(user)
        .filter(is_active=True)
        .exclude(roster_entries__event=event)
        .annotate(is_member=Exists(members))
    )
    query = (query or "").strip()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(work_unit__icontains=query))
    else:
        limit = min(limit, CANDIDATE_LIMIT_UNSEARCHED)
    reps = list(queryset.select_related("jurisdiction").order_by("-is_member", "name", "code")[:limit])
    ids = [r.pk for r in reps]
    counts = year_counts(ids, event.date.year)
    clashes = clashes_for(event, ids, user)
    book = office_settings.Book.load(r.jurisdiction.code for r in reps)
    return [Candidate(r, r.is_member, counts.get(r.pk, 0), quota_for(r, book), clashes.get(r.pk, [])) for r in reps]


def event_notices(event: ReceptionEvent):
    """The outbox rows written about this event (keys `reception:<pk>:...`)."""
    return OutboxMessage.objects.filter(key__startswith=f"reception:{event.pk}:").order_by("-created_at", "-pk")


# --------------------------------------------------------------------------- volunteering


def open_slot_events(representative: Representative, today: date):
    """Scheduled future events at the representative's stations with a free place on the
    roster and without them on it: what they may volunteer for."""
    return (
        ReceptionEvent.objects.filter(
            station__memberships__representative=representative,
            status__in=UPCOMING,
            date__gt=today,
        )
        .exclude(roster__representative=representative)
        .annotate(roster_count=_roster_count())
        .filter(roster_count__lt=F("open_slots"))
        .select_related("station")
        .order_by("date", "start_time")
    )


def can_volunteer(representative: Representative | None, event: ReceptionEvent, today: date) -> bool:
    if representative is None:
        return False
    return open_slot_events(representative, today).filter(pk=event.pk).exists()


# --------------------------------------------------------------------------- my days


@dataclass
class MyDays:
    coming: list
    open_slots: list
    past: list


def my_days(representative: Representative, today: date, past_limit: int = 50) -> MyDays:
    """A representative's reception days: coming ones (rostered), open slots, past ones with attendance."""
    entries = RosterEntry.objects.filter(representative=representative).select_related("event", "event__station")
    coming = list(
        entries.filter(event__date__gte=today, event__status__in=UPCOMING).order_by("event__date", "event__start_time")
    )
    past = list(
        entries.filter(event__date__lt=today)
        .filter(event__status__in=PUBLIC)
        .order_by("-event__date", "-event__start_time")[:past_limit]
    )
    slots = list(open_slot_events(representative, today)[:50])
    return MyDays(coming=coming, open_slots=slots, past=past)
