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
"""

import secrets
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison import workdays
from liaison.models import Role, User
from liaison.outbox import Recipient, outbox_write
from petitions.handling import policy, workflow
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES
from petitions.handling.policy import actor_share, pending_extension  # noqa: F401 (the pages read them here too)
from petitions.handling.workflow import InvalidTransition, Move
from petitions.ledger.services import RESIDENT, Conflict, PetitionError, _attach_staged, _event
from petitions.models import (
    Assignment,
    DeadlineRule,
    Department,
    DepartmentReply,
    ExtensionRequest,
    FeedbackMethod,
    Outcome,
    Petition,
    PetitionEvent,
    Rating,
    Route,
    Satisfaction,
    Status,
    Urgency,
)

__all__ = ["Conflict", "InvalidTransition", "PetitionError"]


# -- deadlines ----------------------------------------------------------------------------------


def jurisdiction_codes_above(area_code: str) -> list[str]:
    """The codes of the jurisdictions that contain a place, province first (official 2-2-2-3-3 digits)."""
    return [area_code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)] if area_code else []


def deadline_rule(*, route: str, urgency: str, area_code: str = "") -> DeadlineRule | None:
    """The rule of the nearest jurisdiction above the place that has one, else the default."""
    candidates = (
        DeadlineRule.objects.filter(route=route, urgency=urgency)
        .filter(Q(jurisdiction__isnull=True) | Q(jurisdiction__code__in=jurisdiction_codes_above(area_code)))
        .select_related("jurisdiction")
    )
    # Deeper codes of one place sort higher; the default (no jurisdiction) lowest.
    return max(candidates, key=lambda r: r.jurisdiction.code if r.jurisdiction_id else "", default=None)


def deadline_for(*, route: str, urgency: str, start: date | None = None, area_code: str = "") -> tuple[date, date]:
    """(lead deadline, co-handlers' deadline) in working days from `start` (today) by the rule that
    applies to the place (`deadline_rule`)."""
    start = start or timezone.localdate()
    rule = deadline_rule(route=route, urgency=urgency, area_code=area_code)
    if rule is None:
        rule = DeadlineRule(
            working_days=3 if urgency == Urgency.URGENT else 15, co_working_days=2 if urgency == Urgency.URGENT else 10
        )
    return workdays.add_working_days(start, rule.working_days), workdays.add_working_days(start, rule.co_working_days)


def reply_working_days(assigned_at, replied_at) -> int | None:
    """Working days from the assignment to the reply (0 when answered the same working day)."""
    if assigned_at is None or replied_at is None:
        return None
    start, end = timezone.localdate(assigned_at), timezone.localdate(replied_at)
    return workdays.working_days_between(start, end) if end > start else 0


def suggestion_deadline(*, start: date | None = None, complex_: bool = False) -> date:
    """Three months from assignment, six for a complex suggestion the office approved (代表法 art. 51)."""
    from django.conf import settings

    start = start or timezone.localdate()
    months = settings.LIAISON_SUGGESTION_COMPLEX_MONTHS if complex_ else settings.LIAISON_SUGGESTION_MONTHS
    return start + relativedelta(months=months)


def triage_due(petition: Petition) -> date:
    """The office routes what a reception day brought within LIAISON_TRIAGE_WORKING_DAYS working days."""
    from django.conf import settings

    return workdays.add_working_days(petition.received_on, settings.LIAISON_TRIAGE_WORKING_DAYS)


# -- the pattern -----------------------------------------------------------------------------------


def _begin(
    *, actor, petition, move: Move, version: int | None, resident: bool = False, system: bool = False
) -> Petition:
    """Lock the row, then check scope, version, permission and state, in that order; returns the locked row.

    `resident`: a resident without an account (rating); `system`: the daily task acting on the
    item's own dates (no actor: the state alone is checked)."""
    pk = petition.pk if isinstance(petition, Petition) else petition
    locked = Petition.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise PetitionError(_("This item no longer exists."))
    if not (resident or system) and not Petition.objects.visible_to(actor).filter(pk=pk).exists():
        raise PermissionDenied
    if version is not None and int(version) != locked.version:
        raise Conflict(_conflict_message(locked))
    workflow.check(move, locked.status, actor, resident=resident, system=system)
    return locked


def _conflict_message(petition: Petition) -> str:
    last = (
        petition.events.exclude(kind=PetitionEvent.Kind.REVEALED).select_related("actor").order_by("-at", "-pk").first()
    )
    who = (last.actor.display_name if last and last.actor else (last.actor_label if last else "")) or _("someone")
    when = timezone.localtime(last.at).strftime("%H:%M") if last else ""
    return _(
        "Someone else acted on this item while you were working on it (%(who)s at %(when)s; it is now “%(status)s”). "
        "Nothing you typed is lost: check the item and send again if it still applies."
    ) % {"who": who, "when": when, "status": petition.get_status_display()}


def _finish(
    petition: Petition,
    *,
    move: Move,
    actor,
    kind,
    fields=(),
    data=None,
    public_text="",
    to_status=None,
    actor_label="",
) -> PetitionEvent:
    """Move the status through the table (`to_status`: one of the move's targets when it has
    several), save it with the fields, bump the version, write the move's one event."""
    moved = workflow.ENGINE.apply(petition, move, actor=actor, to=to_status)
    petition.version += 1
    workflow.ENGINE.save(petition, [*fields, "version", "updated_at"])
    return _event(
        petition,
        kind,
        actor=actor,
        actor_label=actor_label,
        data=data or {},
        public_text=public_text,
        from_status=moved.from_status if moved.changed else "",
        to_status=moved.to_status if moved.changed else "",
    )


def _clean(text: str, message: str, limit: int = 5000) -> str:
    text = (text or "").strip()
    if not text:
        raise PetitionError(message)
    return text[:limit]


# -- notices ---------------------------------------------------------------------------------------


def _url(petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def tell_users(users, *, key: str, topic: str, subject: str, body: str, url: str, station=None, sms: str = "") -> None:
    """One notice per user keyed `<key>:user:<pk>`. Inbox and email get the body; a text message
    only the subject (free text never goes by SMS)."""
    for user in users:
        outbox_write(
            key=f"{key}:user:{user.pk}",
            topic=topic,
            recipient=Recipient.for_user(user),
            subject=subject,
            body=body,
            url=url,
            station=station,
            sms_text=sms or subject,
        )


def _tell_users(users, *, key: str, topic: str, subject: str, body: str, petition: Petition, sms: str = "") -> None:
    tell_users(
        users, key=key, topic=topic, subject=subject, body=body, url=_url(petition), station=petition.station, sms=sms
    )


def department_members(department) -> list:
    return list(department.members.filter(is_active=True).order_by("pk"))


def office_users_for(petition: Petition, assigned_by=None) -> list:
    """Whom the office's alerts reach: the colleagues of whoever assigned the item, else the
    office of the nearest jurisdiction above the item's place."""
    offices = User.objects.filter(role=Role.COMMITTEE_OFFICE, is_active=True).select_related("jurisdiction")
    if assigned_by is not None and assigned_by.role == Role.COMMITTEE_OFFICE and assigned_by.jurisdiction_id:
        return list(offices.filter(jurisdiction_id=assigned_by.jurisdiction_id).order_by("pk"))
    found = list(offices.filter(jurisdiction__code__in=jurisdiction_codes_above(petition.area_code)).order_by("pk"))
    if not found:
        return []
    nearest = max(u.jurisdiction.code for u in found)  # deeper codes have more non-zero digits, so sort higher
    return [u for u in found if u.jurisdiction.code == nearest]


def _followers(petition: Petition) -> list:
    """Who feeds the reply back: the item's representatives with accounts and the station's staff."""
    from petitions.ledger.services import _station_staff_upwards

    users = {}
    for link in petition.representative_links.select_related("representative__user"):
        user = link.representative.user
        if user is not None and user.is_active:
            users[user.pk] = user
    if petition.station_id:
        for user in _station_staff_upwards(petition.station)[:20]:
            users.setdefault(user.pk, user)
    return list(users.values())


# -- triage (the office) ------------------------------------------------------------------------------


@transaction.atomic
def petition_triage(
    *,
    actor,
    petition,
    version=None,
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
        kind=PetitionEvent.Kind.TRIAGED,
        fields=fields,
        data={"route": Route.DIRECT, "changes": changes, "note": (note or "").strip()[:2000]},
        public_text=_("Your item has been sorted and will be assigned to the department responsible."),
    )
    return petition


@transaction.atomic
def petition_assign(
    *,
    actor,
    petition,
    version=None,
    department: Department,
    co_departments=(),
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
        kind=PetitionEvent.Kind.ASSIGNED,
        fields=["lead_department", "due_on", "route", "assigned_at", "responsible_leader"],
        data={
            "department": department.name,
            "co_departments": [d.name for d in co_departments],
            "due_on": str(due_on),
            "co_due_on": str(co_due_on) if cos else "",
            "responsible_leader": petition.responsible_leader,
            "note": (note or "").strip()[:2000],
        },
        public_text=_("Your item has been assigned to %(department)s, to be answered by %(due)s.")
        % {"department": department.name, "due": date_format(due_on, "Y-m-d")},
    )
    for share in [lead, *cos]:
        _tell_assigned(petition, share)
    return petition


def _check_departments(actor, departments) -> None:
    """Only departments in the actor's reach (their jurisdiction) can be given an item."""
    wanted = {d.pk for d in departments if d is not None}
    found = set(Department.objects.visible_to(actor).filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    if wanted - found:
        raise PetitionError(_("This department is outside your jurisdiction or no longer active."))


def _tell_assigned(petition: Petition, share: Assignment) -> None:
    lead = share.role == Assignment.Role.LEAD
    subject = (
        _("New item %(number)s assigned to you, due %(due)s")
        if lead
        else _("Item %(number)s: your part is due %(due)s")
    ) % {"number": petition.tracking_number, "due": date_format(share.due_on, "Y-m-d")}
    body = (
        _("The committee office assigned item %(number)s to %(department)s as lead. Accept it and reply by %(due)s.")
        if lead
        else _(
            "The committee office asked %(department)s to help with item %(number)s. Give your part to the lead by %(due)s."
        )
    ) % {
        "number": petition.tracking_number,
        "department": share.department.name,
        "due": date_format(share.due_on, "Y-m-d"),
    }
    _tell_users(
        policy.recipients(Move.ASSIGN, petition, department=share.department),
        key=f"assignment:{share.pk}:new",
        topic="petition_assigned",
        subject=subject,
        body=body,
        petition=petition,
        sms=_("[Liaison] Item %(number)s assigned, due %(due)s.")
        % {"number": petition.tracking_number, "due": date_format(share.due_on, "m-d")},
    )


def _answer_without_department(move: Move, kind, public_sentence):
    @transaction.atomic
    def service(*, actor, petition, version=None, text: str, department: Department | None = None) -> Petition:
        petition = _begin(actor=actor, petition=petition, move=move, version=version)
        text_ = _clean(text, _("Write what the resident is told."))
        petition.handling_summary = text_
        petition.replied_at = timezone.now()
        fields = ["handling_summary", "replied_at", "route"]
        petition.route = {
            Move.CONSULT: Route.CONSULTATION,
            Move.ON_THE_SPOT: Route.ON_THE_SPOT,
            Move.ESCALATE: Route.ESCALATE,
        }.get(move, petition.route)
        if department is not None:
            _check_departments(actor, [department])
            petition.lead_department = department
            fields.append("lead_department")
        _finish(
            petition,
            move=move,
            actor=actor,
            kind=kind,
            fields=fields,
            data={"text": text_, "department": department.name if department else ""},
            public_text=public_sentence() % {"text": text_},
        )
        for user in policy.recipients(move, petition):
            _tell_users(
                [user],
                key=f"petition:{petition.pk}:{move}:{petition.round}",
                topic="petition_answered",
                subject=_("Item %(number)s has an answer to feed back") % {"number": petition.tracking_number},
                body=_("Item %(number)s has been answered. Feed the answer back to the resident and record how.")
                % {"number": petition.tracking_number},
                petition=petition,
            )
        return petition

    return service


petition_consult = _answer_without_department(
    Move.CONSULT, PetitionEvent.Kind.CONSULTED, lambda: _("Answer after consulting the department: %(text)s")
)
petition_consult.__doc__ = "Answer a question after consulting the department (no assignment)."
petition_handle_on_the_spot = _answer_without_department(
    Move.ON_THE_SPOT, PetitionEvent.Kind.ON_THE_SPOT, lambda: _("Handed over on the spot: %(text)s")
)
petition_handle_on_the_spot.__doc__ = "A street-level matter the street office took over on the spot (当场交办)."
petition_escalate = _answer_without_department(
    Move.ESCALATE, PetitionEvent.Kind.ESCALATED, lambda: _("Referred to a higher level: %(text)s")
)
petition_escalate.__doc__ = "A problem for a higher level: referred there, with what the resident is told."
petition_cannot_handle = _answer_without_department(
    Move.CANNOT_HANDLE, PetitionEvent.Kind.CANNOT_HANDLE, lambda: _("Explanation: %(text)s")
)
petition_cannot_handle.__doc__ = "It cannot be handled: the written explanation the resident receives."


@transaction.atomic
def petition_to_suggestion(*, actor, petition, suggestion, version=None) -> Petition:
    """The item becomes part of a representative suggestion; it is answered when the suggestion is."""
    petition = _begin(actor=actor, petition=petition, move=Move.TO_SUGGESTION, version=version)
    petition.suggestion = suggestion
    petition.route = Route.SUGGESTION
    _finish(
        petition,
        move=Move.TO_SUGGESTION,
        actor=actor,
        kind=PetitionEvent.Kind.TO_SUGGESTION,
        fields=["suggestion", "route"],
        data={"suggestion": suggestion.number, "title": suggestion.title},
        public_text=_("Your item is part of a representative suggestion; you will receive its answer."),
    )
    return petition


@transaction.atomic
def petition_suggestion_replied(*, actor, petition, suggestion) -> Petition:
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
    locked.reply_working_days = reply_working_days(suggestion.assigned_at, locked.replied_at)
    if suggestion.department_id:
        locked.lead_department_id = suggestion.department_id
    _finish(
        locked,
        move=Move.SUGGESTION_REPLIED,
        actor=actor,
        kind=PetitionEvent.Kind.DEPARTMENT_REPLIED,
        fields=["outcome", "handling_summary", "replied_at", "reply_working_days", "lead_department"],
        data={"suggestion": suggestion.number, "outcome": suggestion.outcome},
        public_text=_("Answer to the representative suggestion: %(text)s") % {"text": suggestion.reply_text[:2000]},
    )
    return locked


# -- the department -----------------------------------------------------------------------------------


@transaction.atomic
def petition_accept(*, actor, petition, version=None) -> Petition:
    """The lead department takes the item on (局长接单)."""
    petition = _begin(actor=actor, petition=petition, move=Move.ACCEPT, version=version)
    share = policy.own_share(actor, petition, Move.ACCEPT)
    share.state, share.accepted_at = Assignment.State.ACCEPTED, timezone.now()
    share.save(update_fields=["state", "accepted_at"])
    _finish(
        petition,
        move=Move.ACCEPT,
        actor=actor,
        kind=PetitionEvent.Kind.ACCEPTED,
        data={"department": share.department.name},
        public_text=_("%(department)s has taken your item on.") % {"department": share.department.name},
    )
    return petition


@transaction.atomic
def petition_progress(*, actor, petition, version=None, text: str, public: bool = True) -> Petition:
    """A progress note from the lead department; shown to the resident unless marked internal."""
    petition = _begin(actor=actor, petition=petition, move=Move.PROGRESS, version=version)
    share = policy.own_share(actor, petition, Move.PROGRESS)
    text_ = _clean(text, _("Write what has been done."), 3000)
    _finish(
        petition,
        move=Move.PROGRESS,
        actor=actor,
        kind=PetitionEvent.Kind.PROGRESS,
        data={"department": share.department.name, "text": text_, "public": bool(public)},
        public_text=_("Progress: %(text)s") % {"text": text_} if public else "",
    )
    return petition


@transaction.atomic
def petition_contribute(*, actor, petition, version=None, text: str) -> Petition:
    """A co-handler gives its part to the lead department."""
    petition = _begin(actor=actor, petition=petition, move=Move.CONTRIBUTE, version=version)
    share = policy.own_share(actor, petition, Move.CONTRIBUTE)
    share.note = _clean(text, _("Write your department's part."))
    share.state, share.done_at = Assignment.State.DONE, timezone.now()
    share.accepted_at = share.accepted_at or share.done_at
    share.save(update_fields=["note", "state", "done_at", "accepted_at"])
    _finish(
        petition,
        move=Move.CONTRIBUTE,
        actor=actor,
        kind=PetitionEvent.Kind.CONTRIBUTED,
        data={"department": share.department.name, "text": share.note},
    )
    lead = (
        petition.assignments.filter(round=petition.round, role=Assignment.Role.LEAD, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("department")
        .first()
    )
    if lead:
        _tell_users(
            policy.recipients(Move.CONTRIBUTE, petition, department=lead.department),
            key=f"assignment:{share.pk}:contributed",
            topic="petition_contributed",
            subject=_("Item %(number)s: %(department)s gave its part")
            % {"number": petition.tracking_number, "department": share.department.name},
            body=share.note[:1000],
            petition=petition,
        )
    return petition


@transaction.atomic
def petition_reply(*, actor, petition, version=None, outcome: str, text: str, staged=()) -> Petition:
    """The lead department's written answer with its outcome class (A–D) and files.

    Co-handlers that have not given their part yet are no longer asked (their share lapses).
    The representatives and the station's staff are told to feed the answer back.
    """
    petition = _begin(actor=actor, petition=petition, move=Move.REPLY, version=version)
    if outcome not in Outcome.values:
        raise PetitionError(_("Choose the outcome class."))
    share = policy.own_share(actor, petition, Move.REPLY)
    text_ = _clean(text, _("Write the reply."))
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
    petition.reply_working_days = reply_working_days(petition.assigned_at, now)
    _finish(
        petition,
        move=Move.REPLY,
        actor=actor,
        kind=PetitionEvent.Kind.DEPARTMENT_REPLIED,
        fields=["outcome", "handling_summary", "replied_at", "reply_working_days"],
        data={
            "department": share.department.name,
            "outcome": outcome,
            "reply": reply.pk,
            "on_time": timezone.localdate() <= share.due_on,
        },
        public_text=_("Reply from %(department)s (%(outcome)s): %(text)s")
        % {"department": share.department.name, "outcome": Outcome(outcome).label, "text": text_},
    )
    for user in policy.recipients(Move.REPLY, petition):
        _tell_users(
            [user],
            key=f"petition:{petition.pk}:replied:{petition.round}",
            topic="petition_replied",
            subject=_("Item %(number)s: the department replied") % {"number": petition.tracking_number},
            body=_("%(department)s replied to item %(number)s. Feed the reply back to the resident and record how.")
            % {"department": share.department.name, "number": petition.tracking_number},
            petition=petition,
        )
    return petition


@transaction.atomic
def petition_request_extension(
    *, actor, petition, version=None, requested_due_on: date, reason: str
) -> ExtensionRequest:
    """The lead department asks for a later deadline; the office decides."""
    petition = _begin(actor=actor, petition=petition, move=Move.REQUEST_EXTENSION, version=version)
    share = policy.own_share(actor, petition, Move.REQUEST_EXTENSION)
    reason_ = _clean(reason, _("Say why more time is needed."), 2000)
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
        kind=PetitionEvent.Kind.EXTENSION_REQUESTED,
        data={
            "department": share.department.name,
            "request": request.pk,
            "from": str(share.due_on),
            "to": str(requested_due_on),
            "reason": reason_,
        },
    )
    _tell_users(
        policy.recipients(Move.REQUEST_EXTENSION, petition, assigned_by=share.assigned_by),
        key=f"extension:{request.pk}:requested",
        topic="petition_extension",
        petition=petition,
        subject=_("Item %(number)s: %(department)s asks for more time")
        % {"number": petition.tracking_number, "department": share.department.name},
        body=_("Requested deadline %(to)s instead of %(from)s. Reason: %(reason)s")
        % {"to": date_format(requested_due_on, "Y-m-d"), "from": date_format(share.due_on, "Y-m-d"), "reason": reason_},
    )
    return request


@transaction.atomic
def petition_decide_extension(
    *,
    actor,
    petition,
    version=None,
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
        kind, data = PetitionEvent.Kind.EXTENSION_APPROVED, {"from": str(request.current_due_on), "to": str(new_due)}
        public = _("The deadline was extended to %(due)s.") % {"due": date_format(new_due, "Y-m-d")}
    else:
        if not request.decision_note:
            raise PetitionError(_("Say why the extension is refused."))
        request.state = ExtensionRequest.State.REFUSED
        kind, data, public = PetitionEvent.Kind.EXTENSION_REFUSED, {"due_on": str(request.current_due_on)}, ""
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    data.update(department=share.department.name, request=request.pk, note=request.decision_note)
    _finish(petition, move=Move.DECIDE_EXTENSION, actor=actor, kind=kind, fields=fields, data=data, public_text=public)
    _tell_users(
        policy.recipients(Move.DECIDE_EXTENSION, petition, department=share.department),
        key=f"extension:{request.pk}:decided",
        topic="petition_extension",
        petition=petition,
        subject=(
            _("Item %(number)s: extension approved to %(due)s") if approve else _("Item %(number)s: extension refused")
        )
        % {"number": petition.tracking_number, "due": date_format(share.due_on, "Y-m-d")},
        body=request.decision_note or _("The deadline is now %(due)s.") % {"due": date_format(share.due_on, "Y-m-d")},
    )
    return request


@transaction.atomic
def petition_return(*, actor, petition, version=None, reason: str) -> Petition:
    """The lead department returns the item (退回) with its reason; it goes back to triage."""
    petition = _begin(actor=actor, petition=petition, move=Move.RETURN, version=version)
    share = policy.own_share(actor, petition, Move.RETURN)
    reason_ = _clean(reason, _("Say why the item is returned."), 2000)
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
        kind=PetitionEvent.Kind.RETURNED,
        fields=["lead_department", "due_on", "assigned_at"],
        data={"department": share.department.name, "reason": reason_},
    )
    _tell_users(
        policy.recipients(Move.RETURN, petition, assigned_by=share.assigned_by),
        key=f"assignment:{share.pk}:returned",
        topic="petition_returned",
        petition=petition,
        subject=_("Item %(number)s returned by %(department)s")
        % {"number": petition.tracking_number, "department": share.department.name},
        body=_("Reason: %(reason)s. The item is back in the triage list.") % {"reason": reason_},
    )
    return petition


# -- feedback, rating, close-out -------------------------------------------------------------------------


@transaction.atomic
def petition_feed_back(*, actor, petition, version=None, method: str, text: str) -> Petition:
    """Staff, a representative or the office tells the resident the answer and records how."""
    petition = _begin(actor=actor, petition=petition, move=Move.FEED_BACK, version=version)
    if method not in FeedbackMethod.values:
        raise PetitionError(_("Choose how the resident was told."))
    text_ = _clean(text, _("Write what the resident was told and what they said."), 3000)
    petition.feedback_method, petition.feedback_summary, petition.fed_back_at = method, text_, timezone.now()
    petition.rating_code = new_rating_code()
    _finish(
        petition,
        move=Move.FEED_BACK,
        actor=actor,
        kind=PetitionEvent.Kind.FED_BACK,
        fields=["feedback_method", "feedback_summary", "fed_back_at", "rating_code"],
        data={"method": method, "text": text_},
        public_text=_("The answer was fed back to you (%(method)s). You can rate the handling on this page.")
        % {"method": FeedbackMethod(method).label},
    )
    _send_rating_code(petition)
    return petition


def new_rating_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _send_rating_code(petition: Petition) -> None:
    """The resident's rating code by text message to the phone they left (none: staff record the rating)."""
    if not petition.petitioner_phone:
        return
    from petitions.intake.desk import tracking_url

    outbox_write(
        key=f"petition:{petition.pk}:rating-code:{petition.round}",
        topic="petition_rating_code",
        recipient=Recipient(name=petition.petitioner_name or _("resident"), phone=petition.petitioner_phone),
        subject=_("Your item %(number)s has been answered") % {"number": petition.tracking_number},
        body="",
        url="",
        station=petition.station,
        sms_text=_(
            "[Liaison] Your item %(number)s has been answered. To rate the handling, open %(url)s and enter the "
            "code %(code)s."
        )
        % {
            "number": petition.tracking_number,
            "url": tracking_url(petition.tracking_number),
            "code": petition.rating_code,
        },
    )


_ORDER = {Satisfaction.DISSATISFIED: 0, Satisfaction.BASICALLY: 1, Satisfaction.SATISFIED: 2}


@transaction.atomic
def petition_rate(
    *, actor, petition, version=None, satisfaction: str, comment: str = "", for_resident: bool = False, code: str = ""
) -> Rating:
    """A rating: by a representative on the item (as themselves), by staff or the office writing
    down the resident's answer (`for_resident`), or by the resident on the tracking page
    (`actor` None, with the rating code the resident received with the answer). A "dissatisfied" in
    the first round reopens the item once with a new deadline."""
    resident_online = actor is None
    petition = _begin(actor=actor, petition=petition, move=Move.RATE, version=version, resident=resident_online)
    if satisfaction not in Satisfaction.values:
        raise PetitionError(_("Choose satisfied, basically satisfied or dissatisfied."))
    comment_ = (comment or "").strip()[:1000]
    if resident_online and not (petition.rating_code and secrets.compare_digest(str(code or ""), petition.rating_code)):
        raise PetitionError(
            _("The rating code is not right. It came with the answer: by text message or on the letter.")
        )
    if resident_online or for_resident:
        rater, rep = Rating.Rater.RESIDENT, None
        if policy.rating_given(petition):
            raise PetitionError(_("The resident's rating of this round has already been recorded."))
    else:
        rep = policy.representative_on_item(actor, petition)
        if rep is None:
            raise PetitionError(_("Only a representative on this item rates it; record the resident's rating instead."))
        rater = Rating.Rater.REPRESENTATIVE
        if policy.rating_given(petition, representative=rep):
            raise PetitionError(_("You have already rated this round."))
    rating = Rating.objects.create(
        petition=petition,
        round=petition.round,
        rater=rater,
        representative=rep,
        satisfaction=satisfaction,
        comment=comment_,
        recorded_by=None if resident_online else actor,
    )
    petition.satisfaction = _overall(petition)
    data = {
        "rater": rater,
        "representative": rep.name if rep else "",
        "satisfaction": satisfaction,
        "comment": comment_,
        "round": petition.round,
    }
    label = RESIDENT if resident_online else ""
    if satisfaction == Satisfaction.DISSATISFIED and petition.round == 1:
        _reopen(petition, actor, data, label)
    else:
        _finish(
            petition,
            move=Move.RATE,
            actor=actor,
            actor_label=label,
            kind=PetitionEvent.Kind.RATED,
            fields=["satisfaction"],
            data=data,
            public_text=_("Thank you: your rating has been recorded.") if rater == Rating.Rater.RESIDENT else "",
        )
    return rating


def _overall(petition) -> str:
    """The resident's rating of the current round if given, else the lowest representative rating."""
    ratings = list(Rating.objects.filter(petition=petition, round=petition.round))
    resident = [r for r in ratings if r.rater == Rating.Rater.RESIDENT]
    if resident:
        return resident[-1].satisfaction
    return min((r.satisfaction for r in ratings), key=_ORDER.get, default="")


def _reopen(petition, actor, data, label) -> None:
    """One more round: the same lead department, a new deadline by the rules, from today (ASSIGNED);
    an item answered without a department goes back to the office (TRIAGED)."""
    last_lead = (
        petition.assignments.filter(round=petition.round, role=Assignment.Role.LEAD, state=Assignment.State.DONE)
        .select_related("department", "assigned_by")
        .order_by("-pk")
        .first()
    )
    petition.round += 1
    # The new round starts clean; round 1's answer, feedback and ratings stay in the history and tables.
    fields = [
        "satisfaction",
        "round",
        "replied_at",
        "reply_working_days",
        "fed_back_at",
        "outcome",
        "feedback_method",
        "feedback_summary",
        "rating_code",
    ]
    petition.replied_at = petition.fed_back_at = petition.reply_working_days = None
    petition.outcome = petition.satisfaction = petition.feedback_method = petition.feedback_summary = ""
    petition.rating_code = ""
    if last_lead is not None:
        due_on, _co = deadline_for(route=Route.DIRECT, urgency=petition.urgency, area_code=petition.area_code)
        share = Assignment.objects.create(
            petition=petition,
            department=last_lead.department,
            role=Assignment.Role.LEAD,
            round=petition.round,
            due_on=due_on,
            assigned_by=last_lead.assigned_by,
        )
        petition.due_on, petition.assigned_at = due_on, share.assigned_at
        fields += ["due_on", "assigned_at"]
        to_status = Status.ASSIGNED
        public = _("You were not satisfied, so your item is being handled once more; the new deadline is %(due)s.") % {
            "due": date_format(due_on, "Y-m-d")
        }
    else:
        # Answered without a department (consultation, on the spot…): back to the office's triage list.
        share, to_status = None, Status.TRIAGED
        petition.lead_department, petition.suggestion = None, None
        fields += ["lead_department", "suggestion"]
        public = _("You were not satisfied, so your item goes back to the committee office to be handled once more.")
    data = {**data, "reopened": True, "new_round": petition.round, "due_on": str(petition.due_on or "")}
    _finish(
        petition,
        move=Move.REOPEN,
        actor=actor,
        actor_label=label,
        kind=PetitionEvent.Kind.REOPENED,
        fields=fields,
        data=data,
        public_text=public,
        to_status=to_status,
    )
    if share is not None:
        _tell_assigned(petition, share)
    for user in policy.recipients(Move.REOPEN, petition, assigned_by=last_lead.assigned_by if last_lead else None):
        _tell_users(
            [user],
            key=f"petition:{petition.pk}:reopened:{petition.round}",
            topic="petition_reopened",
            petition=petition,
            subject=_("Item %(number)s reopened: the rating was “dissatisfied”") % {"number": petition.tracking_number},
            # The resident's own words stay on the item page: they may name the resident.
            body=_("Item %(number)s goes to round %(round)s. Open it to read the rating and follow the new deadline.")
            % {"number": petition.tracking_number, "round": petition.round},
        )


@transaction.atomic
def petition_close(*, actor, petition, version=None, note: str = "", public_result: str = "") -> Petition:
    """The office closes the item out (销号). `public_result` (no personal data) appears on the
    station's public page; empty keeps the item off it."""
    petition = _begin(actor=actor, petition=petition, move=Move.CLOSE, version=version)
    petition.closed_at = timezone.now()
    petition.public_result = (public_result or "").strip()[:1000]
    _finish(
        petition,
        move=Move.CLOSE,
        actor=actor,
        kind=PetitionEvent.Kind.CLOSED,
        fields=["closed_at", "public_result"],
        data={"note": (note or "").strip()[:2000], "public": bool(petition.public_result)},
        public_text=_("Your item is closed. Thank you for taking part."),
    )
    return petition


# -- reads used by the pages -------------------------------------------------------------------------------


def current_shares(petition) -> list[Assignment]:
    return list(petition.assignments.filter(round=petition.round).select_related("department").order_by("role", "pk"))


def department_scope_q(department_ids) -> Q:
    """Items a department sees: those it leads (until it returns them), those it co-handles or
    co-handled, and the items its representative suggestions came from.

    The lead items are an index range (`petition_ledger_by_department`); the others are few, so
    their ids are read first and added as a list: PostgreSQL then combines two index scans
    instead of testing a subquery against every item (2.3 s → see bench/ledger_page.py).
    """
    from petitions.models import Suggestion

    # A department leads an item until it returns it (then `lead_department` is cleared), so
    # beyond the lead range only its co-handling shares count.
    others = set(
        Assignment.objects.filter(department_id__in=department_ids, role=Assignment.Role.CO)
        .exclude(state=Assignment.State.RETURNED)
        .values_list("petition_id", flat=True)
    )
    others.update(
        Petition.objects.filter(
            suggestion_id__in=Suggestion.objects.filter(department_id__in=department_ids).values("pk")
        ).values_list("pk", flat=True)
    )
    q = Q(lead_department_id__in=department_ids)
    if others:
        q |= Q(pk__in=sorted(others))
    return q
