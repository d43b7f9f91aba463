"""The handling story of the demo petitions (`seed_demo`): who each item went to, what was
answered, fed back and rated, with one history row per move, as `petitions.handling.services` writes them.

`demo.seed_demo_petitions` draws the items (`demo.Maker`: a status that fits each item's age);
`DemoHandling.plan` then settles how far each item's handling has come and writes on the item
the values its row needs (status, route, department, deadline, dates, outcome, feedback,
rating, round), move by move in time order: triage (分类), assignment with a lead and sometimes
a co-handler (交办, deadlines by the office's working-day rules), acceptance (接单), progress,
the co-handler's part, extension requests, returns (退回), the reply with its class A–D (办复),
feedback (反馈), ratings (测评; "dissatisfied" in the first round reopens the item for round 2),
close-out (销号), and the routes without a department (consultation, on the spot, referred up,
cannot be handled, representative suggestion). `DemoHandling.write` writes the rows once the
petitions exist, every table with bulk_create: the services stamp "now", the demo lives in
the past. Nothing is dated after the moment the demo is made.

Demo accounts act where one exists (`office`, `staff`, `rep`, `dept` of 区住房和城乡建设委员会);
other departments, representatives and stations' liaison officers appear by name
(`actor_label`), residents rating online as `services.RESIDENT`. The public texts are the
services' own sentences, so the tracking page reads as for a real case.

Besides the ordinary flow a few cases are set up on purpose, so every page has something
to show: items for the demo department in each tab of its desk (to accept, in hand,
co-handling, answered, returned), extension requests (approved, refused, one pending), a
handful of returned items back in triage, 10–20 items in the office's triage list, a few
overdue and a few amber deadlines, one item in its second round, three representative
suggestions (one answered), three supervision notices (one answered) and the department
heads' commitments of the seeds ("16 heads rated: 13 satisfied, 3 basically satisfied").
"""

import random
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models.functions import Length
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison import workdays
from petitions.demo import texts
from petitions.demo.petitions import STATUS_BY_AGE, Item, Network
from petitions.handling.services import suggestion_deadline
from petitions.ledger.services import RESIDENT
from petitions.models import (
    Assignment,
    Category,
    Commitment,
    DeadlineRule,
    DepartmentReply,
    ExtensionRequest,
    FeedbackMethod,
    Outcome,
    PetitionEvent,
    Rating,
    ReplyTemplate,
    Route,
    Satisfaction,
    Status,
    Suggestion,
    SuggestionEvent,
    SupervisionNotice,
    Urgency,
)
from petitions.suggestions.services import _NUMBER_SEQ, NUMBER_FORMAT, NUMBER_PREFIX
from petitions.supervision.services import NOTICE_NUMBER_PREFIX, NOTICE_NUMBER_SUFFIX
from stations.demo.network import DISTRICT_DEPARTMENTS, HOUSING_DEPARTMENT, person_name
from stations.models import LiaisonOfficer, Representative, StationKind

K = PetitionEvent.Kind
IN_HAND = frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS})
DIRECT = IN_HAND | {Status.REPLIED, Status.FED_BACK, Status.RATED, Status.CLOSED}
# Answered without a department: the route, the history row's kind, the answers, the public prefix.
WITHOUT_DEPARTMENT = {
    Status.CONSULTED: (
        Route.CONSULTATION,
        K.CONSULTED,
        texts.CONSULTATIONS,
        lambda: _("Answer after consulting the department: %(text)s"),
    ),
    Status.ON_THE_SPOT: (
        Route.ON_THE_SPOT,
        K.ON_THE_SPOT,
        texts.ON_THE_SPOT_ANSWERS,
        lambda: _("Handed over on the spot: %(text)s"),
    ),
    Status.ESCALATED: (
        Route.ESCALATE,
        K.ESCALATED,
        texts.ESCALATIONS,
        lambda: _("Referred to a higher level: %(text)s"),
    ),
    Status.CANNOT_HANDLE: ("", K.CANNOT_HANDLE, texts.EXPLANATIONS, lambda: _("Explanation: %(text)s")),
}
ORDER = {Satisfaction.DISSATISFIED: 0, Satisfaction.BASICALLY: 1, Satisfaction.SATISFIED: 2}

# The office's triage list holds what the last reception days brought: between these many items.
TRIAGE_LIST = (10, 18)
# Items assigned this many working days ago or more have been accepted (nobody leaves one waiting).
PENDING_AT_MOST = 2
# Items in hand past their deadline that stay overdue (the others were answered in the meantime).
OVERDUE_KEPT = 5
# The demo department asked for more time on items in hand whose deadline passed at most this many working days ago.
EXTENDED_AT_MOST = 20
CO_HANDLED = 0.2
TRIAGED_FIRST = 0.3
OUTCOMES = ((Outcome.SOLVED, 70), (Outcome.PLANNED, 20), (Outcome.NOT_NOW, 7), (Outcome.REFERENCE, 3))
# The first round's overall rating (the seeds: most satisfied, few not); a dissatisfied one reopens the item.
FIRST_ROUND = ((Satisfaction.SATISFIED, 85), (Satisfaction.BASICALLY, 12), (Satisfaction.DISSATISFIED, 3))
SECOND_ROUND = ((Satisfaction.SATISFIED, 50), (Satisfaction.BASICALLY, 40), (Satisfaction.DISSATISFIED, 10))
NO_REOPEN = ((Satisfaction.SATISFIED, 87), (Satisfaction.BASICALLY, 13))
METHODS = (
    (FeedbackMethod.PHONE, 45),
    (FeedbackMethod.IN_PERSON, 30),
    (FeedbackMethod.LETTER, 15),
    (FeedbackMethod.SMS, 10),
)
PUBLIC_RESULT_SHARE = 1 / 3
# Answered without a department: older items were fed back (and mostly closed) since.
FED_BACK_AFTER_DAYS, CLOSED_AFTER_DAYS = 20, 45


def _draw(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _head_title(name: str) -> str:
    for ending, title in (
        ("委员会", "主任"),
        ("分局", "局长"),
        ("局", "局长"),
        ("支队", "支队长"),
        ("公司", "总经理"),
        ("检察院", "检察长"),
        ("法院", "院长"),
        ("办公室", "主任"),
    ):
        if name.endswith(ending):
            return title
    return "负责人"


# --------------------------------------------------------------------------- rows to write


@dataclass
class Ref:
    """A value known once the rows are saved: an attribute of a model instance (a pk, a number)."""

    obj: object
    attr: str = "pk"


@dataclass
class Step:
    kind: str
    at: datetime
    actor: object  # a User or None
    label: str
    from_status: str
    to_status: str
    data: dict
    public_text: str


@dataclass
class Story:
    """One item's handling as it is planned, then the rows it needs."""

    item: Item
    status: str  # where the item ends up
    age: int = 0  # calendar days since received
    scenario: str = ""  # a case set up on purpose (see DemoHandling.plan)
    protected: bool = False  # an online item still waiting for its first reply: left as it is
    route: str = ""
    answer: str = ""  # the status it was answered with when there was no department
    lead: int | None = None
    co: int | None = None
    d0: date | None = None  # the day the office routed it
    red: bool = False  # kept overdue
    extension: str = ""  # approved | refused | pending | answered (approved, then replied)
    reopen: bool = False
    late_notice: bool = False  # replied late after a supervision notice
    # while it is told
    state: str = Status.REGISTERED
    round: int = 1
    cursor: datetime | None = None
    version: int = 0
    result: str = ""
    plan_rating: tuple = ()
    lead_share: Assignment | None = None
    co_share: Assignment | None = None
    request: ExtensionRequest | None = None
    steps: list = field(default_factory=list)
    shares: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    @property
    def values(self) -> dict:
        return self.item.values

    @property
    def received_on(self) -> date:
        return self.item.values["received_on"]

    @property
    def free(self) -> bool:
        return not self.protected and not self.scenario


class Calendar:
    """Working days of the demo year as a sorted list: `add` and `between` by bisection
    (`liaison.workdays` walks day by day; the demo asks tens of thousands of times)."""

    def __init__(self, today: date):
        cal = workdays.current()
        start, end = today - timedelta(days=800), today + timedelta(days=400)
        self.days = [
            start + timedelta(days=i)
            for i in range((end - start).days)
            if cal.is_working_day(start + timedelta(days=i))
        ]
        self.is_working = set(self.days)

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 0; 0 is the day itself)."""
        if n <= 0:
            return day
        return self.days[bisect_right(self.days, day) + n - 1]

    def back(self, day: date, n: int) -> date:
        """The n-th working day before `day`."""
        return self.days[bisect_left(self.days, day) - n]

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        return max(0, bisect_right(self.days, end) - bisect_right(self.days, start))

    def next_working_day(self, day: date) -> date:
        return day if day in self.is_working else self.add(day, 1)

    def previous_working_day(self, day: date) -> date:
        return day if day in self.is_working else self.back(day, 1)


# --------------------------------------------------------------------------- the plan


class DemoHandling:
    """Used in three steps by `demo.seed_demo_petitions`: `plan(items)` before anything is saved (it
    sets the items' values), `before_petitions(items, report)` inside the transaction (the
    suggestions the petitions point to), `write(petitions, report)` once the petitions are saved."""

    def __init__(self, *, net: Network, rng: random.Random, today: date, now: datetime, users: dict, staffed):
        self.net, self.rng, self.today, self.now = net, rng, today, now
        self.tz = timezone.get_current_timezone()
        self.cal = Calendar(today)
        self.last_work = self.cal.previous_working_day(today)
        self.office, self.staff, self.rep_user, self.dept_user = (
            users.get(k) for k in ("office", "staff", "rep", "dept")
        )
        self.rep_id = (
            Representative.objects.filter(user=self.rep_user).values_list("pk", flat=True).first()
            if self.rep_user
            else None
        )
        self.staffed = set(staffed)
        self.officers = {}
        for station_id, name in (
            LiaisonOfficer.objects.filter(station__in=[s.pk for s in net.stations])
            .order_by("pk")
            .values_list("station_id", "name")
        ):
            self.officers.setdefault(station_id, name)
        self.housing = net.departments.get(HOUSING_DEPARTMENT)
        self.names = net.department_names
        self.stations = {s.pk: s for s in net.stations}
        self.rules = {Urgency.URGENT: (3, 2), Urgency.NORMAL: (15, 10)}
        for urgency, days, co_days in DeadlineRule.objects.filter(route=Route.DIRECT).values_list(
            "urgency", "working_days", "co_working_days"
        ):
            self.rules[urgency] = (days, co_days)
        self.category_ids = net.categories
        self.templates = {}
        for category, text in texts.TEMPLATES:
            self.templates.setdefault(category, []).append(text)
        self.replies = {}
        for category, outcome, reply, result in texts.REPLIES:
            self.replies.setdefault((category, outcome), []).append((reply, result))
        self.stories: list[Story] = []
        self.suggestions: list[tuple[Suggestion, list[Story], list[SuggestionEvent], list[int]]] = []

    # ----------------------------------------------------------------- what happens to whom

    def plan(self, items: list[Item]) -> None:
        """Settle every item's handling and write its values; rows come in `write`."""
        for item in items:
            v = item.values
            story = Story(item, v["status"], age=(self.today - v["received_on"]).days)
            # Online items a representative still owes a first reply to came in hours ago: not routed yet.
            story.protected = bool(v["first_reply_due_at"] and not v["first_replied_at"])
            if story.protected:
                story.status = Status.REGISTERED
            story.cursor = v["registered_at"]
            self.stories.append(story)
        # Nothing waits for triage for weeks, and an item is part of a suggestion only when one was drafted.
        cut = self.cal.back(self.last_work, 3)
        for s in self.stories:
            if s.protected:
                continue
            if s.status == Status.SUGGESTION or (
                s.status in (Status.REGISTERED, Status.TRIAGED) and s.received_on < cut
            ):
                s.status = self._redraw(s)
        self._scenarios()
        self._triage_list(cut)
        for s in self.stories:
            if s.status in DIRECT and not s.scenario:
                self._prepare_direct(s)
        self._overdue()
        self._notice_on_red()
        for s in self.stories:
            self._tell(s)
        for s in self.stories:
            self._finish_values(s)

    def _redraw(self, s: Story) -> str:
        """A routed status that fits the item's age (demo.STATUS_BY_AGE without the waiting ones)."""
        pairs = next(c for limit, c in STATUS_BY_AGE if limit is None or s.age < limit)
        pairs = [(st, w) for st, w in pairs if st not in (Status.REGISTERED, Status.TRIAGED, Status.SUGGESTION)]
        return _draw(self.rng, pairs)

    def _pick(self, n: int, *, since: date, until: date, categories=(), where=lambda s: True) -> list[Story]:
        """`n` free items received between the two dates, those of `categories` first; the others
        are given a petition of one of `categories` (its text and category)."""
        pool = [s for s in self.stories if s.free and since <= s.received_on <= until and where(s)]
        self.rng.shuffle(pool)
        pool.sort(key=lambda s: s.item.category not in categories)
        chosen = pool[:n]
        for s in chosen:
            s.scenario = "picked"
            if categories and s.item.category not in categories:
                self._retopic(s, self.rng.choice(categories))
        return chosen

    def _retopic(self, s: Story, category: str) -> None:
        rng, v = self.rng, s.values
        if category not in self.templates or category not in self.category_ids:
            return
        road, road2 = rng.sample(texts.ROADS, 2)
        place = s.item.place or self.stations[v["station_id"]].place
        v["content"] = rng.choice(self.templates[category]).format(
            place=place, road=road, road2=road2, b=rng.randint(1, 30), n=rng.randint(2, 9), y=rng.randint(3, 9)
        )
        v["category_id"] = self.category_ids[category]
        s.item.category = category

    def _days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def _scenarios(self) -> None:
        """The cases set up on purpose (module docstring); each takes free items of a fitting age."""
        housing = ("物业管理", "老旧小区改造", "加装电梯", "住房保障")
        wd = self.cal.between
        days, _co = self.rules[Urgency.NORMAL]
        normal = lambda s: s.values["urgency"] == Urgency.NORMAL
        if self.housing:
            # The demo department's desk: to accept, in hand (with extensions), co-handling, answered, returned.
            for s in self._pick(
                2,
                since=self.cal.back(self.last_work, 2),
                until=self.today,
                categories=housing,
                where=lambda s: s.values["channel"] not in ("qr", "wechat"),
            ):
                self._direct(s, Status.ASSIGNED, lead=self.housing)
            for s in self._pick(
                1,
                since=self._days_ago(40),
                until=self._days_ago(10),
                categories=housing,
                where=lambda s: normal(s) and days - 5 <= wd(s.received_on, self.last_work) <= days - 1,
            ):
                self._direct(s, Status.IN_PROGRESS, lead=self.housing, extension="pending")
            for s in self._pick(
                1,
                since=self._days_ago(60),
                until=self._days_ago(25),
                categories=housing,
                where=lambda s: normal(s) and days + 5 <= wd(s.received_on, self.last_work) <= days + 20,
            ):
                self._direct(s, Status.IN_PROGRESS, lead=self.housing, extension="refused")
                s.red = True
            for s in self._pick(
                1,
                since=self._days_ago(70),
                until=self._days_ago(25),
                categories=housing,
                where=lambda s: normal(s) and wd(s.received_on, self.last_work) >= days + 3,
            ):
                self._direct(s, Status.ACCEPTED, lead=self.housing, extension="approved")
            co_categories = tuple(c for c, names in texts.CO_HANDLERS.items() if HOUSING_DEPARTMENT in names)
            for s in self._pick(
                2, since=self._days_ago(16), until=self._days_ago(5), categories=co_categories, where=normal
            ):
                lead = self._lead_for(s, exclude=self.housing)
                self._direct(s, Status.IN_PROGRESS, lead=lead, co=self.housing)
            for s in self._pick(
                1,
                since=self._days_ago(90),
                until=self._days_ago(35),
                categories=housing,
                where=lambda s: normal(s) and wd(s.received_on, self.last_work) >= days + 10,
            ):
                self._direct(s, Status.REPLIED, lead=self.housing)
                s.late_notice = True
            for s in self._pick(1, since=self._days_ago(75), until=self._days_ago(20), categories=housing):
                self._direct(s, Status.FED_BACK, lead=self.housing, extension="answered" if normal(s) else "")
            for s in self._pick(1, since=self._days_ago(20), until=self._days_ago(6), categories=("物业管理",)):
                self._direct(s, Status.TRIAGED, lead=self.housing)
                s.scenario = "returned"
            for s in self._pick(
                1,
                since=self._days_ago(80),
                until=self._days_ago(30),
                categories=housing,
                where=lambda s: self._street_office(s) is not None,
            ):
                self._direct(s, _draw(self.rng, ((Status.CLOSED, 2), (Status.REPLIED, 1))), lead=self.housing)
                s.scenario = "reassigned"
        # Returned by other departments, back in the office's triage list.
        for s in self._pick(2, since=self._days_ago(20), until=self._days_ago(6)):
            lead = self._lead_for(s, exclude=self.housing)
            self._direct(s, Status.TRIAGED, lead=lead)
            s.scenario = "returned"
        # One item in its second round: rated "dissatisfied", now in hand again.
        for s in self._pick(1, since=self._days_ago(45), until=self._days_ago(28), where=normal):
            self._direct(s, Status.IN_PROGRESS, lead=self._lead_for(s, exclude=self.housing))
            s.reopen = True
        # Each route without a department has an item still at its answer (the others were fed back since).
        for status in WITHOUT_DEPARTMENT:
            for s in self._pick(1, since=self._days_ago(40), until=self._days_ago(5)):
                s.status, s.scenario = status, "kept"
        self._plan_suggestions()

    def _direct(self, s: Story, status: str, *, lead, co=None, extension="") -> None:
        s.status, s.route, s.lead, s.co, s.extension = status, Route.DIRECT, lead, co, extension
        s.scenario = s.scenario if s.scenario != "picked" else "forced"
        s.d0 = self._assign_day(s)

    def _triage_list(self, cut: date) -> None:
        """What the last reception days brought waits in the office's triage list: TRIAGE_LIST items."""
        waiting = [s for s in self.stories if s.status in (Status.REGISTERED, Status.TRIAGED)]
        low, high = TRIAGE_LIST
        extra = len(waiting) - high
        if extra > 0:
            movable = sorted((s for s in waiting if s.free), key=lambda s: s.values["registered_at"])
            for s in movable[:extra]:
                s.status = _draw(self.rng, ((Status.ASSIGNED, 60), (Status.ON_THE_SPOT, 25), (Status.CONSULTED, 15)))
        elif len(waiting) < low:
            recent = [
                s
                for s in self.stories
                if s.free and s.received_on >= cut and s.status not in (Status.REGISTERED, Status.TRIAGED)
            ]
            for s in recent[: low - len(waiting)]:
                s.status = Status.REGISTERED

    def _assign_day(self, s: Story) -> date:
        """The office routes what came in within two working days (LIAISON_TRIAGE_WORKING_DAYS)."""
        start = s.received_on
        day = self.cal.next_working_day(start)
        if s.values["urgency"] != Urgency.URGENT:
            day = self.cal.add(day, self.rng.choice((0, 0, 1, 1, 2)))
        if day > self.last_work:
            day = max(start, self.last_work)
        return day

    def _street_office(self, s: Story) -> int | None:
        station = self.stations[s.values["station_id"]]
        return self.net.offices.get(station.code[:9] + "000")

    def _lead_for(self, s: Story, *, exclude=None) -> int | None:
        """A bureau of the item's category, or its street office (demo.Maker's choice)."""
        names = [n for n in texts.CATEGORY_DEPARTMENTS.get(s.item.category, ()) if n in self.net.departments]
        candidates = [self.net.departments[n] for n in names if self.net.departments[n] != exclude]
        office = self._street_office(s)
        if not candidates or self.rng.random() < 0.2:
            return office or (candidates[0] if candidates else None)
        return self.rng.choice(candidates)

    def _co_for(self, s: Story) -> int | None:
        names = texts.CO_HANDLERS.get(s.item.category) or DISTRICT_DEPARTMENTS[:26]
        ids = [
            self.net.departments[n] for n in names if n in self.net.departments and self.net.departments[n] != s.lead
        ]
        return self.rng.choice(ids) if ids else None

    def _prepare_direct(self, s: Story) -> None:
        v = s.values
        s.lead = v["lead_department_id"] or self._lead_for(s)
        if s.lead is None:  # no department at all: answered as a consultation instead
            s.status = Status.CONSULTED
            return
        s.route = Route.DIRECT
        if self.rng.random() < CO_HANDLED:
            s.co = self._co_for(s)
        s.d0 = self._assign_day(s)
        if s.status == Status.ASSIGNED and s.d0 < self.cal.back(self.last_work, PENDING_AT_MOST):
            s.status = _draw(self.rng, ((Status.ACCEPTED, 1), (Status.IN_PROGRESS, 2)))
        due = self.cal.add(s.d0, self.rules[v["urgency"]][0])
        if s.status in IN_HAND and due < self.today:
            recent = self.cal.between(due, self.last_work) <= EXTENDED_AT_MOST
            if recent and s.lead == self.housing and self.dept_user and v["urgency"] == Urgency.NORMAL:
                s.extension = "approved"
            else:
                s.red = True

    def _overdue(self) -> None:
        """Of the items in hand past their deadline, OVERDUE_KEPT stay overdue; the others have been answered."""
        late = [s for s in self.stories if s.red and not s.scenario]
        self.rng.shuffle(late)
        late.sort(key=lambda s: s.d0, reverse=True)  # the most recently due stay overdue
        for s in late[OVERDUE_KEPT:]:
            s.red = False
            s.status = _draw(self.rng, ((Status.REPLIED, 4), (Status.FED_BACK, 3), (Status.CLOSED, 3)))

    def _notice_on_red(self) -> None:
        """A supervision notice to another department on one overdue item (open)."""
        red = [s for s in self.stories if s.red and not s.scenario and s.lead != self.housing]
        if red:
            red[0].scenario = "notice"

    # ----------------------------------------------------------------- telling one item

    def _tell(self, s: Story) -> None:
        if s.protected or s.status == Status.REGISTERED:
            return
        if s.status == Status.SUGGESTION or s.scenario == "suggestion":
            return  # told with its suggestion (_tell_suggestions)
        if s.route == Route.DIRECT or s.status in DIRECT:
            if s.route != Route.DIRECT:
                self._prepare_direct(s)
                if s.status not in DIRECT:
                    return self._tell(s)
            return self._tell_direct(s)
        if s.status == Status.TRIAGED:
            day = self._assign_day(s)
            self._triage(s, day)
            return
        if s.status in WITHOUT_DEPARTMENT:
            return self._tell_without_department(s)

    def _at(self, s: Story, day: date) -> datetime:
        """A moment in office hours of `day`, after everything the item has seen so far, never after now."""
        rng, cursor = self.rng, s.cursor
        day = min(day, self.today)
        if day > timezone.localtime(cursor, self.tz).date():
            minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
            at = timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)), self.tz)
        else:
            at = cursor + timedelta(minutes=rng.randint(10, 150))
        if at >= self.now:
            at = cursor + (self.now - cursor) * rng.uniform(0.2, 0.6)
        s.cursor = at
        return at

    def _day(self, s: Story, offset: int) -> date:
        day = self.cal.add(s.d0, offset)
        return min(day, max(s.d0, self.last_work))

    def _who(self, department_id) -> tuple:
        if department_id == self.housing and self.dept_user:
            return self.dept_user, ""
        return None, self.names.get(department_id, "")

    def _move(self, s: Story, kind, at, who, *, to=None, data=None, public="") -> None:
        old = s.state
        new = to or old
        s.steps.append(
            Step(kind, at, who[0], who[1], old if new != old else "", new if new != old else "", data or {}, public)
        )
        s.state = new
        s.version += 1

    def _triage(self, s: Story, day: date) -> None:
        at = self._at(s, day)
        s.values["route"] = Route.DIRECT
        self._move(
            s,
            K.TRIAGED,
            at,
            (self.office, ""),
            to=Status.TRIAGED,
            data={"route": Route.DIRECT, "changes": {}, "note": ""},
            public=_("Your item has been sorted and will be assigned to the department responsible."),
        )

    def _tell_direct(self, s: Story) -> None:
        """Build the item's moves as working-day offsets from the day it was routed, squeeze them into
        the time there was (until today), then run them."""
        rng, v = self.rng, s.values
        urgent = v["urgency"] == Urgency.URGENT
        days, co_days = self.rules[v["urgency"]]
        avail = self.cal.between(s.d0, self.last_work)
        target = s.status
        ops = []
        if not urgent and rng.random() < TRIAGED_FIRST:
            ops.append((0, "triage"))
        ops.append((0, "assign", s.lead, s.co))
        acc = 0 if urgent else rng.choice((0, 1, 1, 2))
        # The first round's rating is drawn now: a "dissatisfied" one needs the second round's moves.
        s.plan_rating = (_draw(rng, FIRST_ROUND if not s.scenario else NO_REOPEN),)
        if s.scenario == "returned":
            back = min(avail, acc + rng.randint(1, 3))
            if rng.random() < 0.5 and back > acc:
                ops.append((acc, "accept"))
            ops.append((back, "return", rng.choice(texts.RETURN_REASONS)))
            return self._run(s, ops)
        if s.scenario == "reassigned":
            back = acc + rng.randint(1, 3)
            office = self._street_office(s)
            ops += [
                (acc, "accept"),
                (back, "return", texts.RETURN_TO_OFFICE),
                (back + rng.randint(0, 1), "assign", office, None),
            ]
            s.lead = office
            s.plan_rating = (_draw(rng, NO_REOPEN),)
            acc = back + 1 + rng.randint(0, 1)
            days_left = avail - acc
            reply = acc + min(rng.randint(4, 12), max(1, days_left - 12))
            ops += [(acc, "accept"), (reply, "reply")]
            if target == Status.CLOSED:
                ops += [(reply + 2, "feed_back"), (reply + 4, "rate"), (reply + 7, "close")]
            return self._run(s, self._squeeze(ops, avail))
        if s.reopen:
            s.plan_rating = (Satisfaction.DISSATISFIED,)
            again = max(6, avail - rng.randint(4, 9))
            reply = max(acc + 1, again - rng.randint(3, 5))
            ops += [
                (acc, "accept"),
                (reply, "reply"),
                (min(reply + 1, again), "feed_back"),
                (again, "rate", Satisfaction.DISSATISFIED),
                (min(again + rng.randint(0, 1), avail), "accept"),
            ]
            ops.append((min(again + rng.randint(1, 3), avail), "progress"))
            return self._run(s, ops)
        if target == Status.ASSIGNED:
            return self._run(s, ops)
        ops.append((acc, "accept"))
        due = days
        if target in IN_HAND:
            # In hand today: progress so far, the co-handler's part, extensions, a notice.
            if s.extension == "pending":
                ask = max(acc + 1, avail - rng.randint(0, 2))
                ops.append((ask, "ext_request", "pending"))
            elif s.extension in ("approved", "refused"):
                ask = max(acc + 1, due - rng.randint(2, 3))
                ops += [(ask, "ext_request", s.extension), (ask + 1, "ext_decide", s.extension == "approved")]
            if s.extension == "refused" or s.scenario == "notice":
                ops.append((max(due + 1, avail - rng.randint(1, 4)), "notice", False))
            if target == Status.IN_PROGRESS:
                ops.append((rng.randint(min(acc + 1, avail), max(acc + 1, avail)), "progress"))
            if s.co and s.co != self.housing and rng.random() < 0.5:
                ops.append((min(avail, acc + rng.randint(1, co_days - 1)), "contribute"))
            ops.sort(key=lambda op: op[0])
            return self._run(s, [(min(o, avail), *rest) for o, *rest in ops])
        # Answered: the reply, before the deadline mostly.
        if urgent:
            reply = acc + rng.randint(1, 2)
        elif s.late_notice:
            notice = due + rng.randint(1, 2)
            reply = notice + rng.randint(1, 3)
            ops.append((notice, "notice", True))
        elif s.extension == "answered":
            ask = due - rng.randint(2, 3)
            ops += [(ask, "ext_request", "approved"), (ask + 1, "ext_decide", True)]
            reply = due + rng.randint(2, 8)
        elif rng.random() < 0.06:
            reply = due + rng.randint(1, 4)  # a little late
        else:
            reply = acc + rng.randint(3, due - acc - 1)
        if reply - acc >= 2 and rng.random() < 0.4:
            ops.append((rng.randint(acc + 1, reply - 1), "progress"))
        if s.co:
            ops.append(
                (min(reply - 1, acc + rng.randint(1, co_days)), "contribute") if rng.random() < 0.8 else (reply, "noop")
            )
        ops.append((reply, "reply"))
        after = reply
        rated = target in (Status.RATED, Status.CLOSED)
        for status, name, gap in ((Status.FED_BACK, "feed_back", (1, 4)), (Status.RATED, "rate", (0, 5))):
            if target == status or _beyond(target, status):
                after += rng.randint(*gap)
                ops.append((after, name))
        if rated and s.plan_rating[0] == Satisfaction.DISSATISFIED:
            # Reopened: the same department answers once more, is fed back and rated again.
            after += rng.randint(0, 2)
            ops.append((after, "accept"))
            after += rng.randint(3, 10)
            ops.append((after, "reply"))
            after += rng.randint(1, 3)
            ops.append((after, "feed_back"))
            after += rng.randint(0, 3)
            ops.append((after, "rate"))
        if target == Status.CLOSED:
            ops.append((after + rng.randint(1, 8), "close"))
        ops.sort(key=lambda op: op[0])
        self._run(s, self._squeeze(ops, avail))

    @staticmethod
    def _squeeze(ops, avail: int):
        """The same moves in the working days there were: offsets scaled down when the last is too late."""
        last = max(op[0] for op in ops)
        if last <= avail:
            return ops
        return [(op[0] * avail // last, *op[1:]) for op in ops]

    def _run(self, s: Story, ops) -> None:
        for offset, name, *args in ops:
            getattr(self, f"_op_{name}")(s, self._day(s, offset), *args)

    # ----------------------------------------------------------------- the moves (as petitions.handling.services writes them)

    def _op_noop(self, s, day):
        pass

    def _op_triage(self, s, day):
        self._triage(s, day)

    def _op_assign(self, s, day, department, co):
        v, rng = s.values, self.rng
        at = self._at(s, day)
        days, co_days = self.rules[v["urgency"]]
        local = timezone.localtime(at, self.tz).date()
        due, co_due = self.cal.add(local, days), self.cal.add(local, co_days)
        lead = Assignment(
            department_id=department,
            role=Assignment.Role.LEAD,
            round=s.round,
            due_on=due,
            assigned_at=at,
            assigned_by=self.office,
        )
        s.shares.append(lead)
        s.lead_share, s.co_share = lead, None
        if co:
            s.co_share = Assignment(
                department_id=co,
                role=Assignment.Role.CO,
                round=s.round,
                due_on=min(co_due, due),
                assigned_at=at,
                assigned_by=self.office,
            )
            s.shares.append(s.co_share)
        if not v.get("responsible_leader") and rng.random() < 0.5:
            v["responsible_leader"] = f"{person_name(rng, rng.choice('MF'))}（{rng.choice(texts.RESPONSIBLE_TITLES)}）"
        v.update(lead_department_id=department, due_on=due, route=Route.DIRECT, assigned_at=at)
        name = self.names[department]
        self._move(
            s,
            K.ASSIGNED,
            at,
            (self.office, ""),
            to=Status.ASSIGNED,
            data={
                "department": name,
                "co_departments": [self.names[co]] if co else [],
                "due_on": str(due),
                "co_due_on": str(s.co_share.due_on) if co else "",
                "responsible_leader": v.get("responsible_leader", ""),
                "note": "",
            },
            public=_("Your item has been assigned to %(department)s, to be answered by %(due)s.")
            % {"department": name, "due": date_format(due, "Y-m-d")},
        )

    def _op_accept(self, s, day):
        share = s.lead_share
        at = self._at(s, day)
        share.state, share.accepted_at = Assignment.State.ACCEPTED, at
        name = self.names[share.department_id]
        self._move(
            s,
            K.ACCEPTED,
            at,
            self._who(share.department_id),
            to=Status.ACCEPTED,
            data={"department": name},
            public=_("%(department)s has taken your item on.") % {"department": name},
        )

    def _op_progress(self, s, day):
        share = s.lead_share
        at = self._at(s, day)
        text = self.rng.choice(texts.PROGRESS)
        public = self.rng.random() < 0.8
        self._move(
            s,
            K.PROGRESS,
            at,
            self._who(share.department_id),
            to=Status.IN_PROGRESS,
            data={"department": self.names[share.department_id], "text": text, "public": public},
            public=_("Progress: %(text)s") % {"text": text} if public else "",
        )

    def _op_contribute(self, s, day):
        share = s.co_share
        if share is None or not share.is_open:
            return
        at = self._at(s, day)
        name = self.names[share.department_id]
        share.note = self.rng.choice(texts.CONTRIBUTIONS).format(dept=name)
        share.state, share.done_at, share.accepted_at = Assignment.State.DONE, at, at
        self._move(s, K.CONTRIBUTED, at, self._who(share.department_id), data={"department": name, "text": share.note})

    def _op_ext_request(self, s, day, kind):
        share = s.lead_share
        if share.department_id != self.housing or not self.dept_user:
            return
        at = self._at(s, day)
        if kind == "approved" and s.status in IN_HAND:
            # Granted up to a date still ahead: some of these are the amber ones.
            wanted = self.cal.add(self.last_work, self.rng.choice((1, 2, 3, 5, 8, 10)))
        else:
            wanted = self.cal.add(share.due_on, 10)
        request = ExtensionRequest(
            assignment=share,
            requested_by=self.dept_user,
            reason=self.rng.choice(texts.EXTENSION_REASONS),
            current_due_on=share.due_on,
            requested_due_on=max(wanted, self.cal.add(share.due_on, 1)),
            created_at=at,
        )
        s.request = request
        s.extensions.append(request)
        self._move(
            s,
            K.EXTENSION_REQUESTED,
            at,
            self._who(share.department_id),
            data={
                "department": self.names[share.department_id],
                "request": Ref(request),
                "from": str(request.current_due_on),
                "to": str(request.requested_due_on),
                "reason": request.reason,
            },
        )

    def _op_ext_decide(self, s, day, approve):
        request, share = s.request, s.lead_share
        if request is None:
            return
        at = self._at(s, day)
        request.decided_by, request.decided_at = self.office, at
        name = self.names[share.department_id]
        if approve:
            request.state, request.decision_note = ExtensionRequest.State.APPROVED, texts.EXTENSION_APPROVED
            share.due_on = request.requested_due_on
            s.values["due_on"] = share.due_on
            self._move(
                s,
                K.EXTENSION_APPROVED,
                at,
                (self.office, ""),
                data={
                    "from": str(request.current_due_on),
                    "to": str(share.due_on),
                    "department": name,
                    "request": Ref(request),
                    "note": request.decision_note,
                },
                public=_("The deadline was extended to %(due)s.") % {"due": date_format(share.due_on, "Y-m-d")},
            )
        else:
            request.state, request.decision_note = ExtensionRequest.State.REFUSED, texts.EXTENSION_REFUSED
            self._move(
                s,
                K.EXTENSION_REFUSED,
                at,
                (self.office, ""),
                data={
                    "due_on": str(request.current_due_on),
                    "department": name,
                    "request": Ref(request),
                    "note": request.decision_note,
                },
            )
        s.request = None

    def _op_return(self, s, day, reason):
        share = s.lead_share
        at = self._at(s, day)
        share.state, share.done_at, share.note = Assignment.State.RETURNED, at, reason
        if s.co_share is not None and s.co_share.is_open:
            s.co_share.state, s.co_share.done_at = Assignment.State.LAPSED, at
        s.values.update(lead_department_id=None, due_on=None, assigned_at=None)
        self._move(
            s,
            K.RETURNED,
            at,
            self._who(share.department_id),
            to=Status.TRIAGED,
            data={"department": self.names[share.department_id], "reason": reason},
        )

    def _op_notice(self, s, day, answered):
        """A supervision notice (督办单) on the item: the office presses the lead department."""
        share = s.lead_share
        if self.office is None or not share.is_open:
            return
        at = self._at(s, day)
        local = timezone.localtime(at, self.tz).date()
        due = self.cal.add(local, self.rng.randint(3, 5))
        notice = SupervisionNotice(
            department_id=share.department_id,
            jurisdiction_id=self.office.jurisdiction_id,
            requirement=texts.SUPERVISION_REQUIREMENT.format(due=date_format(due, "Y年n月j日")),
            due_on=due,
            issued_by=self.office,
            issued_at=at,
        )
        s.notices.append((notice, answered))
        s.steps.append(
            Step(
                K.SUPERVISED,
                at,
                self.office,
                "",
                "",
                "",
                {
                    "number": Ref(notice, "number"),
                    "subject": Ref(notice, "subject"),
                    "due_on": str(due),
                    "department": self.names[share.department_id],
                    "notice": Ref(notice),
                },
                "",
            )
        )

    def _op_reply(self, s, day):
        rng, v, share = self.rng, s.values, s.lead_share
        at = self._at(s, day)
        outcome = _draw(rng, OUTCOMES)
        name = self.names[share.department_id]
        reply, result = rng.choice(self.replies.get((s.item.category, outcome)) or [texts.GENERIC_REPLIES[outcome]])
        when = timezone.localtime(at, self.tz) - timedelta(days=rng.randint(1, 5))
        fill = {"dept": name, "place": s.item.place, "m": when.month, "d": when.day, "n": rng.randint(2, 5)}
        text, s.result = reply.format(**fill), result.format(**fill)
        row = DepartmentReply(
            assignment=share,
            department_id=share.department_id,
            author=self._who(share.department_id)[0],
            outcome=outcome,
            text=text,
            round=s.round,
            created_at=at,
        )
        s.replies.append(row)
        share.state, share.done_at = Assignment.State.DONE, at
        if s.co_share is not None and s.co_share.is_open:
            s.co_share.state, s.co_share.done_at = Assignment.State.LAPSED, at
        for notice, answered in s.notices:
            if answered and not notice.responded_at:
                notice.state, notice.response = SupervisionNotice.State.ANSWERED, texts.SUPERVISION_ANSWER
                notice.responded_by, notice.responded_at = self._who(share.department_id)[0], at - timedelta(minutes=30)
        v.update(outcome=outcome, handling_summary=text, replied_at=at)
        self._move(
            s,
            K.DEPARTMENT_REPLIED,
            at,
            self._who(share.department_id),
            to=Status.REPLIED,
            data={
                "department": name,
                "outcome": outcome,
                "reply": Ref(row),
                "on_time": timezone.localtime(at, self.tz).date() <= share.due_on,
            },
            public=_("Reply from %(department)s (%(outcome)s): %(text)s")
            % {"department": name, "outcome": Outcome(outcome).label, "text": text},
        )

    def _op_feed_back(self, s, day):
        rng, v = self.rng, s.values
        at = self._at(s, day)
        if s.round == 1:
            pairs = FIRST_ROUND if s.route == Route.DIRECT else NO_REOPEN
            overall = s.plan_rating[0] if s.plan_rating else _draw(rng, pairs)
        else:
            overall = _draw(rng, SECOND_ROUND)
        s.plan_rating = (overall,)
        method = _draw(rng, METHODS)
        text = rng.choice(texts.FEEDBACK_BY_RATING[overall])
        who = self._feedback_who(s)
        s.plan_rating = (overall, who)
        v.update(feedback_method=method, feedback_summary=text, fed_back_at=at)
        self._move(
            s,
            K.FED_BACK,
            at,
            who,
            to=Status.FED_BACK,
            data={"method": method, "text": text},
            public=_("The answer was fed back to you (%(method)s). You can rate the handling on this page.")
            % {"method": FeedbackMethod(method).label},
        )

    def _feedback_who(self, s: Story) -> tuple:
        """Staff of the demo home's stations, the demo representative on his items, else the station's liaison officer."""
        station = s.values["station_id"]
        if self.staff and station in self.staffed:
            return self.staff, ""
        if self.rep_user and self.rep_id in s.item.reps and self.rng.random() < 0.7:
            return self.rep_user, ""
        if station in self.officers and self.rng.random() < 0.8:
            return None, self.officers[station]
        return self.office, ""

    def _op_rate(self, s, day, forced=None):
        rng, v = self.rng, s.values
        overall, fed_by = s.plan_rating if len(s.plan_rating) == 2 else (forced, (self.office, ""))
        overall = forced or overall
        reps = list(s.item.reps)
        if self.rep_id in reps:
            reps.remove(self.rep_id)
            reps.insert(0, self.rep_id)
        if overall == Satisfaction.DISSATISFIED and s.round == 1 and s.route == Route.DIRECT:
            rater = "rep" if reps and rng.random() < 0.5 else "resident"
            at = self._at(s, day)
            data = self._rating(s, at, rater, reps, overall, fed_by)
            return self._reopen(s, at, data)
        mode = _draw(rng, (("rep", 5), ("both", 3), ("resident", 2))) if reps else "resident"
        given = []
        if mode in ("rep", "both"):
            better = Satisfaction.SATISFIED if mode == "both" and rng.random() < 0.4 else overall
            given.append(("rep", better))
        if mode in ("resident", "both"):
            given.append(("resident", overall))
        for rater, satisfaction in given:
            at = self._at(s, day)
            data = self._rating(s, at, rater, reps, satisfaction, fed_by)
            v["satisfaction"] = self._overall(s)
            resident = rater == "resident"
            self._move(
                s,
                K.RATED,
                at,
                data.pop("_who"),
                to=Status.RATED,
                data=data,
                public=_("Thank you: your rating has been recorded.") if resident else "",
            )

    def _rating(self, s, at, rater, reps, satisfaction, fed_by) -> dict:
        """One Rating row; the history row's data (and who gave it, under "_who")."""
        comment = self.rng.choice(texts.RATING_COMMENTS[satisfaction])
        if rater == "rep":
            rep = reps[0]
            user = self.rep_user if rep == self.rep_id else None
            who = (user, "") if user else (None, self.net.rep_names.get(rep, ""))
            row = Rating(
                round=s.round,
                rater=Rating.Rater.REPRESENTATIVE,
                representative_id=rep,
                satisfaction=satisfaction,
                comment=comment,
                recorded_by=user,
                created_at=at,
            )
            name = self.net.rep_names.get(rep, "")
        else:
            user = fed_by[0] if fed_by[0] in (self.staff, self.office) and fed_by[0] is not None else None
            who = (user, "") if user else (None, RESIDENT)
            row = Rating(
                round=s.round,
                rater=Rating.Rater.RESIDENT,
                satisfaction=satisfaction,
                comment=comment,
                recorded_by=user,
                created_at=at,
            )
            name = ""
        s.ratings.append(row)
        return {
            "rater": row.rater,
            "representative": name,
            "satisfaction": satisfaction,
            "comment": comment,
            "round": s.round,
            "_who": who,
        }

    def _overall(self, s: Story) -> str:
        """handling._overall: the resident's rating of the round if given, else the lowest representative one."""
        ratings = [r for r in s.ratings if r.round == s.round]
        resident = [r for r in ratings if r.rater == Rating.Rater.RESIDENT]
        if resident:
            return resident[-1].satisfaction
        return min((r.satisfaction for r in ratings), key=ORDER.get, default="")

    def _reopen(self, s: Story, at: datetime, data: dict) -> None:
        """handling._reopen: one more round with the same lead department and a new deadline from the rating."""
        v = s.values
        who = data.pop("_who")
        v["satisfaction"] = self._overall(s)
        last = s.lead_share
        s.round += 1
        days, _co = self.rules[v["urgency"]]
        due = self.cal.add(timezone.localtime(at, self.tz).date(), days)
        share = Assignment(
            department_id=last.department_id,
            role=Assignment.Role.LEAD,
            round=s.round,
            due_on=due,
            assigned_at=at,
            assigned_by=last.assigned_by,
        )
        s.shares.append(share)
        s.lead_share, s.co_share = share, None
        v.update(round=s.round, replied_at=None, fed_back_at=None, outcome="", due_on=due, assigned_at=at)
        s.plan_rating = ()
        self._move(
            s,
            K.REOPENED,
            at,
            who,
            to=Status.ASSIGNED,
            data={**data, "reopened": True, "new_round": s.round, "due_on": str(due)},
            public=_("You were not satisfied, so your item is being handled once more; the new deadline is %(due)s.")
            % {"due": date_format(due, "Y-m-d")},
        )

    def _op_close(self, s, day):
        v = s.values
        at = self._at(s, day)
        # Only department replies have a line for the public: they are about 70 % of the closed items.
        public = bool(s.result) and self.rng.random() < PUBLIC_RESULT_SHARE / 0.7
        v.update(closed_at=at, public_result=f"{s.item.category}：{s.result}" if public else "")
        self._move(
            s,
            K.CLOSED,
            at,
            (self.office, ""),
            to=Status.CLOSED,
            data={"note": "", "public": public},
            public=_("Your item is closed. Thank you for taking part."),
        )

    # ----------------------------------------------------------------- without a department

    def _tell_without_department(self, s: Story) -> None:
        rng = self.rng
        answer = s.status
        route = WITHOUT_DEPARTMENT[answer][0]
        target = answer
        if s.scenario == "kept":
            pass
        elif s.age > CLOSED_AFTER_DAYS and rng.random() < 0.8:
            target = Status.CLOSED
        elif s.age > FED_BACK_AFTER_DAYS and rng.random() < 0.5:
            target = Status.FED_BACK
        s.route, s.answer = route, answer
        s.d0 = s.received_on if answer == Status.ON_THE_SPOT else self._assign_day(s)
        if answer in (Status.ESCALATED, Status.CANNOT_HANDLE):
            s.d0 = min(self.cal.add(s.d0, rng.randint(1, 3)), max(s.d0, self.last_work))
        avail = self.cal.between(s.d0, self.last_work)
        ops = [(0, "answer", answer)]
        after = 0
        for status, name, gap in (
            (Status.FED_BACK, "feed_back", (1, 5)),
            (Status.RATED, "rate", (0, 5)),
            (Status.CLOSED, "close", (1, 8)),
        ):
            if target == status or _beyond(target, status):
                after += rng.randint(*gap)
                ops.append((after, name))
        s.status = target
        self._run(s, self._squeeze(ops, avail))

    def _op_answer(self, s, day, answer):
        rng, v = self.rng, s.values
        route, kind, answers, prefix = WITHOUT_DEPARTMENT[answer]
        at = self._at(s, day) if answer != Status.ON_THE_SPOT else self._soon(s)
        local = timezone.localtime(at, self.tz)
        if answer == Status.ON_THE_SPOT:
            department = self._street_office(s)
        elif answer == Status.CONSULTED:
            department = self._lead_for(s)
        else:
            department = None
        name = self.names.get(department, "属地街乡") if department else ""
        n = rng.randint(2, 5)
        text = rng.choice(answers).format(dept=name or "有关部门", m=local.month, d=local.day, n=n)
        v.update(handling_summary=text, replied_at=at, route=route or v.get("route", ""))
        self._move(
            s,
            kind,
            at,
            (self.office, ""),
            to=answer,
            data={"text": text, "department": name},
            public=prefix() % {"text": text},
        )

    def _soon(self, s: Story) -> datetime:
        """Within the hour after the resident came (handed over on the spot)."""
        at = min(s.cursor + timedelta(minutes=self.rng.randint(10, 60)), s.cursor + (self.now - s.cursor) * 0.5)
        s.cursor = at
        return at

    # ----------------------------------------------------------------- representative suggestions

    def _plan_suggestions(self) -> None:
        """Three suggestions: one answered (its petitions "replied"), one assigned, one draft."""
        if not self.office or not self.office.jurisdiction_id:
            return
        rng = self.rng
        plans = [
            (texts.SUGGESTIONS[0], 4, (110, 220), Suggestion.Status.REPLIED),
            (texts.SUGGESTIONS[1], 4, (45, 100), Suggestion.Status.ASSIGNED),
            (rng.choice(texts.SUGGESTIONS[2:]), 3, (6, 30), Suggestion.Status.DRAFT),
        ]
        for spec, n, (young, old), status in plans:
            category = spec[0]
            if category not in self.category_ids:
                continue
            stories = self._pick(n, since=self._days_ago(old), until=self._days_ago(young), categories=(category,))
            if len(stories) < 3:
                for s in stories:
                    s.scenario = ""
                continue
            for s in stories:
                s.scenario, s.status, s.route = "suggestion", Status.SUGGESTION, Route.SUGGESTION
            self.suggestions.append((spec, stories, status))

    def _tell_suggestions(self) -> None:
        rng, office = self.rng, self.office
        numbers = {}
        planned, self.suggestions = self.suggestions, []
        for spec, stories, status in planned:
            _category, title, content, department_name, outcome, reply_text, meeting_note = spec
            department = self.net.departments.get(department_name)
            last = max(s.received_on for s in stories)
            created_day = min(self.cal.add(last, rng.randint(2, 4)), self.last_work)
            clock = Story(Item({}, []), status, cursor=max(s.cursor for s in stories))
            created_at = self._at(clock, max(created_day, last))
            year = timezone.localtime(created_at, self.tz).year
            if year not in numbers:
                numbers[year] = _last_sequence(Suggestion, NUMBER_PREFIX.format(year=year), _NUMBER_SEQ)
            numbers[year] += 1
            reps = list(dict.fromkeys(r for s in stories for r in s.item.reps))
            lead = (
                self.rep_id
                if status == Suggestion.Status.REPLIED and self.rep_id
                else (reps[0] if reps else self.rep_id)
            )
            if lead is None:
                continue
            co_signers = [r for r in reps if r != lead][:3]
            suggestion = Suggestion(
                number=NUMBER_FORMAT.format(year=year, seq=numbers[year]),
                title=title,
                content=content,
                jurisdiction_id=office.jurisdiction_id,
                lead_representative_id=lead,
                status=Suggestion.Status.DRAFT,
                created_by=office,
                created_at=created_at,
            )
            names = [self.net.rep_names.get(r, "") for r in co_signers]
            events = [
                SuggestionEvent(
                    kind="drafted",
                    actor=office,
                    at=created_at,
                    data={
                        "number": suggestion.number,
                        "title": title,
                        "lead": self.net.rep_names.get(lead, ""),
                        "co_signers": names,
                        "petitions": [Ref(s.item, "petition.tracking_number") for s in stories],
                        "to_status": Suggestion.Status.DRAFT,
                    },
                )
            ]
            for s in stories:
                s.cursor = max(s.cursor, created_at - timedelta(seconds=1))
                at = max(created_at, s.cursor + timedelta(seconds=1))
                s.cursor = at
                s.values["route"] = Route.SUGGESTION
                self._move(
                    s,
                    K.TO_SUGGESTION,
                    at,
                    (office, ""),
                    to=Status.SUGGESTION,
                    data={"suggestion": suggestion.number, "title": title},
                    public=_("Your item is part of a representative suggestion; you will receive its answer."),
                )
            if status != Suggestion.Status.DRAFT and department:
                assigned_at = self._at(clock, self.cal.add(created_day, rng.randint(2, 4)))
                assigned_day = timezone.localtime(assigned_at, self.tz).date()
                suggestion.department_id, suggestion.assigned_at = department, assigned_at
                suggestion.due_on = suggestion_deadline(start=assigned_day)
                suggestion.status = Suggestion.Status.ASSIGNED
                events.append(
                    SuggestionEvent(
                        kind="assigned",
                        actor=office,
                        at=assigned_at,
                        data={
                            "department": department_name,
                            "due_on": str(suggestion.due_on),
                            "is_complex": False,
                            "from_status": Suggestion.Status.DRAFT,
                            "to_status": Suggestion.Status.ASSIGNED,
                        },
                    )
                )
                meeting_day = self.cal.add(assigned_day, rng.randint(5, 12))
                if meeting_note and meeting_day <= self.last_work:
                    meeting_at = self._at(clock, meeting_day)
                    suggestion.pre_meeting_on, suggestion.pre_meeting_note = meeting_day, meeting_note
                    actor = self.dept_user if department == self.housing and self.dept_user else office
                    events.append(
                        SuggestionEvent(
                            kind="pre_meeting",
                            actor=actor,
                            at=meeting_at,
                            data={"held_on": str(meeting_day), "note": meeting_note},
                        )
                    )
                    reply_day = self.cal.add(meeting_day, rng.randint(20, 35))
                    if (
                        status == Suggestion.Status.REPLIED
                        and reply_text
                        and reply_day <= min(self.last_work, suggestion.due_on)
                    ):
                        self._reply_suggestion(
                            suggestion, stories, events, clock, reply_day, outcome, reply_text, department
                        )
            suggestion.version = len(events) - 1
            self.suggestions.append((suggestion, stories, events, co_signers))

    def _reply_suggestion(self, suggestion, stories, events, clock, day, outcome, text, department) -> None:
        """suggestions.suggestion_reply: every petition it came from gets the answer."""
        at = self._at(clock, day)
        actor = self.dept_user if department == self.housing and self.dept_user else self.office
        suggestion.status, suggestion.outcome, suggestion.reply_text, suggestion.replied_at = (
            Suggestion.Status.REPLIED,
            outcome,
            text,
            at,
        )
        events.append(
            SuggestionEvent(
                kind="replied",
                actor=actor,
                at=at,
                data={
                    "outcome": outcome,
                    "text": text,
                    "petitions": [Ref(s.item, "petition.tracking_number") for s in stories],
                    "on_time": timezone.localtime(at, self.tz).date() <= suggestion.due_on,
                    "from_status": Suggestion.Status.ASSIGNED,
                    "to_status": Suggestion.Status.REPLIED,
                },
            )
        )
        for s in stories:
            when = max(at, s.cursor + timedelta(seconds=1))
            s.cursor = when
            s.values.update(outcome=outcome, handling_summary=text, replied_at=when, lead_department_id=department)
            self._move(
                s,
                K.DEPARTMENT_REPLIED,
                when,
                (actor, ""),
                to=Status.REPLIED,
                data={"suggestion": suggestion.number, "outcome": outcome},
                public=_("Answer to the representative suggestion: %(text)s") % {"text": text[:2000]},
            )
            s.status = Status.REPLIED

    # ----------------------------------------------------------------- the item's row

    def _finish_values(self, s: Story) -> None:
        """The fields of the petition's row as the moves left them; nothing a move did not set."""
        v = s.values
        if s.status == Status.SUGGESTION or s.scenario == "suggestion":
            return  # _tell_suggestions writes them
        if not s.steps:
            v.update(
                status=Status.REGISTERED,
                lead_department_id=None,
                due_on=None,
                handling_summary="",
                feedback_summary="",
                satisfaction="",
            )
            return
        s.status = s.state
        v["status"] = s.state
        v["version"] = s.version
        v["round"] = s.round
        for name in ("feedback_summary", "satisfaction", "handling_summary"):
            v.setdefault(name, "")
        if s.state not in (Status.FED_BACK, Status.RATED, Status.CLOSED):
            v.update(feedback_summary="", feedback_method="", fed_back_at=None)
        if s.state not in (Status.RATED, Status.CLOSED) and s.round == 1:
            v["satisfaction"] = ""
        if not s.replies and not s.answer:
            v["handling_summary"] = ""
        if s.route != Route.DIRECT:
            v.update(lead_department_id=None, due_on=None, assigned_at=None)
        v["updated_at"] = s.steps[-1].at

    # ----------------------------------------------------------------- writing

    def write(self, petitions, report: Counter) -> None:
        """All rows of the plan for the saved petitions (same order as the items given to `plan`)."""
        by_item = {id(s.item): s for s in self.stories}
        stories = [by_item[id(item)] for item in self._items]
        for petition, s in zip(petitions, stories, strict=True):
            s.item.petition = petition
        shares, requests, replies, ratings, notices, events = [], [], [], [], [], []
        for petition, s in zip(petitions, stories, strict=True):
            for share in s.shares:
                share.petition = petition
            shares += s.shares
        Assignment.objects.bulk_create(shares, batch_size=1000)
        year_numbers = {}
        for petition, s in zip(petitions, stories, strict=True):
            # Their shares are saved now: bulk_create takes the pk from the related instance.
            for request in s.extensions:
                request.petition = petition
            for reply in s.replies:
                reply.petition = petition
            for rating in s.ratings:
                rating.petition = petition
            for notice, _answered in s.notices:
                year = timezone.localtime(notice.issued_at, self.tz).year
                if year not in year_numbers:
                    year_numbers[year] = _last_sequence(SupervisionNotice, NOTICE_NUMBER_PREFIX.format(year=year), None)
                year_numbers[year] += 1
                notice.number = f"{NOTICE_NUMBER_PREFIX.format(year=year)}{year_numbers[year]}{NOTICE_NUMBER_SUFFIX}"
                notice.petition = petition
                notice.subject = texts.SUPERVISION_SUBJECT.format(number=petition.tracking_number)
                notices.append(notice)
            requests += s.extensions
            replies += s.replies
            ratings += s.ratings
        ExtensionRequest.objects.bulk_create(requests, batch_size=1000)
        DepartmentReply.objects.bulk_create(replies, batch_size=1000)
        Rating.objects.bulk_create(ratings, batch_size=1000)
        SupervisionNotice.objects.bulk_create(notices, batch_size=1000)
        for petition, s in zip(petitions, stories, strict=True):
            for step in sorted(s.steps, key=lambda st: st.at):
                events.append(
                    PetitionEvent(
                        petition=petition,
                        kind=step.kind,
                        actor=step.actor,
                        actor_label=step.label,
                        at=step.at,
                        from_status=step.from_status,
                        to_status=step.to_status,
                        data=_resolve(step.data),
                        is_public=bool(step.public_text),
                        public_text=step.public_text,
                    )
                )
        PetitionEvent.objects.bulk_create(events, batch_size=2000)
        self._write_suggestion_events()
        report["assignment"] += len(shares)
        report["extensionrequest"] += len(requests)
        report["departmentreply"] += len(replies)
        report["rating"] += len(ratings)
        report["supervisionnotice"] += len(notices)
        report["petitionevent"] += len(events)
        self._write_commitments(report)

    def before_petitions(self, items: list[Item], report: Counter) -> None:
        """Rows the petitions point to (their suggestion), and the suggestions' story."""
        self._items = items
        self._tell_suggestions()
        for suggestion, stories, _events, co_signers in self.suggestions:
            suggestion.save(force_insert=True)
            suggestion.co_signers.set(co_signers)
            for s in stories:
                s.status = s.state
                s.values.update(
                    suggestion_id=suggestion.pk,
                    status=s.state,
                    version=s.version,
                    updated_at=s.steps[-1].at,
                    due_on=None,
                    feedback_summary="",
                    satisfaction="",
                    assigned_at=None,
                )
                if s.state != Status.REPLIED:
                    s.values.update(lead_department_id=None, handling_summary="", outcome="", replied_at=None)
        report["suggestion"] += len(self.suggestions)
        for s in self.stories:  # as petition_reply fixes it: working days from the assignment to the answer
            v = s.values
            v["reply_working_days"] = None
            if v.get("lead_department_id") and v.get("assigned_at") and v.get("replied_at"):
                start, end = (
                    timezone.localtime(v["assigned_at"], self.tz).date(),
                    timezone.localtime(v["replied_at"], self.tz).date(),
                )
                v["reply_working_days"] = self.cal.between(start, end) if end > start else 0

    def _write_suggestion_events(self) -> None:
        rows = []
        for suggestion, _stories, events, _co in self.suggestions:
            for event in events:
                event.suggestion = suggestion
                event.data = _resolve(event.data)
                rows.append(event)
        SuggestionEvent.objects.bulk_create(rows)

    def _write_commitments(self, report: Counter) -> None:
        """Department heads' commitments at their visits (局长进站): 16 followed up (13 satisfied, 3 basically),
        the rest still open."""
        rng, office = self.rng, self.office
        if not office or not office.jurisdiction_id:
            return
        homes = [s.pk for s in self.net.stations if s.kind == StationKind.HOME]
        if not homes:
            return
        rows = []
        entries = [e for e in texts.COMMITMENTS if e[0] in self.net.departments]
        visited = [e for e in entries if e[3]]
        for n, (name, text, progress, note) in enumerate(entries):
            department = self.net.departments[name]
            head = f"{person_name(rng, rng.choice('MF'))}"
            if note:
                k = visited.index((name, text, progress, note))
                held_on = self.cal.next_working_day(self.today - timedelta(days=330 - k * 17))
                due_on = self.cal.add(held_on, rng.randint(20, 45))
                done_day = self.cal.add(held_on, rng.randint(10, 19))
                follow_day = self.cal.add(due_on, rng.randint(3, 10))
                rating = Satisfaction.BASICALLY if name in texts.COMMITMENTS_BASICALLY else Satisfaction.SATISFIED
                row = Commitment(
                    state=Commitment.State.VISITED,
                    progress=progress,
                    done_at=self._moment(done_day),
                    follow_up_on=min(follow_day, self.last_work),
                    follow_up_note=note,
                    follow_up_satisfaction=rating,
                    held_on=held_on,
                    due_on=due_on,
                )
            else:
                held_on = self.cal.back(self.last_work, rng.randint(8, 30) + n)
                due_on = self.cal.add(held_on, rng.randint(20, 45))
                row = Commitment(state=Commitment.State.OPEN, progress=progress, held_on=held_on, due_on=due_on)
            row.source, row.department_id, row.head_name, row.head_title = (
                Commitment.Source.VISIT,
                department,
                head,
                _head_title(name),
            )
            row.station_id, row.jurisdiction_id, row.text = homes[n % len(homes)], office.jurisdiction_id, text
            row.created_by, row.created_at = office, self._moment(held_on, evening=True)
            rows.append(row)
        Commitment.objects.bulk_create(rows)
        report["commitment"] += len(rows)

    def _moment(self, day: date, *, evening=False) -> datetime:
        at = timezone.make_aware(datetime.combine(day, time(17, 40) if evening else time(10, 15)), self.tz)
        return min(at, self.now)


def _beyond(target: str, status: str) -> bool:
    """Does an item that ends at `target` pass through `status` (feedback, rating, close-out)?"""
    order = (Status.REPLIED, Status.FED_BACK, Status.RATED, Status.CLOSED)
    return target in order and status in order and order.index(target) > order.index(status)


def _resolve(data):
    if isinstance(data, Ref):
        value = data.obj
        for attr in data.attr.split("."):
            value = getattr(value, attr)
        return value
    if isinstance(data, dict):
        return {k: _resolve(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_resolve(v) for v in data]
    return data


def _last_sequence(model, prefix: str, pattern) -> int:
    """The highest number of the year's sequence in the table (0 when none)."""
    last = (
        model.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    if not last:
        return 0
    if pattern is not None:
        match = pattern.search(last)
        return int(match.group(1)) if match else 0
    digits = last[len(prefix) :].removesuffix(NOTICE_NUMBER_SUFFIX)
    return int(digits) if digits.isdigit() else 0


def seed_reply_templates(report: Counter) -> None:
    """Reply templates of the most common categories (texts.REPLY_TEMPLATES); only the missing ones."""
    categories = dict(Category.objects.filter(parent__isnull=False).values_list("name", "pk"))
    have = set(ReplyTemplate.objects.filter(category__isnull=False).values_list("category_id", "title"))
    rows = [
        ReplyTemplate(category_id=categories[name], outcome=outcome, title=title, text=text)
        for name, outcome, title, text in texts.REPLY_TEMPLATES
        if name in categories and (categories[name], title) not in have
    ]
    if rows:  # a report with any key counts as "something added"
        ReplyTemplate.objects.bulk_create(rows)
        report["replytemplate"] += len(rows)
