"""Who may do which move to which petition, and who is told: one answer for the item page's
buttons (`petitions.handling.views`) and for the services (`petitions.handling.services`).

A move is asked in three layers, in this order:

1. scope: is it the user's item at all? The scoped queryset (`Petition.objects.visible_to`)
   answers; outside it the views and the services alike say "not found" (`access_petition`).
2. capability: the move's permission and the item's status, from the table
   (`petitions.handling.workflow`).
3. the item's details, here: which committee office acts (the office handling the item
   routes it, the owning office feeds back and closes it, offices above read and supervise:
   `office_may`), a department acts on its own share (the lead's moves need the
   lead share, a co-handler's part a co-handling share), a working body only supervises and
   presses its own lead departments (`working_body_may`), an extension is asked once and
   decided once, each rater rates once a round, only who may draft a suggestion turns an
   item into one, the lead department is pressed for progress at most once a day.

The buttons ask `can` / `moves_for` (all three layers); the services ask `own_share`,
`rating_given`, `pending_extension` and `urged_today`, the same rules, and turn a refusal into their own
message. `recipients` says who each move tells.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from liaison.access import scope_for
from liaison.models import Role
from liaison.offices import office_id_of, offices_above
from petitions.handling import workflow
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES, Assignment, ExtensionRequest, Rating
from petitions.handling.workflow import Move
from petitions.ledger.events import PetitionEventKind
from petitions.models import Petition, PetitionRepresentative

# The moves a department makes on its own share, and the share's role they need.
SHARE_ROLE: dict[Move, str] = {
    Move.ACCEPT: Assignment.Role.LEAD,
    Move.PROGRESS: Assignment.Role.LEAD,
    Move.REPLY: Assignment.Role.LEAD,
    Move.REQUEST_EXTENSION: Assignment.Role.LEAD,
    Move.RETURN: Assignment.Role.LEAD,
    Move.CONTRIBUTE: Assignment.Role.CO,
}
# Drafting a suggestion is the suggestions' permission: only who holds it turns items into one.
ADD_SUGGESTION = "petitions.add_suggestion"
# Working-body staff supervise their departments' items: a notice, and pressing the lead for
# progress when it is one of their departments. They hold `feed_back_petition` for URGE alone.
WORKING_BODY_MOVES = frozenset({Move.SUPERVISE, Move.URGE})

# Which committee office may make a move (`liaison.offices`): the office that handles the item now
# (the owner, or the office above it was escalated to) routes it; the owning office feeds the answer
# back, records the resident's rating and closes out; any office whose jurisdiction holds the item
# supervises it and presses for progress. Offices above otherwise read only. The handling office's
# moves are those of the routing permission (triage_petition), and linking.
HANDLING_OFFICE_MOVES = frozenset(
    {move for move, rule in workflow.TABLE.items() if rule.permission == "petitions.triage_petition"} | {Move.LINK}
)
OWNING_OFFICE_MOVES = frozenset({Move.FEED_BACK, Move.RATE, Move.CLOSE})
# Moves that exist only while an office above handles an item escalated to it.
ESCALATED_MOVES = frozenset({Move.SEND_DOWN, Move.TAKE_OVER})


# -- which office acts ------------------------------------------------------------------------------


def office_may(user, move: Move, petition: Petition) -> bool:
    """The office part of the answer: a committee-office user makes a handling-office move only on
    items its office handles now, an owning-office move only on items its office owns; the moves
    of an escalated item only while it is with an office other than its owner. Other roles (and
    the system administrator) are not asked which office they are."""
    if move in ESCALATED_MOVES and petition.handling_office_id == petition.owner_office_id:
        return False
    if user is None or not user.is_authenticated or user.is_system_admin:
        return True
    office_id = office_id_of(user)
    if office_id is None:  # not an office account: its other rules apply
        return True
    if move in HANDLING_OFFICE_MOVES:
        return office_id == petition.handling_office_id
    if move in OWNING_OFFICE_MOVES:
        return office_id == petition.owner_office_id
    return True


def check_office(user, move: Move, petition: Petition) -> None:
    """`office_may` and `working_body_may` for the services: PermissionDenied when another office
    acts on the item, or a working body beyond supervising and pressing its own departments."""
    if not office_may(user, move, petition) or not working_body_may(user, move, petition):
        raise PermissionDenied


def may_edit(user, petition: Petition) -> bool:
    """Whether `user` (who holds the edit permission and sees the item) may change its details or
    files: an office only on the items it owns or handles; an office above reads only."""
    office_id = office_id_of(user)
    return office_id is None or office_id in (petition.owner_office_id, petition.handling_office_id)


def escalation_targets(petition: Petition) -> list:
    """The offices the item's handling office may hand it up to, nearest first (empty without one)."""
    if petition.handling_office_id is None:
        return []
    return offices_above(petition.handling_office)


# -- the item's details ------------------------------------------------------------------------------


def actor_share(actor, petition: Petition) -> Assignment | None:
    """The open share of the actor's department in the current round, if any (the lead's first)."""
    if not actor.is_authenticated:
        return None
    return (
        Assignment.objects.filter(
            petition=petition, round=petition.round, department__members=actor, state__in=ACTIVE_ASSIGNMENT_STATES
        )
        .select_related("department")
        .order_by("role", "pk")
        .first()
    )


def own_share(actor, petition: Petition, move: Move) -> Assignment:
    """The actor's department's open share that `move` needs (`SHARE_ROLE`), locked until the
    transaction ends. PermissionDenied when the actor's department has none: another
    department's item, or a co-handler trying a lead's move."""
    found = (
        Assignment.objects.select_for_update()
        .filter(
            petition=petition,
            round=petition.round,
            department__members=actor,
            state__in=ACTIVE_ASSIGNMENT_STATES,
            role=SHARE_ROLE[move],
        )
        .select_related("department")
        .order_by("pk")
        .first()
    )
    if found is None:
        raise PermissionDenied
    return found


def pending_extension(petition: Petition) -> ExtensionRequest | None:
    """The extension request waiting for the office's decision (at most one at a time)."""
    return (
        ExtensionRequest.objects.filter(petition=petition, state=ExtensionRequest.State.PENDING)
        .select_related("assignment__department", "requested_by")
        .first()
    )


def lead_share(petition: Petition) -> Assignment | None:
    """The lead department's open share of the current round, if any."""
    return (
        petition.assignments.filter(round=petition.round, role=Assignment.Role.LEAD, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("department")
        .first()
    )


def urged_today(petition: Petition) -> bool:
    """The lead department was already pressed for progress today (once a day is enough)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return petition.events.filter(kind=PetitionEventKind.URGED, at__gte=start).exists()


def representative_on_item(user, petition: Petition):
    """The user's representative when they are on the item (received or follow it), else None."""
    rep = getattr(user, "representative", None) if user is not None and user.is_authenticated else None
    if rep is None or not PetitionRepresentative.objects.filter(petition=petition, representative=rep).exists():
        return None
    return rep


def rating_given(petition: Petition, *, representative=None) -> bool:
    """This round's rating is in: the representative's own, or (None) the resident's."""
    ratings = Rating.objects.filter(petition=petition, round=petition.round)
    if representative is not None:
        return ratings.filter(representative=representative).exists()
    return ratings.filter(rater=Rating.Rater.RESIDENT).exists()


def working_body_may(user, move: Move, petition: Petition) -> bool:
    """False for working-body staff and a move beyond `WORKING_BODY_MOVES`, or pressing a lead
    department their bodies do not coordinate; True for everyone else."""
    if getattr(user, "role", None) != Role.WORKING_BODY or user.is_superuser:
        return True
    if move not in WORKING_BODY_MOVES:
        return False
    return move != Move.URGE or petition.lead_department_id in scope_for(user).department_ids


@dataclass(frozen=True)
class Situation:
    """What the moves open to one user on one item depend on beyond status and permission."""

    share: Assignment | None  # the user's department's open share in this round
    pending_extension: ExtensionRequest | None
    is_on_item: bool  # a representative on the item (rates as themselves)
    rated: bool  # this user (representative) or the resident (staff/office write it down) rated this round
    urged: bool = False  # the lead department was pressed for progress today
    can_escalate: bool = True  # an office above the one handling the item exists


def situation(user, petition: Petition) -> Situation:
    """The item's details for `user`, read once per page (five small queries)."""
    rep = representative_on_item(user, petition)
    return Situation(
        share=actor_share(user, petition),
        pending_extension=pending_extension(petition),
        is_on_item=rep is not None,
        rated=rating_given(petition, representative=rep),
        urged=petition.status in workflow.IN_HAND and urged_today(petition),
        # Only who may route the item asks which offices lie above (one query, not for every reader).
        can_escalate=petition.status in workflow.AWAITING_TRIAGE
        and workflow.can(Move.ESCALATE, petition.status, user)
        and bool(escalation_targets(petition)),
    )


# -- the answers ----------------------------------------------------------------------------------------


def can(user, move: Move, petition: Petition, sit: Situation | None = None) -> bool:
    """May `user` (whose scope holds the item) start `move` on it now? The table's answer for its
    status and the user's permission, narrowed by the item's details (`Situation`)."""
    if not workflow.can(move, petition.status, user) or not office_may(user, move, petition):
        return False
    if not working_body_may(user, move, petition):
        return False
    sit = sit or situation(user, petition)
    if move == Move.ESCALATE and not sit.can_escalate:
        return False
    if move in SHARE_ROLE and (sit.share is None or sit.share.role != SHARE_ROLE[move]):
        return False
    if move == Move.REQUEST_EXTENSION and sit.pending_extension is not None:
        return False
    if move == Move.DECIDE_EXTENSION and sit.pending_extension is None:
        return False
    if move == Move.RATE and sit.rated:
        return False
    if move == Move.URGE and sit.urged:
        return False
    return not (move == Move.TO_SUGGESTION and not user.has_perm(ADD_SUGGESTION))


def moves_for(user, petition: Petition, sit: Situation | None = None) -> list[Move]:
    """The moves the item's page offers `user`, in the order of its buttons."""
    sit = sit or situation(user, petition)
    return [move for move in workflow.PAGE_MOVES if can(user, move, petition, sit)]


def recipients(move: Move, petition: Petition, *, department=None, assigned_by=None, office=None) -> list:
    """Who `move` on `petition` tells (inbox, email and SMS per their settings), as user accounts:

    - ASSIGN (and the new share of a REOPEN), DECIDE_EXTENSION, SUPERVISE, URGE: the members of the
      `department` concerned (the share's, the notice's, the lead's);
    - CONTRIBUTE: the members of the lead `department`;
    - REQUEST_EXTENSION, RETURN, REOPEN: the office: the colleagues of whoever assigned the item
      (`assigned_by`), else the office of the nearest jurisdiction above the item's place;
    - CONSULT, ON_THE_SPOT, CANNOT_HANDLE, REPLY, SUGGESTION_REPLIED: who feeds the answer back:
      the item's representatives with accounts and its station's staff, and the owning office's
      accounts when another office (one above it) handles the item;
    - ESCALATE, SEND_DOWN: the accounts of the `office` the item now waits with; TAKE_OVER: those
      of the former owner (`office`);
    - SUSPEND, RESUME: the members of every department with an open share of the current round;
    - FEED_BACK tells the resident (their rating code by text message, `notifications.send_rating_code`),
      not an account; the other moves tell nobody.
    """
    # The notice helpers stay with the services (the reminders use them too); they import this module.
    from petitions.handling import notifications

    if move in (Move.ASSIGN, Move.CONTRIBUTE, Move.DECIDE_EXTENSION, Move.SUPERVISE, Move.URGE):
        return notifications.department_members(department) if department is not None else []
    if move in (Move.REQUEST_EXTENSION, Move.RETURN, Move.REOPEN):
        return notifications.office_users_for(petition, assigned_by)
    if move in (Move.ESCALATE, Move.SEND_DOWN, Move.TAKE_OVER):
        return notifications.office_members(office) if office is not None else []
    if move in (Move.CONSULT, Move.ON_THE_SPOT, Move.CANNOT_HANDLE, Move.REPLY, Move.SUGGESTION_REPLIED):
        users = {user.pk: user for user in notifications.followers(petition)}
        if petition.owner_office_id and petition.handling_office_id != petition.owner_office_id:
            for user in notifications.office_members(petition.owner_office):
                users.setdefault(user.pk, user)
        return list(users.values())
    if move in (Move.SUSPEND, Move.RESUME):
        shares = Assignment.objects.filter(
            petition=petition, round=petition.round, state__in=ACTIVE_ASSIGNMENT_STATES
        ).select_related("department")
        users = {}
        for share in shares.order_by("role", "pk"):
            for user in notifications.department_members(share.department):
                users.setdefault(user.pk, user)
        return list(users.values())
    return []
