"""Who is told what about supervision: every notice text of supervision notices (督办单) and
commitments, side by side.

Each `notify_*` function is one notice: it names its recipients, its texts are written here, and
it goes through the outbox (`liaison.outbox`, by `petitions.handling.notifications.tell_users`),
written in the transaction of the service that calls it and sent after commit, once per
`(key, channel)`; the keys are `notice:<pk>:<what>` and `commitment:<pk>:<what>`, each with
`:user:<pk>`. Inbox and e-mail carry the body; a text message carries only the subject: free text
(the requirement, a department's answer, what was committed or found) never goes by SMS.

- a notice issued: the department's active members (answer by the date);
- a notice answered: whoever issued it (answered, or answered late);
- a commitment recorded: the department's active members (what was committed, by when);
- a commitment kept: whoever recorded it, unless they marked it kept themselves;
- the follow-up visit: the department's active members (the residents' rating).

The services in `petitions.supervision.services` call these after their write; nothing else
writes supervision notices.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from petitions.handling.notifications import department_members, tell_users
from petitions.models import Commitment, Satisfaction, SupervisionNotice


def _notice_url(notice: SupervisionNotice) -> str:
    return reverse("petitions:notice_detail", args=[notice.pk])


def _commitment_url(commitment: Commitment) -> str:
    return reverse("petitions:commitment_detail", args=[commitment.pk])


def _ymd(day) -> str:
    return date_format(day, "Y-m-d")


# -- supervision notices (督办单) --------------------------------------------------------------------


def notify_notice_issued(notice: SupervisionNotice) -> None:
    """The department's members: the office presses them to answer by the notice's date."""
    due = _ymd(notice.due_on)
    tell_users(
        department_members(notice.department),
        key=f"notice:{notice.pk}:issued",
        topic="supervision_notice",
        subject=_("Supervision notice %(number)s: answer by %(due)s") % {"number": notice.number, "due": due},
        body=_(
            "The committee office issued supervision notice %(number)s to %(department)s on “%(subject)s”. "
            "Answer in writing by %(due)s."
        )
        % {"number": notice.number, "department": notice.department.name, "subject": notice.subject, "due": due},
        url=_notice_url(notice),
        station=notice.petition.station if notice.petition else None,
        place=notice.jurisdiction.code,
    )


def notify_notice_answered(notice: SupervisionNotice) -> None:
    """Whoever issued the notice (if still active): the department answered, on time or late; the
    body is the answer itself."""
    issuer = notice.issued_by
    if not issuer.is_active:
        return
    late = timezone.localdate(notice.responded_at) > notice.due_on
    tell_users(
        [issuer],
        key=f"notice:{notice.pk}:answered",
        topic="supervision_notice",
        subject=(
            _("Supervision notice %(number)s answered late by %(department)s")
            if late
            else _("Supervision notice %(number)s answered by %(department)s")
        )
        % {"number": notice.number, "department": notice.department.name},
        body=notice.response[:1000],
        url=_notice_url(notice),
        place=notice.jurisdiction.code,
    )


# -- commitments -------------------------------------------------------------------------------------


def notify_commitment_recorded(commitment: Commitment) -> None:
    """The department's members: what their head committed to, and by when to report."""
    due = _ymd(commitment.due_on)
    tell_users(
        department_members(commitment.department),
        key=f"commitment:{commitment.pk}:recorded",
        topic="commitment",
        subject=_("Commitment recorded for %(department)s, due %(due)s")
        % {"department": commitment.department.name, "due": due},
        body=_("%(head)s committed on %(day)s: %(text)s Report how it was kept by %(due)s.")
        % {"head": commitment.head_name, "day": _ymd(commitment.held_on), "text": commitment.text[:500], "due": due},
        url=_commitment_url(commitment),
        station=commitment.station,
        place=commitment.jurisdiction.code,
    )


def notify_commitment_kept(commitment: Commitment, *, actor) -> None:
    """Whoever recorded the commitment (if still active, and not the one who marked it kept): the
    department reports it kept; the body is the department's own account."""
    recorder = commitment.created_by
    if recorder.pk == actor.pk or not recorder.is_active:
        return
    tell_users(
        [recorder],
        key=f"commitment:{commitment.pk}:done",
        topic="commitment",
        subject=_("%(department)s reports a commitment kept") % {"department": commitment.department.name},
        body=commitment.progress[:1000],
        url=_commitment_url(commitment),
        place=commitment.jurisdiction.code,
    )


def notify_commitment_visited(commitment: Commitment) -> None:
    """The department's members: the follow-up visit's rating; the body is what the visit found."""
    tell_users(
        department_members(commitment.department),
        key=f"commitment:{commitment.pk}:visited",
        topic="commitment",
        subject=_("Follow-up visit on your commitment: %(rating)s")
        % {"rating": Satisfaction(commitment.follow_up_satisfaction).label},
        body=commitment.follow_up_note[:1000],
        url=_commitment_url(commitment),
        station=commitment.station,
        place=commitment.jurisdiction.code,
    )
