"""Reads of one petition for its detail page, and a representative's "awaiting first reply" block.

Every function takes a petition the caller fetched through
`Petition.objects.visible_to(user)` (or the user, for the block) and returns
only what that user may see: linked items outside the scope are left out,
departments get no notes, and no photos or identity of protected items.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.access import scope_for
from petitions.ledger import events, privacy
from petitions.ledger.events import PetitionEventKind
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
    """The first-reply duty of an online item (the hours of its place, fixed when it arrived); None
    for items that have none."""
    due = petition.first_reply_due_at
    if due is None:
        return None
    now = now or timezone.now()
    replied = petition.first_replied_at
    if replied:
        return OnlineReply(due, replied, replied <= due, False, None)
    return OnlineReply(due, None, False, now > due, abs(due - now))


# -- the history -------------------------------------------------------------------------------


def _who(event: PetitionEvent) -> str:
    if event.actor_id and event.actor:
        return event.actor.display_name
    if event.actor_name:  # the account is gone: the name it had when it acted
        return event.actor_name
    label = event.actor_label
    return _ACTOR_LABELS[label]() if label in _ACTOR_LABELS else (label or _("System"))


_PERSONAL = {"petitioner_name", "petitioner_phone", "petitioner_address", "id_number_masked"}


def _visible_numbers(user, rows) -> set[str]:
    """Tracking numbers named by `linked` events that the user may see (others stay unnamed)."""
    named = set()
    for event in rows:
        if event.kind == PetitionEventKind.LINKED:
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
    rows = list(petition.events.select_related("actor").order_by("at", "pk"))
    context = events.RenderContext(frozenset(_visible_numbers(user, rows)))
    entries = []
    for event in rows:
        entry = TimelineEntry(
            at=event.at,
            who=_who(event),
            kind=event.kind,
            label=events.kind_label(event.kind),
            public_text=event.public_text if event.kind in events.SHOW_PUBLIC_TEXT else "",
            from_status=event.get_from_status_display() if event.from_status else "",
            to_status=event.get_to_status_display() if event.to_status else "",
        )
        data = event.data or {}
        for name, pair in (data.get("changes") or {}).items():
            old, new = ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
            if personal_hidden and name in _PERSONAL:
                old = new = _("hidden")
            entry.changes.append(
                Change(events.field_label(name), events.value_text(name, old), events.value_text(name, new))
            )
        if personal_hidden and event.kind in (
            PetitionEventKind.ATTACHMENT_ADDED,
            PetitionEventKind.ATTACHMENT_REMOVED,
        ):
            data = {}  # file names may name the petitioner, as the files may show them
        entry.details = events.details(event.kind, data, context)
        entries.append(entry)
    return entries
