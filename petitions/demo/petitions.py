"""Demo petitions: about 600 realistic items for the Yanqing demo district and 150 for 丰台区 (`seed_demo`).

The items come from the generator the bulk items of `seed_demo --petitions N` use too
(`petitions.demo.maker.Maker`). Every item has its `registered` history row, its search text
(`search.search_text_for`) and a tracking number in the model's format.

The demo items (`seed_demo_petitions`) then get their whole handling story from
`demo_handling` (shares, replies, feedback, ratings, returns, extensions,
suggestions, supervision notices, commitments, one history row per move); 丰台区's
(`seed_fengtai_petitions`) the ordinary flow only. Each item carries the office
that owns it (`Maker.item`) and is handled by that office's account. They are
written once: a district that has petitions already gets none. The bulk items
(`demo_bulk.seed_bulk_petitions`) are added on every call.
"""

import random
from collections import Counter
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.jurisdictions import under_q
from liaison.models import User
from petitions.demo import texts
from petitions.demo.handling import DemoHandling, seed_reply_templates
from petitions.demo.maker import Item, Maker, Network, chunk_numbers, load_network, search_text
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import RESIDENT
from petitions.models import ONLINE_CHANNELS, Channel, Petition, PetitionEvent, PetitionRepresentative, Status
from stations.demo.fengtai import FENGTAI_CODE
from stations.demo.fengtai import STATION_PREFIX as FENGTAI_STATIONS
from stations.demo.network import DISTRICT_CODE, YANQING_TOWN_CODE
from stations.models import Representative, Station

DEMO_PETITIONS = 600
# The second district: fewer items, told by the account of 丰台区's office (and 东高地's for its stations).
FENGTAI_PETITIONS, FENGTAI_SEED, FENGTAI_OFFICE = 150, "fengtai-petitions", "office_ft"
DEMO_DAYS = 365
# Share of the demo items at the stations under the demo staff account's home (延庆镇), so its ledger is busy.
HOME_TOWN_SHARE = 0.3
# Share of the demo items received by the demo representative account, and its unanswered online items.
REP_SHARE, REP_AWAITING = 0.07, 2
SEED = "yanqing-petitions"


# --------------------------------------------------------------------------- the demo district


def seed_demo_petitions(report: Counter, *, today: date | None = None, count: int = DEMO_PETITIONS) -> None:
    """About 600 petitions of the last 12 months in 延庆区 with their history and handling
    (`demo_handling`); nothing if the district has any."""
    today = today or timezone.localdate()
    seed_reply_templates(report)
    if Petition.objects.filter(under_q(DISTRICT_CODE[:6], "area_code")).exists():
        return
    since = today - timedelta(days=DEMO_DAYS)
    net = load_network({"code__startswith": "YQ-"}, with_events=True, since=since)
    if not net.stations or not net.categories:
        return
    rng = random.Random(f"{SEED}/{today}")
    maker = Maker(net, rng, today, DEMO_DAYS, demo=True)
    users = {u.username: u for u in User.objects.filter(username__in=("staff", "office", "rep", "dept", "dept_city"))}
    staff = users.get("staff")
    staffed = Station.objects.with_descendants(staff.staffed_stations.values_list("pk", flat=True)) if staff else set()
    home_town = [s for s in net.stations if s.code.startswith(YANQING_TOWN_CODE[:9])]
    rep = Representative.objects.filter(user__username="rep").values_list("pk", flat=True).first()
    rep_stations = [s for s in net.stations if rep in net.members.get(s.pk, ())]
    items = []
    for n in range(count):
        draw = rng.random()
        if rep_stations and (draw < REP_SHARE or n < REP_AWAITING):
            item = maker.item(rng.choice(rep_stations))
            item.reps = [rep, *[r for r in item.reps if r != rep][:1]]
            if n < REP_AWAITING:  # fresh QR items the demo representative still owes a first reply
                _fresh_online(item, timezone.now() - timedelta(hours=2 + 5 * n))
        else:
            pool = home_town if home_town and draw < REP_SHARE + HOME_TOWN_SHARE else net.stations
            item = maker.item(rng.choice(pool))
        items.append(item)
    handling = DemoHandling(net=net, rng=rng, today=today, now=maker.now, users=users, staffed=staffed)
    _save(items, handling, rng, report)


def seed_fengtai_petitions(report: Counter, *, today: date | None = None, count: int = FENGTAI_PETITIONS) -> None:
    """About 150 petitions of the last 12 months in 丰台区 with their ordinary handling (no cases
    set up on purpose: `DemoHandling(extras=False)`); nothing if the district has any."""
    today = today or timezone.localdate()
    if Petition.objects.filter(under_q(FENGTAI_CODE[:6], "area_code")).exists():
        return
    net = load_network({"code__startswith": FENGTAI_STATIONS}, district=FENGTAI_CODE)
    if not net.stations or not net.categories:
        return
    rng = random.Random(f"{FENGTAI_SEED}/{today}")
    maker = Maker(net, rng, today, DEMO_DAYS, demo=True, roads=texts.FENGTAI_ROADS, urban=True)
    items = [maker.item(rng.choice(net.stations)) for _n in range(count)]
    users = {
        "office": User.objects.filter(username=FENGTAI_OFFICE).first(),
        "dept_city": User.objects.filter(username="dept_city").first(),
    }
    handling = DemoHandling(net=net, rng=rng, today=today, now=maker.now, users=users, staffed=set(), extras=False)
    _save(items, handling, rng, report)


def _save(items: list[Item], handling: DemoHandling, rng, report: Counter) -> None:
    """Plan the items' handling, write them with their history and handling rows."""
    handling.plan(items)
    with transaction.atomic():
        handling.before_petitions(items, report)
        petitions = []
        for item, number in zip(items, chunk_numbers(items), strict=True):
            online = item.values["channel"] in ONLINE_CHANNELS
            by = None if online else handling.registrar(item.values["station_id"])
            petition = Petition(**item.values, registered_by=by, tracking_number=number)
            petition.search_text = search_text(petition.tracking_number, petition.content, petition.address)
            if petition.status in (Status.FED_BACK, Status.RATED):
                petition.rating_code = f"{rng.randrange(10**6):06d}"  # as feedback would have sent it
            petitions.append(petition)
        Petition.objects.bulk_create(petitions, batch_size=1000)
        _demo_history(petitions, items, handling.net, report)
        handling.write(petitions, report)
    report["petition"] += len(petitions)


def _fresh_online(item: Item, registered_at: datetime) -> None:
    values = item.values
    values.update(
        channel=Channel.QR,
        event_id=None,
        status=Status.REGISTERED,
        received_on=timezone.localtime(registered_at).date(),
        registered_at=registered_at,
        updated_at=registered_at,
        first_reply_due_at=registered_at + timedelta(hours=24),
        first_replied_at=None,
        lead_department_id=None,
        due_on=None,
        handling_summary="",
        feedback_summary="",
        satisfaction="",
    )
    item.status_at, item.replied_text = None, ""


def _demo_history(petitions, items, net: Network, report: Counter) -> None:
    """Each item's `registered` row and the representative's first reply to an online item; the
    handling's rows come from demo_handling."""
    registered_text = _("Your item has been registered.")
    links, events = [], []
    # Representatives with an account reply as themselves and mark some items for follow-up (their
    # performance record counts both).
    accounts = dict(
        Representative.objects.filter(
            pk__in={rep for item in items for rep in item.reps}, user__isnull=False
        ).values_list("pk", "user_id")
    )
    for n, (petition, item) in enumerate(zip(petitions, items, strict=True)):
        follow = n % 4 == 0
        links += [
            PetitionRepresentative(
                petition=petition,
                representative_id=rep,
                received_on=petition.received_on,
                follow_up=follow and rep in accounts,
            )
            for rep in item.reps
        ]
        names = [net.rep_names.get(rep, "") for rep in item.reps]
        online = petition.channel in ONLINE_CHANNELS
        events.append(
            PetitionEvent(
                petition=petition,
                kind=PetitionEventKind.REGISTERED,
                actor=petition.registered_by,
                actor_label=RESIDENT if online else "",
                actor_name=petition.registered_by.display_name[:64] if petition.registered_by else "",
                at=petition.registered_at,
                to_status=Status.REGISTERED,
                data={"channel": petition.channel, "representatives": names},
                is_public=True,
                public_text=registered_text,
            )
        )
        if item.replied_text:
            events.append(
                PetitionEvent(
                    petition=petition,
                    kind=PetitionEventKind.REPLIED,
                    actor_label=names[0] if names else "",
                    actor_id=accounts.get(item.reps[0]) if item.reps else None,
                    at=petition.first_replied_at,
                    is_public=True,
                    public_text=item.replied_text,
                )
            )
    PetitionRepresentative.objects.bulk_create(links, batch_size=2000)
    PetitionEvent.objects.bulk_create(events, batch_size=2000)
    report["petitionrepresentative"] += len(links)
    report["petitionevent"] += len(events)
