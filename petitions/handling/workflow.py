"""The one table of a petition's moves: from which states, to which state, with which
permission. `petitions.handling.services` runs each move; pages ask `allowed_moves()` which
buttons to show. Nothing else changes `Petition.status`, but for linking an item not yet
routed to another one (`petitions.ledger.services.petition_link`, from REGISTERED or TRIAGED).

Representatives collect, follow, feed back and rate; they never close an item
(代表法 art. 31): `close_petition` is the office's alone (liaison.auth).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from petitions.models import Status


class Move(StrEnum):
    TRIAGE = "triage"
    ASSIGN = "assign"
    CONSULT = "consult"
    ON_THE_SPOT = "on_the_spot"
    TO_SUGGESTION = "to_suggestion"
    ESCALATE = "escalate"
    CANNOT_HANDLE = "cannot_handle"
    ACCEPT = "accept"
    PROGRESS = "progress"
    CONTRIBUTE = "contribute"
    REPLY = "reply"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    RETURN = "return"
    SUPERVISE = "supervise"
    SUGGESTION_REPLIED = "suggestion_replied"
    FEED_BACK = "feed_back"
    RATE = "rate"
    REOPEN = "reopen"
    CLOSE = "close"


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    target: str | None  # None: the status stays (the move records something beside it)
    permission: str | None  # None: only another service runs it (a suggestion's reply)
    label: object = ""


_TRIAGE_FROM = frozenset({Status.REGISTERED, Status.TRIAGED})
_IN_HAND = frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS})
_ANSWERED = frozenset({Status.REPLIED, Status.CONSULTED, Status.ON_THE_SPOT, Status.ESCALATED, Status.CANNOT_HANDLE})
_TRIAGE, _HANDLE = "petitions.triage_petition", "petitions.handle_petition"

TABLE: dict[Move, Rule] = {
    # The office (or a street office for its own matters) routes what came in.
    Move.TRIAGE: Rule(frozenset({Status.REGISTERED}), Status.TRIAGED, _TRIAGE, gettext_lazy("Triage")),
    Move.ASSIGN: Rule(_TRIAGE_FROM, Status.ASSIGNED, _TRIAGE, gettext_lazy("Assign")),
    Move.CONSULT: Rule(_TRIAGE_FROM, Status.CONSULTED, _TRIAGE, gettext_lazy("Answer as a consultation")),
    Move.ON_THE_SPOT: Rule(_TRIAGE_FROM, Status.ON_THE_SPOT, _TRIAGE, gettext_lazy("Handled on the spot")),
    Move.TO_SUGGESTION: Rule(_TRIAGE_FROM, Status.SUGGESTION, _TRIAGE, gettext_lazy("Turn into a suggestion")),
    Move.ESCALATE: Rule(_TRIAGE_FROM, Status.ESCALATED, _TRIAGE, gettext_lazy("Refer to a higher level")),
    Move.CANNOT_HANDLE: Rule(_TRIAGE_FROM, Status.CANNOT_HANDLE, _TRIAGE, gettext_lazy("Cannot be handled")),
    # The department.
    Move.ACCEPT: Rule(frozenset({Status.ASSIGNED}), Status.ACCEPTED, _HANDLE, gettext_lazy("Accept")),
    Move.PROGRESS: Rule(
        frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.IN_PROGRESS, _HANDLE, gettext_lazy("Post progress")
    ),
    Move.CONTRIBUTE: Rule(_IN_HAND, None, _HANDLE, gettext_lazy("Give our part to the lead")),
    Move.REPLY: Rule(frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.REPLIED, _HANDLE, gettext_lazy("Reply")),
    Move.REQUEST_EXTENSION: Rule(_IN_HAND, None, _HANDLE, gettext_lazy("Request an extension")),
    Move.RETURN: Rule(_IN_HAND, Status.TRIAGED, _HANDLE, gettext_lazy("Return the item")),
    # The office supervises.
    Move.DECIDE_EXTENSION: Rule(_IN_HAND, None, _TRIAGE, gettext_lazy("Decide on the extension")),
    Move.SUPERVISE: Rule(_IN_HAND, None, "petitions.supervise_petition", gettext_lazy("Issue a supervision notice")),
    Move.SUGGESTION_REPLIED: Rule(frozenset({Status.SUGGESTION}), Status.REPLIED, None),
    # Staff, representatives and the office feed back; representatives and residents rate.
    Move.FEED_BACK: Rule(
        _ANSWERED, Status.FED_BACK, "petitions.feed_back_petition", gettext_lazy("Record the feedback")
    ),
    Move.RATE: Rule(
        frozenset({Status.FED_BACK, Status.RATED}), Status.RATED, "petitions.rate_petition", gettext_lazy("Rate")
    ),
    # A "dissatisfied" rating in the first round sends the item back for one more round.
    Move.REOPEN: Rule(frozenset({Status.FED_BACK, Status.RATED}), Status.ASSIGNED, "petitions.rate_petition"),
    Move.CLOSE: Rule(
        frozenset({Status.FED_BACK, Status.RATED}), Status.CLOSED, "petitions.close_petition", gettext_lazy("Close out")
    ),
}

# The moves a person starts from the item's page, in the order its buttons appear.
PAGE_MOVES = (
    Move.TRIAGE,
    Move.ASSIGN,
    Move.CONSULT,
    Move.ON_THE_SPOT,
    Move.TO_SUGGESTION,
    Move.ESCALATE,
    Move.CANNOT_HANDLE,
    Move.ACCEPT,
    Move.PROGRESS,
    Move.CONTRIBUTE,
    Move.REPLY,
    Move.REQUEST_EXTENSION,
    Move.RETURN,
    Move.DECIDE_EXTENSION,
    Move.SUPERVISE,
    Move.FEED_BACK,
    Move.RATE,
    Move.CLOSE,
)


class InvalidTransition(Exception):
    """The item is not in a state this move starts from; the message says what it is in."""

    def __init__(self, move: Move, status: str):
        self.move, self.status = move, status
        super().__init__(
            _("This cannot be done now: the item is “%(status)s”. Reload the page to see where it stands.")
            % {"status": Status(status).label}
        )


def check(move: Move, status: str, user=None, *, resident: bool = False) -> Rule:
    """The rule of `move` if it may start from `status` and the user holds its permission.

    Raises InvalidTransition for the state, PermissionDenied for the user. A resident
    (no account) may only rate. Scope (is it this user's item at all) is the caller's check.
    """
    rule = TABLE[move]
    if resident:
        if move not in (Move.RATE, Move.REOPEN):
            raise PermissionDenied
    elif rule.permission is not None and (user is None or not user.has_perm(rule.permission)):
        raise PermissionDenied
    if status not in rule.sources:
        raise InvalidTransition(move, status)
    return rule


def can(move: Move, status: str, user) -> bool:
    rule = TABLE[move]
    return status in rule.sources and rule.permission is not None and user.has_perm(rule.permission)


def allowed_moves(status: str, user) -> list[Move]:
    """What the user's role may do from this state (scope and the item's details narrow it further)."""
    return [m for m in PAGE_MOVES if can(m, status, user)]
