"""What those who answer to the resident do: press the department for progress, feed the answer
back, the ratings (a "dissatisfied" first round reopens the item), close-out."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.models import User
from petitions.handling import notifications, policy
from petitions.handling.deadlines import deadline_for
from petitions.handling.services.base import _begin, _finish
from petitions.handling.workflow import Move
from petitions.ledger import events
from petitions.ledger.services import RESIDENT, PetitionError, required_text
from petitions.models import (
    Assignment,
    FeedbackMethod,
    Petition,
    Rating,
    Route,
    Satisfaction,
    Status,
)

__all__ = ["new_rating_code", "petition_close", "petition_feed_back", "petition_rate", "petition_urge"]


@transaction.atomic
def petition_urge(
    *, actor: User | None, petition: Petition | int, version: int | None = None, text: str = ""
) -> Petition:
    """Press the lead department for progress (催办), with optional words for it, at most once a day.

    The item does not move and its version stays (the department's open forms stay valid); the
    `urged` event is public (the resident sees that the department was pressed, not the words)
    and the lead department's members are told at once.
    """
    petition = _begin(actor=actor, petition=petition, move=Move.URGE, version=version)
    if policy.urged_today(petition):
        raise PetitionError(_("The department was already pressed for progress today. Try again tomorrow."))
    lead = policy.lead_share(petition)
    if lead is None:
        raise PetitionError(_("No department is handling this item now."))
    text_ = (text or "").strip()[:500]
    event = _finish(
        petition,
        move=Move.URGE,
        actor=actor,
        fact=events.urged(department=lead.department.name, text=text_),
        bump=False,
    )
    notifications.notify_move(Move.URGE, petition, event, department=lead.department)
    return petition


# -- feedback, rating, close-out -------------------------------------------------------------------------


@transaction.atomic
def petition_feed_back(
    *, actor: User | None, petition: Petition | int, version: int | None = None, method: str, text: str
) -> Petition:
    """Staff, a representative or the office tells the resident the answer and records how."""
    petition = _begin(actor=actor, petition=petition, move=Move.FEED_BACK, version=version)
    if method not in FeedbackMethod.values:
        raise PetitionError(_("Choose how the resident was told."))
    text_ = required_text(text, _("Write what the resident was told and what they said."), 3000)
    petition.feedback_method, petition.feedback_summary, petition.fed_back_at = method, text_, timezone.now()
    petition.rating_code = new_rating_code()
    _finish(
        petition,
        move=Move.FEED_BACK,
        actor=actor,
        fields=["feedback_method", "feedback_summary", "fed_back_at", "rating_code"],
        fact=events.fed_back(
            method=method,
            text=text_,
            public_text=_("The answer was fed back to you (%(method)s). You can rate the handling on this page.")
            % {"method": FeedbackMethod(method).label},
        ),
    )
    notifications.send_rating_code(petition)
    return petition


def new_rating_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


_ORDER = {Satisfaction.DISSATISFIED: 0, Satisfaction.BASICALLY: 1, Satisfaction.SATISFIED: 2}


@transaction.atomic
def petition_rate(
    *,
    actor: User | None,
    petition: Petition | int,
    version: int | None = None,
    satisfaction: str,
    comment: str = "",
    for_resident: bool = False,
    code: str = "",
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
    data = events.rating_data(
        rater=rater,
        representative=rep.name if rep else "",
        satisfaction=satisfaction,
        comment=comment_,
        round_=petition.round,
    )
    label = RESIDENT if resident_online else ""
    if satisfaction == Satisfaction.DISSATISFIED and petition.round == 1:
        _reopen(petition, actor, data, label)
    else:
        _finish(
            petition,
            move=Move.RATE,
            actor=actor,
            actor_label=label,
            fields=["satisfaction"],
            fact=events.rated(
                rating=data,
                public_text=_("Thank you: your rating has been recorded.") if rater == Rating.Rater.RESIDENT else "",
            ),
        )
    return rating


def _overall(petition: Petition) -> str:
    """The resident's rating of the current round if given, else the lowest representative rating."""
    ratings = list(Rating.objects.filter(petition=petition, round=petition.round))
    resident = [r for r in ratings if r.rater == Rating.Rater.RESIDENT]
    if resident:
        return resident[-1].satisfaction
    return min((r.satisfaction for r in ratings), key=_ORDER.get, default="")


def _reopen(petition: Petition, actor: User | None, data: dict, label: str) -> None:
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
    fact = events.reopened(rating=data, new_round=petition.round, due_on=petition.due_on, public_text=public)
    _finish(
        petition,
        move=Move.REOPEN,
        actor=actor,
        actor_label=label,
        fields=fields,
        to_status=to_status,
        fact=fact,
    )
    if share is not None:
        notifications.notify_assigned(petition, share)
    notifications.notify_reopened(petition, last_lead.assigned_by if last_lead else None)


@transaction.atomic
def petition_close(
    *, actor: User | None, petition: Petition | int, version: int | None = None, note: str = "", public_result: str = ""
) -> Petition:
    """The office closes the item out (销号). `public_result` (no personal data) appears on the
    station's public page; empty keeps the item off it."""
    petition = _begin(actor=actor, petition=petition, move=Move.CLOSE, version=version)
    petition.closed_at = timezone.now()
    petition.public_result = (public_result or "").strip()[:1000]
    _finish(
        petition,
        move=Move.CLOSE,
        actor=actor,
        fields=["closed_at", "public_result"],
        fact=events.closed(
            note=(note or "").strip()[:2000],
            public=bool(petition.public_result),
            public_text=_("Your item is closed. Thank you for taking part."),
        ),
    )
    return petition
