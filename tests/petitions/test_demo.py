"""Demo petitions of `seed_demo` and the bulk `--petitions N` (bulk_create on SQLite, COPY on PostgreSQL)."""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from liaison.jurisdictions import departments_for_assignment
from liaison.models import Office, Role, User
from petitions.demo import bulk as demo_bulk
from petitions.handling import workflow
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.search import search_text_for
from petitions.models import (
    ONLINE_CHANNELS,
    Assignment,
    Commitment,
    DeadlineRule,
    DepartmentReply,
    ExtensionRequest,
    Outcome,
    Petition,
    PetitionEvent,
    PetitionRepresentative,
    Rating,
    ReplyTemplate,
    Route,
    Satisfaction,
    Status,
    Suggestion,
    SuggestionEvent,
    SupervisionNotice,
)
from petitions.reports.measures import ESCALATIONS, escalation_q
from petitions.supervision import selectors as supervision
from stations.demo.network import HOUSING_DEPARTMENT
from stations.models import Membership, ReceptionEvent

pytestmark = pytest.mark.django_db(transaction=False)

TRACKING = re.compile(r"^\d{4}-[0-9A-HJKMNP-TV-Z]{8}$")


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def assert_consistent(petitions):
    """Every item: one `registered` event, its search text, a well-formed unique number."""
    numbers = list(petitions.values_list("tracking_number", flat=True))
    assert len(numbers) == len(set(numbers)) and all(TRACKING.match(n) for n in numbers)
    registered = petitions.annotate(n=Count("events", filter=Q(events__kind=PetitionEventKind.REGISTERED)))
    assert set(registered.values_list("n", flat=True)) == {1}
    assert all(p.search_text == search_text_for(p) for p in petitions.iterator())


def assert_owned(petitions):
    """Items written in bulk have their owning office, which handles them; a township office's
    items went to its own township's government."""
    assert not petitions.filter(Q(owner_office=None) | ~Q(handling_office=F("owner_office"))).exists()
    township = petitions.filter(owner_office__jurisdiction__level="township", lead_department__isnull=False)
    assert township.exists()
    assert not township.exclude(lead_department__jurisdiction=F("owner_office__jurisdiction")).exists()


def test_seed_demo_writes_realistic_petitions_once():
    out = seed()
    today = timezone.localdate()
    petitions = Petition.objects.filter(area_code__startswith="110119")
    total = petitions.count()
    assert total == 600 and "600 petitions" in out
    assert Petition.objects.filter(area_code__startswith="110106").count() == 150 and "150 petitions" in out
    assert_consistent(Petition.objects.all())

    # Nothing is dated after the moment the demo was made, whatever the hour it runs.
    now = timezone.now()
    assert not Petition.objects.filter(registered_at__gt=now).exists()
    assert not Petition.objects.filter(first_replied_at__gt=now).exists()
    assert not PetitionEvent.objects.filter(at__gt=now).exists()

    statuses = set(petitions.values_list("status", flat=True))
    assert {Status.REGISTERED, Status.ASSIGNED, Status.REPLIED, Status.CLOSED} <= statuses
    assert petitions.filter(received_on__gte=today.replace(year=today.year - 1)).count() == total
    assert 0.02 * total <= petitions.filter(is_confidential=True).count() <= 0.09 * total
    assert 0 < petitions.filter(is_anonymous=True, petitioner_name="").count() <= 0.06 * total
    assert petitions.filter(is_hard_problem=True).exists() and petitions.filter(urgency="urgent").exists()
    assert 0 < petitions.overdue(today).count() <= 0.08 * total  # a few overdue
    answered = petitions.filter(status__in=[Status.REPLIED, Status.CLOSED])
    assert not answered.filter(handling_summary="").exists()
    assert not petitions.filter(status=Status.CLOSED, satisfaction="").exists()
    # A department answering a representative suggestion gets no deadline of its own (petition_suggestion_replied).
    assert (
        not petitions.exclude(route=Route.SUGGESTION)
        .filter(lead_department__isnull=False, due_on__isnull=True)
        .exists()
    )

    # On-site items of a held day carry the day; their representatives serve the station.
    with_event = petitions.filter(event__isnull=False).select_related("event")
    assert with_event.count() > 50
    assert all(p.received_on == p.event.date and p.event.status == ReceptionEvent.Status.HELD for p in with_event)
    links = PetitionRepresentative.objects.filter(petition__event__isnull=True)
    members = set(Membership.objects.values_list("station_id", "representative_id"))
    pairs = set(links.values_list("petition__station_id", "representative_id"))
    assert pairs and pairs <= members
    assert PetitionRepresentative.objects.count() >= total * 0.9

    # Online items owe a first reply within 24 hours; most were answered, the demo representative owes two.
    online = petitions.filter(channel__in=ONLINE_CHANNELS)
    assert online.exists() and not online.filter(first_reply_due_at__isnull=True).exists()
    assert online.filter(first_replied_at__isnull=False).count() > online.count() / 2
    rep = User.objects.get(username="rep")
    assert Petition.objects.visible_to(rep).awaiting_first_reply().count() >= 2

    # Every demo account has a ledger; the content reads like the seeds.
    for username in ("office", "office_yqz", "office_city", "office_ft", "office_ftjd", "staff", "rep", "dept"):
        assert Petition.objects.visible_to(User.objects.get(username=username)).count() >= 20, username
    assert petitions.filter(content__contains="停车").exists() and petitions.filter(content__contains="电梯").exists()
    assert petitions.values("content").distinct().count() > 500

    handling = [
        Assignment,
        DepartmentReply,
        Rating,
        ExtensionRequest,
        Suggestion,
        SuggestionEvent,
        SupervisionNotice,
        Commitment,
        ReplyTemplate,
        PetitionEvent,
    ]
    _assert_offices()
    _assert_escalations()

    counts = {model: model.objects.count() for model in handling}
    again = seed()
    assert again.count("none added") == 2 and Petition.objects.count() == total + 150  # nothing added the second time
    assert {model: model.objects.count() for model in handling} == counts


def _assert_offices():
    """Every demo item has its owning office, the station's, which handles it unless it was handed up
    (or taken over: `_assert_escalations`); each office assigns within its rule; each office sees its
    own jurisdiction's items. Who made each office move: `assert_handling_consistent`."""
    offices = {o.jurisdiction.code: o for o in Office.objects.select_related("jurisdiction")}
    petitions = Petition.objects.all()
    assert not petitions.filter(owner_office=None).exists()
    assert not petitions.filter(escalated_to=None).exclude(handling_office=F("owner_office")).exists()
    # By station: 延庆镇's items go to its presidium (the nearest office above), 东高地's to its street
    # 人大工委, the others to their district's standing committee (unless the office above took one over).
    expected = {
        "110119100": offices["110119100000"],
        "110119": offices["110119000000"],
        "110106006": offices["110106006000"],
        "110106": offices["110106000000"],
    }
    taken_over = petitions.filter(escalation_q("taken_over"))
    rows = petitions.exclude(pk__in=taken_over).values_list("station__jurisdiction__code", "owner_office_id")
    for area_code, owner_id in rows.distinct():
        owner = next(office for prefix, office in expected.items() if area_code.startswith(prefix))
        assert owner_id == owner.pk, area_code
    for code in ("110119100000", "110106006000", "110106000000"):
        assert petitions.filter(owner_office=offices[code]).count() >= 30, code
    # An office assigns to departments of its own level and the township offices below it, nothing else;
    # a township office to its own township's government only.
    assigners = User.objects.filter(pk__in=Assignment.objects.values("assigned_by"))
    assert {u.username for u in assigners} >= {"office", "office_yqz", "office_city", "office_ft", "office_ftjd"}
    for user in assigners:
        given = set(Assignment.objects.filter(assigned_by=user).values_list("department_id", flat=True))
        assert given <= set(departments_for_assignment(user).values_list("pk", flat=True)), user.username
    township = Assignment.objects.filter(assigned_by__jurisdiction__level="township")
    assert township.exists()
    assert not township.exclude(department__jurisdiction=F("assigned_by__jurisdiction")).exists()
    # Each office has items waiting in its own triage list (the city's: escalated from below).
    for office in offices.values():
        assert petitions.filter(handling_office=office, status__in=workflow.AWAITING_TRIAGE).exists(), office

    # Who sees what: 丰台区's office its district only, the city office both, a street office its street.
    fengtai, yanqing = (
        petitions.filter(area_code__startswith="110106"),
        petitions.filter(area_code__startswith="110119"),
    )
    seen = {
        u: set(Petition.objects.visible_to(User.objects.get(username=u)).values_list("pk", flat=True))
        for u in ("office_city", "office_ft", "office_ftjd", "office", "office_yqz")
    }
    assert seen["office_ft"] == set(fengtai.values_list("pk", flat=True))
    assert seen["office_city"] == set(petitions.values_list("pk", flat=True))
    assert seen["office"] == set(yanqing.values_list("pk", flat=True))
    assert seen["office_ftjd"] == set(fengtai.filter(area_code__startswith="110106006").values_list("pk", flat=True))
    assert seen["office_yqz"] == set(yanqing.filter(area_code__startswith="110119100").values_list("pk", flat=True))


def _assert_escalations():
    """A township office hands about one item in sixteen to its district's standing committee, at every
    stage there (each escalation column of the dashboard has items); district items wait in the city
    office's triage list or are in hand at a city bureau."""
    petitions = Petition.objects.all()
    township = petitions.filter(
        Q(station__jurisdiction__code__startswith="110119100") | Q(station__jurisdiction__code__startswith="110106006")
    )
    up = petitions.filter(escalated_to__jurisdiction__level="county")
    assert set(up.values_list("pk", flat=True)) <= set(township.values_list("pk", flat=True))
    assert up.count() >= 10 and 0.04 * township.count() <= up.count() <= 0.1 * township.count()
    for key in ESCALATIONS:
        assert up.filter(escalation_q(key)).exists(), key
    # Most are routed by the district like its own items: to a district bureau, answered, and fed back
    # by the township station's staff; those taken over the district closes itself.
    routed = up.filter(handling_office=F("escalated_to"), lead_department__isnull=False)
    assert routed.count() > up.count() / 2
    assert not routed.exclude(lead_department__jurisdiction=F("escalated_to__jurisdiction")).exists()
    answered = up.filter(escalation_q("answered")).exclude(escalation_q("taken_over"))
    assert PetitionEvent.objects.filter(
        petition__in=answered, kind=PetitionEventKind.FED_BACK, actor__username="staff"
    ).exists()
    assert PetitionEvent.objects.filter(
        petition__in=answered, kind=PetitionEventKind.CLOSED, actor__username="office_yqz"
    ).exists()
    taken = up.filter(escalation_q("taken_over"))
    assert taken.filter(status=Status.CLOSED).exists()
    assert (
        not PetitionEvent.objects.filter(petition__in=taken, kind=PetitionEventKind.CLOSED)
        .exclude(actor__jurisdiction=F("petition__escalated_to__jurisdiction"))
        .exists()
    )
    # Sent back down with an explanation: the township handles it again.
    down = up.filter(escalation_q("sent_down"))
    assert not down.exclude(handling_office=F("owner_office")).exists()
    explained = PetitionEvent.objects.filter(petition__in=down, kind=PetitionEventKind.SENT_DOWN)
    assert explained.count() == down.count() and all(e.data["text"] and e.is_public for e in explained)
    # The city: a few district items, some waiting in its list, some at a city bureau (dept_city's desk).
    city_office = User.objects.get(username="office_city")
    city = petitions.filter(escalated_to__jurisdiction=city_office.jurisdiction)
    assert 3 <= city.count() <= 10
    assert not city.exclude(owner_office__jurisdiction__level="county").exists()
    assert city.filter(escalation_q("waiting")).exists()
    bureau = city.filter(status__in=IN_HAND, lead_department__jurisdiction=city_office.jurisdiction)
    assert bureau.count() >= 2
    dept_city = User.objects.get(username="dept_city")
    assert set(bureau.filter(lead_department__members=dept_city)) <= set(Petition.objects.visible_to(dept_city))
    assert Petition.objects.visible_to(dept_city).filter(status__in=IN_HAND).count() >= 2
    # An item waiting above is in that office's triage list, not in the one below.
    accounts = {u.jurisdiction_id: u for u in User.objects.filter(role=Role.COMMITTEE_OFFICE).order_by("pk")}
    waiting = petitions.filter(escalation_q("waiting")).select_related("escalated_to", "owner_office")
    assert waiting.count() >= 3
    for p in waiting:
        assert p in Petition.objects.handled_by(accounts[p.escalated_to.jurisdiction_id])
        assert p not in Petition.objects.handled_by(accounts[p.owner_office.jurisdiction_id])


def test_petitions_option_adds_that_many_in_bulk():
    seed()
    before = set(Petition.objects.values_list("pk", flat=True))
    out = seed(petitions=2000)
    assert "petitions: 2,000 of 2,000" in out
    added = Petition.objects.exclude(pk__in=before)
    assert added.count() == 2000
    assert_consistent(added)
    assert PetitionRepresentative.objects.filter(petition__in=added).count() >= 2000
    today = timezone.localdate()
    assert added.filter(received_on__lt=today.replace(year=today.year - 2)).exists()  # spread over 3 years
    assert set(added.values_list("status", flat=True)) >= {Status.REGISTERED, Status.CLOSED}
    assert_owned(added)
    seed(petitions=10)
    assert Petition.objects.count() == len(before) + 2010  # every run adds N more


def test_a_negative_count_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        seed(petitions=-1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path runs on PostgreSQL (DATABASE_URL)")
def test_copy_path_on_postgresql_rebuilds_the_indexes(monkeypatch):
    seed()
    monkeypatch.setattr(demo_bulk, "REBUILD_INDEXES_FROM", 1000)
    monkeypatch.setattr(demo_bulk, "_rows_now", lambda: 0)

    def index_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'petitions_petition%%'")
            return {row[0] for row in cursor.fetchall()}

    indexes = index_names()
    before = Petition.objects.count()
    out = seed(petitions=2500)
    assert "indexes dropped for the load" in out and "indexes built again" in out
    assert index_names() == indexes and "petition_search_gin" in indexes
    added = Petition.objects.order_by("-pk")[:2500]
    assert Petition.objects.count() == before + 2500
    assert_consistent(Petition.objects.filter(pk__in=[p.pk for p in added]))
    assert Petition.objects.search("停车").exists()  # the full-text index answers
    assert_owned(Petition.objects.filter(pk__in=[p.pk for p in added]))


# --------------------------------------------------------------------------- the handling story (petitions/demo/handling.py)

IN_HAND = {Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS}
ANSWERED = {Status.REPLIED, Status.FED_BACK, Status.RATED, Status.CLOSED}
WITHOUT_DEPARTMENT = {
    Route.CONSULTATION: PetitionEventKind.CONSULTED,
    Route.ON_THE_SPOT: PetitionEventKind.ON_THE_SPOT,
    Route.ESCALATE: PetitionEventKind.ESCALATED,
}
# Office moves of the owning office (feedback, the rating it records, close-out); the others are the
# handling office's (supervising aside: any office above does it).
OWNER_KINDS = {
    PetitionEventKind.FED_BACK,
    PetitionEventKind.RATED,
    PetitionEventKind.REOPENED,
    PetitionEventKind.CLOSED,
}
# Rows that record something beside the status: they change no status and bump no version.
NOT_MOVES = {PetitionEventKind.REGISTERED, PetitionEventKind.REPLIED, PetitionEventKind.SUPERVISED}
ORDER = {Satisfaction.DISSATISFIED: 0, Satisfaction.BASICALLY: 1, Satisfaction.SATISFIED: 2}


def _grouped(model, **filters):
    rows = {}
    for row in model.objects.filter(**filters).order_by("pk"):
        rows.setdefault(row.petition_id, []).append(row)
    return rows


def _overall(ratings) -> str:
    """handling._overall: the resident's rating if given, else the lowest representative rating."""
    resident = [r for r in ratings if r.rater == Rating.Rater.RESIDENT]
    if resident:
        return resident[-1].satisfaction
    return min((r.satisfaction for r in ratings), key=ORDER.get, default="")


def _assert_offices_in_history(p, evs, office_of, names, where) -> None:
    """The item's owner, handling office and escalation fields are what its hand-overs (escalated,
    sent down, taken over) left, as `petitions.handling.services.escalation` writes them; every
    office move is made by an account of the office that handled (or owned) the item at the time."""
    hand_overs = (PetitionEventKind.ESCALATED, PetitionEventKind.SENT_DOWN, PetitionEventKind.TAKEN_OVER)
    taken = [e for e in evs if e.kind == PetitionEventKind.TAKEN_OVER]
    owner = taken[0].data["from_office_id"] if taken else p.owner_office_id
    handler, up, up_at = owner, None, None
    for e in evs:
        if (e.actor_id in office_of and e.kind != PetitionEventKind.SUPERVISED) or e.kind in hand_overs:
            acting = owner if e.kind in OWNER_KINDS else handler
            assert office_of.get(e.actor_id) == acting, (where, e.kind)
        if e.kind == PetitionEventKind.ESCALATED and "to_office_id" in e.data:  # not the older "referred up"
            assert e.data["from_office_id"] == handler and e.data["to_office_id"] != handler, where
            assert e.data["reason"] and e.is_public and names[e.data["to_office_id"]] in e.public_text, where
            handler = up = e.data["to_office_id"]
            up_at = e.at
        elif e.kind == PetitionEventKind.SENT_DOWN:
            assert e.data["from_office_id"] == handler == up and e.data["to_office_id"] == owner, where
            assert e.data["text"] and e.is_public and names[owner] in e.public_text, where
            handler = owner
        elif e.kind == PetitionEventKind.TAKEN_OVER:
            assert e.data["from_office_id"] == owner and e.data["to_office_id"] == handler == up, where
            assert e.is_public and not e.to_status, where
            owner = handler
    assert (p.owner_office_id, p.handling_office_id, p.escalated_to_id, p.escalated_at) == (
        owner,
        handler,
        up,
        up_at,
    ), where


def assert_handling_consistent() -> None:
    """Every item's status agrees with its shares, replies, ratings, extensions and history, as the
    services of petitions.handling.services would have left them."""
    rules = {
        u: (d, c)
        for u, d, c in DeadlineRule.objects.filter(route=Route.DIRECT).values_list(
            "urgency", "working_days", "co_working_days"
        )
    }
    events, shares = _grouped(PetitionEvent), _grouped(Assignment)
    replies, ratings, requests = _grouped(DepartmentReply), _grouped(Rating), _grouped(ExtensionRequest)
    now = timezone.now()
    office_by_place = dict(Office.objects.values_list("jurisdiction_id", "pk"))
    office_of = {
        pk: office_by_place.get(place)
        for pk, place in User.objects.filter(role=Role.COMMITTEE_OFFICE).values_list("pk", "jurisdiction_id")
    }
    names = dict(Office.objects.values_list("pk", "name"))
    for p in Petition.objects.all():
        evs = sorted(events[p.pk], key=lambda e: (e.at, e.pk))
        mine, replied, rated, asked = (
            shares.get(p.pk, []),
            replies.get(p.pk, []),
            ratings.get(p.pk, []),
            requests.get(p.pk, []),
        )
        where = f"{p.tracking_number} ({p.status}, {p.route or '-'})"
        # The history: registered first, every status move starts where the last one ended, the last ends at the status.
        assert evs[0].kind == PetitionEventKind.REGISTERED and all(p.registered_at <= e.at <= now for e in evs), where
        state = Status.REGISTERED
        for e in evs[1:]:
            if e.to_status:
                assert e.from_status == state, (where, e.kind, e.from_status, state)
                state = e.to_status
        assert state == p.status, (where, state)
        _assert_offices_in_history(p, evs, office_of, names, where)
        assert p.version == sum(1 for e in evs if e.kind not in NOT_MOVES), where
        kinds = Counter(e.kind for e in evs)
        # Shares: one lead per assignment (and per reopening); open ones only while the item is in hand.
        leads = [s for s in mine if s.role == Assignment.Role.LEAD]
        assert len(leads) == kinds[PetitionEventKind.ASSIGNED] + kinds[PetitionEventKind.REOPENED], where
        open_shares = [s for s in mine if s.is_open]
        if p.status in IN_HAND or p.status == Status.SUSPENDED:
            # A suspended item keeps its shares open (its clock stopped, not its handling).
            held = p.status
            if p.status == Status.SUSPENDED:
                held = [e for e in evs if e.kind == PetitionEventKind.SUSPENDED][-1].from_status
                assert held in IN_HAND and p.suspended_until and p.suspend_reason, where
            lead = [s for s in open_shares if s.role == Assignment.Role.LEAD and s.round == p.round]
            assert len(lead) == 1, where
            lead = lead[0]
            assert (lead.state == Assignment.State.PENDING) == (held == Status.ASSIGNED), where
            assert lead.department_id == p.lead_department_id and lead.due_on == p.due_on, where
            assert not any(s.role == Assignment.Role.CO and s.round != p.round for s in open_shares), where
        else:
            assert not open_shares, where
        for s in mine:
            assert p.registered_at <= s.assigned_at <= now, where
            assert s.accepted_at is None or s.accepted_at >= s.assigned_at, where
            assert s.done_at is None or s.done_at >= (s.accepted_at or s.assigned_at), where
            assert (s.state == Assignment.State.RETURNED) == bool(s.state == Assignment.State.RETURNED and s.note), (
                where
            )
            approved = [r for r in asked if r.assignment_id == s.pk and r.state == ExtensionRequest.State.APPROVED]
            days, co_days = rules[p.urgency]
            start = timezone.localtime(s.assigned_at).date()
            if approved:
                assert s.due_on == approved[-1].requested_due_on, where
            elif s.role == Assignment.Role.LEAD:
                assert s.due_on == workdays.add_working_days(start, days), where
            else:
                assert s.due_on <= workdays.add_working_days(start, co_days), where
        for r in asked:
            assert r.requested_due_on > r.current_due_on and r.assignment.petition_id == p.pk, where
            assert (r.state == ExtensionRequest.State.PENDING) == (r.decided_at is None), where
            if r.state == ExtensionRequest.State.PENDING:
                assert r.assignment.is_open, where
        # Routes: a department's items have their replies; the others an answer and no department.
        if p.route == Route.DIRECT and p.status in ANSWERED:
            current = [s for s in leads if s.round == p.round]
            assert current and current[-1].state == Assignment.State.DONE, where
            reply = [r for r in replied if r.round == p.round]
            assert len(reply) == 1 and reply[0].assignment_id == current[-1].pk, where
            assert reply[0].outcome == p.outcome and reply[0].text == p.handling_summary, where
            assert reply[0].created_at == p.replied_at and reply[0].department_id == p.lead_department_id, where
        if p.route == Route.DIRECT and p.status == Status.TRIAGED and leads:
            assert leads[-1].state == Assignment.State.RETURNED and p.lead_department_id is None and p.due_on is None, (
                where
            )
        if p.status not in (Status.REGISTERED, Status.TRIAGED, Status.SUGGESTION) and p.route in ("", Route.DIRECT):
            assert mine or kinds[PetitionEventKind.CANNOT_HANDLE], where
        if p.route in WITHOUT_DEPARTMENT or kinds[PetitionEventKind.CANNOT_HANDLE]:
            assert not mine and not replied and p.handling_summary and p.replied_at and p.lead_department_id is None, (
                where
            )
            assert kinds[WITHOUT_DEPARTMENT.get(p.route, PetitionEventKind.CANNOT_HANDLE)] == 1, where
        assert len(replied) == kinds[PetitionEventKind.DEPARTMENT_REPLIED] - (
            p.route == Route.SUGGESTION and p.status == Status.REPLIED
        ), where
        # Feedback, ratings, rounds, close-out.
        if p.status in (Status.FED_BACK, Status.RATED, Status.CLOSED):
            assert p.feedback_method and p.feedback_summary and p.replied_at <= p.fed_back_at, where
        else:
            assert not p.feedback_summary and p.fed_back_at is None, where
        assert len(rated) == kinds[PetitionEventKind.RATED] + kinds[PetitionEventKind.REOPENED], where
        if p.status in (Status.RATED, Status.CLOSED):
            assert p.satisfaction == _overall([r for r in rated if r.round == p.round]) != "", where
        reopened = [r for r in rated if r.round == 1 and r.satisfaction == Satisfaction.DISSATISFIED]
        assert (p.round == 2) == bool(reopened) == bool(kinds[PetitionEventKind.REOPENED]), where
        assert p.round in (1, 2) and len(reopened) <= 1, where
        assert (p.status == Status.CLOSED) == (p.closed_at is not None), where
        if p.closed_at:
            assert p.fed_back_at <= p.closed_at <= now, where
        assert not p.public_result or p.status == Status.CLOSED, where
        if p.public_result:
            for personal in (p.petitioner_name, p.petitioner_phone, p.petitioner_address):
                assert not personal or personal not in p.public_result, where
        # Suggestions: their items wait for the answer, or have it.
        if p.route == Route.SUGGESTION:
            suggestion = p.suggestion
            assert suggestion is not None and kinds[PetitionEventKind.TO_SUGGESTION] == 1, where
            if p.status == Status.REPLIED:
                assert suggestion.status == Suggestion.Status.REPLIED and p.handling_summary == suggestion.reply_text, (
                    where
                )
                assert p.outcome == suggestion.outcome and p.lead_department_id == suggestion.department_id, where
            else:
                assert p.status == Status.SUGGESTION and suggestion.status != Suggestion.Status.REPLIED, where


def test_demo_handling_tells_each_item_as_the_services_would(client, client_for):
    seed()
    petitions = Petition.objects.all()
    assert_handling_consistent()
    today = timezone.localdate()
    # Field validators (lengths, choices) hold for every row written in bulk. Two nullable columns stay
    # empty as the services leave them: a reply's author for departments without a demo account, and
    # whether the department called before replying, until the lead representative rates.
    for model in (
        Petition,
        Assignment,
        DepartmentReply,
        Rating,
        ExtensionRequest,
        Suggestion,
        SupervisionNotice,
        Commitment,
        ReplyTemplate,
    ):
        for row in model.objects.all():
            row.full_clean(
                exclude=["author", "contacted_before_reply"], validate_unique=False, validate_constraints=False
            )

    # Every route of the workflow is there, and most items went to a department.
    statuses = set(petitions.values_list("status", flat=True))
    assert set(Status.values) - {Status.LINKED} <= statuses
    assert petitions.filter(route=Route.DIRECT).count() > petitions.count() / 2
    # Co-handlers on more than one in ten of the items a district (or city) office assigns: a township
    # office assigns to its own government alone, with nobody to co-handle.
    assert (
        Assignment.objects.filter(role=Assignment.Role.CO).count()
        >= 0.12
        * Assignment.objects.filter(role=Assignment.Role.LEAD, round=1)
        .exclude(assigned_by__jurisdiction__level="township")
        .count()
    )
    # Replies: mostly solved (A), some planned (B), few C or D.
    outcomes = Counter(DepartmentReply.objects.values_list("outcome", flat=True))
    total = sum(outcomes.values())
    assert outcomes[Outcome.SOLVED] > 0.55 * total and outcomes[Outcome.PLANNED] > 0.1 * total
    assert 0 < outcomes[Outcome.NOT_NOW] + outcomes[Outcome.REFERENCE] < 0.2 * total
    assert DepartmentReply.objects.values("text").distinct().count() > 40
    # Ratings: about 85 % satisfied, 12 % basically, 3 % dissatisfied; each dissatisfied one went round 2.
    first = Counter(
        _overall(list(Rating.objects.filter(petition=p, round=1)))
        for p in petitions.filter(ratings__round=1).distinct()
    )
    rated = sum(first.values())
    assert rated > 150
    assert 0.75 <= first[Satisfaction.SATISFIED] / rated <= 0.93
    assert 0.05 <= first[Satisfaction.BASICALLY] / rated <= 0.2
    assert 1 <= first[Satisfaction.DISSATISFIED] <= 0.07 * rated
    assert petitions.filter(round=2).count() >= first[Satisfaction.DISSATISFIED]
    assert petitions.filter(round=2, status__in=IN_HAND).exists()  # one being handled again now
    # About a third of the closed items show a result on their station's public page.
    closed = petitions.filter(status=Status.CLOSED)
    assert 0.2 * closed.count() <= closed.exclude(public_result="").count() <= 0.5 * closed.count()
    # Extensions: approved, refused, exactly one waiting for the office.
    states = Counter(ExtensionRequest.objects.values_list("state", flat=True))
    assert states[ExtensionRequest.State.APPROVED] >= 1 and states[ExtensionRequest.State.REFUSED] >= 1
    assert states[ExtensionRequest.State.PENDING] == 1
    # A few overdue in hand, a few amber.
    office = User.objects.get(username="office")
    lights = supervision.light_counts(supervision.items_in_hand(office), supervision.light_bounds(today))
    assert 1 <= lights["red"] <= 12 and 1 <= lights["amber"] <= lights["total"] / 2
    # The actors: demo accounts where they exist, names elsewhere, never a department user of another department.
    dept = User.objects.get(username="dept")
    by_dept = PetitionEvent.objects.filter(actor=dept)
    assert by_dept.exists()
    assert not by_dept.exclude(
        Q(petition__assignments__department__name=HOUSING_DEPARTMENT)
        | Q(petition__suggestion__department__name=HOUSING_DEPARTMENT)
    ).exists()
    other = PetitionEvent.objects.filter(kind=PetitionEventKind.ACCEPTED, actor__isnull=True)
    assert other.exists() and not other.filter(actor_label="").exists()
    for username in ("office", "staff", "rep"):
        assert (
            PetitionEvent.objects.filter(actor__username=username).exclude(kind=PetitionEventKind.REGISTERED).exists()
        ), username

    # Every page has something to show (one seed for both halves: seeding is the slow part).
    _assert_pages_have_something_to_show(client, client_for, today)


def _assert_pages_have_something_to_show(client, client_for, today):
    office, dept, rep = (User.objects.get(username=u) for u in ("office", "dept", "rep"))

    # The demo department's desk: something in every tab, one extension waiting, one open notice.
    response = client_for(dept).get(reverse("petitions:department"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert all(counts[tab] >= 1 for tab in ("new", "in_hand", "co", "done", "returned")), counts
    assert counts["red"] >= 1 and counts["amber"] >= 1 and response.context["notices_open"] >= 1
    pending = ExtensionRequest.objects.get(state=ExtensionRequest.State.PENDING)
    assert pending.assignment.department.name == HOUSING_DEPARTMENT and pending.requested_by == dept

    # The office: 10-20 items of its own to triage from the last reception days, returned ones among
    # them (the list may also show 延庆镇's few, which its presidium handles).
    own = Petition.objects.filter(
        handling_office__jurisdiction=office.jurisdiction, status__in=workflow.AWAITING_TRIAGE
    )
    assert 10 <= own.count() <= 20
    response = client_for(office).get(reverse("petitions:triage"))
    assert response.status_code == 200
    assert own.count() <= response.context["total"] and response.context["returned_count"] >= 3
    assert Petition.objects.visible_to(office).filter(extension_requests__state=ExtensionRequest.State.PENDING).exists()

    # The city office's triage list holds items escalated from below, marked with the office they came
    # from; the city bureau's desk has items to accept and in hand.
    city = User.objects.get(username="office_city")
    response = client_for(city).get(reverse("petitions:triage"), {"escalated": "on"})
    assert response.status_code == 200 and response.context["escalated_count"] >= 1
    waiting = Petition.objects.handled_by(city).filter(status__in=workflow.AWAITING_TRIAGE)
    html = response.content.decode()
    assert all(p.tracking_number in html and p.owner_office.name in html for p in waiting)
    response = client_for(User.objects.get(username="dept_city")).get(reverse("petitions:department"))
    assert response.status_code == 200
    assert response.context["counts"]["new"] >= 1 and response.context["counts"]["in_hand"] >= 1

    # Supervision: three notices, one answered (by the demo department); the seeds' 16 heads: 13 and 3.
    notices = SupervisionNotice.objects.all()
    assert notices.count() == 3 and notices.filter(state=SupervisionNotice.State.ANSWERED).count() == 1
    answered = notices.get(state=SupervisionNotice.State.ANSWERED)
    assert answered.responded_by == dept and answered.issued_at < answered.responded_at
    assert all(n.number.startswith(f"督〔{n.issued_at.year}〕") for n in notices)
    assert all(n.petition.events.filter(kind=PetitionEventKind.SUPERVISED).count() == 1 for n in notices)
    rated = Counter(
        Commitment.objects.exclude(follow_up_satisfaction="").values_list("follow_up_satisfaction", flat=True)
    )
    assert rated == {Satisfaction.SATISFIED: 13, Satisfaction.BASICALLY: 3}
    assert Commitment.objects.filter(state=Commitment.State.OPEN).count() >= 2
    assert Commitment.objects.exclude(follow_up_on=None).filter(follow_up_on__gt=today).count() == 0

    # Suggestions: 2-3 grouping 3-6 items each; one answered, its items replied; the demo representative leads it.
    suggestions = Suggestion.objects.annotate(n=Count("petitions"))
    assert 2 <= suggestions.count() <= 3 and all(3 <= s.n <= 6 for s in suggestions)
    replied = suggestions.get(status=Suggestion.Status.REPLIED)
    assert replied.lead_representative.user == rep
    assert set(replied.petitions.values_list("status", flat=True)) == {Status.REPLIED}
    assert SuggestionEvent.objects.filter(suggestion=replied, kind="replied").count() == 1
    assert client_for(rep).get(reverse("petitions:suggestion_detail", args=[replied.pk])).status_code == 200

    # Reply templates for the common categories, besides the four general ones.
    assert ReplyTemplate.objects.filter(category__isnull=False).values("category").distinct().count() >= 8

    # The resident's side: a closed item's tracking page tells its story; its station shows results.
    closed = (
        Petition.objects.filter(status=Status.CLOSED, route=Route.DIRECT, round=1).exclude(public_result="").first()
    )
    kinds = list(closed.events.filter(is_public=True).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[0] == PetitionEventKind.REGISTERED and kinds[-1] == PetitionEventKind.CLOSED
    assert {PetitionEventKind.ASSIGNED, PetitionEventKind.DEPARTMENT_REPLIED, PetitionEventKind.FED_BACK} <= set(kinds)
    page = client.get(reverse("tracking:detail", args=[closed.tracking_number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert closed.handling_summary[:30] in html and closed.lead_department.name in html
    assert closed.petitioner_name not in html or not closed.petitioner_name
    station_page = client.get(reverse("public:station", args=[closed.station.public_code]))
    assert closed.public_result in station_page.content.decode()
