"""Supervision (督办) writes: supervision notices (督办单) and commitments.

Services are keyword-only with an explicit `actor`; each locks its row in the actor's scope
(`access_petition`, `access_supervision_notice`, `access_commitment`: Http404 for a missing row
and one outside the scope alike), then checks capability (PermissionDenied), then state
(PetitionError), writes, and queues its notices (`notifications.py`: the texts and who is told,
through the outbox, delivered after commit, each key once). The reads (traffic lights) are in
`petitions.supervision.selectors`; who sees which notice or commitment, in
`petitions.supervision.querysets`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison import workdays
from liaison.jurisdictions import departments_for_supervision
from liaison.models import User
from liaison.numbering import create_numbered, last_number
from petitions.handling import workflow
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES, Assignment
from petitions.handling.workflow import Move
from petitions.ledger import events
from petitions.ledger.querysets import access_petition
from petitions.ledger.services import PetitionError, required_text
from petitions.models import (
    Commitment,
    Department,
    Petition,
    Satisfaction,
    SupervisionNotice,
)
from petitions.supervision import notifications, policy
from petitions.supervision.querysets import access_commitment, access_supervision_notice
from petitions.supervision.selectors import SUPERVISE
from stations.models import Station

# The official numbering of a notice: 督〔2026〕12号, a sequence per calendar year.
NOTICE_NUMBER_PREFIX = "督〔{year}〕"
NOTICE_NUMBER_SUFFIX = "号"
NOTICE_NUMBER_ATTEMPTS = 5


# -- supervision notices (督办单) --------------------------------------------------------------------


def notice_next_number(year: int) -> str:
    """The next free number of the year (the longest, then highest, number is the last one)."""
    prefix = NOTICE_NUMBER_PREFIX.format(year=year)
    last = last_number(SupervisionNotice.objects.all(), prefix)
    sequence = 1
    if last:
        digits = last[len(prefix) :].removesuffix(NOTICE_NUMBER_SUFFIX)
        sequence = int(digits) + 1 if digits.isdigit() else 1
    return f"{prefix}{sequence}{NOTICE_NUMBER_SUFFIX}"


def notice_departments(user: User) -> QuerySet[Department]:
    """Departments the user may press: the supervision rule, active departments only."""
    return departments_for_supervision(user)


def _filed_under(actor: User, department: Department) -> int:
    """The jurisdiction a notice or commitment is filed under (whose office sees it): the acting
    office's, else (an administrator) the department's."""
    return actor.jurisdiction_id or department.jurisdiction_id


def notice_place(petition: Petition | None, department: Department) -> str:
    """Where a notice's answer-by date is counted (`liaison.workdays`): the item's place, else
    (a notice on a matter) the department's jurisdiction."""
    if petition is not None:
        return petition.area_code
    return department.jurisdiction.code


def _check_answer_by(due_on: date | None, today: date, *, place: str = "") -> None:
    if due_on is None:
        raise PetitionError(_("Give the date the answer is due."))
    if due_on < today:
        raise PetitionError(_("The answer-by date cannot be in the past."))
    calendar = workdays.current(place)
    if not calendar.is_working_day(due_on):
        raise PetitionError(
            _("%(day)s is not a working day; choose a working day such as %(next)s.")
            % {"day": date_format(due_on, "Y-m-d"), "next": date_format(calendar.next_working_day(due_on), "Y-m-d")}
        )


@transaction.atomic
def supervision_notice_issue(
    *,
    actor: User,
    department: Department,
    subject: str,
    requirement: str,
    due_on: date,
    petition: Petition | int | None = None,
) -> SupervisionNotice:
    """The office presses `department` to answer by `due_on`, on an item in hand or on a matter.

    Preconditions: `petitions.supervise_petition`; the department among those the actor may press
    (`policy.may_press`: a working body, its own departments);
    a given petition visible to the actor, in hand, with the department leading or sharing it.
    Side effects: the notice (numbered 督〔year〕n号), one SUPERVISED event on the petition (its
    status and version stay), a message to each active member of the department.
    """
    if not actor.has_perm(SUPERVISE):
        raise PermissionDenied
    if not policy.may_press(actor, department):
        raise PetitionError(_("Choose a department your working body coordinates."))
    if petition is not None:
        pk = petition.pk if isinstance(petition, Petition) else petition
        petition = access_petition(actor, pk, for_update=True)
        workflow.check(Move.SUPERVISE, petition.status, actor)  # InvalidTransition unless in hand
        shares = Assignment.objects.filter(
            petition=petition, round=petition.round, department=department, state__in=ACTIVE_ASSIGNMENT_STATES
        )
        if department.pk != petition.lead_department_id and not shares.exists():
            raise PetitionError(
                _("%(department)s is not handling item %(number)s.")
                % {"department": department.name, "number": petition.tracking_number}
            )
    elif not notice_departments(actor).filter(pk=department.pk).exists():
        raise PetitionError(_("Choose a department of your jurisdiction."))
    subject_ = required_text(subject, _("Name the matter."), 200)
    requirement_ = required_text(requirement, _("Say what the department must do."), 3000)
    today = timezone.localdate()
    _check_answer_by(due_on, today, place=notice_place(petition, department))
    notice = SupervisionNotice(
        petition=petition,
        department=department,
        jurisdiction_id=_filed_under(actor, department),
        subject=subject_,
        requirement=requirement_,
        due_on=due_on,
        issued_by=actor,
        issued_at=timezone.now(),
    )

    def numbered() -> SupervisionNotice:
        notice.number = notice_next_number(today.year)
        notice.save()
        return notice

    # Two offices numbering at once: the unique number lets one win; the other takes the next.
    create_numbered(numbered, attempts=NOTICE_NUMBER_ATTEMPTS)
    if petition is not None:
        events.record(
            petition,
            events.supervised(
                number=notice.number,
                subject=notice.subject,
                due_on=due_on,
                department=department.name,
                notice_id=notice.pk,
            ),
            actor=actor,
        )
    notifications.notify_notice_issued(notice)
    return notice


@transaction.atomic
def supervision_notice_answer(*, actor: User, notice: SupervisionNotice, response: str) -> SupervisionNotice:
    """A member of the notice's department answers it (once); the issuer is told."""
    notice = access_supervision_notice(
        actor, notice.pk, for_update=True, queryset=SupervisionNotice.objects.select_related("department", "issued_by")
    )
    if not policy.may_answer(actor, notice):
        raise PermissionDenied
    if notice.state != SupervisionNotice.State.OPEN:
        raise PetitionError(_("This notice has already been answered."))
    notice.response = required_text(response, _("Write how the matter was handled."), 5000)
    notice.state = SupervisionNotice.State.ANSWERED
    notice.responded_by, notice.responded_at = actor, timezone.now()
    notice.save(update_fields=["response", "state", "responded_by", "responded_at"])
    if notice.petition_id:
        events.record(
            notice.petition,
            events.supervision_answered(number=notice.number, subject=notice.subject, text=notice.response[:2000]),
            actor=actor,
        )
    notifications.notify_notice_answered(notice)
    return notice


# -- commitments ---------------------------------------------------------------------------------------


def _locked_commitment(actor, commitment) -> Commitment:
    """The commitment locked in the actor's scope (else Http404)."""
    pk = commitment.pk if isinstance(commitment, Commitment) else commitment
    return access_commitment(actor, pk, for_update=True)


@transaction.atomic
def commitment_record(
    *,
    actor: User,
    source: str,
    held_on: date,
    department: Department,
    head_name: str,
    text: str,
    due_on: date,
    head_title: str = "",
    station: Station | None = None,
    petition: Petition | None = None,
) -> Commitment:
    """The office records a department head's commitment (at a progress meeting or a visit).

    Preconditions: `petitions.supervise_petition`; department, station and item in the actor's scope.
    Side effects: the commitment (open), a message to the department's members.
    """
    if not actor.has_perm(SUPERVISE):
        raise PermissionDenied
    if source not in Commitment.Source.values:
        raise PetitionError(_("Say where the commitment was made."))
    if not notice_departments(actor).filter(pk=department.pk).exists():
        raise PetitionError(_("Choose a department of your jurisdiction."))
    if station is not None and not Station.objects.visible_to(actor).filter(pk=station.pk).exists():
        raise PetitionError(_("Choose a station of your jurisdiction."))
    if petition is not None:
        if not Petition.objects.visible_to(actor).filter(pk=petition.pk).exists():
            raise PetitionError(_("The item is not in your jurisdiction."))
        if station is None and petition.station_id:
            station = petition.station
    head_name_ = required_text(head_name, _("Give the name of the head who made the commitment."), 64)
    text_ = required_text(text, _("Write down what was committed."), 3000)
    if held_on is None or held_on > timezone.localdate():
        raise PetitionError(_("The meeting or visit cannot be in the future."))
    if due_on is None or due_on < held_on:
        raise PetitionError(_("The deadline cannot be before the day the commitment was made."))
    commitment = Commitment.objects.create(
        source=source,
        held_on=held_on,
        department=department,
        head_name=head_name_,
        head_title=(head_title or "").strip()[:64],
        station=station,
        petition=petition,
        jurisdiction_id=_filed_under(actor, department),
        text=text_,
        due_on=due_on,
        created_by=actor,
    )
    if petition is not None:
        events.record(
            petition,
            events.commitment_recorded(
                department=department.name, due_on=due_on, head_name=head_name_, text=text_[:1000]
            ),
            actor=actor,
        )
    notifications.notify_commitment_recorded(commitment)
    return commitment


@transaction.atomic
def commitment_progress(*, actor: User, commitment: Commitment | int, progress: str, done: bool) -> Commitment:
    """The department (a member) or the office says how the commitment is being kept; `done` marks it kept.
    The office that recorded it is told when the department marks it kept."""
    commitment = _locked_commitment(actor, commitment)
    if not policy.may_progress(actor, commitment):
        raise PermissionDenied
    if commitment.state != Commitment.State.OPEN:
        raise PetitionError(_("This commitment is already marked as kept."))
    commitment.progress = required_text(progress, _("Write what has been done."), 3000)
    fields = ["progress", "updated_at"]
    if done:
        commitment.state, commitment.done_at = Commitment.State.DONE, timezone.now()
        fields += ["state", "done_at"]
    commitment.save(update_fields=fields)
    if done:
        notifications.notify_commitment_kept(commitment, actor=actor)
    return commitment


@transaction.atomic
def commitment_follow_up(
    *, actor: User, commitment: Commitment | int, visited_on: date, note: str, satisfaction: str
) -> Commitment:
    """The follow-up visit (回访) to a kept commitment: the office, or staff or a representative of
    the station it was made at, records what the visit found and the residents' rating.
    The department is told the result."""
    commitment = _locked_commitment(actor, commitment)
    if not policy.may_follow_up(actor):
        raise PermissionDenied
    if commitment.state == Commitment.State.OPEN:
        raise PetitionError(_("The commitment is not reported kept yet; the follow-up visit comes after."))
    if commitment.state == Commitment.State.VISITED:
        raise PetitionError(_("The follow-up visit has already been recorded."))
    if satisfaction not in Satisfaction.values:
        raise PetitionError(_("Choose satisfied, basically satisfied or dissatisfied."))
    if visited_on is None or visited_on > timezone.localdate() or visited_on < commitment.held_on:
        raise PetitionError(_("The visit date must lie between the day of the commitment and today."))
    commitment.follow_up_note = required_text(note, _("Write what the visit found."), 3000)
    commitment.follow_up_on, commitment.follow_up_satisfaction = visited_on, satisfaction
    commitment.state = Commitment.State.VISITED
    commitment.save(update_fields=["follow_up_note", "follow_up_on", "follow_up_satisfaction", "state", "updated_at"])
    notifications.notify_commitment_visited(commitment)
    return commitment
