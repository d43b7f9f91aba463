"""The item generator of the demo petitions (`petitions.demo.petitions`) and the bulk ones
(`petitions.demo.bulk`): the network it draws from (`load_network`), one item (`Maker.item`) and
tracking numbers unique in the table.

`Maker` draws each item: a station of the network, a content template of its category with the
place and a street filled in (petitions/demo/texts.py), a channel, urgency, 难愁盼, a petitioner
(some confidential or anonymous), the station's members as receiving representatives, a status
that fits the item's age, a department with a deadline for assigned items, handling and feedback
for answered ones, and a first-reply deadline for online ones. Nothing here writes rows: the
callers save the items' values.
"""

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from liaison import workdays
from liaison.models import Jurisdiction
from petitions.demo import texts
from petitions.demo.offices import station_owners, township_offices
from petitions.ledger.search import search_document
from petitions.models import (
    ONLINE_CHANNELS,
    TRACKING_ALPHABET,
    TRACKING_RANDOM_LENGTH,
    Category,
    Channel,
    Department,
    Petition,
    Route,
    Satisfaction,
    Status,
    Urgency,
)
from stations.demo.fengtai import FENGTAI_CODE
from stations.demo.network import DISTRICT_CODE
from stations.demo.people import _mobile, person_name
from stations.models import EventKind, Membership, ReceptionEvent, Representative, RosterEntry, Station, StationKind

CHANNELS = (
    (Channel.ON_SITE, 50),
    (Channel.QR, 14),
    (Channel.PHONE, 8),
    (Channel.WECHAT, 6),
    (Channel.HOME_VISIT, 10),
    (Channel.FORUM, 8),
    (Channel.LETTER, 4),
)
# Status by the item's age in days: (max age, ((status, weight), ...)).
STATUS_BY_AGE = (
    (
        7,
        (
            (Status.REGISTERED, 50),
            (Status.TRIAGED, 15),
            (Status.ASSIGNED, 20),
            (Status.ON_THE_SPOT, 10),
            (Status.CONSULTED, 5),
        ),
    ),
    (
        60,
        (
            (Status.REGISTERED, 8),
            (Status.TRIAGED, 5),
            (Status.ASSIGNED, 22),
            (Status.ACCEPTED, 12),
            (Status.IN_PROGRESS, 20),
            (Status.REPLIED, 15),
            (Status.FED_BACK, 5),
            (Status.ON_THE_SPOT, 5),
            (Status.CONSULTED, 5),
            (Status.SUGGESTION, 3),
        ),
    ),
    (
        None,
        (
            (Status.IN_PROGRESS, 2),
            (Status.REPLIED, 5),
            (Status.FED_BACK, 8),
            (Status.RATED, 10),
            (Status.CLOSED, 55),
            (Status.CONSULTED, 7),
            (Status.ON_THE_SPOT, 6),
            (Status.SUGGESTION, 3),
            (Status.ESCALATED, 2),
            (Status.CANNOT_HANDLE, 2),
        ),
    ),
)
ASSIGNED = frozenset(
    {
        Status.ASSIGNED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.REPLIED,
        Status.FED_BACK,
        Status.RATED,
        Status.CLOSED,
    }
)
ANSWERED = frozenset({Status.REPLIED, Status.FED_BACK, Status.RATED, Status.CLOSED})
FED_BACK = frozenset({Status.FED_BACK, Status.RATED, Status.CLOSED})
RATED = frozenset({Status.RATED, Status.CLOSED})
OTHER_ENDS = {
    Status.CONSULTED: texts.CONSULTATION,
    Status.ON_THE_SPOT: texts.ON_THE_SPOT,
    Status.SUGGESTION: texts.SUGGESTION,
    Status.ESCALATED: texts.ESCALATED,
    Status.CANNOT_HANDLE: texts.CANNOT_HANDLE,
}
SATISFACTION = ((Satisfaction.SATISFIED, 82), (Satisfaction.BASICALLY, 14), (Satisfaction.DISSATISFIED, 4))
# The demo districts (their bureaus are the ones their items go to).
DEMO_DISTRICTS = (DISTRICT_CODE, FENGTAI_CODE)
PETITION_KINDS = (
    StationKind.HOME,
    StationKind.STATION,
    StationKind.CONTACT_POINT,
    StationKind.INDUSTRY,
    StationKind.SPECIALIST,
)


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, list(weights)


# --------------------------------------------------------------------------- the network


@dataclass
class NetStation:
    pk: int
    jurisdiction_id: int
    code: str  # the jurisdiction's code (the petition's area_code)
    place: str  # the jurisdiction's name
    township: str
    kind: str


@dataclass
class Network:
    stations: list[NetStation]
    members: dict[int, list[int]]
    rep_names: dict[int, str]
    categories: dict[str, int]
    departments: dict[str, int]  # the district's bureaus by name (Yanqing's for places of no demo district)
    offices: dict[str, int]  # township code → its street office / township government
    department_names: dict[int, str] = field(default_factory=dict)
    places: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)  # township pk → communities
    events: dict[int, list[tuple]] = field(default_factory=dict)  # station pk → held events
    attended: dict[int, list[int]] = field(default_factory=dict)  # event pk → reps present
    owners: dict[int, int] = field(default_factory=dict)  # station pk → the office that owns its items
    township_owned: set[int] = field(default_factory=set)  # stations whose items a township office owns
    district_departments: dict[str, dict[str, int]] = field(default_factory=dict)  # county code → bureaus

    def bureaus_for(self, station: NetStation) -> dict[str, int]:
        """The district bureaus (by name) the office owning the station's items may assign to: none
        for a township office (it assigns to its own township's government only), else those of
        the station's district."""
        if station.pk in self.township_owned:
            return {}
        return self.district_departments.get(station.code[:6].ljust(12, "0"), self.departments)


def load_network(station_filter: dict, *, with_events=False, since=None, district=DISTRICT_CODE) -> Network:
    rows = list(
        Station.objects.filter(is_active=True, kind__in=PETITION_KINDS, **station_filter)
        .order_by("pk")
        .values_list(
            "pk", "jurisdiction_id", "jurisdiction__code", "jurisdiction__name", "jurisdiction__parent__name", "kind"
        )
    )
    stations = [NetStation(pk, j, code, name, parent or name, kind) for pk, j, code, name, parent, kind in rows]
    members = defaultdict(list)
    memberships = (
        Membership.objects.filter(station__in=[s.pk for s in stations]) if station_filter else Membership.objects
    )
    for station_id, rep_id in memberships.order_by("station_id", "role", "representative_id").values_list(
        "station_id", "representative_id"
    ):
        members[station_id].append(rep_id)
    rep_ids = {r for reps in members.values() for r in reps}
    rep_names = {}
    ids = sorted(rep_ids)
    for start in range(0, len(ids), 5000):
        rep_names |= dict(Representative.objects.filter(pk__in=ids[start : start + 5000]).values_list("pk", "name"))
    bureaus = {code: {} for code in DEMO_DISTRICTS}
    for code, name, pk in Department.objects.filter(jurisdiction__code__in=DEMO_DISTRICTS).values_list(
        "jurisdiction__code", "name", "pk"
    ):
        bureaus[code][name] = pk
    network = Network(
        stations=stations,
        members=dict(members),
        rep_names=rep_names,
        categories=dict(Category.objects.filter(parent__isnull=False).values_list("name", "pk")),
        departments=bureaus[district],
        offices=dict(
            Department.objects.filter(jurisdiction__parent__code__in=DEMO_DISTRICTS).values_list(
                "jurisdiction__code", "pk"
            )
        ),
        district_departments=bureaus,
    )
    network.department_names = dict(Department.objects.values_list("pk", "name"))
    network.owners = station_owners(Station.objects.filter(pk__in=[s.pk for s in stations]) if station_filter else None)
    townships = township_offices()
    network.township_owned = {station for station, office in network.owners.items() if office in townships}
    if with_events:
        townships = {s.jurisdiction_id for s in stations if s.kind == StationKind.HOME}
        for pk, parent, code, name in Jurisdiction.objects.filter(parent_id__in=townships).values_list(
            "pk", "parent_id", "code", "name"
        ):
            network.places.setdefault(parent, []).append((pk, code, name))
        held = ReceptionEvent.objects.filter(
            station__in=[s.pk for s in stations], status=ReceptionEvent.Status.HELD, date__gte=since
        )
        for pk, station_id, day, start, kind in held.values_list("pk", "station_id", "date", "start_time", "kind"):
            network.events.setdefault(station_id, []).append((pk, day, start, kind))
        for event_id, rep_id in RosterEntry.objects.filter(event__in=held, attended=True).values_list(
            "event_id", "representative_id"
        ):
            network.attended.setdefault(event_id, []).append(rep_id)
    return network


# --------------------------------------------------------------------------- one item


def tracking_number(rng_bits: int, when) -> str:
    """The model's format (`new_tracking_number`): YYMM- and 40 random bits in the same alphabet."""
    tail = "".join(TRACKING_ALPHABET[(rng_bits >> (5 * i)) & 31] for i in range(TRACKING_RANDOM_LENGTH))
    return f"{when:%y%m}-{tail}"


@dataclass
class Item:
    values: dict
    reps: list[int]
    status_at: datetime | None = None
    replied_text: str = ""
    category: str = ""  # the second-level category's name
    place: str = ""  # the community or village the text names


class Maker:
    def __init__(
        self,
        network: Network,
        rng: random.Random,
        today: date,
        days: int,
        *,
        demo: bool,
        roads=texts.ROADS,
        urban=False,
    ):
        """`roads` fill the texts' {road}; `urban` leaves out what only villages raise (farms, village roads)."""
        self.net, self.rng, self.today, self.days, self.demo = network, rng, today, days, demo
        self.tz = timezone.get_current_timezone()
        # Nothing in the demo happens later than the moment it is made.
        self.now = (
            timezone.now()
            if today == timezone.localdate()
            else timezone.make_aware(datetime.combine(today, time(23, 59)), self.tz)
        )
        self.channels = _weighted(CHANNELS)
        self.statuses = [(limit, _weighted(pairs)) for limit, pairs in STATUS_BY_AGE]
        self.satisfaction = _weighted(SATISFACTION)
        self.templates = [
            (cat, text)
            for cat, text in texts.TEMPLATES
            if cat in network.categories and not (urban and texts.is_rural(cat, text))
        ]
        self.roads = roads
        # Loaded here, in the caller's thread: the bulk loader builds items in a worker without the database.
        self.calendar = workdays.current()

    def item(self, station: NetStation) -> Item:
        rng, net = self.rng, self.net
        channel = rng.choices(*self.channels)[0]
        received_on = self.today - timedelta(days=int(rng.random() ** 1.5 * self.days))
        at = time(rng.randint(8, 19), rng.randrange(60))
        reps = net.members.get(station.pk, [])
        event_id = None
        if self.demo and channel in (Channel.ON_SITE, Channel.FORUM) and net.events.get(station.pk):
            kinds = (
                (EventKind.VOTER_MEETING, EventKind.CAMPAIGN)
                if channel == Channel.FORUM
                else (EventKind.RECEPTION, EventKind.DEPARTMENT_VISIT)
            )
            fitting = [e for e in net.events[station.pk] if e[3] in kinds]
            if fitting and rng.random() < 0.85:
                event_id, received_on, start, _kind = rng.choice(fitting)
                at = (datetime.combine(received_on, start) + timedelta(minutes=rng.randint(5, 120))).time()
                reps = net.attended.get(event_id) or reps
        reps = rng.sample(reps, min(len(reps), rng.choice((1, 1, 2)))) if reps else []
        registered_at = timezone.make_aware(datetime.combine(received_on, at), self.tz)
        if registered_at > self.now:  # today, later than now: the day before
            received_on -= timedelta(days=1)
            registered_at -= timedelta(days=1)
            event_id = None

        jurisdiction_id, code, place = station.jurisdiction_id, station.code, station.place
        if station.kind == StationKind.HOME and net.places.get(station.jurisdiction_id):
            jurisdiction_id, code, place = rng.choice(net.places[station.jurisdiction_id])
        category, template = rng.choice(self.templates)
        road, road2 = rng.sample(self.roads, 2)
        b = rng.randint(1, 30)
        content = template.format(place=place, road=road, road2=road2, b=b, n=rng.randint(2, 9), y=rng.randint(3, 9))
        community = place.endswith("社区")
        address = f"{place}{b}号楼" if community else (f"{place}{rng.randint(1, 8)}组" if rng.random() < 0.6 else road)

        anonymous = rng.random() < 0.03
        gender = "F" if rng.random() < 0.5 else "M"
        petitioner = "" if anonymous else person_name(rng, gender)
        phone = "" if anonymous or (channel == Channel.LETTER and rng.random() < 0.5) else _mobile(rng)
        if anonymous:
            home = ""
        elif community:
            home = f"{station.township}{place}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}"
        else:
            home = f"{station.township}{place}{rng.randint(1, 8)}组{rng.randint(1, 80)}号"

        age = (self.today - received_on).days
        choices = next(c for limit, c in self.statuses if limit is None or age < limit)
        status = rng.choices(*choices)[0]
        urgent = rng.random() < 0.12
        values = {
            "station_id": station.pk,
            "event_id": event_id,
            "jurisdiction_id": jurisdiction_id,
            "area_code": code,
            "address": address,
            "petitioner_name": petitioner,
            "petitioner_phone": phone,
            "petitioner_address": home,
            "id_number_masked": f"1102{'*' * 10}{rng.randrange(10**3):03d}{rng.choice('0123456789X')}"
            if not anonymous and rng.random() < 0.2
            else "",
            "is_anonymous": anonymous,
            "is_confidential": not anonymous and rng.random() < 0.05,
            "co_petitioners": rng.randint(1, 30) if rng.random() < 0.1 else 0,
            "content": content,
            "category_id": net.categories[category],
            "urgency": Urgency.URGENT if urgent else Urgency.NORMAL,
            "is_hard_problem": rng.random() < 0.1,
            "channel": channel,
            "status": status,
            "received_on": received_on,
            "registered_at": registered_at,
            "updated_at": registered_at,
            "lead_department_id": None,
            "due_on": None,
            "handling_summary": "",
            "feedback_summary": "",
            "satisfaction": "",
            "first_reply_due_at": None,
            "first_replied_at": None,
        }
        # The office that owns the station's items handles them (none has been escalated).
        values["owner_office_id"] = values["handling_office_id"] = net.owners.get(station.pk)
        item = Item(values, reps, category=category, place=place)
        self._handle(item, category, station, urgent, age)
        if channel in ONLINE_CHANNELS:
            values["first_reply_due_at"] = registered_at + timedelta(hours=24)
            if age > 1 or rng.random() < 0.4:
                values["first_replied_at"] = min(self.now, registered_at + timedelta(minutes=rng.randint(20, 22 * 60)))
                item.replied_text = rng.choice(texts.ONLINE_REPLIES)
        return item

    def _handle(self, item: Item, category: str, station: NetStation, urgent: bool, age: int) -> None:
        """Department, deadline, handling, feedback and rating as far as the status has come."""
        rng, values, status = self.rng, item.values, item.values["status"]
        if status == Status.REGISTERED:
            return
        item.status_at = min(
            self.now,
            values["registered_at"] + timedelta(days=rng.randint(0, max(0, min(age, 20))), hours=rng.randint(1, 6)),
        )
        names = texts.CATEGORY_DEPARTMENTS.get(category, ())
        bureaus = self.net.bureaus_for(station)
        department = next((bureaus[n] for n in rng.sample(names, len(names)) if n in bureaus), None)
        office = self.net.offices.get(station.code[:9] + "000")
        if department is None or rng.random() < 0.2:
            department = office or department
        dept_name = self.net.department_names.get(department, "属地街乡")
        if status in ASSIGNED and department:
            values["lead_department_id"] = department
            values["due_on"] = values["received_on"] + timedelta(days=7 if urgent else rng.choice((15, 30, 30)))
            if status not in FED_BACK and values["due_on"] < self.today and rng.random() < 0.75:
                # Most late items had their deadline extended (申请延期); a few stay overdue.
                values["due_on"] = self.today + timedelta(days=rng.randint(3, 20))
        if status in ASSIGNED and department and not self.demo:
            # The bulk items' handling times (the demo district's come from demo_handling's story).
            values["route"], values["assigned_at"] = Route.DIRECT, item.status_at
            if status in ANSWERED:
                # Most answers come before the deadline, some a few days after it.
                lag = rng.randint(
                    1, max(1, (values["due_on"] - values["received_on"]).days + (3 if rng.random() < 0.15 else 0))
                )
                values["replied_at"] = min(self.now, item.status_at + timedelta(days=lag))
                start, end = timezone.localdate(item.status_at), timezone.localdate(values["replied_at"])
                values["reply_working_days"] = self.calendar.between(start, end) if end > start else 0
                if status == Status.CLOSED:
                    values["closed_at"] = values["replied_at"]
        when = values["received_on"] + timedelta(days=rng.randint(3, 25))
        fill = {"dept": dept_name, "m": when.month, "d": when.day, "n": rng.randint(2, 5)}
        if status in ANSWERED:
            values["handling_summary"] = rng.choice(texts.HANDLING).format(**fill)
        elif status in OTHER_ENDS:
            values["handling_summary"] = OTHER_ENDS[status].format(**fill)
        if status in FED_BACK or (status in OTHER_ENDS and rng.random() < 0.7):
            values["feedback_summary"] = rng.choice(texts.FEEDBACK)
        if status in RATED:
            values["satisfaction"] = rng.choices(*self.satisfaction)[0]
        values["updated_at"] = item.status_at


# --------------------------------------------------------------------------- tracking numbers


def chunk_numbers(items: list[Item]) -> list[str]:
    """A tracking number per item, unique in the chunk and in the table."""
    numbers = [tracking_number(secrets.randbits(40), item.values["registered_at"]) for item in items]
    while clashes := _clashes(numbers):
        for i in clashes:
            numbers[i] = tracking_number(secrets.randbits(40), items[i].values["registered_at"])
    return numbers


def _clashes(numbers: list[str]) -> list[int]:
    """Positions of numbers that repeat an earlier one or are in the table already."""
    seen, clashes = set(), []
    for i, number in enumerate(numbers):
        if number in seen:
            clashes.append(i)
        seen.add(number)
    taken = taken_numbers(numbers)
    return clashes + [i for i, number in enumerate(numbers) if number in taken]


def taken_numbers(numbers: list[str]) -> set[str]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tracking_number FROM petitions_petition WHERE tracking_number = ANY(%s)", [numbers])
            return {row[0] for row in cursor.fetchall()}
    taken = set()
    for start in range(0, len(numbers), 900):  # SQLite's historic limit of parameters
        batch = numbers[start : start + 900]
        taken |= set(Petition.objects.filter(tracking_number__in=batch).values_list("tracking_number", flat=True))
    return taken


def search_text(number: str, content: str, address: str) -> str:
    """`search.search_text_for` of these three values."""
    return search_document(" ".join(p for p in (number, content, address) if p))
