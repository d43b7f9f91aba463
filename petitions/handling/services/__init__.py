"""The handling services: one per move of `petitions.handling.workflow`.

Every service follows one pattern (`_begin` / `_finish`), inside one transaction:
reload the row with `select_for_update()`; check it is in the actor's scope (else
PermissionDenied); compare the version the actor's form was built from (`version`, else
`Conflict`: two people acting on one item at once, one wins and the other is told, nothing
is lost); check the actor's permission and the move (`workflow.check`) and the item's
details (`policy`: their department's share, a rating already given...); move the status
through the table (`workflow.ENGINE.apply`, the only way a status changes) and save it with
the fields; write one `PetitionEvent`; queue notices to `policy.recipients` through the
outbox (delivered after commit).

Keyword-only; `actor` is the user acting (None for a resident on the tracking page).

The services live by who acts: `triage` (the office routes the item), `department` (the
department's share), `closing` (feedback, rating, close-out), on the pattern in `base`.
This module is their one entry point: callers import the moves from here.
"""

from petitions.handling.policy import actor_share, pending_extension  # noqa: F401
from petitions.handling.services.base import current_shares, department_scope_q  # noqa: F401
from petitions.handling.services.closing import (  # noqa: F401
    new_rating_code,
    petition_close,
    petition_feed_back,
    petition_rate,
)
from petitions.handling.services.department import (  # noqa: F401
    petition_accept,
    petition_contribute,
    petition_decide_extension,
    petition_progress,
    petition_reply,
    petition_request_extension,
    petition_return,
)
from petitions.handling.services.triage import (  # noqa: F401
    petition_assign,
    petition_cannot_handle,
    petition_consult,
    petition_escalate,
    petition_handle_on_the_spot,
    petition_suggestion_replied,
    petition_to_suggestion,
    petition_triage,
)
from petitions.handling.workflow import InvalidTransition  # noqa: F401
from petitions.ledger.services import RESIDENT, Conflict, PetitionError  # noqa: F401
