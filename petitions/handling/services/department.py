"""The department's moves on its share: accept, progress, its part, reply, extension, return."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.models import User
from petitions.handling import notifications, policy
from petitions.handling.deadlines import reply_working_days
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES
from petitions.handling.services.base import _begin, _finish
from petitions.handling.workflow import Move
from petitions.ledger import events
from petitions.ledger.services import PetitionError, _attach_staged, required_text
from petitions.models import (
    Assignment,
    DepartmentReply,
    ExtensionRequest,
    Outcome,
    Petition,
)

__all__ = [
    "petition_accept",
    "petition_contribute",
    "petition_decide_extension",
    "petition_progress",
    "petition_reply",
    "petition_request_extension",
    "petition_return",
]

# -- the department -----------------------------------------------------------------------------------


@transaction.atomic
def petition_accept(*, actor: User | None, petition: Petition | int, version: int | None = None) -> Petition:
    """The lead department takes the item on (局长接单)."""
    petition = _begin(actor=actor, petition=petition, move=Move.ACCEPT, version=version)
    share = policy.own_share(actor, petition, Move.ACCEPT)
    share.state, share.accepted_at = Assignment.State.ACCEPTED, timezone.now()
    share.save(update_fields=["state", "accepted_at"])
    _finish(
        petition,
        move=Move.ACCEPT,
        actor=actor,
        fact=events.accepted(
            department=share.department.name,
            public_text=_("%(department)s has taken your item on.") % {"department": share.department.name},
        ),
    )
    return petition


@transaction.atomic
def petition_progress(
    *, actor: User | None, petition: Petition | int, version: int | None = None, text: str, public: bool = True
) -> Petition:
    """A progress note from the lead department; shown to the resident unless marked internal."""
    petition = _begin(actor=actor, petition=petition, move=Move.PROGRESS, version=version)
    share = policy.own_share(actor, petition, Move.PROGRESS)
    text_ = required_text(text, _("Write what has been done."), 3000)
    _finish(
        petition,
        move=Move.PROGRESS,
        actor=actor,
        fact=events.progress(
            department=share.department.name,
            text=text_,
            public=bool(public),
            public_text=_("Progress: %(text)s") % {"text": text_} if public else "",
        ),
    )
    return petition


@transaction.atomic
def petition_contribute(
    *, actor: User | None, petition: Petition | int, version: int | None = None, text: str
) -> Petition:
    """A co-handler gives its part to the lead department."""
    petition = _begin(actor=actor, petition=petition, move=Move.CONTRIBUTE, version=version)
    share = policy.own_share(actor, petition, Move.CONTRIBUTE)
    share.note = required_text(text, _("Write your department's part."), 5000)
    share.state, share.done_at = Assignment.State.DONE, timezone.now()
    share.accepted_at = share.accepted_at or share.done_at
    share.save(update_fields=["note", "state", "done_at", "accepted_at"])
    _finish(
        petition,
        move=Move.CONTRIBUTE,
        actor=actor,
        fact=events.contributed(department=share.department.name, text=share.note),
    )
    lead = (
        petition.assignments.filter(round=petition.round, role=Assignment.Role.LEAD, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("department")
        .first()
    )
    if lead:
        notifications.notify_contributed(petition, share, lead)
    return petition


@transaction.atomic
def petition_reply(
    *, actor: User | None, petition: Petition | int, version: int | None = None, outcome: str, text: str, staged=()
) -> Petition:
    """The lead department's written answer with its outcome class (A–D) and files.

    Co-handlers that have not given their part yet are no longer asked (their share lapses).
    The representatives and the station's staff are told to feed the answer back.
    """
    petition = _begin(actor=actor, petition=petition, move=Move.REPLY, version=version)
    if outcome not in Outcome.values:
        raise PetitionError(_("Choose the outcome class."))
    share = policy.own_share(actor, petition, Move.REPLY)
    text_ = required_text(text, _("Write the reply."), 5000)
    now = timezone.now()
    reply = DepartmentReply.objects.create(
        petition=petition,
        assignment=share,
        department=share.department,
        author=actor,
        outcome=outcome,
        text=text_,
        round=petition.round,
        created_at=now,
    )
    for upload in staged:
        attachment = _attach_staged(petition, upload, actor)
        attachment.reply = reply
        attachment.save(update_fields=["reply"])
    share.state, share.done_at = Assignment.State.DONE, now
    share.save(update_fields=["state", "done_at"])
    petition.assignments.filter(
        round=petition.round, role=Assignment.Role.CO, state__in=ACTIVE_ASSIGNMENT_STATES
    ).update(state=Assignment.State.LAPSED, done_at=now)
    # An extension nobody decided is moot once the answer is in.
    ExtensionRequest.objects.filter(petition=petition, state=ExtensionRequest.State.PENDING).update(
        state=ExtensionRequest.State.REFUSED,
        decided_at=now,
        decision_note=_("The department replied before a decision."),
    )
    petition.outcome, petition.handling_summary, petition.replied_at = outcome, text_, now
    petition.reply_working_days = reply_working_days(petition.assigned_at, now, area_code=petition.area_code)
    _finish(
        petition,
        move=Move.REPLY,
        actor=actor,
        fields=["outcome", "handling_summary", "replied_at", "reply_working_days"],
        fact=events.department_replied(
            department=share.department.name,
            outcome=outcome,
            reply_id=reply.pk,
            on_time=timezone.localdate() <= share.due_on,
            public_text=_("Reply from %(department)s (%(outcome)s): %(text)s")
            % {"department": share.department.name, "outcome": Outcome(outcome).label, "text": text_},
        ),
    )
    notifications.notify_replied(petition, share)
    return petition


@transaction.atomic
def petition_request_extension(
    *, actor: User | None, petition: Petition | int, version: int | None = None, requested_due_on: date, reason: str
) -> ExtensionRequest:
    """The lead department asks for a later deadline; the office decides."""
    petition = _begin(actor=actor, petition=petition, move=Move.REQUEST_EXTENSION, version=version)
    share = policy.own_share(actor, petition, Move.REQUEST_EXTENSION)
    reason_ = required_text(reason, _("Say why more time is needed."), 2000)
    if requested_due_on <= share.due_on:
        raise PetitionError(
            _("Ask for a date after the current deadline (%(due)s).") % {"due": date_format(share.due_on, "Y-m-d")}
        )
    if policy.pending_extension(petition) is not None:
        raise PetitionError(_("An extension request is already waiting for the office's decision."))
    request = ExtensionRequest.objects.create(
        petition=petition,
        assignment=share,
        requested_by=actor,
        reason=reason_,
        current_due_on=share.due_on,
        requested_due_on=requested_due_on,
    )
    _finish(
        petition,
        move=Move.REQUEST_EXTENSION,
        actor=actor,
        fact=events.extension_requested(
            department=share.department.name,
            request_id=request.pk,
            due_on=share.due_on,
            requested=requested_due_on,
            reason=reason_,
        ),
    )
    notifications.notify_extension_requested(petition, share, request)
    return request


@transaction.atomic
def petition_decide_extension(
    *,
    actor: User | None,
    petition: Petition | int,
    version: int | None = None,
    request: ExtensionRequest,
    approve: bool,
    due_on: date | None = None,
    note: str = "",
) -> ExtensionRequest:
    """The office approves (with the requested or another date) or refuses an extension."""
    petition = _begin(actor=actor, petition=petition, move=Move.DECIDE_EXTENSION, version=version)
    request = (
        ExtensionRequest.objects.select_for_update()
        .select_related("assignment__department")
        .get(pk=request.pk, petition=petition)
    )
    if request.state != ExtensionRequest.State.PENDING:
        raise PetitionError(_("This request has already been decided."))
    share = request.assignment
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), (note or "").strip()[:2000]
    fields = []
    if approve:
        new_due = due_on or request.requested_due_on
        if new_due <= request.current_due_on:
            raise PetitionError(_("The new deadline must be after the current one."))
        request.state = ExtensionRequest.State.APPROVED
        share.due_on = new_due
        share.save(update_fields=["due_on"])
        if share.role == Assignment.Role.LEAD:
            petition.due_on = new_due
            fields.append("due_on")
        fact = events.extension_approved(
            department=share.department.name,
            request_id=request.pk,
            due_on=request.current_due_on,
            new_due_on=new_due,
            note=request.decision_note,
            public_text=_("The deadline was extended to %(due)s.") % {"due": date_format(new_due, "Y-m-d")},
        )
    else:
        if not request.decision_note:
            raise PetitionError(_("Say why the extension is refused."))
        request.state = ExtensionRequest.State.REFUSED
        fact = events.extension_refused(
            department=share.department.name,
            request_id=request.pk,
            due_on=request.current_due_on,
            note=request.decision_note,
        )
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _finish(petition, move=Move.DECIDE_EXTENSION, actor=actor, fields=fields, fact=fact)
    notifications.notify_extension_decided(petition, share, request, approve)
    return request


@transaction.atomic
def petition_return(
    *, actor: User | None, petition: Petition | int, version: int | None = None, reason: str
) -> Petition:
    """The lead department returns the item (退回) with its reason; it goes back to triage."""
    petition = _begin(actor=actor, petition=petition, move=Move.RETURN, version=version)
    share = policy.own_share(actor, petition, Move.RETURN)
    reason_ = required_text(reason, _("Say why the item is returned."), 2000)
    now = timezone.now()
    share.state, share.done_at, share.note = Assignment.State.RETURNED, now, reason_
    share.save(update_fields=["state", "done_at", "note"])
    petition.assignments.filter(round=petition.round, state__in=ACTIVE_ASSIGNMENT_STATES).update(
        state=Assignment.State.LAPSED, done_at=now
    )
    ExtensionRequest.objects.filter(petition=petition, state=ExtensionRequest.State.PENDING).update(
        state=ExtensionRequest.State.REFUSED, decided_at=now, decision_note=_("The item was returned.")
    )
    petition.lead_department, petition.due_on, petition.assigned_at = None, None, None
    _finish(
        petition,
        move=Move.RETURN,
        actor=actor,
        fields=["lead_department", "due_on", "assigned_at"],
        fact=events.returned(department=share.department.name, reason=reason_),
    )
    notifications.notify_returned(petition, share, reason_)
    return petition
