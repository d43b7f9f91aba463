"""The table of a representative suggestion's moves (liaison.workflow) and its named statuses.

    draft → assigned → replied → rated → closed
                               ↘ closed (the representative has not rated RATING_WAIT_DAYS after the reply)

Editing and adding items are moves too: they keep the status, and the table says from which
statuses they start. `petitions.suggestions.services` runs each move through `ENGINE`; who may
do it (the office, the assigned department, the lead representative) is
`petitions.suggestions.policy`.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison import workflow as engine
from liaison.workflow import Rule, StatusSet
from petitions.handling.models import Suggestion
from petitions.ledger.services import PetitionError

S = Suggestion.Status
CHANGE = "petitions.change_suggestion"


class Move(StrEnum):
    EDIT = "edit"
    ADD_PETITIONS = "add_petitions"
    ASSIGN = "assign"
    PRE_MEETING = "pre_meeting"
    REPLY = "reply"
    RATE = "rate"
    CLOSE = "close"


# The department's deadline runs: past `due_on` it is overdue.
AWAITING_REPLY = StatusSet({S.ASSIGNED}, "Assigned to a department, which has not replied yet.")
# Items can still be added (a draft, or assigned and not yet answered).
GATHERING = StatusSet({S.DRAFT, S.ASSIGNED}, "Items can still be added to it.")

TABLE: dict[Move, Rule] = {
    # The office drafts, edits, assigns and closes (`permission`); the policy adds who else may act.
    Move.EDIT: Rule({S.DRAFT}, (), CHANGE, gettext_lazy("Edit")),
    Move.ADD_PETITIONS: Rule(GATHERING, (), CHANGE, gettext_lazy("Add items")),
    Move.ASSIGN: Rule({S.DRAFT}, S.ASSIGNED, CHANGE, gettext_lazy("Assign")),
    # The office or the assigned department's members (policy.may).
    Move.PRE_MEETING: Rule({S.ASSIGNED}, (), label=gettext_lazy("Pre-meeting")),
    Move.REPLY: Rule({S.ASSIGNED}, S.REPLIED, label=gettext_lazy("Reply")),
    # The lead representative alone (policy.may).
    Move.RATE: Rule({S.REPLIED}, S.RATED, label=gettext_lazy("Rate")),
    # Rated, or replied and left unrated long enough (policy.closable).
    Move.CLOSE: Rule({S.RATED, S.REPLIED}, S.CLOSED, CHANGE, gettext_lazy("Close out")),
}
# The actions of the suggestion's page, in the order it shows them (editing has a page of its own).
PAGE_MOVES = (Move.ASSIGN, Move.PRE_MEETING, Move.REPLY, Move.RATE, Move.CLOSE)


class InvalidSuggestionMove(PetitionError, engine.InvalidTransition):
    """The suggestion is not in a status this action starts from (a PetitionError: the pages show
    it on the form)."""

    def __init__(self, status: str, move: Move | None = None):
        super().__init__(
            move,
            status,
            _("This cannot be done now: the suggestion is “%(status)s”. Reload the page to see where it stands.")
            % {"status": S(status).label},
        )


ENGINE = engine.Workflow(
    name="suggestion",
    statuses=S,
    rules=TABLE,
    initial={S.DRAFT},
    error=lambda move, status: InvalidSuggestionMove(status, move),
)


def is_overdue(suggestion, today) -> bool:
    """Assigned, not replied, past its deadline."""
    return bool(suggestion.due_on and suggestion.status in AWAITING_REPLY and suggestion.due_on < today)
