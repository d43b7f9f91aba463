"""The one table of a petition's moves (from which statuses, to which, with which permission)
and the named sets of statuses every page and query uses.

`petitions.handling.services` runs each move (and `petitions.ledger.services` the link);
each one checks it here and changes the status only through `ENGINE.apply`
(liaison.workflow). Who may do a move to a given item, beyond the permission named here,
and who is told, is `petitions.handling.policy`.

Representatives collect, follow, feed back and rate; they never close an item
(代表法 art. 31): `close_petition` is the office's alone (liaison.auth).
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison import workflow as engine
from liaison.workflow import Rule, StatusSet
from petitions.models import ACTIVE_ASSIGNMENT_STATES, Status


class Move(StrEnum):
    TRIAGE = "triage"
    ASSIGN = "assign"
    CONSULT = "consult"
    ON_THE_SPOT = "on_the_spot"
    TO_SUGGESTION = "to_suggestion"
    ESCALATE = "escalate"
    SEND_DOWN = "send_down"
    TAKE_OVER = "take_over"
    CANNOT_HANDLE = "cannot_handle"
    LINK = "link"
    ACCEPT = "accept"
    PROGRESS = "progress"
    CONTRIBUTE = "contribute"
    REPLY = "reply"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    RETURN = "return"
    SUPERVISE = "supervise"
    URGE = "urge"
    SUSPEND = "suspend"
    RESUME = "resume"
    SUGGESTION_REPLIED = "suggestion_replied"
    FEED_BACK = "feed_back"
    RATE = "rate"
    REOPEN = "reopen"
    CLOSE = "close"


# -- the named sets of statuses ------------------------------------------------------------------
# Stages: each status is in exactly one (tests/petitions/test_workflow.py checks the partition).

AWAITING_TRIAGE = StatusSet(
    {Status.REGISTERED, Status.TRIAGED},
    "Arrived and not routed yet: the office triages, assigns, answers or links it (the triage list).",
)
IN_HAND = StatusSet(
    {Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS},
    "A department is handling it against a deadline (the supervision lights, the department desk).",
)
WITH_SUGGESTION = StatusSet(
    {Status.SUGGESTION}, "Part of a representative suggestion: answered when the suggestion is."
)
ANSWERED = StatusSet(
    {Status.REPLIED, Status.CONSULTED, Status.ON_THE_SPOT, Status.ESCALATED, Status.CANNOT_HANDLE},
    "Answered (by the department, or by the office at triage) and not yet fed back to the resident.",
)
FED_BACK = StatusSet(
    {Status.FED_BACK, Status.RATED},
    "The resident was told the answer: waiting for ratings, then the office closes it out.",
)
SUSPENDED = StatusSet(
    {Status.SUSPENDED},
    "Handling waits for something outside it (a court ruling, a planned project): the deadline clock stops "
    "until the office resumes it or its resume date comes.",
)
FINISHED = StatusSet(
    {Status.CLOSED, Status.LINKED}, "Nothing more happens to it: closed out, or followed through another item."
)
STAGES = (AWAITING_TRIAGE, IN_HAND, SUSPENDED, WITH_SUGGESTION, ANSWERED, FED_BACK, FINISHED)

# Unions the pages and queries ask for, each named once.
ANSWERED_AT_TRIAGE = StatusSet(
    ANSWERED - {Status.REPLIED},
    "Answered by the office without a department's reply: a consultation, on the spot, cannot be handled, "
    "or referred up before escalation reached the office above (the dashboard's 'answered at triage').",
)
OPEN = StatusSet(
    AWAITING_TRIAGE | IN_HAND | SUSPENDED | {Status.REPLIED},
    "Still waiting for the answer to reach the resident through the normal line: not routed, in hand (or "
    "suspended), or replied by the department and not fed back (the ledger's 'open items', similar open "
    "items, the start page).",
)
AWAITING_REPLY = StatusSet(
    AWAITING_TRIAGE | IN_HAND,
    "Overdue-able: the deadline runs (not suspended) and no answer is in yet; past its deadline such an item "
    "is overdue (`overdue_q`).",
)
LETTER = StatusSet(
    ANSWERED | FED_BACK | {Status.CLOSED},
    "There is an answer to put in the feedback letter to the resident.",
)
RATEABLE = StatusSet(FED_BACK, "The resident (tracking page), staff or representatives may rate it now.")
OPEN311_CLOSED = StatusSet(
    FINISHED | ANSWERED_AT_TRIAGE,
    "Reported as 'closed' by the Open311 API: nothing more will be done by a department.",
)


def overdue_q(today, prefix: str = "") -> Q:
    """The one overdue condition: the deadline is before `today` and no answer is in yet
    (`AWAITING_REPLY`). `prefix` reaches the item through a relation ("petition__")."""
    return Q(**{f"{prefix}status__in": AWAITING_REPLY, f"{prefix}due_on__lt": today})


def share_running_q() -> Q:
    """A department's open share on an item whose clock runs (`AWAITING_REPLY`: not suspended)."""
    return Q(state__in=ACTIVE_ASSIGNMENT_STATES, petition__status__in=AWAITING_REPLY)


def share_overdue_q(today) -> Q:
    """A running share (`share_running_q`) past its own deadline: the department desk and the start page."""
    return share_running_q() & Q(due_on__lt=today)


def is_overdue(status: str, due_on, today) -> bool:
    """`overdue_q` for one row already read (an export line, a loaded item)."""
    return bool(due_on and due_on < today and status in AWAITING_REPLY)


# -- the table -----------------------------------------------------------------------------------

_TRIAGE, _HANDLE = "petitions.triage_petition", "petitions.handle_petition"

TABLE: dict[Move, Rule] = {
    # The office (or a street office for its own matters) routes what came in.
    Move.TRIAGE: Rule({Status.REGISTERED}, Status.TRIAGED, _TRIAGE, gettext_lazy("Triage")),
    Move.ASSIGN: Rule(AWAITING_TRIAGE, Status.ASSIGNED, _TRIAGE, gettext_lazy("Assign")),
    Move.CONSULT: Rule(AWAITING_TRIAGE, Status.CONSULTED, _TRIAGE, gettext_lazy("Answer as a consultation")),
    Move.ON_THE_SPOT: Rule(AWAITING_TRIAGE, Status.ON_THE_SPOT, _TRIAGE, gettext_lazy("Handled on the spot")),
    Move.TO_SUGGESTION: Rule(AWAITING_TRIAGE, Status.SUGGESTION, _TRIAGE, gettext_lazy("Turn into a suggestion")),
    # The handling office hands the item to an office above (its triage list, marked as escalated
    # from below); that office routes it like any item, or sends it back down, or takes it over
    # (then it also feeds back and closes out). Which office acts: `policy` and `liaison.offices`.
    # (`Status.ESCALATED` remains for items referred up before escalation reached the office above.)
    Move.ESCALATE: Rule(AWAITING_TRIAGE, Status.TRIAGED, _TRIAGE, gettext_lazy("Refer to a higher level")),
    Move.SEND_DOWN: Rule(AWAITING_TRIAGE, Status.TRIAGED, _TRIAGE, gettext_lazy("Send back down")),
    Move.TAKE_OVER: Rule(
        AWAITING_TRIAGE | IN_HAND | SUSPENDED | ANSWERED | FED_BACK,
        (),
        _TRIAGE,
        gettext_lazy("Take the item over"),
    ),
    Move.CANNOT_HANDLE: Rule(AWAITING_TRIAGE, Status.CANNOT_HANDLE, _TRIAGE, gettext_lazy("Cannot be handled")),
    # The same matter as another item (the desk's link, or a new item registered as linked): once
    # routed, an item has its own shares and deadlines and is handled, not folded into another.
    Move.LINK: Rule(AWAITING_TRIAGE, Status.LINKED, "petitions.change_petition", gettext_lazy("Link")),
    # The department.
    Move.ACCEPT: Rule({Status.ASSIGNED}, Status.ACCEPTED, _HANDLE, gettext_lazy("Accept")),
    Move.PROGRESS: Rule(
        {Status.ACCEPTED, Status.IN_PROGRESS}, Status.IN_PROGRESS, _HANDLE, gettext_lazy("Post progress")
    ),
    Move.CONTRIBUTE: Rule(IN_HAND, (), _HANDLE, gettext_lazy("Give our part to the lead")),
    Move.REPLY: Rule({Status.ACCEPTED, Status.IN_PROGRESS}, Status.REPLIED, _HANDLE, gettext_lazy("Reply")),
    Move.REQUEST_EXTENSION: Rule(IN_HAND, (), _HANDLE, gettext_lazy("Request an extension")),
    Move.RETURN: Rule(IN_HAND, Status.TRIAGED, _HANDLE, gettext_lazy("Return the item")),
    # The office supervises.
    Move.DECIDE_EXTENSION: Rule(IN_HAND, (), _TRIAGE, gettext_lazy("Decide on the extension")),
    Move.SUPERVISE: Rule(IN_HAND, (), "petitions.supervise_petition", gettext_lazy("Issue a supervision notice")),
    # Whoever answers to the resident (station staff, the representatives on it, the office) presses
    # the lead department for progress (催办): no status changes, the department is told at once.
    Move.URGE: Rule(IN_HAND, (), "petitions.feed_back_petition", gettext_lazy("Press for progress")),
    # The office stops the clock of an item in hand, then starts it again: back to the status it
    # was suspended from (the service says which), by hand or on the resume date.
    Move.SUSPEND: Rule(IN_HAND, Status.SUSPENDED, _TRIAGE, gettext_lazy("Suspend")),
    Move.RESUME: Rule(
        SUSPENDED, (Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS), _TRIAGE, gettext_lazy("Resume")
    ),
    # Run by the suggestion's reply for each item it came from; no one's button.
    Move.SUGGESTION_REPLIED: Rule(WITH_SUGGESTION, Status.REPLIED),
    # Staff, representatives and the office feed back; representatives and residents rate.
    Move.FEED_BACK: Rule(
        ANSWERED, Status.FED_BACK, "petitions.feed_back_petition", gettext_lazy("Record the feedback")
    ),
    Move.RATE: Rule(FED_BACK, Status.RATED, "petitions.rate_petition", gettext_lazy("Rate")),
    # A "dissatisfied" rating in the first round sends the item back for one more round: to the
    # department that answered it (ASSIGNED), or, answered without one, to the office (TRIAGED).
    Move.REOPEN: Rule(FED_BACK, (Status.ASSIGNED, Status.TRIAGED), "petitions.rate_petition"),
    Move.CLOSE: Rule(FED_BACK, Status.CLOSED, "petitions.close_petition", gettext_lazy("Close out")),
}

# The moves a person starts from the item's page, in the order its buttons appear.
PAGE_MOVES = (
    Move.TRIAGE,
    Move.ASSIGN,
    Move.CONSULT,
    Move.ON_THE_SPOT,
    Move.TO_SUGGESTION,
    Move.ESCALATE,
    Move.SEND_DOWN,
    Move.TAKE_OVER,
    Move.CANNOT_HANDLE,
    Move.ACCEPT,
    Move.PROGRESS,
    Move.CONTRIBUTE,
    Move.REPLY,
    Move.REQUEST_EXTENSION,
    Move.RETURN,
    Move.DECIDE_EXTENSION,
    Move.SUPERVISE,
    Move.URGE,
    Move.SUSPEND,
    Move.RESUME,
    Move.FEED_BACK,
    Move.RATE,
    Move.CLOSE,
)
# A resident (no account) may only rate, with the code that came with the answer.
RESIDENT_MOVES = frozenset({Move.RATE, Move.REOPEN})


class InvalidTransition(engine.InvalidTransition):
    """The item is not in a state this move starts from; the message says what it is in."""

    def __init__(self, move: Move, status: str):
        super().__init__(
            move,
            status,
            _("This cannot be done now: the item is “%(status)s”. Reload the page to see where it stands.")
            % {"status": Status(status).label},
        )


ENGINE = engine.Workflow(
    name="petition", statuses=Status, rules=TABLE, initial={Status.REGISTERED}, error=InvalidTransition
)


def check(move: Move, status: str, user=None, *, resident: bool = False, system: bool = False) -> Rule:
    """The rule of `move` if it may start from `status` and the user holds its permission.

    Raises PermissionDenied for the user (first), InvalidTransition for the state. A resident
    (no account) may only rate; `system` is a service acting on another one's behalf (the
    suggestion's reply): the state alone is checked. Scope (is it this user's item at all)
    and the item's details (their department's share...) are the policy's.
    """
    if resident:
        if move not in RESIDENT_MOVES:
            raise PermissionDenied
        return ENGINE.check(move, status, permission=False)
    return ENGINE.check(move, status, user, permission=not system)


def can(move: Move, status: str, user) -> bool:
    """A person may start `move` from `status` by their permission (moves no person starts: False)."""
    return TABLE[move].permission is not None and ENGINE.can(move, status, user)


def allowed_moves(status: str, user) -> list[Move]:
    """What the user's role may do from this state (`policy.moves_for` narrows it to one item)."""
    return [m for m in PAGE_MOVES if can(m, status, user)]
