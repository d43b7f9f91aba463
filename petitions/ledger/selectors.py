"""Reads of one petition for its detail page, and a representative's "awaiting first reply" block.

Every function takes a petition the caller fetched through
`Petition.objects.visible_to(user)` (or the user, for the block) and returns
only what that user may see: linked items outside the scope are left out,
departments get no notes, and no photos or identity of protected items.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.access import scope_for
from petitions.ledger import privacy
from petitions.models import Petition, PetitionEvent, PetitionRepresentative

AWAITING_LIMIT = 50

_ACTOR_LABELS = {"resident": lambda: _("Resident"), "system": lambda: _("System")}


def own_representative_id(user) -> int | None:
    return scope_for(user).representative_id


# -- the representative's block ----------------------------------------------------------------


@dataclass
class AwaitingItem:
    petition: Petition
    due_at: datetime
    is_late: bool
    # Time left before the deadline, or time since it passed.
    distance: timedelta


def awaiting_first_reply(user, *, now=None) -> list[AwaitingItem]:
    """A representative's online items still without a first reply, the most urgent first."""
    if not own_representative_id(user):
        return []
    now = now or timezone.now()
    rows = (
        Petition.objects.visible_to(user)
        .awaiting_first_reply()
        .select_related("station", "category", "category__parent")
        .defer("search_text", "handling_summary", "feedback_summary")
        .order_by("first_reply_due_at", "pk")[:AWAITING_LIMIT]
    )
    return [
        AwaitingItem(p, p.first_reply_due_at, p.first_reply_due_at < now, abs(p.first_reply_due_at - now)) for p in rows
    ]


# -- one petition ------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    at: datetime
    who: str
    kind: str
    label: str
    changes: list[Change] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    public_text: str = ""
    from_status: str = ""
    to_status: str = ""


@dataclass
class OnlineReply:
    due_at: datetime | None
    replied_at: datetime | None
    is_met: bool
    is_late: bool  # no reply and the deadline has passed
    distance: timedelta | None  # time left, or time late


@dataclass
class PetitionDetail:
    petition: Petition
    petitioner: privacy.Petitioner
    representatives: list[PetitionRepresentative]
    own_link: PetitionRepresentative | None
    attachments: list
    attachments_hidden: bool
    notes: list
    notes_hidden: bool
    primary: Petition | None
    linked: list[Petition]
    timeline: list[TimelineEntry]
    online: OnlineReply | None


def attachments_hidden(user, petition, petitioner: privacy.Petitioner | None = None) -> bool:
    """Photos may show faces: whoever may not see the petitioner's identity gets no attachments."""
    petitioner = petitioner or privacy.Petitioner(user, petition)
    return petitioner.is_hidden


def notes_hidden(user) -> bool:
    return not user.has_perm("petitions.view_petitionnote")


def petition_detail(user, petition: Petition, *, now=None) -> PetitionDetail:
    petitioner = privacy.Petitioner(user, petition)
    links = list(petition.representative_links.select_related("representative").order_by("role", "pk"))
    rep_id = own_representative_id(user)
    own = next((link for link in links if link.representative_id == rep_id), None) if rep_id else None
    hide_files = attachments_hidden(user, petition, petitioner)
    hide_notes = notes_hidden(user)
    related = list(
        Petition.objects.visible_to(user)
        .filter(Q(pk=petition.linked_to_id) | Q(linked_to=petition))
        .exclude(pk=petition.pk)
        .only("pk", "tracking_number", "status", "received_on", "content", "linked_to")
        .order_by("received_on", "pk")
    )
    return PetitionDetail(
        petition=petition,
        petitioner=petitioner,
        representatives=links,
        own_link=own,
        attachments=[] if hide_files else list(petition.attachments.all()),
        attachments_hidden=hide_files,
        notes=[] if hide_notes else list(petition.notes.select_related("author")),
        notes_hidden=hide_notes,
        primary=next((p for p in related if p.pk == petition.linked_to_id), None),
        linked=[p for p in related if p.linked_to_id == petition.pk],
        timeline=timeline(petition, user=user, personal_hidden=petitioner.is_hidden),
        online=online_reply(petition, now=now),
    )


def online_reply(petition: Petition, *, now=None) -> OnlineReply | None:
    """The 24-hour first-reply duty of an online item; None for items that have none."""
    due = petition.first_reply_due_at
    if due is None:
        return None
    now = now or timezone.now()
    replied = petition.first_replied_at
    if replied:
        return OnlineReply(due, replied, replied <= due, False, None)
    return OnlineReply(due, None, False, now > due, abs(due - now))


# -- the history -------------------------------------------------------------------------------


def _field_label(name: str) -> str:
    try:
        return str(Petition._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _value_text(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    try:
        choices = dict(Petition._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def _who(event: PetitionEvent) -> str:
    if event.actor_id and event.actor:
        return event.actor.display_name
    label = event.actor_label
    return _ACTOR_LABELS[label]() if label in _ACTOR_LABELS else (label or _("System"))


_PERSONAL = {"petitioner_name", "petitioner_phone", "petitioner_address", "id_number_masked"}


def _visible_numbers(user, events) -> set[str]:
    """Tracking numbers named by `linked` events that the user may see (others stay unnamed)."""
    named = set()
    for event in events:
        if event.kind == PetitionEvent.Kind.LINKED:
            named.update(v for k, v in (event.data or {}).items() if k in ("target", "linked") and v)
    if not named:
        return set()
    return set(
        Petition.objects.visible_to(user).filter(tracking_number__in=named).values_list("tracking_number", flat=True)
    )


def timeline(petition: Petition, *, user, personal_hidden: bool = False) -> list[TimelineEntry]:
    """Every event of the petition, oldest first, as who / when / what (values already masked).

    Items named by a `linked` event are named only if `user` may see them.
    """
    events = list(petition.events.select_related("actor").order_by("at", "pk"))
    visible = _visible_numbers(user, events)
    entries = []
    for event in events:
        entry = TimelineEntry(
            at=event.at,
            who=_who(event),
            kind=event.kind,
            label=event.get_kind_display(),
            public_text=event.public_text if event.kind in _SHOW_PUBLIC_TEXT else "",
            from_status=event.get_from_status_display() if event.from_status else "",
            to_status=event.get_to_status_display() if event.to_status else "",
        )
        data = event.data or {}
        for name, pair in (data.get("changes") or {}).items():
            old, new = ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
            if personal_hidden and name in _PERSONAL:
                old = new = _("hidden")
            entry.changes.append(Change(_field_label(name), _value_text(name, old), _value_text(name, new)))
        if personal_hidden and event.kind in (
            PetitionEvent.Kind.ATTACHMENT_ADDED,
            PetitionEvent.Kind.ATTACHMENT_REMOVED,
        ):
            data = {}  # file names may name the petitioner, as the files may show them
        entry.details = _details(event.kind, data, visible)
        entries.append(entry)
    return entries


def _details(kind: str, data: dict, visible_numbers=frozenset()) -> list[str]:
    K = PetitionEvent.Kind
    lines = []
    if kind == K.REGISTERED:
        if data.get("channel"):
            lines.append(_("Channel: %(channel)s") % {"channel": _value_text("channel", data["channel"])})
        if data.get("representatives"):
            lines.append(_("Received by: %(names)s") % {"names": "、".join(data["representatives"])})
    elif kind == K.LINKED:
        if data.get("target") in visible_numbers:
            lines.append(_("Handled together with %(number)s") % {"number": data["target"]})
        elif data.get("target"):
            lines.append(_("Handled together with an item outside your ledger"))
        if data.get("linked") in visible_numbers:
            lines.append(_("Item %(number)s was linked to this one") % {"number": data["linked"]})
        elif data.get("linked"):
            lines.append(_("An item outside your ledger was linked to this one"))
    elif kind in (K.ATTACHMENT_ADDED, K.ATTACHMENT_REMOVED) and data.get("files"):
        lines.append("、".join(data["files"]))
    elif kind in (K.REPRESENTATIVE_ADDED, K.FOLLOWED, K.UNFOLLOWED, K.FOLLOW_UP_MARKED, K.FOLLOW_UP_CLEARED, K.REPLIED):
        if data.get("representative"):
            lines.append(_("Representative: %(name)s") % {"name": data["representative"]})
    elif kind == K.REVEALED and data.get("field"):
        lines.append(_("Field: %(field)s") % {"field": _field_label(data["field"])})
    elif kind in _HANDLING_KINDS:
        lines.extend(_handling_details(data))
    return lines


_SHOW_PUBLIC_TEXT = {PetitionEvent.Kind.REPLIED, PetitionEvent.Kind.DEPARTMENT_REPLIED}
_HANDLING_KINDS = {
    PetitionEvent.Kind.TRIAGED,
    PetitionEvent.Kind.ASSIGNED,
    PetitionEvent.Kind.ACCEPTED,
    PetitionEvent.Kind.PROGRESS,
    PetitionEvent.Kind.CONTRIBUTED,
    PetitionEvent.Kind.DEPARTMENT_REPLIED,
    PetitionEvent.Kind.EXTENSION_REQUESTED,
    PetitionEvent.Kind.EXTENSION_APPROVED,
    PetitionEvent.Kind.EXTENSION_REFUSED,
    PetitionEvent.Kind.RETURNED,
    PetitionEvent.Kind.CONSULTED,
    PetitionEvent.Kind.ON_THE_SPOT,
    PetitionEvent.Kind.ESCALATED,
    PetitionEvent.Kind.CANNOT_HANDLE,
    PetitionEvent.Kind.TO_SUGGESTION,
    PetitionEvent.Kind.FED_BACK,
    PetitionEvent.Kind.RATED,
    PetitionEvent.Kind.REOPENED,
    PetitionEvent.Kind.CLOSED,
    PetitionEvent.Kind.SUPERVISED,
    PetitionEvent.Kind.SUPERVISION_ANSWERED,
    PetitionEvent.Kind.COMMITMENT_RECORDED,
}


def _handling_details(data: dict) -> list[str]:
    """The facts a handling event recorded, one line each, in the reader's language."""
    from petitions.models import FeedbackMethod, Outcome, Satisfaction

    def label(choices, value):
        return str(choices(value).label) if value in choices.values else value

    lines = []
    if data.get("department"):
        lines.append(_("Department: %(name)s") % {"name": data["department"]})
    if data.get("co_departments"):
        lines.append(_("Co-handling: %(names)s") % {"names": "、".join(data["co_departments"])})
    if data.get("responsible_leader"):
        lines.append(_("Responsible leader: %(name)s") % {"name": data["responsible_leader"]})
    if data.get("due_on"):
        lines.append(_("Deadline: %(date)s") % {"date": data["due_on"]})
    if data.get("co_due_on"):
        lines.append(_("Co-handlers' deadline: %(date)s") % {"date": data["co_due_on"]})
    if data.get("from") and data.get("to"):
        lines.append(_("Deadline %(from)s → %(to)s") % {"from": data["from"], "to": data["to"]})
    if data.get("outcome"):
        lines.append(_("Outcome: %(outcome)s") % {"outcome": label(Outcome, data["outcome"])})
    if data.get("method"):
        lines.append(_("Fed back: %(method)s") % {"method": label(FeedbackMethod, data["method"])})
    if data.get("satisfaction"):
        who = data.get("representative") or _("resident")
        lines.append(_("%(who)s: %(rating)s") % {"who": who, "rating": label(Satisfaction, data["satisfaction"])})
    if data.get("suggestion"):
        lines.append(_("Suggestion: %(number)s") % {"number": data["suggestion"]})
    if data.get("number") and data.get("subject"):
        lines.append(
            _("Supervision notice %(number)s: %(subject)s") % {"number": data["number"], "subject": data["subject"]}
        )
    if data.get("reopened"):
        lines.append(_("Handled once more: round %(n)s") % {"n": data.get("new_round", 2)})
    for key in ("text", "reason", "note", "comment"):
        if data.get(key):
            lines.append(str(data[key]))
    return lines
