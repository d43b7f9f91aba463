"""Representative suggestions (代表建议): the services that write them and the reads behind their pages.

The committee office groups related petitions into a draft with a lead representative and
co-signers, assigns it to a department (three months, six when the office approves it as
complex), the department meets the representative before handling (办前沟通) and replies;
the reply reaches every petition the suggestion came from (each becomes "replied", so each
petitioner is answered); the lead representative fills in the satisfaction form; the office
closes the suggestion.

    draft → assigned → replied → rated → closed
                               ↘ closed (the representative has not rated RATING_WAIT_DAYS after the reply)

Every service follows the pattern of `petitions.handling.services`, inside one transaction: lock the
suggestion (`select_for_update`), check it is in the actor's scope (`suggestions_visible_to`,
else PermissionDenied), the actor's capability (`policy.may`, else PermissionDenied), the version
of the actor's form (else `Conflict`) and the status (the table, `petitions.suggestions.workflow`,
else `InvalidSuggestionMove`); move the status through the table, save the fields, bump the
version, write one `SuggestionEvent`; queue notices through the outbox to `policy.recipients`
(delivered after commit, each under a key of its own).
"""

import re
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from liaison.access import prefix_q, scope_for
from liaison.models import Role
from liaison.outbox import Recipient, outbox_write
from petitions.handling import policy as petition_policy
from petitions.handling import services as handling
from petitions.handling import workflow as petition_workflow
from petitions.handling.models import Suggestion, SuggestionEvent
from petitions.handling.services import Conflict, suggestion_deadline
from petitions.handling.workflow import InvalidTransition
from petitions.handling.workflow import Move as PetitionMove
from petitions.ledger.services import PetitionError
from petitions.models import Department, Outcome, Petition, Satisfaction, Status
from petitions.suggestions import policy
from petitions.suggestions.policy import RATING_WAIT_DAYS
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
    "suggestions_visible_to",
]

S = Suggestion.Status

# The official numbering (建议〔2026〕001号): one sequence per calendar year for the whole deployment.
NUMBER_PREFIX = "建议〔{year}〕"
NUMBER_FORMAT = "建议〔{year}〕{seq:03d}号"
_NUMBER_SEQ = re.compile(r"〕(\d+)号$")
# Drafts taken at the same moment collide on the unique number; each collision retries with the next one.
NUMBER_ATTEMPTS = 10
# Petitions a single request may add (a suggestion gathers tens of items, not thousands).
MAX_PETITIONS = 200

CHANGE = "petitions.change_suggestion"
ADD = "petitions.add_suggestion"
VIEW = "petitions.view_suggestion"
HANDLE = "petitions.handle_petition"

EVENT_LABELS = {
    "drafted": pgettext_lazy("suggestion event", "Drafted"),
    "updated": pgettext_lazy("suggestion event", "Edited"),
    "petitions_added": pgettext_lazy("suggestion event", "Items added"),
    "assigned": pgettext_lazy("suggestion event", "Assigned"),
    "pre_meeting": pgettext_lazy("suggestion event", "Pre-handling meeting recorded"),
    "replied": pgettext_lazy("suggestion event", "Replied"),
    "rated": pgettext_lazy("suggestion event", "Rated by the lead representative"),
    "closed": pgettext_lazy("suggestion event", "Closed"),
}


# -- scope and capability -----------------------------------------------------------------------------


def suggestions_visible_to(user) -> QuerySet:
    """The one scoping entry point: an office sees the suggestions of its jurisdiction (and
    below), a representative those they lead or co-sign, a department those assigned to it,
    an administrator all; everybody else none."""
    scope = scope_for(user)
    if scope.everything:
        return Suggestion.objects.all()
    q = Q(pk__in=[])
    if scope.jurisdiction_prefixes:
        q |= prefix_q("jurisdiction__code", scope.jurisdiction_prefixes)
    if scope.representative_id:
        cosigned = Suggestion.co_signers.through.objects.filter(representative_id=scope.representative_id)
        q |= Q(lead_representative_id=scope.representative_id) | Q(pk__in=cosigned.values("suggestion_id"))
    if scope.department_ids:
        q |= Q(department_id__in=scope.department_ids)
    return Suggestion.objects.filter(q)


def representatives_for(user) -> QuerySet:
    """Representatives an office may name as lead or co-signer: serving ones elected inside its
    jurisdiction (an administrator: all serving ones)."""
    scope = scope_for(user)
    reps = Representative.objects.filter(is_active=True)
    if scope.everything:
        return reps
    if not scope.jurisdiction_prefixes:
        return reps.none()
    return reps.filter(prefix_q("jurisdiction__code", scope.jurisdiction_prefixes))


def departments_for(user) -> QuerySet:
    """Departments an office may assign a suggestion to: active ones of its jurisdiction and below."""
    return Department.objects.visible_to(user).filter(is_active=True)


# -- the pattern -----------------------------------------------------------------------------------------


def _begin(*, actor, suggestion, move: Move, version=None) -> Suggestion:
    """Lock the row, then check scope, capability, version and status, in that order."""
    pk = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    locked = Suggestion.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise PetitionError(_("This suggestion no longer exists."))
    if not suggestions_visible_to(actor).filter(pk=pk).exists():
        raise PermissionDenied
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


def _clean(text: str, message: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise PetitionError(message)
    return text[:limit]


def _check_representatives(actor, lead, co_signers) -> list:
    """The co-signers without the lead and duplicates; all of them must be the actor's to name."""
    if lead is None:
        raise PetitionError(_("Choose the lead representative."))
    allowed = representatives_for(actor)
    co = [r for r in {r.pk: r for r in co_signers}.values() if r.pk != lead.pk]
    ids = {lead.pk, *(r.pk for r in co)}
    found = set(allowed.filter(pk__in=ids).values_list("pk", flat=True))
    if lead.pk not in found:
        raise PetitionError(_("%(name)s is not a serving representative of your jurisdiction.") % {"name": lead.name})
    outside = [r.name for r in co if r.pk not in found]
    if outside:
        raise PetitionError(
            _("Not serving representatives of your jurisdiction: %(names)s.") % {"names": "、".join(outside)}
        )
    return co


def _link_petitions(actor, suggestion, petitions) -> list[Petition]:
    """Each petition becomes part of the suggestion (`handling.petition_to_suggestion`).

    Every refusal is collected so the message names all the items at fault; any refusal
    undoes the whole request (the caller's transaction).
    """
    unique = list({(p.pk if isinstance(p, Petition) else int(p)): p for p in petitions}.keys())
    if len(unique) > MAX_PETITIONS:
        raise PetitionError(_("At most %(n)d items can be added at once.") % {"n": MAX_PETITIONS})
    rows = {p.pk: p for p in Petition.objects.filter(pk__in=unique)}
    linked, problems = [], []
    for pk in unique:
        petition = rows.get(pk)
        if petition is None:
            problems.append(_("an item no longer exists"))
            continue
        try:
            linked.append(handling.petition_to_suggestion(actor=actor, petition=petition, suggestion=suggestion))
        except InvalidTransition as error:
            problems.append(
                _("%(number)s is “%(status)s”")
                % {"number": petition.tracking_number, "status": Status(error.status).label}
            )
        except PermissionDenied:
            problems.append(_("%(number)s is not an item you may route") % {"number": petition.tracking_number})
    if problems:
        raise PetitionError(
            _(
                "These items cannot become part of the suggestion (only registered or triaged items of your "
                "jurisdiction can): %(problems)s."
            )
            % {"problems": "；".join(problems)}
        )
    return linked


def _suggestion_url(suggestion) -> str:
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
            sms_text=sms or subject,  # free text never goes by SMS
        )


# -- drafting (the office) -----------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    prefix = NUMBER_PREFIX.format(year=year)
    last = (
        Suggestion.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    match = _NUMBER_SEQ.search(last or "")
    return NUMBER_FORMAT.format(year=year, seq=int(match.group(1)) + 1 if match else 1)


def _jurisdiction_for(actor, lead):
    if actor.role == Role.COMMITTEE_OFFICE and actor.jurisdiction_id:
        return actor.jurisdiction
    # An administrator drafts on behalf of the congress the lead representative sits in.
    return lead.jurisdiction


@transaction.atomic
def suggestion_draft(
    *, actor, title: str, content: str, lead_representative, co_signers=(), petitions=()
) -> Suggestion:
    """A new draft (number 建议〔YYYY〕NNN号) with its lead representative, co-signers and the
    petitions it comes from; each petition moves to "turned into a suggestion" (its own event)."""
    if not actor.has_perm(ADD):
        raise PermissionDenied
    title_ = _clean(title, _("Give the suggestion a title."), 200)
    content_ = _clean(content, _("Write the reasons and proposals."), 20000)
    co = _check_representatives(actor, lead_representative, co_signers)
    year = timezone.localdate().year
    jurisdiction = _jurisdiction_for(actor, lead_representative)
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            # Two drafts at the same moment may take the same number: the unique index refuses
            # the second, which takes the next one.
            with transaction.atomic():
                suggestion = Suggestion.objects.create(
                    number=_next_number(year),
                    title=title_,
                    content=content_,
                    jurisdiction=jurisdiction,
                    lead_representative=lead_representative,
                    created_by=actor,
                )
            break
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    suggestion.co_signers.set(co)
    linked = _link_petitions(actor, suggestion, petitions)
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
    *, actor, suggestion, title: str, content: str, lead_representative, co_signers=(), version=None
) -> Suggestion:
    """Edit a draft's text, lead representative and co-signers (one event listing what changed)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.EDIT, version=version)
    title_ = _clean(title, _("Give the suggestion a title."), 200)
    content_ = _clean(content, _("Write the reasons and proposals."), 20000)
    co = _check_representatives(actor, lead_representative, co_signers)
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
def suggestion_add_petitions(*, actor, suggestion, petitions, version=None) -> Suggestion:
    """More petitions the suggestion answers (a draft or an assigned suggestion)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.ADD_PETITIONS, version=version)
    if not petitions:
        raise PetitionError(_("Name at least one item to add."))
    linked = _link_petitions(actor, suggestion, petitions)
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
def suggestion_assign(*, actor, suggestion, department, is_complex: bool = False, version=None) -> Suggestion:
    """Assign the draft to a department: due in three months, six when the office approves it as
    complex (recorded as `complex_approved_by`). Tells the department's members (inbox, email, SMS)."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.ASSIGN, version=version)
    if department is None or not departments_for(actor).filter(pk=department.pk).exists():
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
        sms=_("[Liaison] Representative suggestion %(number)s assigned, reply by %(due)s.")
        % {"number": number, "due": due},
    )
    return suggestion


@transaction.atomic
def suggestion_pre_meeting(*, actor, suggestion, held_on: date, note: str, version=None) -> Suggestion:
    """Record the pre-handling meeting (办前沟通) with the representative: when, and what was agreed."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.PRE_MEETING, version=version)
    if held_on is None:
        raise PetitionError(_("Give the date of the meeting."))
    if held_on > timezone.localdate():
        raise PetitionError(_("The meeting cannot be in the future: record it once it has been held."))
    if suggestion.assigned_at and held_on < timezone.localtime(suggestion.assigned_at).date():
        raise PetitionError(_("The meeting cannot be before the suggestion was assigned."))
    note_ = _clean(note, _("Write what was agreed."), 5000)
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
def suggestion_reply(*, actor, suggestion, outcome: str, text: str, version=None) -> Suggestion:
    """The department's (or the office's) reply. Every petition still waiting on the suggestion
    gets the answer (`handling.petition_suggestion_replied`: "replied", a public event), and
    whoever feeds it back is told; so are the lead representative and the co-signers."""
    suggestion = _begin(actor=actor, suggestion=suggestion, move=Move.REPLY, version=version)
    if outcome not in Outcome.values:
        raise PetitionError(_("Choose the outcome class."))
    text_ = _clean(text, _("Write the reply."), 20000)
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
            )
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
            "outcome": Outcome(outcome).label,
        },
        sms=_("[Liaison] Suggestion %(number)s has been answered; please rate it.") % {"number": suggestion.number},
    )
    return suggestion


@transaction.atomic
def suggestion_rate(
    *, actor, suggestion, satisfaction: str, contacted_before_reply: bool, comment: str = "", version=None
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
    _tell(
        policy.recipients(Move.RATE, suggestion),
        key=f"suggestion:{suggestion.pk}:rated",
        topic="suggestion_rated",
        suggestion=suggestion,
        subject=_("Suggestion %(number)s rated “%(satisfaction)s”")
        % {"number": suggestion.number, "satisfaction": Satisfaction(satisfaction).label},
        body=comment_ or _("No comment was given."),
    )
    return suggestion


@transaction.atomic
def suggestion_close(*, actor, suggestion, note: str = "", version=None) -> Suggestion:
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


# -- reads ------------------------------------------------------------------------------------------------------


def suggestion_list(user, *, status="", department=None, representative=None, year=None, q="") -> QuerySet:
    """The user's suggestions narrowed by the list's filters, newest first."""
    rows = suggestions_visible_to(user)
    if status:
        rows = rows.filter(status=status)
    if department is not None:
        rows = rows.filter(department=department)
    if representative is not None:
        cosigned = Suggestion.co_signers.through.objects.filter(representative=representative)
        rows = rows.filter(Q(lead_representative=representative) | Q(pk__in=cosigned.values("suggestion_id")))
    if year:
        rows = rows.filter(created_at__year=year)
    if q and q.strip():
        rows = rows.filter(Q(title__icontains=q.strip()) | Q(number__icontains=q.strip()))
    return rows.select_related("lead_representative", "department", "jurisdiction").order_by("-created_at", "-pk")


def timeline(suggestion) -> list[dict]:
    """The suggestion's history, oldest first, with labels for the page."""
    entries = []
    for event in suggestion.events.select_related("actor").order_by("at", "pk"):
        data = event.data or {}
        entries.append(
            {
                "kind": event.kind,
                "label": EVENT_LABELS.get(event.kind, event.kind),
                "at": event.at,
                "who": event.actor.display_name if event.actor else "",
                "from_status": S(data["from_status"]).label if data.get("from_status") in S.values else "",
                "to_status": S(data["to_status"]).label if data.get("to_status") in S.values else "",
                "details": _event_details(event.kind, data),
            }
        )
    return entries


def _event_details(kind: str, data: dict) -> list[str]:
    lines = []
    if data.get("petitions"):
        lines.append(_("Items: %(numbers)s") % {"numbers": "、".join(data["petitions"])})
    if kind == "assigned":
        lines.append(
            _("%(department)s, reply by %(due)s")
            % {"department": data.get("department", ""), "due": data.get("due_on", "")}
        )
        if data.get("is_complex"):
            lines.append(_("Complex suggestion: six months approved."))
    if kind == "pre_meeting":
        lines.append(_("Held on %(date)s: %(note)s") % {"date": data.get("held_on", ""), "note": data.get("note", "")})
    if kind == "replied" and data.get("outcome") in Outcome.values:
        lines.append(str(Outcome(data["outcome"]).label))
    if kind == "rated" and data.get("satisfaction") in Satisfaction.values:
        lines.append(
            str(Satisfaction(data["satisfaction"]).label) + (f"：{data['comment']}" if data.get("comment") else "")
        )
    if kind == "updated":
        labels = {
            "title": _("title"),
            "content": _("reasons and proposals"),
            "lead": _("lead representative"),
            "co_signers": _("co-signers"),
        }
        changed = [str(labels[k]) for k in (data.get("changes") or {}) if k in labels]
        if changed:
            lines.append(_("Changed: %(fields)s") % {"fields": "、".join(changed)})
    if kind == "closed":
        if data.get("unrated"):
            lines.append(_("Closed without the lead representative's rating."))
        if data.get("note"):
            lines.append(data["note"])
    return lines


def source_petitions(user, suggestion) -> list[dict]:
    """The petitions the suggestion came from; the content excerpt and link only for those the user sees."""
    rows = list(suggestion.petitions.select_related("station").order_by("received_on", "pk"))
    visible = set(Petition.objects.visible_to(user).filter(pk__in=[p.pk for p in rows]).values_list("pk", flat=True))
    return [{"petition": p, "visible": p.pk in visible} for p in rows]
