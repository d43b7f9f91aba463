"""A petition's history: one constructor per kind of event, and how each kind reads, side by side.

Every change to a petition writes one `PetitionEvent`. The services never build an event's
`data` by hand: they call the kind's constructor here (`assigned(...)`, `note_added(...)`),
which returns a `Fact` (kind, the facts it records, the sentence the resident reads), and
`record()` writes it with the actor and the status move. The same kind's renderer (in `RENDERERS`, built
from the line helpers of `event_lines`, where the ledger's own kinds' renderers live too) turns a stored row back into lines for the staff timeline
(`petitions.ledger.selectors.timeline`); `PUBLIC_KINDS_OF_OWN_RESIDENT` and
`DEPARTMENT_KINDS` say how the public timeline (`petitions.intake.tracking`) shows them.

A new kind of event: add it to `PetitionEventKind` below (no migration: the field has no choices), write its constructor and its renderer
here and register the renderer in `RENDERERS`; `tests/petitions/test_events.py` fails for a
kind without one.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from petitions.ledger.event_lines import (  # noqa: F401 - the timeline reads them here
    RenderContext,
    _facts,
    _line_automatic,
    _line_co_departments,
    _line_co_due,
    _line_days,
    _line_department,
    _line_due,
    _line_leader,
    _line_method,
    _line_moved,
    _line_notice,
    _line_offices,
    _line_outcome,
    _line_rating,
    _line_round,
    _line_suggestion,
    _line_until,
    _line_words,
    _nothing,
    _render_files,
    _render_linked,
    _render_personal_data,
    _render_registered,
    _render_representative,
    _render_revealed,
    field_label,
    value_text,
)
from petitions.models import Petition, PetitionEvent


class PetitionEventKind(models.TextChoices):
    """What happened to the item: one per constructor below (`PetitionEvent.kind` holds the value)."""

    REGISTERED = "registered", gettext_lazy("Registered")
    EDITED = "edited", gettext_lazy("Edited")
    LINKED = "linked", gettext_lazy("Linked to another item")
    ATTACHMENT_ADDED = "attachment_added", gettext_lazy("Attachment added")
    ATTACHMENT_REMOVED = "attachment_removed", gettext_lazy("Attachment removed")
    REPRESENTATIVE_ADDED = "representative_added", gettext_lazy("Representative added")
    FOLLOWED = "followed", gettext_lazy("Followed")
    UNFOLLOWED = "unfollowed", gettext_lazy("No longer followed")
    FOLLOW_UP_MARKED = "follow_up_marked", gettext_lazy("Marked for follow-up")
    FOLLOW_UP_CLEARED = "follow_up_cleared", gettext_lazy("Follow-up mark removed")
    NOTE_ADDED = "note_added", gettext_lazy("Note added")
    REVEALED = "revealed", gettext_lazy("Personal data revealed")
    PERSONAL_DATA = "personal_data", gettext_lazy("Personal data exported or removed")
    REPLIED = "replied", gettext_lazy("Replied to the resident")
    STATUS_CHANGED = "status_changed", gettext_lazy("Status changed")
    TRIAGED = "triaged", pgettext_lazy("petition event", "Triaged")
    ASSIGNED = "assigned", pgettext_lazy("petition event", "Assigned")
    ACCEPTED = "accepted", pgettext_lazy("petition event", "Accepted")
    PROGRESS = "progress", pgettext_lazy("petition event", "Progress")
    CONTRIBUTED = "contributed", pgettext_lazy("petition event", "Co-handler's part given")
    DEPARTMENT_REPLIED = "department_replied", pgettext_lazy("petition event", "Department replied")
    EXTENSION_REQUESTED = "extension_requested", pgettext_lazy("petition event", "Extension requested")
    EXTENSION_APPROVED = "extension_approved", pgettext_lazy("petition event", "Extension approved")
    EXTENSION_REFUSED = "extension_refused", pgettext_lazy("petition event", "Extension refused")
    RETURNED = "returned", pgettext_lazy("petition event", "Returned by the department")
    CONSULTED = "consulted", pgettext_lazy("petition event", "Answered as a consultation")
    ON_THE_SPOT = "on_the_spot", pgettext_lazy("petition event", "Handled on the spot")
    ESCALATED = "escalated", pgettext_lazy("petition event", "Referred to a higher level")
    SENT_DOWN = "sent_down", pgettext_lazy("petition event", "Sent back down")
    TAKEN_OVER = "taken_over", pgettext_lazy("petition event", "Taken over by a higher office")
    CANNOT_HANDLE = "cannot_handle", pgettext_lazy("petition event", "Cannot be handled")
    TO_SUGGESTION = "to_suggestion", pgettext_lazy("petition event", "Turned into a suggestion")
    FED_BACK = "fed_back", pgettext_lazy("petition event", "Fed back to the resident")
    RATED = "rated", pgettext_lazy("petition event", "Rated")
    REOPENED = "reopened", pgettext_lazy("petition event", "Reopened after a dissatisfied rating")
    CLOSED = "closed", pgettext_lazy("petition event", "Closed")
    SUPERVISED = "supervised", pgettext_lazy("petition event", "Supervision notice issued")
    SUPERVISION_ANSWERED = "supervision_answered", pgettext_lazy("petition event", "Supervision notice answered")
    URGED = "urged", pgettext_lazy("petition event", "Pressed for progress")
    SUSPENDED = "suspended", pgettext_lazy("petition event", "Suspended")
    RESUMED = "resumed", pgettext_lazy("petition event", "Resumed")
    COMMITMENT_RECORDED = (
        "commitment_recorded",
        pgettext_lazy("petition event", "Department head's commitment recorded"),
    )


K = PetitionEventKind


def kind_label(kind: str) -> str:
    """How the history names a kind; a kind this version does not know (written by a newer one) by its value."""
    try:
        return str(K(kind).label)
    except ValueError:
        return kind


@dataclass(frozen=True)
class Fact:
    """What one event records: its kind, the facts its renderer reads, what the resident reads (public if any)."""

    kind: str
    data: dict = field(default_factory=dict)
    public_text: str = ""


def record(
    petition: Petition, fact: Fact, *, actor=None, actor_label: str = "", from_status: str = "", to_status: str = ""
) -> PetitionEvent:
    """Write the event row of `fact` (the caller holds the transaction). Public when it has a public text.
    The actor's display name is copied onto the row, so the history keeps who acted."""
    return PetitionEvent.objects.create(
        petition=petition,
        kind=fact.kind,
        actor=actor,
        actor_label=actor_label,
        actor_name=actor.display_name[:64] if actor is not None else "",
        data=fact.data,
        is_public=bool(fact.public_text),
        public_text=fact.public_text,
        from_status=from_status,
        to_status=to_status,
    )


# -- the ledger's own events ----------------------------------------------------------------------


def registered(*, channel: str, representatives: Iterable[str]) -> Fact:
    return Fact(
        K.REGISTERED,
        {"channel": channel, "representatives": list(representatives)},
        _("Your item has been registered."),
    )


def edited(*, changes: dict) -> Fact:
    """`changes`: field name → [old, new] (already masked for personal fields); the timeline shows them."""
    return Fact(K.EDITED, {"changes": changes})


def linked(*, target_number: str) -> Fact:
    """The item is handled together with `target_number` (the resident is not told the other number)."""
    return Fact(
        K.LINKED,
        {"target": target_number},
        _("Handled together with another item that raises the same matter."),
    )


def link_received(*, linked_number: str, co_petitioners: int) -> Fact:
    """The other side of `linked`: the item another one was linked to."""
    return Fact(K.LINKED, {"linked": linked_number, "co_petitioners": co_petitioners})


def attachments_added(*, names: Iterable[str]) -> Fact:
    return Fact(K.ATTACHMENT_ADDED, {"files": list(names)})


def attachments_removed(*, names: Iterable[str]) -> Fact:
    return Fact(K.ATTACHMENT_REMOVED, {"files": list(names)})


def representative_linked(*, representative: str, role: str, received: bool) -> Fact:
    """A representative added as receiving the item, or following it."""
    return Fact(K.REPRESENTATIVE_ADDED if received else K.FOLLOWED, {"representative": representative, "role": role})


def follow_up(*, representative: str, on: bool) -> Fact:
    return Fact(K.FOLLOW_UP_MARKED if on else K.FOLLOW_UP_CLEARED, {"representative": representative})


def replied_online(*, representative: str, text: str) -> Fact:
    """A representative's public reply to an online item (the resident reads the text)."""
    return Fact(K.REPLIED, {"representative": representative}, text)


def note_added(*, note_id: int) -> Fact:
    return Fact(K.NOTE_ADDED, {"note": note_id})


def revealed(*, field_name: str, purpose: str = "", note: str = "") -> Fact:
    """`purpose`: a `privacy.RevealPurpose` value; `note`: the reason in words, for "other"."""
    data = {"field": field_name}
    if purpose:
        data["purpose"] = purpose
    if note:
        data["note"] = note
    return Fact(K.REVEALED, data)


def personal_data(*, action: str, reason: str = "") -> Fact:
    """`action`: "exported" or "anonymised" (petitions.ledger.subjects); `reason`: "retention" or "request"."""
    return Fact(K.PERSONAL_DATA, {"action": action, "reason": reason})


# -- handling -----------------------------------------------------------------------------------


def triaged(*, route: str, changes: dict, note: str, public_text: str) -> Fact:
    return Fact(K.TRIAGED, {"route": route, "changes": changes, "note": note}, public_text)


def assigned(
    *,
    department: str,
    co_departments: Iterable[str],
    due_on: date,
    co_due_on: date | None,
    responsible_leader: str,
    note: str,
    public_text: str,
) -> Fact:
    return Fact(
        K.ASSIGNED,
        {
            "department": department,
            "co_departments": list(co_departments),
            "due_on": str(due_on),
            "co_due_on": str(co_due_on) if co_due_on else "",
            "responsible_leader": responsible_leader,
            "note": note,
        },
        public_text,
    )


def answered_at_triage(kind: str, *, text: str, department: str, public_text: str) -> Fact:
    """Consulted, handled on the spot, referred upwards or cannot be handled: answered without an assignment."""
    return Fact(kind, {"text": text, "department": department}, public_text)


def _office_facts(from_office, to_office) -> dict:
    return {
        "from_office": from_office.name if from_office else "",
        "from_office_id": from_office.pk if from_office else None,
        "to_office": to_office.name,
        "to_office_id": to_office.pk,
    }


def escalated(*, from_office, to_office, reason: str, note: str) -> Fact:
    """The handling office handed the item to an office above (its triage list), with the reason
    and its own note; the resident reads which office now handles it. An item referred up before
    escalation reached the office above has the older facts (`answered_at_triage`)."""
    return Fact(
        K.ESCALATED,
        {**_office_facts(from_office, to_office), "reason": reason, "note": note},
        _("Your item has been passed to %(office)s, which will handle it.") % {"office": to_office.name},
    )


def sent_down(*, from_office, to_office, explanation: str) -> Fact:
    """The office above sent an escalated item back to the office below, saying why."""
    return Fact(
        K.SENT_DOWN,
        {**_office_facts(from_office, to_office), "text": explanation},
        _("Your item has been passed back to %(office)s, which will handle it.") % {"office": to_office.name},
    )


def taken_over(*, from_office, to_office, note: str) -> Fact:
    """The office above that handles an escalated item became its owner: it feeds back and closes out."""
    return Fact(
        K.TAKEN_OVER,
        {**_office_facts(from_office, to_office), "note": note},
        _("%(office)s has taken over your item and will answer it to the end.") % {"office": to_office.name},
    )


def to_suggestion(*, number: str, title: str, public_text: str) -> Fact:
    return Fact(K.TO_SUGGESTION, {"suggestion": number, "title": title}, public_text)


def suggestion_replied(*, number: str, outcome: str, public_text: str) -> Fact:
    return Fact(K.DEPARTMENT_REPLIED, {"suggestion": number, "outcome": outcome}, public_text)


def accepted(*, department: str, public_text: str = "") -> Fact:
    return Fact(K.ACCEPTED, {"department": department}, public_text)


def progress(*, department: str, text: str, public: bool, public_text: str) -> Fact:
    return Fact(K.PROGRESS, {"department": department, "text": text, "public": public}, public_text)


def contributed(*, department: str, text: str) -> Fact:
    return Fact(K.CONTRIBUTED, {"department": department, "text": text})


def department_replied(*, department: str, outcome: str, reply_id: int, on_time: bool, public_text: str) -> Fact:
    return Fact(
        K.DEPARTMENT_REPLIED,
        {"department": department, "outcome": outcome, "reply": reply_id, "on_time": on_time},
        public_text,
    )


def extension_requested(*, department: str, request_id: int, due_on: date, requested: date, reason: str) -> Fact:
    return Fact(
        K.EXTENSION_REQUESTED,
        {"department": department, "request": request_id, "from": str(due_on), "to": str(requested), "reason": reason},
    )


def extension_approved(
    *, department: str, request_id: int, due_on: date, new_due_on: date, note: str, public_text: str
) -> Fact:
    return Fact(
        K.EXTENSION_APPROVED,
        {"from": str(due_on), "to": str(new_due_on), "department": department, "request": request_id, "note": note},
        public_text,
    )


def extension_refused(*, department: str, request_id: int, due_on: date, note: str) -> Fact:
    return Fact(
        K.EXTENSION_REFUSED, {"due_on": str(due_on), "department": department, "request": request_id, "note": note}
    )


def returned(*, department: str, reason: str) -> Fact:
    return Fact(K.RETURNED, {"department": department, "reason": reason})


def fed_back(*, method: str, text: str, public_text: str) -> Fact:
    return Fact(K.FED_BACK, {"method": method, "text": text}, public_text)


def rating_data(*, rater: str, representative: str, satisfaction: str, comment: str, round_: int) -> dict:
    """The facts of one rating, shared by `rated` and `reopened` (a dissatisfied first round)."""
    return {
        "rater": rater,
        "representative": representative,
        "satisfaction": satisfaction,
        "comment": comment,
        "round": round_,
    }


def rated(*, rating: dict, public_text: str) -> Fact:
    return Fact(K.RATED, rating, public_text)


def reopened(*, rating: dict, new_round: int, due_on: date | None, public_text: str) -> Fact:
    return Fact(
        K.REOPENED, {**rating, "reopened": True, "new_round": new_round, "due_on": str(due_on or "")}, public_text
    )


def closed(*, note: str, public: bool, public_text: str) -> Fact:
    return Fact(K.CLOSED, {"note": note, "public": public}, public_text)


def suspended(*, reason: str, until: date, due_on: date | None, public_text: str) -> Fact:
    """The office stopped the clock until `until` (the resident reads the reason and the date)."""
    return Fact(K.SUSPENDED, {"reason": reason, "until": str(until), "due_on": str(due_on or "")}, public_text)


def resumed(
    *, days: int, automatic: bool, note: str, due_on: date | None, new_due_on: date | None, public_text: str
) -> Fact:
    """The clock runs again; the deadlines moved forward by `days` working days (`due_on` → `new_due_on`)."""
    data = {"days": days, "automatic": automatic, "note": note}
    if due_on:
        data.update({"from": str(due_on), "to": str(new_due_on)})
    return Fact(K.RESUMED, data, public_text)


# -- supervision --------------------------------------------------------------------------------


def supervised(*, number: str, subject: str, due_on: date, department: str, notice_id: int) -> Fact:
    return Fact(
        K.SUPERVISED,
        {"number": number, "subject": subject, "due_on": str(due_on), "department": department, "notice": notice_id},
    )


def supervision_answered(*, number: str, subject: str, text: str) -> Fact:
    return Fact(K.SUPERVISION_ANSWERED, {"number": number, "subject": subject, "text": text})


def urged(*, department: str, text: str) -> Fact:
    """The lead department was pressed for progress (催办); the resident sees that it was, not the words."""
    return Fact(K.URGED, {"department": department, "text": text}, _("The department was pressed for progress."))


def commitment_recorded(*, department: str, due_on: date, head_name: str, text: str) -> Fact:
    return Fact(
        K.COMMITMENT_RECORDED, {"department": department, "due_on": str(due_on), "text": f"{head_name}: {text}"}
    )


# -- how each kind reads ----------------------------------------------------------------------------

_HANDLING = _facts(
    _line_department,
    _line_co_departments,
    _line_leader,
    _line_due,
    _line_co_due,
    _line_moved,
    _line_outcome,
    _line_method,
    _line_rating,
    _line_suggestion,
    _line_notice,
    _line_round,
    _line_words,
)

RENDERERS: dict[str, Callable[[dict, RenderContext], list[str]]] = {
    K.REGISTERED: _render_registered,
    K.EDITED: _nothing,  # its changes are listed field by field (`changes`)
    K.LINKED: _render_linked,
    K.ATTACHMENT_ADDED: _render_files,
    K.ATTACHMENT_REMOVED: _render_files,
    K.REPRESENTATIVE_ADDED: _render_representative,
    K.FOLLOWED: _render_representative,
    K.UNFOLLOWED: _render_representative,
    K.FOLLOW_UP_MARKED: _render_representative,
    K.FOLLOW_UP_CLEARED: _render_representative,
    K.NOTE_ADDED: _nothing,  # the note itself is shown to those who may read notes
    K.REVEALED: _render_revealed,
    K.PERSONAL_DATA: _render_personal_data,
    K.REPLIED: _render_representative,
    K.STATUS_CHANGED: _nothing,
    K.TRIAGED: _facts(_line_words),
    K.ASSIGNED: _facts(_line_department, _line_co_departments, _line_leader, _line_due, _line_co_due, _line_words),
    K.ACCEPTED: _facts(_line_department),
    K.PROGRESS: _facts(_line_department, _line_words),
    K.CONTRIBUTED: _facts(_line_department, _line_words),
    K.DEPARTMENT_REPLIED: _facts(_line_department, _line_outcome, _line_suggestion),
    K.EXTENSION_REQUESTED: _facts(_line_department, _line_moved, _line_words),
    K.EXTENSION_APPROVED: _facts(_line_department, _line_moved, _line_words),
    K.EXTENSION_REFUSED: _facts(_line_department, _line_due, _line_words),
    K.RETURNED: _facts(_line_department, _line_words),
    K.CONSULTED: _facts(_line_department, _line_words),
    K.ON_THE_SPOT: _facts(_line_department, _line_words),
    K.ESCALATED: _facts(_line_offices, _line_department, _line_words),
    K.SENT_DOWN: _facts(_line_offices, _line_words),
    K.TAKEN_OVER: _facts(_line_offices, _line_words),
    K.CANNOT_HANDLE: _facts(_line_department, _line_words),
    K.TO_SUGGESTION: _facts(_line_suggestion),
    K.FED_BACK: _facts(_line_method, _line_words),
    K.RATED: _facts(_line_rating, _line_words),
    K.REOPENED: _facts(_line_due, _line_rating, _line_round, _line_words),
    K.CLOSED: _facts(_line_words),
    K.SUSPENDED: _facts(_line_until, _line_due, _line_words),
    K.RESUMED: _facts(_line_moved, _line_days, _line_automatic, _line_words),
    K.SUPERVISED: _facts(_line_department, _line_due, _line_notice),
    K.SUPERVISION_ANSWERED: _facts(_line_notice, _line_words),
    K.URGED: _facts(_line_department, _line_words),
    K.COMMITMENT_RECORDED: _facts(_line_department, _line_due, _line_words),
}


def details(kind: str, data: dict, ctx: RenderContext) -> list[str]:
    """The lines the staff timeline shows under an event, in the reader's language.

    A kind this module does not know (a row written by a newer version) shows every fact it
    recognises rather than nothing.
    """
    return RENDERERS.get(kind, _HANDLING)(data or {}, ctx)


# Kinds whose public text the staff timeline repeats (the words the resident was sent).
SHOW_PUBLIC_TEXT = frozenset({K.REPLIED, K.DEPARTMENT_REPLIED})

# Events of an item that speak to its own petitioner: an item linked to it never shows them.
PUBLIC_KINDS_OF_OWN_RESIDENT = (K.REGISTERED, K.REPLIED, K.FED_BACK, K.RATED, K.REOPENED, K.CLOSED)

# Moves only a department makes: recorded without an account (a department without users on the
# platform, imported records), they still read as the department's on the public timeline.
DEPARTMENT_KINDS = frozenset(
    {K.ACCEPTED, K.PROGRESS, K.CONTRIBUTED, K.DEPARTMENT_REPLIED, K.RETURNED, K.EXTENSION_REQUESTED}
)
