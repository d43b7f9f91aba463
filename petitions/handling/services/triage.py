"""The office routes an item: triage, assignment, answers without a department, suggestions."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.models import User
from petitions.handling import notifications, workflow
from petitions.handling.deadlines import deadline_for, reply_working_days
from petitions.handling.services.base import _begin, _check_departments, _finish
from petitions.handling.workflow import InvalidTransition, Move
from petitions.ledger import events
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError, required_text
from petitions.models import (
    Assignment,
    Department,
    Petition,
    Route,
    Suggestion,
)

__all__ = [
    "petition_assign",
    "petition_cannot_handle",
    "petition_consult",
    "petition_handle_on_the_spot",
    "petition_suggestion_replied",
    "petition_to_suggestion",
    "petition_triage",
]

# -- triage (the office) ------------------------------------------------------------------------------


@transaction.atomic
def petition_triage(
    *,
    actor: User | None,
    petition: Petition | int,
    version: int | None = None,
    urgency: str = "",
    is_hard_problem: bool | None = None,
    responsible_leader: str = "",
    note: str = "",
) -> Petition:
    """Accept the item for handling by a department (route "direct"), classifying it on the way."""
    petition = _begin(actor=actor, petition=petition, move=Move.TRIAGE, version=version)
    changes, fields = {}, ["route"]
    petition.route = Route.DIRECT
    if urgency and urgency != petition.urgency:
        changes["urgency"] = [petition.urgency, urgency]
        petition.urgency = urgency
        fields.append("urgency")
    if is_hard_problem is not None and is_hard_problem != petition.is_hard_problem:
        changes["is_hard_problem"] = [petition.is_hard_problem, is_hard_problem]
        petition.is_hard_problem = is_hard_problem
        fields.append("is_hard_problem")
    if responsible_leader:
        petition.responsible_leader = responsible_leader.strip()[:64]
        fields.append("responsible_leader")
    _finish(
        petition,
        move=Move.TRIAGE,
        actor=actor,
        fields=fields,
        fact=events.triaged(
            route=Route.DIRECT,
            changes=changes,
            note=(note or "").strip()[:2000],
            public_text=_("Your item has been sorted and will be assigned to the department responsible."),
        ),
    )
    return petition


@transaction.atomic
def petition_assign(
    *,
    actor: User | None,
    petition: Petition | int,
    version: int | None = None,
    department: Department,
    co_departments: Iterable[Department] = (),
    responsible_leader: str = "",
    due_on: date | None = None,
    co_due_on: date | None = None,
    note: str = "",
) -> Petition:
    """Assign a lead department (主办), optional co-handlers (协办), a responsible leader and
    deadlines (default: the office's working-day rules by urgency). Tells each department."""
    petition = _begin(actor=actor, petition=petition, move=Move.ASSIGN, version=version)
    co_departments = [d for d in {d.pk: d for d in co_departments}.values() if d.pk != department.pk]
    default_due, default_co_due = deadline_for(
        route=Route.DIRECT, urgency=petition.urgency, area_code=petition.area_code
    )
    due_on = due_on or default_due
    co_due_on = min(co_due_on or default_co_due, due_on)
    today = timezone.localdate()
    if due_on < today or (co_departments and co_due_on < today):
        raise PetitionError(_("The deadline cannot be in the past."))
    _check_departments(actor, [department, *co_departments])
    now = timezone.now()
    # A returned item's old shares of this round stay for the record; the new ones start afresh.
    lead = Assignment.objects.create(
        petition=petition,
        department=department,
        role=Assignment.Role.LEAD,
        round=petition.round,
        due_on=due_on,
        assigned_at=now,
        assigned_by=actor,
    )
    cos = [
        Assignment.objects.create(
            petition=petition,
            department=d,
            role=Assignment.Role.CO,
            round=petition.round,
            due_on=co_due_on,
            assigned_at=now,
            assigned_by=actor,
        )
        for d in co_departments
    ]
    petition.lead_department = department
    petition.due_on = due_on
    petition.route = Route.DIRECT
    petition.assigned_at = now
    if responsible_leader:
        petition.responsible_leader = responsible_leader.strip()[:64]
    _finish(
        petition,
        move=Move.ASSIGN,
        actor=actor,
        fields=["lead_department", "due_on", "route", "assigned_at", "responsible_leader"],
        fact=events.assigned(
            department=department.name,
            co_departments=[d.name for d in co_departments],
            due_on=due_on,
            co_due_on=co_due_on if cos else None,
            responsible_leader=petition.responsible_leader,
            note=(note or "").strip()[:2000],
            public_text=_("Your item has been assigned to %(department)s, to be answered by %(due)s.")
            % {"department": department.name, "due": date_format(due_on, "Y-m-d")},
        ),
    )
    for share in [lead, *cos]:
        notifications.notify_assigned(petition, share)
    return petition


def _answer_without_department(move: Move, kind, public_sentence):
    @transaction.atomic
    def service(
        *,
        actor: User | None,
        petition: Petition | int,
        version: int | None = None,
        text: str,
        department: Department | None = None,
    ) -> Petition:
        petition = _begin(actor=actor, petition=petition, move=move, version=version)
        text_ = required_text(text, _("Write what the resident is told."), 5000)
        petition.handling_summary = text_
        petition.replied_at = timezone.now()
        fields = ["handling_summary", "replied_at", "route"]
        petition.route = {
            Move.CONSULT: Route.CONSULTATION,
            Move.ON_THE_SPOT: Route.ON_THE_SPOT,
        }.get(move, petition.route)
        if department is not None:
            _check_departments(actor, [department])
            petition.lead_department = department
            fields.append("lead_department")
        _finish(
            petition,
            move=move,
            actor=actor,
            fields=fields,
            fact=events.answered_at_triage(
                kind,
                text=text_,
                department=department.name if department else "",
                public_text=public_sentence() % {"text": text_},
            ),
        )
        notifications.notify_answered(petition, move)
        return petition

    return service


petition_consult = _answer_without_department(
    Move.CONSULT, PetitionEventKind.CONSULTED, lambda: _("Answer after consulting the department: %(text)s")
)
petition_consult.__doc__ = "Answer a question after consulting the department (no assignment)."
petition_handle_on_the_spot = _answer_without_department(
    Move.ON_THE_SPOT, PetitionEventKind.ON_THE_SPOT, lambda: _("Handed over on the spot: %(text)s")
)
petition_handle_on_the_spot.__doc__ = "A street-level matter the street office took over on the spot (当场交办)."
petition_cannot_handle = _answer_without_department(
    Move.CANNOT_HANDLE, PetitionEventKind.CANNOT_HANDLE, lambda: _("Explanation: %(text)s")
)
petition_cannot_handle.__doc__ = "It cannot be handled: the written explanation the resident receives."


@transaction.atomic
def petition_to_suggestion(
    *, actor: User | None, petition: Petition | int, suggestion: Suggestion, version: int | None = None
) -> Petition:
    """The item becomes part of a representative suggestion; it is answered when the suggestion is."""
    petition = _begin(actor=actor, petition=petition, move=Move.TO_SUGGESTION, version=version)
    petition.suggestion = suggestion
    petition.route = Route.SUGGESTION
    _finish(
        petition,
        move=Move.TO_SUGGESTION,
        actor=actor,
        fields=["suggestion", "route"],
        fact=events.to_suggestion(
            number=suggestion.number,
            title=suggestion.title,
            public_text=_("Your item is part of a representative suggestion; you will receive its answer."),
        ),
    )
    return petition


@transaction.atomic
def petition_suggestion_replied(*, actor: User | None, petition: Petition | int, suggestion: Suggestion) -> Petition:
    """The suggestion was answered: each item it came from gets the answer (run by the suggestion
    service, which has checked who replies: the table's state is checked here, no permission).
    An item no longer waiting for this suggestion is left as it is."""
    locked = Petition.objects.select_for_update().get(pk=petition.pk if isinstance(petition, Petition) else petition)
    if locked.suggestion_id != suggestion.pk:
        return locked
    try:
        workflow.check(Move.SUGGESTION_REPLIED, locked.status, actor, system=True)
    except InvalidTransition:
        return locked  # answered another way meanwhile (reopened, linked...): nothing to pass on
    locked.outcome = suggestion.outcome
    locked.handling_summary = suggestion.reply_text
    locked.replied_at = timezone.now()
    locked.reply_working_days = reply_working_days(
        suggestion.assigned_at, locked.replied_at, area_code=locked.area_code
    )
    if suggestion.department_id:
        locked.lead_department_id = suggestion.department_id
    _finish(
        locked,
        move=Move.SUGGESTION_REPLIED,
        actor=actor,
        fields=["outcome", "handling_summary", "replied_at", "reply_working_days", "lead_department"],
        fact=events.suggestion_replied(
            number=suggestion.number,
            outcome=suggestion.outcome,
            public_text=_("Answer to the representative suggestion: %(text)s") % {"text": suggestion.reply_text[:2000]},
        ),
    )
    return locked
