"""Every write to the ledger. Keyword-only; the actor is explicit (None for a resident);
each change writes one `PetitionEvent`; notices are queued in the same transaction
through the outbox and delivered after commit.

Callers check scope and capability before calling (the views fetch through
`visible_to`); the services check what the data requires.
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import audit, office_settings, uploads
from liaison.offices import owner_for
from petitions.handling import workflow
from petitions.handling.workflow import Move
from petitions.ledger import events, notifications, privacy
from petitions.ledger.search import search_text_for
from petitions.models import (
    ONLINE_CHANNELS,
    Category,
    Channel,
    Petition,
    PetitionAttachment,
    PetitionNote,
    PetitionRepresentative,
    StagedUpload,
    Status,
    Urgency,
    new_tracking_number,
)

RESIDENT = "resident"  # actor_label for items a resident filed without logging in


class PetitionError(Exception):
    """A request the data does not allow; the message is for the person who asked."""


class Conflict(PetitionError):
    """The item changed after the actor's page was loaded (someone else acted first)."""


def required_text(text: str | None, message: str, limit: int) -> str:
    """A text a write needs: stripped, cut to `limit` characters; empty refuses the write with `message`."""
    text = (text or "").strip()
    if not text:
        raise PetitionError(message)
    return text[:limit]


@dataclass
class PetitionDraft:
    """What a form collected; `petition_register` and `petition_update` take it whole."""

    jurisdiction: object  # liaison.Jurisdiction (the community)
    content: str
    station: object | None = None
    event: object | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    petitioner_name: str = ""
    petitioner_phone: str = ""
    petitioner_address: str = ""
    id_number: str = ""  # as typed; only the masked form is stored
    is_anonymous: bool = False
    is_confidential: bool = False
    co_petitioners: int = 0
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    is_hard_problem: bool = False
    channel: str = Channel.ON_SITE
    received_on: date | None = None
    linked_to: Petition | None = None

    def model_values(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in {"id_number", "received_on"}}
        values["id_number_masked"] = privacy.mask_id_number(self.id_number) if self.id_number else ""
        if self.received_on:
            values["received_on"] = self.received_on
        return values


# Fields whose old and new values are recorded masked in the history.
_PERSONAL = {"petitioner_name", "petitioner_phone", "petitioner_address", "id_number_masked"}
_TRACKED = (
    "station",
    "event",
    "jurisdiction",
    "address",
    "latitude",
    "longitude",
    "petitioner_name",
    "petitioner_phone",
    "petitioner_address",
    "id_number_masked",
    "is_anonymous",
    "is_confidential",
    "co_petitioners",
    "content",
    "category",
    "urgency",
    "is_hard_problem",
    "channel",
    "received_on",
)


def _history_value(name, value):
    if value is None or value == "":
        return ""
    if hasattr(value, "pk"):
        return str(value)
    if name in _PERSONAL:
        return privacy.mask_for_history(name, str(value))
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


# -- registration ------------------------------------------------------------------------------


@transaction.atomic
def petition_register(
    *,
    actor,
    draft: PetitionDraft,
    representatives=(),
    staged: list[StagedUpload] = (),
    actor_label: str = "",
    token=None,
) -> Petition:
    """Register one petition with its representatives and already-checked files.

    `token` is the form's idempotency token: if an item was already registered with it
    (a retried POST), that item is returned and nothing is written.

    `staged` rows (checked by `staged_upload_store`) become attachments and are
    consumed. Online items get a first-reply deadline (the hours that apply at the item's
    place, `liaison.office_settings`); their representatives
    are told through the outbox after commit. Writes the `registered` event.
    """
    if token is not None and (first := Petition.objects.filter(submission_token=token).first()) is not None:
        return first
    values = draft.model_values()
    if values["jurisdiction"] is None:
        raise PetitionError(_("Choose the community the problem is in."))
    petition = Petition(**values, registered_by=actor if actor and actor.is_authenticated else None)
    petition.area_code = petition.jurisdiction.code
    petition.owner_office = petition.handling_office = owner_for(station=petition.station, area_code=petition.area_code)
    petition.submission_token = token
    petition.registered_at = timezone.now()
    if draft.channel in ONLINE_CHANNELS:
        hours = office_settings.online_reply_hours(petition.area_code)
        petition.first_reply_due_at = petition.registered_at + timedelta(hours=hours)
    if draft.linked_to is not None:
        # Registered as the same matter as another item: the link move of the table, from the new
        # item's first status (the desk checked the target; the registering person links it).
        workflow.ENGINE.apply(petition, Move.LINK, actor=actor)
    if (first := _save_with_tracking_number(petition)) is not None:
        return first  # the same POST, sent twice at once: the other one stored it

    reps = list(representatives)
    PetitionRepresentative.objects.bulk_create(
        [
            PetitionRepresentative(petition=petition, representative=rep, received_on=petition.received_on)
            for rep in {r.pk: r for r in reps}.values()
        ]
    )
    for upload in staged:
        _attach_staged(petition, upload, actor)
    events.record(
        petition,
        events.registered(channel=petition.channel, representatives=[r.name for r in reps]),
        actor=actor if actor and actor.is_authenticated else None,
        actor_label=actor_label,
        to_status=petition.status,
    )
    if draft.linked_to is not None:
        _link_events(petition, draft.linked_to, actor)
    if petition.first_reply_due_at:
        notifications.notify_online_item(petition, reps)
    return petition


def _save_with_tracking_number(petition: Petition) -> Petition | None:
    """Save with a fresh tracking number; returns the item already stored under the same
    submission token, if a concurrent POST of the same form won."""
    for _attempt in range(5):
        petition.tracking_number = new_tracking_number(petition.registered_at)
        petition.search_text = search_text_for(petition)
        try:
            with transaction.atomic():
                petition.save()
            return None
        except IntegrityError:
            token = petition.submission_token
            if token is not None and (first := Petition.objects.filter(submission_token=token).first()):
                return first
            if Petition.objects.filter(tracking_number=petition.tracking_number).exists():
                continue
            raise
    raise PetitionError(_("No tracking number could be given; please try again."))


# -- edits -------------------------------------------------------------------------------------


def _check_may_edit(actor, petition: Petition) -> None:
    """An office changes only the items it owns or handles; an office above reads them
    (`petitions.handling.policy.may_edit`, which the pages ask too)."""
    from petitions.handling.policy import may_edit

    if actor is not None and not may_edit(actor, petition):
        raise PermissionDenied


@transaction.atomic
def petition_update(*, actor, petition: Petition, draft: PetitionDraft, version: int | None = None) -> Petition:
    """Save the form's values; records every changed field (personal data masked).

    With `version` (the item's version when the form was loaded), a form built before someone
    else's change is refused with `Conflict` instead of overwriting it."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    _check_may_edit(actor, petition)
    if version is not None and int(version) != petition.version:
        raise Conflict(
            _(
                "Someone else changed this item while you were editing it (it is now “%(status)s”). Nothing you typed "
                "is lost: check the item's history, then save again if your changes still apply."
            )
            % {"status": petition.get_status_display()}
        )
    values = draft.model_values()
    values.pop("linked_to", None)
    if not draft.id_number:
        values.pop("id_number_masked")  # an empty ID field keeps what was stored
    changes = {}
    for name in _TRACKED:
        if name not in values:
            continue
        old, new = getattr(petition, name), values[name]
        if (old.pk if hasattr(old, "pk") else old) != (new.pk if hasattr(new, "pk") else new):
            changes[name] = [_history_value(name, old), _history_value(name, new)]
            setattr(petition, name, new)
    if not changes:
        return petition
    petition.area_code = petition.jurisdiction.code
    if "station" in changes and petition.handling_office_id == petition.owner_office_id:
        # A corrected station brings its own office, unless the item was handed up meanwhile.
        petition.owner_office = petition.handling_office = owner_for(
            station=petition.station, area_code=petition.area_code
        )
    petition.search_text = search_text_for(petition)
    petition.version += 1
    petition.save()
    if "received_on" in changes:
        petition.representative_links.update(received_on=petition.received_on)
    events.record(petition, events.edited(changes=changes), actor=actor)
    return petition


@transaction.atomic
def petition_link(*, actor, petition: Petition, target: Petition) -> Petition:
    """Mark `petition` as the same matter as `target` (it follows the target's handling)."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    _check_may_edit(actor, petition)
    if target.pk == petition.pk or target.linked_to_id == petition.pk:
        raise PetitionError(_("An item cannot be linked to itself."))
    try:
        moved = workflow.ENGINE.apply(petition, Move.LINK, actor=actor)
    except workflow.InvalidTransition:
        # Once routed, an item has its own shares and deadlines: it is handled, not folded into another.
        raise PetitionError(
            _("Only an item not yet routed can be linked; this one is “%(status)s”.")
            % {"status": petition.get_status_display()}
        ) from None
    if target.linked_to_id:
        target = target.linked_to
    petition.linked_to = target
    petition.version += 1
    workflow.ENGINE.save(petition, ["linked_to", "version", "updated_at"])
    # Links always point at the primary item: what was linked to this one follows it.
    petition.linked_items.exclude(pk=target.pk).update(linked_to=target)
    _link_events(petition, target, actor, from_status=moved.from_status)
    return petition


def _link_events(petition, target, actor, from_status=""):
    events.record(
        petition,
        events.linked(target_number=target.tracking_number),
        actor=actor,
        from_status=from_status,
        to_status=Status.LINKED if from_status else "",
    )
    events.record(
        target,
        events.link_received(linked_number=petition.tracking_number, co_petitioners=petition.co_petitioners + 1),
        actor=actor,
    )


# -- representatives ---------------------------------------------------------------------------


@transaction.atomic
def petition_add_representative(
    *, actor, petition: Petition, representative, role=PetitionRepresentative.Role.RECEIVED
):
    link, created = PetitionRepresentative.objects.get_or_create(
        petition=petition,
        representative=representative,
        defaults={"role": role, "received_on": petition.received_on},
    )
    if created:
        received = role == PetitionRepresentative.Role.RECEIVED
        fact = events.representative_linked(representative=representative.name, role=role, received=received)
        events.record(petition, fact, actor=actor)
    return link


def _own_link(actor, petition) -> PetitionRepresentative:
    rep = getattr(actor, "representative", None)
    if rep is None:
        raise PermissionDenied
    link = PetitionRepresentative.objects.select_for_update().filter(petition=petition, representative=rep).first()
    if link is None:
        raise PetitionError(_("This item is not in your ledger."))
    return link


@transaction.atomic
def petition_mark_follow_up(*, actor, petition: Petition, on: bool) -> PetitionRepresentative:
    """A representative's follow-up mark on an item of their ledger."""
    link = _own_link(actor, petition)
    if link.follow_up != on:
        link.follow_up = on
        link.save(update_fields=["follow_up"])
        events.record(petition, events.follow_up(representative=link.representative.name, on=on), actor=actor)
    return link


@transaction.atomic
def petition_note_add(*, actor, petition: Petition, text: str) -> PetitionNote:
    text = required_text(text, _("Write the note first."), 2000)
    note = PetitionNote.objects.create(petition=petition, author=actor, text=text)
    events.record(petition, events.note_added(note_id=note.pk), actor=actor)
    return note


@transaction.atomic
def petition_reply_online(*, actor, petition: Petition, text: str) -> Petition:
    """A representative's public reply to an online item; the first one meets the 24-hour duty."""
    text = required_text(text, _("Write the reply first."), 2000)
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    _own_link(actor, petition)
    fields_ = ["updated_at"]
    if petition.first_replied_at is None:
        petition.first_replied_at = timezone.now()
        fields_.append("first_replied_at")
    petition.save(update_fields=fields_)
    events.record(petition, events.replied_online(representative=actor.representative.name, text=text), actor=actor)
    return petition


# -- personal data -----------------------------------------------------------------------------


class RevealLimitReached(PetitionError):
    """The actor revealed `LIAISON_REVEALS_PER_HOUR` values in the past hour."""


def petition_reveal(*, actor, petition: Petition, what: str, purpose: str, note: str = "") -> str:
    """The full name, phone or address for someone who may reveal it, saying why; logs who saw what, why, when.

    Raises PermissionDenied (not theirs to reveal), RevealLimitReached (too many this hour).
    """
    if what not in privacy.REVEALABLE or purpose not in privacy.RevealPurpose.values:
        raise PetitionError(_("Nothing to reveal."))
    if not privacy.may_reveal(actor, petition):
        raise PermissionDenied
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()  # one reveal of theirs at a time
        limit = privacy.reveal_limit()
        if privacy.reveals_in_the_last_hour(actor) >= limit:
            raise RevealLimitReached(
                _("You have seen %(count)d values in full in the past hour, the most allowed. Try again later.")
                % {"count": limit}
            )
        events.record(petition, events.revealed(field_name=what, purpose=purpose, note=note), actor=actor)
        audit.record(audit.Action.REVEAL, actor=actor, obj=petition, detail={"field": what, "purpose": purpose})
    return getattr(petition, what)


# -- files -------------------------------------------------------------------------------------


def staged_upload_store(*, owner_key: str, upload) -> StagedUpload:
    """Check a file (type by content, size, images re-encoded without EXIF) and keep it for the form.

    Raises ValidationError with a message for the person who uploaded it.
    """
    if not owner_key:
        raise ValidationError(_("Your session has expired; reload the page."))
    uploads.check_size(upload, settings.LIAISON_PETITION_MAX_FILE_BYTES)
    cleaned, content_type = uploads.clean_document(upload)
    name = (getattr(upload, "name", "") or "file")[-200:]
    if content_type == "image/jpeg" and not name.lower().endswith((".jpg", ".jpeg")):
        name = name.rsplit(".", 1)[0] + ".jpg"
    extension = uploads.DOCUMENT_TYPES[content_type]
    cleaned.name = f"upload.{extension}"
    return StagedUpload.objects.create(
        owner_key=owner_key, file=cleaned, original_name=name, content_type=content_type, size=cleaned.size
    )


def staged_uploads(*, owner_key: str, tokens) -> list[StagedUpload]:
    """The caller's own staged files among `tokens` (others' tokens are ignored)."""
    tokens = [t for t in tokens if t]
    if not owner_key or not tokens:
        return []
    return list(StagedUpload.objects.filter(owner_key=owner_key, token__in=tokens).order_by("pk"))


def staged_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    stale = list(StagedUpload.objects.filter(created_at__lt=timezone.now() - older_than))
    for row in stale:
        row.file.delete(save=False)
    StagedUpload.objects.filter(pk__in=[r.pk for r in stale]).delete()
    return len(stale)


def _attach_staged(petition, staged: StagedUpload, actor) -> PetitionAttachment:
    extension = uploads.DOCUMENT_TYPES.get(staged.content_type, "bin")
    attachment = PetitionAttachment(
        petition=petition,
        original_name=staged.original_name,
        content_type=staged.content_type,
        size=staged.size,
        uploaded_by=actor if actor and actor.is_authenticated else None,
    )
    with staged.file.open("rb") as handle:
        attachment.file.save(f"file.{extension}", handle, save=False)
    attachment.save()
    _delete_file_after_commit(staged.file)
    staged.delete()
    return attachment


def _delete_file_after_commit(field_file) -> None:
    """Remove a stored file once the rows that named it are gone for good (a rollback keeps it)."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def petition_attach(*, actor, petition: Petition, staged: list[StagedUpload]) -> list[PetitionAttachment]:
    _check_may_edit(actor, petition)
    added = [_attach_staged(petition, s, actor) for s in staged]
    if added:
        events.record(petition, events.attachments_added(names=[a.original_name for a in added]), actor=actor)
    return added


@transaction.atomic
def petition_attachment_remove(*, actor, attachment: PetitionAttachment) -> None:
    petition = attachment.petition
    _check_may_edit(actor, petition)
    name = attachment.original_name
    _delete_file_after_commit(attachment.file)
    attachment.delete()
    events.record(petition, events.attachments_removed(names=[name]), actor=actor)
