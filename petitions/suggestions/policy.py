"""Who may do which move to which representative suggestion, and who is told: one answer for the
suggestion's page and for the services.

Scope first (`Suggestion.objects.visible_to`, one row through `access_suggestion`: outside it,
"not found"), then the capability here (`may`), then the status (the table,
`petitions.suggestions.workflow`). The office edits, assigns and closes; the assigned
department's members or the office record the pre-handling meeting and reply; the working body
coordinating the department records the pre-handling meeting too; only the lead representative
rates.
"""

from datetime import date, timedelta

from django.utils import timezone

from liaison.access import scope_for
from liaison.models import Role, User
from liaison.outbox import Recipient
from petitions.handling.models import Suggestion
from petitions.handling.notifications import department_members
from petitions.suggestions.workflow import CHANGE, ENGINE, PAGE_MOVES, Move

S = Suggestion.Status
HANDLE = "petitions.handle_petition"
# The office may close a replied suggestion the lead representative has not rated after this many days.
RATING_WAIT_DAYS = 30


def _is_department_member(user, suggestion: Suggestion) -> bool:
    return bool(
        suggestion.department_id
        and user.has_perm(HANDLE)
        and suggestion.department_id in scope_for(user).department_ids
    )


def _is_working_body_of(user, suggestion: Suggestion) -> bool:
    """Working-body staff of a body coordinating the assigned department: the specialised
    committees lead the pre-handling meetings (办前沟通座谈会, seed 004)."""
    return bool(
        suggestion.department_id
        and user.role == Role.WORKING_BODY
        and suggestion.department_id in scope_for(user).department_ids
    )


def _is_lead(user, suggestion: Suggestion) -> bool:
    rep_id = scope_for(user).representative_id
    return rep_id is not None and rep_id == suggestion.lead_representative_id


def may(user, suggestion: Suggestion, move: Move) -> bool:
    """May `user` (who sees the suggestion) do `move` to it, whatever its status?"""
    if user is None or not user.is_authenticated:
        return False
    if move in (Move.EDIT, Move.ADD_PETITIONS, Move.ASSIGN, Move.CLOSE):
        return user.has_perm(CHANGE)
    if move == Move.PRE_MEETING:
        return user.has_perm(CHANGE) or _is_department_member(user, suggestion) or _is_working_body_of(user, suggestion)
    if move == Move.REPLY:
        return user.has_perm(CHANGE) or _is_department_member(user, suggestion)
    if move == Move.RATE:
        return _is_lead(user, suggestion)
    return False


def closable(suggestion: Suggestion, today: date | None = None) -> bool:
    """Rated, or replied at least RATING_WAIT_DAYS days ago without a rating."""
    if suggestion.status == S.RATED:
        return True
    if suggestion.status == S.REPLIED and suggestion.replied_at:
        today = today or timezone.localdate()
        return timezone.localtime(suggestion.replied_at).date() + timedelta(days=RATING_WAIT_DAYS) <= today
    return False


def can(user, move: Move, suggestion: Suggestion) -> bool:
    """May `user` start `move` on the suggestion now: its status, the user's capability, and for
    closing the rating or the wait."""
    return (
        ENGINE.can(move, suggestion.status, user)
        and may(user, suggestion, move)
        and (move != Move.CLOSE or closable(suggestion))
    )


def moves_for(user, suggestion: Suggestion) -> list[Move]:
    """The actions the suggestion's page offers `user` now, in the page's order."""
    return [move for move in PAGE_MOVES if can(user, move, suggestion)]


def _office_users(suggestion: Suggestion) -> list:
    return list(
        User.objects.filter(
            role=Role.COMMITTEE_OFFICE, is_active=True, jurisdiction_id=suggestion.jurisdiction_id
        ).order_by("pk")
    )


def recipients(move: Move, suggestion: Suggestion, *, department=None) -> list[tuple[Recipient, str]]:
    """Who `move` tells, as (recipient, key suffix) pairs (`user:<pk>`, `rep:<pk>`) so no notice is
    stored twice:

    - ASSIGN: the members of the `department` it is assigned to;
    - REPLY: the lead representative and the co-signers (each item it came from tells its own
      followers: `petitions.handling.policy.recipients(SUGGESTION_REPLIED, ...)`);
    - RATE: the committee office of the suggestion's jurisdiction;
    - the other moves tell nobody.
    """
    if move == Move.ASSIGN and department is not None:
        return [(Recipient.for_user(u), f"user:{u.pk}") for u in department_members(department)]
    if move == Move.REPLY:
        signers = [suggestion.lead_representative, *suggestion.co_signers.order_by("pk")]
        return [(Recipient.for_representative(r), f"rep:{r.pk}") for r in signers]
    if move == Move.RATE:
        return [(Recipient.for_user(u), f"user:{u.pk}") for u in _office_users(suggestion)]
    return []
