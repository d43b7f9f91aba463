"""Who is told what when an item moves: every handling notice text, side by side.

Each `notify_*` function is one notice: its recipients come from the move's policy
(`petitions.handling.policy.recipients`), its texts are written here, and it goes through the
outbox (`liaison.outbox`), written in the transaction of the move and sent after commit, once
per `(key, channel)`. Inbox and e-mail carry the body; a text message carries only the subject
or the short SMS text: free text (a department's reply, a resident's words) never goes by SMS.
The services call these after their move is saved; nothing else writes handling notices.
"""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison.models import Role, User
from liaison.outbox import Recipient, outbox_write
from petitions.handling.workflow import Move
from petitions.models import Assignment, ExtensionRequest, Petition

# -- sending ------------------------------------------------------------------------------------


def _url(petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def tell_users(
    users, *, key: str, topic: str, subject: str, body: str, url: str, station=None, place: str = "", sms: str = ""
) -> None:
    """One notice per user keyed `<key>:user:<pk>`. Inbox and email get the body; a text message
    only the subject (free text never goes by SMS), signed for `place` (a 12-digit code, else the
    station's: `liaison.outbox.outbox_rows`)."""
    for user in users:
        outbox_write(
            key=f"{key}:user:{user.pk}",
            topic=topic,
            recipient=Recipient.for_user(user),
            subject=subject,
            body=body,
            url=url,
            station=station,
            place=place,
            sms_text=sms or subject,
        )


def tell_about(users, *, key: str, topic: str, subject: str, body: str, petition: Petition, sms: str = "") -> None:
    """`tell_users` about one item: the notice opens the item's page and counts for its station."""
    tell_users(
        users,
        key=key,
        topic=topic,
        subject=subject,
        body=body,
        url=_url(petition),
        station=petition.station,
        place=petition.area_code,
        sms=sms,
    )


# -- who ------------------------------------------------------------------------------------------


def department_members(department) -> list:
    return list(department.members.filter(is_active=True).order_by("pk"))


def office_users_for(petition: Petition, assigned_by=None) -> list:
    """Whom the office's alerts reach: the colleagues of whoever assigned the item, else the
    office that handles it (`Petition.handling_office`)."""
    if assigned_by is not None and assigned_by.role == Role.COMMITTEE_OFFICE and assigned_by.jurisdiction_id:
        return office_members(assigned_by)
    return office_members(petition.handling_office) if petition.handling_office_id else []


def office_members(office) -> list:
    """The active accounts of a committee office (`office`: the office, or one of its accounts:
    both name the office's jurisdiction)."""
    return list(
        User.objects.filter(
            role=Role.COMMITTEE_OFFICE, is_active=True, jurisdiction_id=office.jurisdiction_id
        ).order_by("pk")
    )


def followers(petition: Petition) -> list:
    """Who feeds the reply back: the item's representatives with accounts and the station's staff."""
    from petitions.ledger.notifications import station_staff_upwards

    users = {}
    for link in petition.representative_links.select_related("representative__user"):
        user = link.representative.user
        if user is not None and user.is_active:
            users[user.pk] = user
    if petition.station_id:
        for user in station_staff_upwards(petition.station)[:20]:
            users.setdefault(user.pk, user)
    return list(users.values())


def _recipients(move: Move, petition: Petition, **kwargs) -> list:
    from petitions.handling import policy

    return policy.recipients(move, petition, **kwargs)


def _ymd(day) -> str:
    return date_format(day, "Y-m-d")


# -- the notices, one per move ----------------------------------------------------------------------


def notify_move(move: Move, petition: Petition, event, **who) -> None:
    """The notice of a move that needs no words of its own: what its history line says.

    Recipients are the move's (`policy.recipients(move, petition, **who)`); the subject names the
    item and the event's kind, the body is the event's lines (as the history shows them), and a
    text message carries only the subject. Keyed by the event, so each move is told once.
    """
    from petitions.ledger import events

    lines = events.details(event.kind, event.data, events.RenderContext(frozenset()))
    subject = _("Item %(number)s: %(what)s") % {
        "number": petition.tracking_number,
        "what": events.kind_label(event.kind),
    }
    tell_about(
        _recipients(move, petition, **who),
        key=f"petition:{petition.pk}:{move}:{event.pk}",
        topic=f"petition_{move}",
        subject=subject,
        body="\n".join(lines) or subject,
        petition=petition,
    )


def notify_assigned(petition: Petition, share: Assignment) -> None:
    """The department's members: a new item (lead) or a part to give (co-handler), with the deadline."""
    lead = share.role == Assignment.Role.LEAD
    subject = (
        _("New item %(number)s assigned to you, due %(due)s")
        if lead
        else _("Item %(number)s: your part is due %(due)s")
    ) % {"number": petition.tracking_number, "due": _ymd(share.due_on)}
    body = (
        _("The committee office assigned item %(number)s to %(department)s as lead. Accept it and reply by %(due)s.")
        if lead
        else _(
            "The committee office asked %(department)s to help with item %(number)s. Give your part to the lead by %(due)s."
        )
    ) % {"number": petition.tracking_number, "department": share.department.name, "due": _ymd(share.due_on)}
    tell_about(
        _recipients(Move.ASSIGN, petition, department=share.department),
        key=f"assignment:{share.pk}:new",
        topic="petition_assigned",
        subject=subject,
        body=body,
        petition=petition,
        sms=_("Item %(number)s assigned, due %(due)s.")
        % {"number": petition.tracking_number, "due": date_format(share.due_on, "m-d")},
    )


def notify_answered(petition: Petition, move: Move) -> None:
    """Those who feed back: the item was answered without a department (consultation, on the spot…)."""
    for user in _recipients(move, petition):
        tell_about(
            [user],
            key=f"petition:{petition.pk}:{move}:{petition.round}",
            topic="petition_answered",
            subject=_("Item %(number)s has an answer to feed back") % {"number": petition.tracking_number},
            body=_("Item %(number)s has been answered. Feed the answer back to the resident and record how.")
            % {"number": petition.tracking_number},
            petition=petition,
        )


def notify_contributed(petition: Petition, share: Assignment, lead: Assignment) -> None:
    """The lead department: a co-handler gave its part (its own words, never by SMS)."""
    tell_about(
        _recipients(Move.CONTRIBUTE, petition, department=lead.department),
        key=f"assignment:{share.pk}:contributed",
        topic="petition_contributed",
        subject=_("Item %(number)s: %(department)s gave its part")
        % {"number": petition.tracking_number, "department": share.department.name},
        body=share.note[:1000],
        petition=petition,
    )


def notify_replied(petition: Petition, share: Assignment) -> None:
    """Those who feed back: the department replied."""
    for user in _recipients(Move.REPLY, petition):
        tell_about(
            [user],
            key=f"petition:{petition.pk}:replied:{petition.round}",
            topic="petition_replied",
            subject=_("Item %(number)s: the department replied") % {"number": petition.tracking_number},
            body=_("%(department)s replied to item %(number)s. Feed the reply back to the resident and record how.")
            % {"department": share.department.name, "number": petition.tracking_number},
            petition=petition,
        )


def notify_extension_requested(petition: Petition, share: Assignment, request: ExtensionRequest) -> None:
    """The office that assigned the item: a department asks for more time."""
    tell_about(
        _recipients(Move.REQUEST_EXTENSION, petition, assigned_by=share.assigned_by),
        key=f"extension:{request.pk}:requested",
        topic="petition_extension",
        petition=petition,
        subject=_("Item %(number)s: %(department)s asks for more time")
        % {"number": petition.tracking_number, "department": share.department.name},
        body=_("Requested deadline %(to)s instead of %(from)s. Reason: %(reason)s")
        % {"to": _ymd(request.requested_due_on), "from": _ymd(share.due_on), "reason": request.reason},
    )


def notify_extension_decided(petition: Petition, share: Assignment, request: ExtensionRequest, approve: bool) -> None:
    """The department: its request was approved (the new deadline) or refused (why)."""
    tell_about(
        _recipients(Move.DECIDE_EXTENSION, petition, department=share.department),
        key=f"extension:{request.pk}:decided",
        topic="petition_extension",
        petition=petition,
        subject=(
            _("Item %(number)s: extension approved to %(due)s") if approve else _("Item %(number)s: extension refused")
        )
        % {"number": petition.tracking_number, "due": _ymd(share.due_on)},
        body=request.decision_note or _("The deadline is now %(due)s.") % {"due": _ymd(share.due_on)},
    )


def notify_returned(petition: Petition, share: Assignment, reason: str) -> None:
    """The office that assigned the item: the department sent it back."""
    tell_about(
        _recipients(Move.RETURN, petition, assigned_by=share.assigned_by),
        key=f"assignment:{share.pk}:returned",
        topic="petition_returned",
        petition=petition,
        subject=_("Item %(number)s returned by %(department)s")
        % {"number": petition.tracking_number, "department": share.department.name},
        body=_("Reason: %(reason)s. The item is back in the triage list.") % {"reason": reason},
    )


def notify_reopened(petition: Petition, assigned_by=None) -> None:
    """The office and the representatives: a "dissatisfied" first round sends the item round again."""
    for user in _recipients(Move.REOPEN, petition, assigned_by=assigned_by):
        tell_about(
            [user],
            key=f"petition:{petition.pk}:reopened:{petition.round}",
            topic="petition_reopened",
            petition=petition,
            subject=_("Item %(number)s reopened: the rating was “dissatisfied”") % {"number": petition.tracking_number},
            # The resident's own words stay on the item page: they may name the resident.
            body=_("Item %(number)s goes to round %(round)s. Open it to read the rating and follow the new deadline.")
            % {"number": petition.tracking_number, "round": petition.round},
        )


def notify_suspended(petition: Petition, event) -> None:
    """The departments with an open share: the clock stops until the resume date, and why."""
    until = _ymd(petition.suspended_until)
    tell_about(
        _recipients(Move.SUSPEND, petition),
        key=f"petition:{petition.pk}:suspended:{event.pk}",
        topic="petition_suspended",
        petition=petition,
        subject=_("Item %(number)s is suspended until %(until)s")
        % {"number": petition.tracking_number, "until": until},
        body=_(
            "The committee office suspended item %(number)s until %(until)s. Reason: %(reason)s. Its deadline "
            "stands still meanwhile and moves forward when handling resumes."
        )
        % {"number": petition.tracking_number, "until": until, "reason": petition.suspend_reason},
    )


def notify_resumed(petition: Petition, event, days: int) -> None:
    """The departments with an open share: handling resumes, the deadlines moved forward by `days` working days."""
    tell_about(
        _recipients(Move.RESUME, petition),
        key=f"petition:{petition.pk}:resumed:{event.pk}",
        topic="petition_resumed",
        petition=petition,
        subject=_("Item %(number)s: handling resumes, due %(due)s")
        % {"number": petition.tracking_number, "due": _ymd(petition.due_on) if petition.due_on else "—"},
        body=ngettext(
            "The suspension of item %(number)s has ended. Its deadlines moved forward by %(days)s working day.",
            "The suspension of item %(number)s has ended. Its deadlines moved forward by %(days)s working days.",
            days,
        )
        % {"number": petition.tracking_number, "days": days},
    )


def send_rating_code(petition: Petition) -> None:
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
        place=petition.area_code,
        sms_text=_(
            "Your item %(number)s has been answered. To rate the handling, open %(url)s and enter the code %(code)s."
        )
        % {
            "number": petition.tracking_number,
            "url": tracking_url(petition.tracking_number),
            "code": petition.rating_code,
        },
    )
