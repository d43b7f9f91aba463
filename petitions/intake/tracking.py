"""The public tracking page's reads: find an item by its tracking number and build
the timeline a resident may see.

What the public sees of an item: its status, station, date received, category,
the first characters of its content (unless the petitioner asked for
confidentiality; phone and ID numbers, the petitioner's name and address blanked
out even there) and the events marked public, each with
the role of whoever acted ("Representative", "Liaison station"), never a
person's name. Never the petitioner's name, phone, address or ID number, never
attachments or notes.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils.translation import pgettext_lazy

from liaison.models import Role
from petitions.handling.workflow import RATEABLE
from petitions.ledger import events
from petitions.ledger.models import first_reply_hours
from petitions.ledger.services import RESIDENT
from petitions.models import TRACKING_ALPHABET, TRACKING_RANDOM_LENGTH, Petition, PetitionEvent, Rating, Status

EXCERPT_LENGTH = 100

TRACKING_NUMBER_RE = re.compile(rf"^\d{{4}}-[{TRACKING_ALPHABET}]{{{TRACKING_RANDOM_LENGTH}}}$")
# Crockford's decoding: letters a resident may type for the digits they look like.
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.·—–‐‑]+")

# The public face of whoever wrote an event: a role, never a name.
ACTOR_LABELS = {
    Role.REPRESENTATIVE: pgettext_lazy("tracking actor", "Representative"),
    Role.STATION_STAFF: pgettext_lazy("tracking actor", "Liaison station"),
    Role.DEPARTMENT: pgettext_lazy("tracking actor", "Handling department"),
    Role.COMMITTEE_OFFICE: pgettext_lazy("tracking actor", "Committee office"),
    # A working body (委室) is part of the congress's committee office.
    Role.WORKING_BODY: pgettext_lazy("tracking actor", "Committee office"),
    Role.ADMIN: pgettext_lazy("tracking actor", "Liaison station"),
}
RESIDENT_LABEL = pgettext_lazy("tracking actor", "Resident")
DEFAULT_LABEL = pgettext_lazy("tracking actor", "Liaison station")

# Only what the page shows is read, and the two personal fields the excerpt is scrubbed of.
ITEM_FIELDS = (
    "pk",
    "tracking_number",
    "status",
    "received_on",
    "content",
    "is_confidential",
    "linked_to_id",
    # Read only to blank them out of the excerpt, never shown:
    "petitioner_name",
    "petitioner_address",
    "first_reply_due_at",
    "first_replied_at",
    "registered_at",
    "station__name",
    "category__name",
    "category__parent__name",
    "linked_to__status",
    "round",
)


def normalise_tracking_number(raw: str) -> str:
    """What a resident typed → `YYMM-XXXXXXXX` (or the cleaned text when it cannot be one).

    Full-width characters (a Chinese keyboard) become ASCII, case and spaces
    and dashes do not matter, and O/I/L read as 0/1.
    """
    text = unicodedata.normalize("NFKC", raw or "").upper()
    text = _SEPARATORS.sub("", text).translate(_CONFUSABLES)
    if len(text) == 4 + TRACKING_RANDOM_LENGTH:
        text = f"{text[:4]}-{text[4:]}"
    return text[:32]


def find_tracking_number(raw_number: str) -> str | None:
    """The stored tracking number a resident's typing stands for, or None (one query).

    The same query runs whatever was typed, so an answer takes as long for a
    malformed number as for an unknown one.
    """
    number = normalise_tracking_number(raw_number)
    found = Petition.objects.filter(tracking_number=number).values_list("tracking_number", flat=True).first()
    return found if found and TRACKING_NUMBER_RE.match(found) else None


@dataclass
class TimelineEntry:
    at: datetime
    who: str
    text: str
    on_linked_item: bool = False  # written on the item this one is handled together with


@dataclass
class PublicItem:
    tracking_number: str
    status: str
    status_label: str
    station_name: str
    received_on: date
    category: str
    excerpt: str  # "" when the content is not shown
    is_linked: bool
    linked_status_label: str
    awaits_first_reply: bool
    # The hours the item was promised its first reply in (online items; None for the others).
    reply_hours: int | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    # Fed back and not yet rated by the resident in this round: the page offers the rating.
    can_rate: bool = False


def public_item(raw_number: str) -> PublicItem | None:
    """The item with this tracking number as the public may see it, or None (two queries).

    The same query runs whatever was typed, so an answer takes as long for a
    malformed number as for an unknown one.
    """
    number = normalise_tracking_number(raw_number)
    row = Petition.objects.filter(tracking_number=number).values(*ITEM_FIELDS).first()
    if row is None or not TRACKING_NUMBER_RE.match(number):
        return None
    content = _scrub(" ".join(row["content"].split()), row["petitioner_name"], row["petitioner_address"])
    category = row["category__name"] or ""
    if category and row["category__parent__name"]:
        category = f"{row['category__parent__name']} › {category}"
    linked_status = row["linked_to__status"] if row["linked_to_id"] else ""
    return PublicItem(
        tracking_number=row["tracking_number"],
        status=row["status"],
        status_label=str(Status(row["status"]).label) if row["status"] in Status.values else row["status"],
        station_name=row["station__name"] or "",
        received_on=row["received_on"],
        category=category,
        excerpt="" if row["is_confidential"] else _excerpt(content),
        is_linked=bool(row["linked_to_id"]),
        linked_status_label=str(Status(linked_status).label) if linked_status in Status.values else "",
        awaits_first_reply=bool(row["first_reply_due_at"] and not row["first_replied_at"]),
        reply_hours=first_reply_hours(row["registered_at"], row["first_reply_due_at"]),
        timeline=public_timeline(row["pk"], linked_to_id=row["linked_to_id"]),
        can_rate=row["status"] in RATEABLE
        and not Rating.objects.filter(petition_id=row["pk"], round=row["round"], rater=Rating.Rater.RESIDENT).exists(),
    )


# Numbers a resident may have typed into their own text: mobiles, landlines, ID numbers.
_PERSONAL_NUMBERS = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
MASK = "***"


def _scrub(content: str, *personal: str) -> str:
    """The content without phone or ID numbers, nor the petitioner's own name or address."""
    for value in personal:
        value = (value or "").strip()
        if len(value) >= 2:
            content = content.replace(value, MASK)
    return _PERSONAL_NUMBERS.sub(MASK, content)


def _excerpt(content: str) -> str:
    return content if len(content) <= EXCERPT_LENGTH else content[:EXCERPT_LENGTH] + "…"


def public_timeline(petition_id: int, *, linked_to_id: int | None = None) -> list[TimelineEntry]:
    """The public events of an item, oldest first (one query).

    A linked item also shows how the item it is handled together with moves
    on, but not that item's registration nor the replies written to its own
    petitioner (they may speak of that person).
    """
    scope = Q(petition_id=petition_id)
    if linked_to_id:
        scope |= Q(petition_id=linked_to_id) & ~Q(kind__in=events.PUBLIC_KINDS_OF_OWN_RESIDENT)
    public = PetitionEvent.objects.filter(scope, is_public=True)
    rows = public.order_by("at", "pk").values(
        "petition_id",
        "at",
        "kind",
        "public_text",
        "actor_label",
        "actor__role",
        "petition__petitioner_name",
        "petition__petitioner_address",
    )
    return [
        TimelineEntry(
            at=row["at"],
            who=str(_actor_label(row)),
            # A department's answer on the other item is about the shared matter, but never
            # carries that item's petitioner: name, address and numbers are scrubbed.
            text=row["public_text"]
            if row["petition_id"] == petition_id
            else _scrub(row["public_text"], row["petition__petitioner_name"], row["petition__petitioner_address"]),
            on_linked_item=row["petition_id"] != petition_id,
        )
        for row in rows
    ]


def _actor_label(row) -> str:
    if row["actor__role"]:
        return ACTOR_LABELS.get(row["actor__role"], DEFAULT_LABEL)
    if row.get("kind") in events.DEPARTMENT_KINDS:
        return ACTOR_LABELS[Role.DEPARTMENT]
    if row["actor_label"] == RESIDENT:
        return RESIDENT_LABEL
    return DEFAULT_LABEL
