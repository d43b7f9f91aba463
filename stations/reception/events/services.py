"""Every write to reception events: the event, its roster, the day's record and photos.

Services are keyword-only with the actor explicit. Callers have fetched the
objects through `visible_to(actor)` (a photo to delete is fetched again here, through
`access_event_photo`: Http404 outside the scope); the services check capability and the
rules of the event (drafts belong to the office, a held event keeps its date,
the record waits for the day) and raise PermissionDenied or ValidationError
with a message fit for the user. Notices are written to the outbox by
`stations.reception.events.notices` inside the same transaction as their cause.

Where two people can act on one event at once (the roster, the record) the
event row is locked with `select_for_update()` first.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import User
from liaison.uploads import clean_image
from stations.models import EventPhoto, Membership, ReceptionEvent, Representative, RosterEntry, Station
from stations.network.querysets import access_event_photo
from stations.reception import policy
from stations.reception.workflow import COMING, EVENTS, PUBLIC, UPCOMING, EventMove

Status = ReceptionEvent.Status

# Fields whose change after notices went out needs a correction (and whose
# change a held event refuses).
SCHEDULE_FIELDS = ("date", "start_time", "end_time")
NOTICE_FIELDS = ("date", "start_time", "end_time", "place", "status")
EDITABLE_FIELDS = {
    "kind",
    "title",
    "date",
    "start_time",
    "end_time",
    "place",
    "campaign",
    "open_slots",
    "department",
    "department_head",
    "department_duties",
    "topics",
    "public_note",
}
MAX_PHOTOS = 30


# --------------------------------------------------------------------------- checks


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_office_for_draft(actor, event) -> None:
    if event.status == Status.DRAFT:
        _require(
            actor.has_perm("stations.change_receptionplan"),
            _(
                "This event belongs to a draft plan; only the committee office can change it until the plan is published."
            ),
        )


def _require_organiser(actor, event) -> None:
    """Working-body staff hold only their departments' head visits (`policy.may_organise`)."""
    _require(
        policy.may_organise(actor, kind=event.kind, department_id=event.department_id),
        _("A working body organises only the head visits of the departments it coordinates."),
    )


def _require_change(actor, event) -> None:
    _require(actor.has_perm("stations.change_receptionevent"), _("You may not change reception events."))
    _require_organiser(actor, event)
    _require_office_for_draft(actor, event)


def _locked(event: ReceptionEvent) -> ReceptionEvent:
    """The event row again, locked until the transaction ends."""
    return ReceptionEvent.objects.select_for_update().select_related("station").get(pk=event.pk)


def _snapshot(event: ReceptionEvent) -> dict:
    return {name: getattr(event, name) for name in NOTICE_FIELDS}


def _notices():
    # Imported at call time: the notice module imports these models and services.
    from stations.reception.events import notices

    return notices


# --------------------------------------------------------------------------- events


@transaction.atomic
def event_create(*, actor: User, station: Station, data: dict) -> ReceptionEvent:
    """A new scheduled event at `station`. `data`: model field values (see EDITABLE_FIELDS);
    an empty place means the station's address."""
    _require(actor.has_perm("stations.add_receptionevent"), _("You may not create reception events."))
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    event = ReceptionEvent(station=station, created_by=actor, status=Status.SCHEDULED, **data)
    _require_organiser(actor, event)
    if not event.place:
        event.place = station.address
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(*, actor: User, event: ReceptionEvent, data: dict) -> ReceptionEvent:
    """Change an event's details. A held event keeps its date and times; a cancelled one is
    not changed. Representatives already notified get a correction (stations.reception.events.notices)."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    event = _locked(event)
    _require_change(actor, event)
    if event.status == Status.CANCELLED:
        raise ValidationError(_("This event was cancelled and can no longer be changed. Create a new event instead."))
    before = _snapshot(event)
    for name, value in data.items():
        setattr(event, name, value)
    _require_organiser(actor, event)  # and still theirs after the change
    if not event.place:
        event.place = event.station.address
    if event.status == Status.HELD and any(before[f] != getattr(event, f) for f in SCHEDULE_FIELDS):
        raise ValidationError(_("This event has been held; its date and times can no longer be changed."))
    event.full_clean()
    event.save()
    _notices().notice_event_changed(event=event, before=before)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: ReceptionEvent, reason: str) -> ReceptionEvent:
    """Cancel a coming event; the reason goes on the public announcement and
    representatives already notified are told (stations.reception.events.notices)."""
    event = _locked(event)
    _require_change(actor, event)
    EVENTS.check(EventMove.CANCEL, event.status, permission=False)  # the permission: _require_change's message
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the event is cancelled; the public announcement shows it.")})
    before = _snapshot(event)
    EVENTS.apply(event, EventMove.CANCEL, actor=actor)
    event.public_note = reason
    EVENTS.save(event, ["public_note", "updated_at"])
    _notices().notice_event_changed(event=event, before=before)
    return event


# --------------------------------------------------------------------------- roster


def _create_entry(*, event, representative, source, actor) -> RosterEntry:
    if RosterEntry.objects.filter(event=event, representative=representative).exists():
        raise ValidationError(_("%(name)s is already on this roster.") % {"name": representative.name})
    try:
        with transaction.atomic():  # a savepoint: the unique constraint can still catch a race
            entry = RosterEntry.objects.create(
                event=event, representative=representative, source=source, added_by=actor
            )
    except IntegrityError:
        raise ValidationError(_("%(name)s is already on this roster.") % {"name": representative.name}) from None
    entry.event = event
    _notices().notice_roster_added(entry=entry)
    return entry


@transaction.atomic
def roster_add(
    *,
    actor: User,
    event: ReceptionEvent,
    representative: Representative,
    source: str = RosterEntry.Source.ASSIGNED,
) -> RosterEntry:
    """Put a representative on the roster (staff or office). A duplicate is a ValidationError."""
    event = _locked(event)
    _require(actor.has_perm("stations.change_rosterentry"), _("You may not change rosters."))
    _require_organiser(actor, event)
    _require_office_for_draft(actor, event)
    if event.status not in COMING:
        raise ValidationError(_("The roster of a held or cancelled event cannot be changed."))
    if source not in RosterEntry.Source.values:
        raise ValueError(f"unknown source {source!r}")
    return _create_entry(event=event, representative=representative, source=source, actor=actor)


@transaction.atomic
def roster_remove(*, actor: User, entry: RosterEntry) -> None:
    """Take a representative off the roster; pending notices are cancelled, a sent one is followed by a note."""
    event = _locked(entry.event)
    _require(actor.has_perm("stations.change_rosterentry"), _("You may not change rosters."))
    _require_organiser(actor, event)
    _require_office_for_draft(actor, event)
    if event.status not in COMING:
        raise ValidationError(_("The roster of a held or cancelled event cannot be changed."))
    entry = RosterEntry.objects.select_related("representative").get(pk=entry.pk, event=event)
    entry.event = event
    _notices().notice_roster_removed(entry=entry)
    entry.delete()


@transaction.atomic
def roster_volunteer(*, actor: User, event: ReceptionEvent) -> RosterEntry:
    """The actor's representative takes an open place on the roster.

    Only at a station they are a member of, on a scheduled event after today,
    while the roster has fewer entries than `open_slots`. The event row is
    locked first, so two volunteers for the last place are served one after
    the other and the second is told the place is gone.
    """
    _require(actor.has_perm("stations.volunteer_receptionevent"), _("Only representatives can volunteer."))
    representative = Representative.objects.filter(user=actor, is_active=True).first()
    _require(representative is not None, _("Your account is not linked to a serving representative."))
    event = _locked(event)
    if not Membership.objects.filter(station_id=event.station_id, representative=representative).exists():
        raise PermissionDenied(_("You can volunteer only at stations you are a member of."))
    if event.status not in UPCOMING or event.date <= timezone.localdate():
        raise ValidationError(_("You can volunteer only for scheduled events after today."))
    if RosterEntry.objects.filter(event=event, representative=representative).exists():
        raise ValidationError(_("You are already on this roster."))
    if event.roster.count() >= event.open_slots:
        raise ValidationError(_("Sorry, all places on this roster have just been taken."))
    return _create_entry(event=event, representative=representative, source=RosterEntry.Source.VOLUNTEERED, actor=actor)


# --------------------------------------------------------------------------- the day's record


@transaction.atomic
def event_record(
    *,
    actor: User,
    event: ReceptionEvent,
    attended_ids: Iterable[int | str],
    residents_received: int | None,
    opinions_collected: int | None,
    summary: str,
) -> ReceptionEvent:
    """Record the day: who came (roster entry ids), residents received, opinions collected, a
    summary. The event becomes held. Only on or after its date; may be corrected later."""
    _require(actor.has_perm("stations.record_receptionevent"), _("You may not record reception days."))
    event = _locked(event)
    EVENTS.check(EventMove.RECORD, event.status, permission=False)  # the permission: just above
    if event.date > timezone.localdate():
        raise ValidationError(
            _("The day's record can be entered on %(date)s or later.") % {"date": event.date.isoformat()}
        )
    for name, value in (("residents_received", residents_received), ("opinions_collected", opinions_collected)):
        if value is not None and value < 0:
            raise ValidationError({name: _("Enter a number of zero or more.")})
    attended = {int(i) for i in attended_ids}
    entries = list(event.roster.select_for_update())
    unknown = attended - {e.pk for e in entries}
    if unknown:
        raise ValidationError(_("Only representatives on the roster can be checked in."))
    now = timezone.now()
    for entry in entries:
        present = entry.pk in attended
        if entry.attended is present:
            continue
        entry.attended = present
        entry.checked_in_at = now if present else None
        entry.save(update_fields=["attended", "checked_in_at"])
    EVENTS.apply(event, EventMove.RECORD, actor=actor)
    event.residents_received = residents_received
    event.opinions_collected = opinions_collected
    event.summary = summary or ""
    event.recorded_by = actor
    event.recorded_at = now
    EVENTS.save(
        event, ["residents_received", "opinions_collected", "summary", "recorded_by", "recorded_at", "updated_at"]
    )
    return event


@transaction.atomic
def event_photo_add(*, actor: User, event: ReceptionEvent, upload: UploadedFile, caption: str = "") -> EventPhoto:
    """Attach a photo of the day, re-encoded as JPEG without EXIF or location data."""
    _require(actor.has_perm("stations.record_receptionevent"), _("You may not record reception days."))
    event = _locked(event)
    if event.status not in PUBLIC or event.date > timezone.localdate():
        raise ValidationError(_("Photos can be added on the day of the event or later."))
    if event.photos.count() >= MAX_PHOTOS:
        raise ValidationError(_("An event can have at most %(n)s photos.") % {"n": MAX_PHOTOS})
    cleaned = clean_image(upload)
    photo = EventPhoto(event=event, caption=(caption or "")[:200], size=cleaned.size, uploaded_by=actor)
    photo.file.save("photo.jpg", cleaned, save=False)  # the name comes from event_photo_path, never the upload
    try:
        photo.save()
    except Exception:
        photo.file.delete(save=False)
        raise
    return photo


@transaction.atomic
def event_photo_delete(*, actor: User, photo: EventPhoto | int) -> None:
    """Delete a photo of the day (its file once the transaction commits). Http404 when the photo
    is missing or its event outside the actor's scope (`access_event_photo`)."""
    pk = photo.pk if isinstance(photo, EventPhoto) else photo
    photo = access_event_photo(actor, pk, queryset=EventPhoto.objects.select_related("event"))
    _require(actor.has_perm("stations.record_receptionevent"), _("You may not record reception days."))
    _locked(photo.event)
    stored = photo.file
    name, storage = stored.name, stored.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
