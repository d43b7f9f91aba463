"""The pieces of the demo handling story (`petitions.demo.handling`): the shares and weights it
draws from, one item's story as it is planned (`Story`) and the moves it collects (`Step`, `Ref`), and
the working-day calendar of the demo year. Nothing here writes to the database."""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models.functions import Length
from django.utils.translation import gettext as _

from liaison import workdays
from petitions.demo import texts
from petitions.demo.maker import Item
from petitions.ledger.events import PetitionEventKind
from petitions.models import (
    Assignment,
    ExtensionRequest,
    FeedbackMethod,
    Outcome,
    Route,
    Satisfaction,
    Status,
)
from petitions.supervision.services import NOTICE_NUMBER_SUFFIX

K = PetitionEventKind
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
# A township (street) office's list is shorter: its few stations' items.
TOWNSHIP_TRIAGE_LIST = (2, 6)
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
    scenario: str = ""  # a case set up on purpose (see Scenarios._scenarios)
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
    suspend: bool = False  # suspended by the office at the end of its story, in hand until then
    escalation: str = ""  # handed to an office above: what became of it there (demo.escalation.OUTCOMES)
    up: int | None = None  # the office above it was handed to
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
