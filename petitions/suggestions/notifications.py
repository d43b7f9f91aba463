"""Who is told what when a representative suggestion moves: every suggestion notice text, side by side.

Each `notify_*` function is one notice: its recipients come from the move's policy
(`petitions.suggestions.policy.recipients` for the suggestion's own notices,
`petitions.handling.policy.recipients(SUGGESTION_REPLIED, ...)` for the items it answers), its
texts are written here, and it goes through the outbox (`liaison.outbox`), written in the
transaction of the move and sent after commit, once per `(key, channel)`. The keys are
`suggestion:<pk>:<move>:user:<pk>` or `...:rep:<pk>` (a representative is reached on their private
mobile too), and `petition:<pk>:suggestion_replied:<round>:user:<pk>` for an item's followers.

- assigned: the department's members (reply by the date; inbox, e-mail and a short SMS);
- replied: the lead representative and the co-signers (asked to rate; a short SMS), and for each
  item the suggestion answers, those who feed the answer back;
- rated: the committee office of the suggestion's jurisdiction (the representative's comment).

Inbox and e-mail carry the body; a text message carries only the subject or the short SMS text:
free text (the reply, a representative's comment) never goes by SMS. The services in
`petitions.suggestions.services` call these after their move is saved; nothing else writes
suggestion notices.
"""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.outbox import Recipient, outbox_write
from petitions.handling import policy as petition_policy
from petitions.handling.models import Suggestion
from petitions.handling.workflow import Move as PetitionMove
from petitions.models import Department, Outcome, Petition, Satisfaction
from petitions.suggestions import policy
from petitions.suggestions.workflow import Move


def _suggestion_url(suggestion: Suggestion) -> str:
    return reverse("petitions:suggestion_detail", args=[suggestion.pk])


def _tell(recipients, *, key: str, topic: str, suggestion, subject: str, body: str, sms: str = "") -> None:
    """One notice per recipient, keyed `<key>:user:<pk>` or `<key>:rep:<pk>` so none is sent twice."""
    for recipient, suffix in recipients:
        outbox_write(
            key=f"{key}:{suffix}",
            topic=topic,
            recipient=recipient,
            subject=subject,
            body=body,
            url=_suggestion_url(suggestion),
            place=suggestion.jurisdiction.code,
            sms_text=sms or subject,  # free text never goes by SMS
        )


def notify_assigned(suggestion: Suggestion, department: Department) -> None:
    """The department's members: a suggestion to handle, to meet the representative about, and to
    reply to by its deadline."""
    number, due = suggestion.number, date_format(suggestion.due_on, "Y-m-d")
    _tell(
        policy.recipients(Move.ASSIGN, suggestion, department=department),
        key=f"suggestion:{suggestion.pk}:assigned",
        topic="suggestion_assigned",
        suggestion=suggestion,
        subject=_("Representative suggestion %(number)s assigned to you, reply by %(due)s")
        % {"number": number, "due": due},
        body=_(
            "The committee office assigned the representative suggestion %(number)s “%(title)s” to %(department)s. "
            "Meet the lead representative before handling it and reply by %(due)s."
        )
        % {"number": number, "title": suggestion.title, "department": department.name, "due": due},
        sms=_("Representative suggestion %(number)s assigned, reply by %(due)s.") % {"number": number, "due": due},
    )


def notify_item_answered(petition: Petition, suggestion: Suggestion) -> None:
    """Those who feed an item back: the suggestion the item is part of was answered."""
    for user in petition_policy.recipients(PetitionMove.SUGGESTION_REPLIED, petition):
        outbox_write(
            key=f"petition:{petition.pk}:suggestion_replied:{petition.round}:user:{user.pk}",
            topic="petition_replied",
            recipient=Recipient.for_user(user),
            subject=_("Item %(number)s: the suggestion it is part of was answered")
            % {"number": petition.tracking_number},
            body=_(
                "The representative suggestion %(suggestion)s was answered. Feed the answer back to the "
                "resident of item %(number)s and record how."
            )
            % {"suggestion": suggestion.number, "number": petition.tracking_number},
            url=reverse("petitions:detail", args=[petition.pk]),
            station=petition.station,
            place=petition.area_code,
        )


def notify_replied(suggestion: Suggestion) -> None:
    """The lead representative and the co-signers: the suggestion was answered; please rate it."""
    _tell(
        policy.recipients(Move.REPLY, suggestion),
        key=f"suggestion:{suggestion.pk}:replied",
        topic="suggestion_replied",
        suggestion=suggestion,
        subject=_("Representative suggestion %(number)s has been answered") % {"number": suggestion.number},
        body=_(
            "%(department)s answered the suggestion “%(title)s” (%(outcome)s). The lead representative is asked "
            "to fill in the satisfaction form."
        )
        % {
            "department": suggestion.department.name if suggestion.department_id else _("The committee office"),
            "title": suggestion.title,
            "outcome": Outcome(suggestion.outcome).label,
        },
        sms=_("Suggestion %(number)s has been answered; please rate it.") % {"number": suggestion.number},
    )


def notify_rated(suggestion: Suggestion) -> None:
    """The committee office: the lead representative's rating; the body is their comment."""
    _tell(
        policy.recipients(Move.RATE, suggestion),
        key=f"suggestion:{suggestion.pk}:rated",
        topic="suggestion_rated",
        suggestion=suggestion,
        subject=_("Suggestion %(number)s rated “%(satisfaction)s”")
        % {"number": suggestion.number, "satisfaction": Satisfaction(suggestion.satisfaction).label},
        body=suggestion.satisfaction_comment or _("No comment was given."),
    )
