"""The handling services: one per move of `petitions.handling.workflow`.

Every service follows one pattern (`_begin` / `_finish`), inside one transaction:
get and lock the row in the actor's scope (`access_petition(..., for_update=True)`: Http404 for a
missing item and one outside the scope alike); compare the version the actor's form was built from (`version`, else
`Conflict`: two people acting on one item at once, one wins and the other is told, nothing
is lost); check the actor's permission and the move (`workflow.check`) and the item's
details (`policy`: their department's share, a rating already given...); move the status
through the table (`workflow.ENGINE.apply`, the only way a status changes) and save it with
the fields; write one `PetitionEvent`; queue notices to `policy.recipients` through the
outbox (delivered after commit).

Keyword-only; `actor` is the user acting (None for a resident on the tracking page).

The services live by who acts: `triage` (the office routes the item), `escalation` (between
offices: handed up, sent back down, taken over), `department` (the
department's share), `closing` (feedback, rating, close-out), and `petitions.handling.suspension`
(the clock stops and starts), on the pattern in `base`. This module is their one entry point:
callers import the moves from here; each module's `__all__` says what it exports.
"""

from petitions.handling.policy import actor_share, pending_extension  # noqa: F401
from petitions.handling.services.base import current_shares, department_scope_q  # noqa: F401

# Each module's moves, by its `__all__`: a new service is exported where it is written.
from petitions.handling.services.closing import *  # noqa: F403
from petitions.handling.services.department import *  # noqa: F403
from petitions.handling.services.escalation import *  # noqa: F403
from petitions.handling.services.triage import *  # noqa: F403
from petitions.handling.suspension import *  # noqa: F403
from petitions.handling.workflow import InvalidTransition  # noqa: F401
from petitions.ledger.services import RESIDENT, Conflict, PetitionError  # noqa: F401
