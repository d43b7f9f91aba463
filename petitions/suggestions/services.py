"""Representative suggestions (代表建议): the services that write them. Their reads (the scope, the
list, the history) are in `selectors.py`; the checks of a draft and its numbering in `drafting.py`.

The committee office groups related petitions into a draft with a lead representative and
co-signers, assigns it to a department (three months, six when the office approves it as
complex), the department meets the representative before handling (办前沟通) and replies;
the reply reaches every petition the suggestion came from (each becomes "replied", so each
petitioner is answered); the lead representative fills in the satisfaction form; the office
closes the suggestion.

    draft → assigned → replied → rated → closed
                               ↘ closed (the representative has not rated RATING_WAIT_DAYS after the reply)

Every service follows the pattern of `petitions.handling.services`, inside one transaction: lock the
suggestion in the actor's scope (`access_suggestion(..., for_update=True)`: Http404 for a missing
suggestion and one outside the scope alike), check the actor's capability (`policy.may`, else
PermissionDenied), the version of the actor's form (else `Conflict`) and the status (the table,
`petitions.suggestions.workflow`, else `InvalidSuggestionMove`); move the status through the
table, save the fields, bump the version, write one `SuggestionEvent`; queue its notices
(`notifications.py`: the texts, to `policy.recipients`, through the outbox, delivered after
commit, each under a key of its own).
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.jurisdictions import departments_for_assignment
from liaison.models import User
from liaison.numbering import create_numbered
from petitions.handling import services as handling
from petitions.handling import workflow as petition_workflow
from petitions.handling.deadlines import suggestion_deadline
from petitions.handling.models import Suggestion, SuggestionEvent
from petitions.handling.services import Conflict
from petitions.ledger.services import PetitionError, required_text
from petitions.models import Department, Outcome, Petition, Satisfaction
from petitions.suggestions import drafting, notifications, policy
from petitions.suggestions.policy import RATING_WAIT_DAYS
from petitions.suggestions.querysets import access_suggestion
from petitions.suggestions.workflow import ENGINE, InvalidSuggestionMove, Move
from stations.models import Representative

__all__ = [
    "Conflict",
    "InvalidSuggestionMove",
    "PetitionError",
    "suggestion_add_petitions",
    "suggestion_assign",
    "suggestion_close",
    "suggestion_draft",
    "suggestion_pre_meeting",
    "suggestion_rate",
    "suggestion_reply",
    "suggestion_update",
]

S = Suggestion.Status

CHANGE = "petitions.change_suggestion"
ADD = "petitions.add_suggestion"
VIEW = "petitions.view_suggestion"
HANDLE = "petitions.handle_petition"

# -- the pattern -----------------------------------------------------------------------------------------


def _begin(*, actor, suggestion, move: Move, version=None) -> Suggestion:
    """Lock the row in the actor's scope (else Http404), then check capability, version and
    status, in that order."""
    pk = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    locked = access_suggestion(actor, pk, for_update=True)
    if not policy.may(actor, locked, move):
        raise PermissionDenied
    if version is not None and int(version) != locked.version:
        raise Conflict(_conflict_message(locked))
    ENGINE.check(move, locked.status, permission=False)  # who acts: `policy.may` above
    return locked


def _conflict_message(suggestion: Suggestion) -> str:
    last = suggestion.events.select_related("actor").order_by("-at", "-pk").first()
    who = (last.actor.display_name if last and last.actor else "") or _("someone")
    when = timezone.localtime(last.at).strftime("%H:%M") if last else ""
    return _(
        "Someone else changed this suggestion while you were working on it (%(who)s at %(when)s; it is now "
        "“%(status)s”). Nothing you typed is lost: check the suggestion and send again if it still applies."
    ) % {"who": who, "when": when, "status": suggestion.get_status_display()}


def _finish(suggestion: Suggestion, *, move: Move, actor, kind: str, fields=(), data=None) -> SuggestionEvent:
    """Move the status through the table, save it with the fields, bump the version, write the
    change's one event."""
    moved = ENGINE.apply(suggestion, move, actor=actor)
    suggestion.version += 1
    ENGINE.save(suggestion, [*fields, "version"])
    data = dict(data or {})
    if moved.changed:
        data.update(from_status=moved.from_status, to_status=moved.to_status)
    return SuggestionEvent.objects.create(suggestion=suggestion, kind=kind, actor=actor, data=data)


# -- drafting (the office) -----------------------------------------------------------------------------------


@transaction.atomic
def suggestion_draft(
    *,
    actor: User,
    title: str,
    content: str,
    lead_representative: Representative,
    co_signers: Iterable[Representative] = (),
    petitions: Iterable[Petition | int] = (),
) -> Suggestion:
    """A new draft (number 建议〔YYYY〕NNN号) with its lead representative, co-signers and the
    petitions it comes from; each petition moves to "turned into a suggestion" (its own event)."""
    if not actor.has_perm(ADD):
        raise PermissionDenied
    title_ = required_text(title, _("Give the suggestion a title."), 200)
    content_ = required_text(content, _("Write the reasons and proposals."), 20000)
    co = drafting.check_representatives(actor, lead_representative, co_signers)
    year = timezone.localdate().year
    jurisdiction = drafting.jurisdiction_for(actor, lead_representative)
    # Two drafts at the same moment may take the same number: the unique index refuses the second,
    # which takes the next one.
    suggestion = create_numbered(
        lambda: Suggestion.objects.create(
            number=drafting.next_number(year),
            title=title_,
            content=content_,
            jurisdiction=jurisdiction,
            lead_representative=lead_representative,
            created_by=actor,
        ),
        attempts=drafting.NUMBER_ATTEMPTS,
    )
    suggestion.co_signers.set(co)
    linked = drafting.link_petitions(actor, suggestion, petitions)
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind="drafted",
        actor=actor,
        data={
            "number": suggestion.number,
            "title": title_,
            "lead": lead_representative.name,
            "co_signers": [r.name for r in co],
            "petitions": [p.tracking_number for p in linked],
            "to_status": S.DRAFT,
        },
    )
    return suggestion


@transaction.atomic
def suggestion_update(
    *,
    actor: User,
    suggestion: Suggestion | int,
    title: str,
    content: str,
    lead_representative: Representative,
    co_signers: Iterable[Representative] = (),
    version: int | None = None,
) -> Suggestion:
    """Edit a draft's text, lead representative and co-signers (one event listing what changed)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.EDIT, version=version)
    title_ = required_text(title, _("Give the suggestion a title."), 200)
    content_ = required_text(content, _("Write the reasons and proposals."), 20000)
    co = drafting.check_representatives(actor, lead_representative, co_signers)
    changes, fields = {}, []
    if title_ != suggestion.title:
        changes["title"] = [suggestion.title, title_]
        suggestion.title = title_
        fields.append("title")
    if content_ != suggestion.content:
        changes["content"] = True  # long text: the event says it changed, not the whole of it twice
        suggestion.content = content_
        fields.append("content")
    if lead_representative.pk != suggestion.lead_representative_id:
        changes["lead"] = [suggestion.lead_representative.name, lead_representative.name]
        suggestion.lead_representative = lead_representative
        fields.append("lead_representative")
    old_co = {r.pk: r.name for r in suggestion.co_signers.all()}
    new_co = {r.pk: r.name for r in co}
    if set(old_co) != set(new_co):
        changes["co_signers"] = [sorted(old_co.values()), sorted(new_co.values())]
        suggestion.co_signers.set(co)
    if not changes:
        return suggestion
    _finish(suggestion, move=Move.EDIT, actor=actor, kind="updated", fields=fields, data={"changes": changes})
    return suggestion


@transaction.atomic
def suggestion_add_petitions(
    *, actor: User, suggestion: Suggestion | int, petitions: Iterable[Petition | int], version: int | None = None
) -> Suggestion:
    """More petitions the suggestion answers (a draft or an assigned suggestion)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.ADD_PETITIONS, version=version)
    if not petitions:
        raise PetitionError(_("Name at least one item to add."))
    linked = drafting.link_petitions(actor, suggestion, petitions)
    _finish(
        suggestion,
        move=Move.ADD_PETITIONS,
        actor=actor,
        kind="petitions_added",
        data={"petitions": [p.tracking_number for p in linked]},
    )
    return suggestion


# -- handling ---------------------------------------------------------------------------------------------------


@transaction.atomic
def suggestion_assign(
    *,
    actor: User,
    suggestion: Suggestion | int,
    department: Department,
    is_complex: bool = False,
    version: int | None = None,
) -> Suggestion:
    """Assign the draft to a department: due in three months, six when the office approves it as
    complex (recorded as `complex_approved_by`). Tells the department's members (inbox, email, SMS)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.ASSIGN, version=version)
    if department is None or not departments_for_assignment(actor).filter(pk=department.pk).exists():
        raise PetitionError(_("Choose an active department of your jurisdiction."))
    today = timezone.localdate()
    suggestion.department = department
    suggestion.is_complex = bool(is_complex)
    suggestion.complex_approved_by = actor if is_complex else None
    suggestion.due_on = suggestion_deadline(start=today, complex_=bool(is_complex))
    suggestion.assigned_at = timezone.now()
    _finish(
        suggestion,
        actor=actor,
        move=Move.ASSIGN,
        kind="assigned",
        fields=["department", "is_complex", "complex_approved_by", "due_on", "assigned_at"],
        data={"department": department.name, "due_on": str(suggestion.due_on), "is_complex": bool(is_complex)},
    )
    notifications.notify_assigned(suggestion, department)
    return suggestion


@transaction.atomic
def suggestion_pre_meeting(
    *, actor: User, suggestion: Suggestion | int, held_on: date, note: str, version: int | None = None
) -> Suggestion:
    """Record the pre-handling meeting (办前沟通) with the representative: when, and what was agreed."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.PRE_MEETING, version=version)
    if held_on is None:
        raise PetitionError(_("Give the date of the meeting."))
    if held_on > timezone.localdate():
        raise PetitionError(_("The meeting cannot be in the future: record it once it has been held."))
    if suggestion.assigned_at and held_on < timezone.localtime(suggestion.assigned_at).date():
        raise PetitionError(_("The meeting cannot be before the suggestion was assigned."))
    note_ = required_text(note, _("Write what was agreed."), 5000)
    suggestion.pre_meeting_on, suggestion.pre_meeting_note = held_on, note_
    _finish(
        suggestion,
        move=Move.PRE_MEETING,
        actor=actor,
        kind="pre_meeting",
        fields=["pre_meeting_on", "pre_meeting_note"],
        data={"held_on": str(held_on), "note": note_},
    )
    return suggestion


@transaction.atomic
def suggestion_reply(
    *, actor: User, suggestion: Suggestion | int, outcome: str, text: str, version: int | None = None
) -> Suggestion:
    """The department's (or the office's) reply. Every petition still waiting on the suggestion
    gets the answer (`handling.petition_suggestion_replied`: "replied", a public event), and
    whoever feeds it back is told; so are the lead representative and the co-signers."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.REPLY, version=version)
    if outcome not in Outcome.values:
        raise PetitionError(_("Choose the outcome class."))
    text_ = required_text(text, _("Write the reply."), 20000)
    suggestion.outcome, suggestion.reply_text, suggestion.replied_at = outcome, text_, timezone.now()
    waiting = list(suggestion.petitions.filter(status__in=petition_workflow.WITH_SUGGESTION).order_by("pk"))
    _finish(
        suggestion,
        actor=actor,
        move=Move.REPLY,
        kind="replied",
        fields=["outcome", "reply_text", "replied_at"],
        data={
            "outcome": outcome,
            "text": text_,
            "petitions": [p.tracking_number for p in waiting],
            "on_time": bool(suggestion.due_on and timezone.localdate() <= suggestion.due_on),
        },
    )
    for petition in waiting:
        petition = handling.petition_suggestion_replied(actor=actor, petition=petition, suggestion=suggestion)
        notifications.notify_item_answered(petition, suggestion)
    notifications.notify_replied(suggestion)
    return suggestion


@transaction.atomic
def suggestion_rate(
    *,
    actor: User,
    suggestion: Suggestion | int,
    satisfaction: str,
    contacted_before_reply: bool,
    comment: str = "",
    version: int | None = None,
) -> Suggestion:
    """The lead representative's satisfaction form; the office is told."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.RATE, version=version)
    if satisfaction not in Satisfaction.values:
        raise PetitionError(_("Choose satisfied, basically satisfied or dissatisfied."))
    if contacted_before_reply not in (True, False):
        raise PetitionError(_("Say whether the department contacted you before replying."))
    comment_ = (comment or "").strip()[:3000]
    suggestion.satisfaction, suggestion.contacted_before_reply = satisfaction, contacted_before_reply
    suggestion.satisfaction_comment, suggestion.rated_at = comment_, timezone.now()
    _finish(
        suggestion,
        actor=actor,
        move=Move.RATE,
        kind="rated",
        fields=["satisfaction", "contacted_before_reply", "satisfaction_comment", "rated_at"],
        data={"satisfaction": satisfaction, "contacted_before_reply": contacted_before_reply, "comment": comment_},
    )
    notifications.notify_rated(suggestion)
    return suggestion


@transaction.atomic
def suggestion_close(
    *, actor: User, suggestion: Suggestion | int, note: str = "", version: int | None = None
) -> Suggestion:
    """The office closes the suggestion out (销号): once rated, or RATING_WAIT_DAYS days after the
    reply when the lead representative has not rated it (recorded as closed unrated)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.CLOSE, version=version)
    if not policy.closable(suggestion):
        raise PetitionError(
            _(
                "The lead representative has not rated the reply yet; it can be closed without a rating "
                "%(days)d days after the reply."
            )
            % {"days": RATING_WAIT_DAYS}
        )
    suggestion.closed_at = timezone.now()
    _finish(
        suggestion,
        actor=actor,
        move=Move.CLOSE,
        kind="closed",
        fields=["closed_at"],
        data={"note": (note or "").strip()[:2000], "unrated": not suggestion.satisfaction},
    )
    return suggestion
