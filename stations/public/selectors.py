"""What the public pages read (`stations.public.views`): the directory's search, a station's
representatives and published results, and the reception days a visitor may see with their
rosters. Everything goes through `Station.objects.public()`, `Representative.objects.public()`
and `public_events()`, and reads only the public fields listed here; nothing is written."""

from django.db.models import Case, CharField, IntegerField, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import LEVEL_DIGITS, under_q
from liaison.models import Jurisdiction
from stations.models import EventKind, Level, Membership, ReceptionEvent, ReceptionPlan, RosterEntry, Station
from stations.network.selectors import public_station_members
from stations.public.forms import DirectoryForm
from stations.reception.workflow import ON_PUBLIC_PAGES, UPCOMING

SEARCH_MAX_LENGTH = 100
LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}  # national first
# Besides the next reception day, the station page lists this many other coming events.
STATION_PAGE_OTHER_EVENTS = 3

# What a public page may read of a representative (private_phone and code stay in the database).
_PUBLIC_REPRESENTATIVE = tuple(
    f"representative__{name}" for name in ("id", "name", "level", "work_unit", "position", "public_phone", "photo")
)
# ...read through a station's memberships,
PUBLIC_REPRESENTATIVE_FIELDS = ("role", "station_id", *_PUBLIC_REPRESENTATIVE)
# ...and through an event's roster.
PUBLIC_ROSTER_FIELDS = ("event", *_PUBLIC_REPRESENTATIVE)


# --- the directory's search -------------------------------------------------


def public_areas() -> list[dict]:
    """Districts and streets/townships with at least one station in service, by code (one query).

    Official codes nest by prefix, so a station's district is the first 6
    digits of its jurisdiction's code and its street or township the first 9.
    """
    public = Station.objects.public().order_by()

    def codes(length):
        padded = Concat(Substr("jurisdiction__code", 1, length), Value("0" * (12 - length)), output_field=CharField())
        return public.annotate(area_code=padded).values("area_code")

    return list(
        Jurisdiction.objects.filter(
            Q(level=Jurisdiction.Level.COUNTY, code__in=codes(LEVEL_DIGITS["county"]))
            | Q(level=Jurisdiction.Level.TOWNSHIP, code__in=codes(LEVEL_DIGITS["township"]))
        )
        .order_by("code")
        .values("code", "name", "level")
    )


def directory_search(params, *, with_choices=True):
    """The directory form bound to `params`, and the public stations it selects (not yet ordered).

    Without choices the form costs no query (for the GeoJSON, which shows no form).
    """
    form = DirectoryForm(params, areas=public_areas() if with_choices else None)
    stations = Station.objects.public()
    text = form.value("q")[:SEARCH_MAX_LENGTH].strip()
    if text:
        stations = stations.filter(
            Q(name__icontains=text)
            | Q(address__icontains=text)
            | Q(jurisdiction__name__icontains=text)
            | Q(jurisdiction__parent__name__icontains=text)
        )
    if form.value("area"):
        stations = stations.filter(under_q(form.value("area")[: LEVEL_DIGITS["township"]], "jurisdiction__code"))
    elif form.value("district"):
        stations = stations.filter(under_q(form.value("district")[: LEVEL_DIGITS["county"]], "jurisdiction__code"))
    if form.value("kind"):
        stations = stations.filter(kind=form.value("kind"))
    return form, stations


# --- a station's pages ------------------------------------------------------


def public_members(station) -> list[Membership]:
    """The station's serving representatives with public fields only: head first, then by level and name."""
    members = list(public_station_members(station).only(*PUBLIC_REPRESENTATIVE_FIELDS))
    members.sort(
        key=lambda m: (
            m.role != Membership.Role.HEAD,
            LEVEL_ORDER.get(m.representative.level, 99),
            m.representative.name,
        )
    )
    return members


def closed_results(station, limit=10) -> list[dict]:
    """Items of this station the office closed with a result written for the public (never
    the petitioner or the original text): newest first."""
    from petitions.models import Petition, Status

    return list(
        Petition.objects.filter(station=station, status=Status.CLOSED)
        .exclude(public_result="")
        .order_by("-closed_at")
        .values("closed_at", "public_result", "category__name", "category__parent__name")[:limit]
    )


# --- reception days: announcement and printable notice ----------------------


def public_events():
    """Events the public may see (`reception.workflow.ON_PUBLIC_PAGES`): scheduled, held, or
    cancelled after they were announced.

    Drafts, and any event of a plan still under review, are not public; a
    cancelled event stays visible (with a banner) so a printed notice's QR
    code or link does not lead nowhere.
    """
    return ReceptionEvent.objects.filter(
        Q(plan__isnull=True) | Q(plan__status=ReceptionPlan.Status.PUBLISHED),
        status__in=ON_PUBLIC_PAGES,
        station__is_active=True,
    )


def public_roster():
    """Roster entries with public fields only: serving representatives, never a private phone."""
    return (
        RosterEntry.objects.filter(representative__is_active=True)
        .select_related("representative")
        .only(*PUBLIC_ROSTER_FIELDS)
    )


def _by_level_and_name(entries) -> list[RosterEntry]:
    return sorted(entries, key=lambda e: (LEVEL_ORDER.get(e.representative.level, 99), e.representative.name))


def coming_events(station, *, today=None, others=STATION_PAGE_OTHER_EVENTS):
    """The station's next reception day (or None) and its next few other events, with rosters.

    Two queries: the next reception day and the other events in one, rosters in
    the second. "Today" is the local date (Asia/Shanghai), so today's reception
    day is still the next one until midnight.
    """
    today = today or timezone.localdate()
    coming = public_events().filter(station=station, status__in=UPCOMING, date__gte=today)
    next_reception = coming.filter(kind=EventKind.RECEPTION).order_by("date", "start_time", "pk").values("pk")[:1]
    events = list(
        coming.filter(Q(pk=Subquery(next_reception)) | ~Q(kind=EventKind.RECEPTION))
        .annotate(is_reception=Case(When(kind=EventKind.RECEPTION, then=0), default=1, output_field=IntegerField()))
        .select_related("department", "campaign")
        .prefetch_related(Prefetch("roster", queryset=public_roster(), to_attr="public_roster"))
        .order_by("is_reception", "date", "start_time", "pk")[: others + 1]
    )
    for event in events:
        event.public_roster = _by_level_and_name(event.public_roster)
        event.heading = event_heading(event)
    if events and events[0].kind == EventKind.RECEPTION:
        return events[0], events[1:]
    return None, events[:others]


def event_heading(event) -> str:
    """What an event is called on the public pages: its own title, or one made from its kind."""
    if event.title:
        return event.title
    if event.kind == EventKind.DEPARTMENT_VISIT and event.department_id:
        return _("Department-head visit: %(department)s") % {"department": event.department.name}
    if event.kind == EventKind.CAMPAIGN and event.campaign_id:
        return _("%(campaign)s activity") % {"campaign": event.campaign.name}
    return {
        EventKind.RECEPTION: _("Representatives' reception day"),
        EventKind.VOTER_MEETING: _("Voter meeting"),
    }.get(event.kind, event.get_kind_display())


def notice_title(event) -> str:
    """The printed notice's title (公告)."""
    return {
        EventKind.RECEPTION: _("Notice of the representatives' reception day"),
        EventKind.DEPARTMENT_VISIT: _("Notice of a department-head visit"),
        EventKind.VOTER_MEETING: _("Notice of a voter meeting"),
        EventKind.CAMPAIGN: _("Notice of a campaign activity"),
    }.get(event.kind, _("Notice"))
