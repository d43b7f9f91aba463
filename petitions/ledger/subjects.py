"""A resident's personal data over time and on request (PIPL arts. 19, 44-47).

- Retention: `anonymise_finished(before=...)` removes the petitioner's name, phone,
  address and ID number from items finished before a date (`liaison.retention` runs
  it nightly); the items, their statuses, categories, places and ratings stay, so
  every count and satisfaction rate is unchanged.
- Requests: the office finds everything held about one resident within its
  jurisdiction (`subject_find`, by phone or name), exports it (`subject_export`),
  corrects it (`subject_correct`) or removes it (`subject_anonymise`).
Each change or export is one event per item (`personal_data`, or `edited` for a
correction with its masked values), so the history says who did it and why.
"""

import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.excel import Sheet, write_workbook
from liaison.models import OutboxMessage
from liaison.outbox import outbox_for_display
from petitions.handling import workflow
from petitions.ledger import events, privacy
from petitions.ledger.models import Status
from petitions.models import Petition, PetitionEvent

MANAGE = "petitions.manage_personal_data"
PERSONAL_FIELDS = ("petitioner_name", "petitioner_phone", "petitioner_address", "id_number_masked")
ACTIONS = {
    "exported": gettext_lazy("The resident's data exported at their request"),
    "anonymised": gettext_lazy("Name, phone, address and ID number removed"),
}
REASONS = {
    "retention": gettext_lazy("The retention period is over"),
    "request": gettext_lazy("At the resident's request"),
}
_REMOVED = "—"
_CHUNK = 500


def _holds_personal() -> Q:
    return ~Q(petitioner_name="") | ~Q(petitioner_phone="") | ~Q(petitioner_address="") | ~Q(id_number_masked="")


def _record(ids, *, actor, action: str, reason: str = "") -> None:
    fact = events.personal_data(action=action, reason=reason)
    PetitionEvent.objects.bulk_create(
        [PetitionEvent(petition_id=pk, kind=fact.kind, actor=actor, data=fact.data) for pk in ids]
    )


def petitions_anonymise(*, petition_ids, actor=None, reason: str) -> int:
    """Remove the petitioner's identity from these items and from their edit history; one event each.

    Items without any identity left are skipped (running twice does nothing more).
    Their outbox rows to the resident lose their text and number (`liaison.retention.outbox_erase`).
    """
    from liaison.retention import outbox_erase

    with transaction.atomic():
        ids = list(
            Petition.objects.select_for_update()
            .filter(pk__in=list(petition_ids))
            .filter(_holds_personal())
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Petition.objects.filter(pk__in=ids).update(**dict.fromkeys(PERSONAL_FIELDS, ""))
        edits = PetitionEvent.objects.filter(petition_id__in=ids, kind=events.PetitionEventKind.EDITED)
        scrubbed = []
        for event in edits.only("pk", "data"):
            changes = event.data.get("changes") or {}
            if any(name in changes for name in PERSONAL_FIELDS):
                for name in PERSONAL_FIELDS:
                    if name in changes:
                        changes[name] = [_REMOVED, _REMOVED]
                scrubbed.append(event)
        PetitionEvent.objects.bulk_update(scrubbed, ["data"])
        keys = Q()
        for pk in ids:
            keys |= Q(key__startswith=f"petition:{pk}:")
        outbox_erase(OutboxMessage.objects.filter(keys))
        _record(ids, actor=actor, action="anonymised", reason=reason)
    return len(ids)


def anonymise_finished(*, before) -> int:
    """Anonymise items closed (or linked into another) before `before`; returns how many."""
    finished = Q(status=Status.CLOSED, closed_at__lt=before) | Q(
        status__in=workflow.FINISHED - {Status.CLOSED}, updated_at__lt=before
    )
    candidates = Petition.objects.filter(finished).filter(_holds_personal()).order_by("pk")
    done = 0
    while ids := list(candidates.values_list("pk", flat=True)[:_CHUNK]):
        done += petitions_anonymise(petition_ids=ids, reason="retention")
    return done


# -- data-subject requests ---------------------------------------------------------------------


@dataclass
class SubjectRecords:
    """What the user's scope holds about one resident (phone and/or name as typed)."""

    phone: str = ""
    name: str = ""
    petitions: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def subject_find(user, *, phone: str = "", name: str = "") -> SubjectRecords:
    """The items (and messages) in `user`'s scope whose petitioner has this phone or this name."""
    phone, name = (phone or "").strip(), (name or "").strip()
    match = Q(pk__in=[])
    if phone:
        match |= Q(petitioner_phone=phone)
    if name:
        match |= Q(petitioner_name=name)
    petitions = list(
        Petition.objects.visible_to(user).filter(match).select_related("station").order_by("-received_on", "-pk")
    )
    messages = []
    if phone:
        rows = OutboxMessage.objects.visible_to(user).filter(address=phone).order_by("-created_at")
        messages = outbox_for_display(rows, viewer=user)
    return SubjectRecords(phone=phone, name=name, petitions=petitions, messages=messages)


def subject_export(*, actor, records: SubjectRecords) -> bytes:
    """An Excel workbook of everything found (the items in full: the resident asked for them); one event each."""
    items = Sheet(
        title=_("Items"),
        header=[
            _("Tracking number"),
            _("Date received"),
            _("Station"),
            _("Status"),
            _("Full name"),
            _("Mobile phone"),
            _("Address"),
            _("ID number"),
            _("Content"),
            _("Satisfaction"),
        ],
        rows=[
            [
                p.tracking_number,
                p.received_on,
                p.station.name if p.station_id else "",
                p.get_status_display(),
                p.petitioner_name,
                p.petitioner_phone,
                p.petitioner_address,
                p.id_number_masked,
                p.content,
                p.get_satisfaction_display(),
            ]
            for p in records.petitions
        ],
        wrap={8},
    )
    messages = Sheet(
        title=_("Messages"),
        header=[_("Created"), _("Channel"), _("Subject"), _("Message"), _("Status")],
        rows=[
            [
                timezone.localtime(m.created_at).replace(tzinfo=None),
                m.get_channel_display(),
                m.subject,
                m.shown_body,
                m.get_status_display(),
            ]
            for m in records.messages
        ],
        wrap={3},
    )
    out = io.BytesIO()
    write_workbook(out, items, messages)
    _record([p.pk for p in records.petitions], actor=actor, action="exported", reason="request")
    return out.getvalue()


def subject_correct(*, actor, petitions, values: dict) -> int:
    """Set the petitioner's name, phone or address (keys of `values`, empty ones ignored) on these items;
    each changed item records an `edited` event with the values masked."""
    values = {k: v.strip() for k, v in values.items() if k in privacy.REVEALABLE and (v or "").strip()}
    changed = 0
    with transaction.atomic():
        for petition in Petition.objects.select_for_update().filter(pk__in=[p.pk for p in petitions]):
            changes = {
                name: [privacy.mask_for_history(name, getattr(petition, name)), privacy.mask_for_history(name, new)]
                for name, new in values.items()
                if getattr(petition, name) != new
            }
            if not changes:
                continue
            for name in changes:
                setattr(petition, name, values[name])
            petition.save(update_fields=[*changes, "updated_at"])
            events.record(petition, events.edited(changes=changes), actor=actor)
            changed += 1
    return changed


def subject_anonymise(*, actor, records: SubjectRecords, petitions) -> int:
    """Remove the resident's identity from these items and the text and number of the messages to them."""
    from liaison.retention import outbox_erase

    with transaction.atomic():
        done = petitions_anonymise(petition_ids=[p.pk for p in petitions], actor=actor, reason="request")
        if records.phone:
            outbox_erase(OutboxMessage.objects.filter(pk__in=[m.pk for m in records.messages]))
    return done
