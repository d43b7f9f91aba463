"""Between committee offices: an item handed up to an office above, sent back down, taken over.

The office handling an item (`Petition.handling_office`, normally its owner) may hand it to an
office above (`policy.escalation_targets`); it then waits in that office's triage list, marked as
escalated from below, and that office routes it like any item of its own. The answer comes back to
the owner's side (its station's staff, the representatives, the owning office), which feeds it
back, has it rated and closes it out, unless the office above takes the item over. Which office
may do each move is `policy.office_may`; the rules of the tree, `liaison.offices`.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import Office, User
from petitions.handling import notifications, policy
from petitions.handling.services.base import _begin, _finish
from petitions.handling.workflow import Move
from petitions.ledger import events
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError, required_text
from petitions.models import Petition

__all__ = ["came_from", "petition_escalate", "petition_send_down", "petition_take_over"]


@transaction.atomic
def petition_escalate(
    *,
    actor: User | None,
    petition: Petition | int,
    version: int | None = None,
    office: Office,
    reason: str,
    note: str = "",
) -> Petition:
    """Hand the item to `office`, one of the offices above the one handling it, with the reason
    (the office above reads it) and the lower office's note. The resident reads which office
    now handles it; the office above is told at once."""
    petition = _begin(actor=actor, petition=petition, move=Move.ESCALATE, version=version)
    targets = {o.pk: o for o in policy.escalation_targets(petition)}
    if office is None or office.pk not in targets:
        raise PetitionError(_("Choose one of the offices above the office handling this item."))
    reason = required_text(reason, _("Say why a higher level should handle it."), 2000)
    from_office = petition.handling_office
    petition.handling_office = petition.escalated_to = targets[office.pk]
    petition.escalated_at = timezone.now()
    event = _finish(
        petition,
        move=Move.ESCALATE,
        actor=actor,
        fields=["handling_office", "escalated_to", "escalated_at"],
        fact=events.escalated(
            from_office=from_office, to_office=petition.handling_office, reason=reason, note=(note or "").strip()[:2000]
        ),
    )
    notifications.notify_move(Move.ESCALATE, petition, event, office=petition.handling_office)
    return petition


def came_from(petition: Petition) -> Office | None:
    """The office that handed the item up to its handling office (the last escalation to it), if
    it still lies below; else the owner (an item taken over and handed on, say)."""
    last = (
        petition.events.filter(kind=PetitionEventKind.ESCALATED, data__to_office_id=petition.handling_office_id)
        .order_by("-at", "-pk")
        .first()
    )
    from_id = (last.data or {}).get("from_office_id") if last else None
    found = Office.objects.select_related("jurisdiction").filter(pk=from_id).first() if from_id else None
    return found or petition.owner_office


@transaction.atomic
def petition_send_down(
    *, actor: User | None, petition: Petition | int, version: int | None = None, explanation: str
) -> Petition:
    """The office above gives an escalated item back to the office that handed it up, saying why
    (a matter for the level below, what to do next). It returns to that office's triage list."""
    petition = _begin(actor=actor, petition=petition, move=Move.SEND_DOWN, version=version)
    explanation = required_text(explanation, _("Explain to the office below why it comes back."), 2000)
    target = came_from(petition)
    if target is None:
        raise PetitionError(_("No office below is left to send this item to."))
    from_office = petition.handling_office
    petition.handling_office = target
    event = _finish(
        petition,
        move=Move.SEND_DOWN,
        actor=actor,
        fields=["handling_office"],
        fact=events.sent_down(from_office=from_office, to_office=target, explanation=explanation),
    )
    notifications.notify_move(Move.SEND_DOWN, petition, event, office=target)
    return petition


@transaction.atomic
def petition_take_over(
    *, actor: User | None, petition: Petition | int, version: int | None = None, note: str = ""
) -> Petition:
    """The office above that handles an escalated item becomes its owner: it feeds the answer
    back, has it rated and closes it out. The former owner is told and keeps reading it."""
    petition = _begin(actor=actor, petition=petition, move=Move.TAKE_OVER, version=version)
    former = petition.owner_office
    petition.owner_office = petition.handling_office
    event = _finish(
        petition,
        move=Move.TAKE_OVER,
        actor=actor,
        fields=["owner_office"],
        fact=events.taken_over(from_office=former, to_office=petition.owner_office, note=(note or "").strip()[:2000]),
    )
    if former is not None:
        notifications.notify_move(Move.TAKE_OVER, petition, event, office=former)
    return petition
