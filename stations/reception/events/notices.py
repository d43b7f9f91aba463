"""Reception-day notices: who is told what, and when.

- A rostered representative is told 5 working days before a reception day, voter
  meeting or campaign activity.
- Before a department-head visit every representative of the station (and
  anyone rostered) is told 10 days ahead which department comes and what it is
  responsible for; the date moves back to a working day when it falls on a holiday.
- Both periods, and the SMS signature, are those that apply at the event's station
  (`liaison.office_settings`: the nearest office above that sets them, else
  `LIAISON_RECEPTION_NOTICE_WORKING_DAYS`, `LIAISON_VISIT_NOTICE_DAYS`, `LIAISON_SMS_SIGN_NAME`).
- When date, time or place change after a notice was sent, a correction goes
  out; a cancellation or removal from the roster is told too.

Every message is an outbox row written in the transaction of its cause, keyed
`reception:<event>:rep:<representative>:<kind>`, so it goes out once.
"""

import contextlib
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from liaison import office_settings, workdays
from liaison.models import OutboxMessage
from liaison.outbox import Recipient, outbox_cancel, outbox_rows, outbox_store, outbox_write
from stations.models import EventKind, Membership, ReceptionEvent, Representative, RosterEntry

TOPIC_NOTICE = "reception_notice"
TOPIC_VISIT = "visit_notice"
TOPIC_CHANGE = "reception_change"
TOPIC_CANCEL = "reception_cancel"
TOPIC_REMOVED = "roster_removed"


def _window_days() -> int:
    """Longest stretch a notice can run ahead of its event, so the beat query can look at a
    bounded window: the longest period an office may set (30 working days, or 30 days moved back
    to a working day) or the deployment's, spread over weekends and a Spring Festival week."""
    longest = max(
        office_settings.NOTICE_DAYS_MAX,
        settings.LIAISON_RECEPTION_NOTICE_WORKING_DAYS,
        settings.LIAISON_VISIT_NOTICE_DAYS,
    )
    return longest * 7 // 5 + 21


def event_place(event: ReceptionEvent) -> str:
    """Where an event's working days are counted: its station's place ("" before it has one)."""
    return event.station.jurisdiction.code if event.station_id else ""


def notice_date(event: ReceptionEvent, calendar=None, book=None) -> date:
    """The day the event's notice is due: the notice period that applies at its station, in working
    days there (`calendar`: the calendar at that place, `book`: the office settings loaded once,
    when the caller holds them, for many events)."""
    calendar = calendar or workdays.current(event_place(event))
    place = event_place(event)  # unsaved, no station: the defaults
    book = book or office_settings.Book.load([place])
    if event.kind == EventKind.DEPARTMENT_VISIT:
        days = book.value("visit_notice_days", place)
        return calendar.previous_working_day(event.date - timedelta(days=days))
    return calendar.add(event.date, -book.value("reception_notice_working_days", place))


def notice_is_due(event: ReceptionEvent, today: date, calendar=None) -> bool:
    return event.status == ReceptionEvent.Status.SCHEDULED and notice_date(event, calendar) <= today <= event.date


def _key(event_id: int, rep_id: int, kind: str) -> str:
    return f"reception:{event_id}:rep:{rep_id}:{kind}"


def _event_url(event) -> str:
    try:
        return reverse("reception:event_detail", args=[event.pk])
    except NoReverseMatch:  # the events pages are not mounted (some tests)
        return ""


def _when(event, day=None, start=None, end=None) -> dict:
    day, start, end = day or event.date, start or event.start_time, end or event.end_time
    return {
        "date": formats.date_format(day, "DATE_FORMAT"),
        "weekday": formats.date_format(day, "l"),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
    }


def _compose_notice(event, rep) -> tuple[str, str, str]:
    """(subject, body, sms) of the first notice, in the site's language."""
    values = {"name": rep.name, "station": event.station.name, "place": event.place, **_when(event)}
    if event.kind == EventKind.DEPARTMENT_VISIT:
        values |= {
            "department": event.department.name if event.department_id else "",
            "head": event.department_head or _("its head"),
            "duties": event.department_duties or "—",
            "topics": event.topics or "—",
        }
        subject = _("Department-head visit: %(department)s at %(station)s on %(date)s") % values
        body = (
            _(
                "Dear %(name)s,\n\n%(department)s (%(head)s) will visit %(station)s on %(date)s (%(weekday)s) "
                "from %(start)s to %(end)s at %(place)s and answer residents and representatives face to face.\n\n"
                "What the department is responsible for: %(duties)s\n\nTopics: %(topics)s\n\n"
                "Please visit residents beforehand and collect their questions for the department."
            )
            % values
        )
        sms = (
            _(
                "%(name)s: %(department)s visits %(station)s on %(date)s %(start)s-%(end)s, %(place)s. "
                "Please collect residents' questions beforehand."
            )
            % values
        )
    else:
        values["kind"] = event.get_kind_display()
        subject = _("%(kind)s notice: %(station)s on %(date)s") % values
        body = (
            _(
                "Dear %(name)s,\n\nYou are on the roster of the %(kind)s at %(station)s on %(date)s (%(weekday)s) "
                "from %(start)s to %(end)s at %(place)s. Your name, work unit and public phone are announced "
                "to residents.\n\nIf you cannot come, please tell the station as early as you can."
            )
            % values
        )
        sms = _("%(name)s: %(kind)s at %(station)s on %(date)s %(start)s-%(end)s, %(place)s. Please attend.") % values
    return subject, body, sms


def _recipients(event) -> list[Representative]:
    """Who is told about this event: its roster; for a visit also the station's members."""
    reps = {e.representative_id: e.representative for e in event.roster.all() if e.representative.is_active}
    if event.kind == EventKind.DEPARTMENT_VISIT:
        for m in event.station.memberships.all():
            if m.representative.is_active:
                reps.setdefault(m.representative_id, m.representative)
    return list(reps.values())


def _notice_rows(event, rep, book=None):
    subject, body, sms = _compose_notice(event, rep)
    topic = TOPIC_VISIT if event.kind == EventKind.DEPARTMENT_VISIT else TOPIC_NOTICE
    return outbox_rows(
        key=_key(event.pk, rep.pk, "notice"),
        topic=topic,
        recipient=Recipient.for_representative(rep),
        subject=subject,
        body=body,
        sms_text=sms,
        url=_event_url(event),
        station=event.station,
        book=book,
    )


def _write_notice(event, rep) -> int:
    return outbox_store(_notice_rows(event, rep))


def _events_with_recipients():
    return ReceptionEvent.objects.select_related("station__jurisdiction", "department").prefetch_related(
        "roster__representative__user", "station__memberships__representative__user"
    )


def queue_due_notices(*, today: date | None = None) -> int:
    """Write every notice that is due and not written yet (the hourly beat task).

    Safe to run any number of times: keys already in the outbox are skipped.
    Returns the number of outbox rows written.
    """
    today = today or timezone.localdate()
    calendars = workdays.Calendars.load()  # one read of the entries; each event counted at its station
    book = office_settings.Book.load()
    written = 0
    candidates = (
        ReceptionEvent.objects.filter(
            status=ReceptionEvent.Status.SCHEDULED, date__gte=today, date__lte=today + timedelta(days=_window_days())
        )
        .select_related("station__jurisdiction")
        .only("pk", "date", "kind", "status", "station__jurisdiction__code")
        .order_by("date", "pk")
    )
    due_ids = [e.pk for e in candidates if notice_date(e, calendars.at(event_place(e)), book) <= today]
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(due_ids), 200):
            batch = list(_events_with_recipients().filter(pk__in=due_ids[start : start + 200]))
            wanted = {(e.pk, r.pk): (e, r) for e in batch for r in _recipients(e)}
            done = set(
                OutboxMessage.objects.filter(key__in=[_key(e, r, "notice") for e, r in wanted]).values_list(
                    "key", flat=True
                )
            )
            rows = [
                row
                for (event_id, rep_id), (event, rep) in wanted.items()
                if _key(event_id, rep_id, "notice") not in done
                for row in _notice_rows(event, rep, book)
            ]
            with transaction.atomic():
                written += outbox_store(rows)
    return written


def notices_kick() -> None:
    """Queue the notice task after commit (a plan was published, a roster filled)."""

    def kick():
        from stations.tasks import queue_reception_notices

        with contextlib.suppress(Exception):  # broker down: the hourly beat run writes them
            queue_reception_notices.delay()

    transaction.on_commit(kick)


# Hooks called by the reception services, inside their transactions ---------


def notice_roster_added(*, entry: RosterEntry) -> int:
    """A representative joined the roster: told at once if the notice date has passed."""
    event = entry.event
    if not notice_is_due(event, timezone.localdate()):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return _write_notice(event, entry.representative)


def notice_roster_removed(*, entry: RosterEntry) -> int:
    """A representative left the roster: an unsent notice is cancelled, a sent one is followed by a note."""
    event, rep = entry.event, entry.representative
    if (
        event.kind == EventKind.DEPARTMENT_VISIT
        and Membership.objects.filter(station=event.station_id, representative=rep).exists()
    ):
        return 0  # still told as a member of the station
    prefix = f"reception:{event.pk}:rep:{rep.pk}:"
    outbox_cancel(key_prefix=prefix)
    if not _was_sent(event.pk, rep.pk):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = {"name": rep.name, "station": event.station.name, **_when(event)}
        subject = _("Roster change: %(station)s on %(date)s") % values
        body = (
            _(
                "Dear %(name)s,\n\nYou are no longer on the roster of %(station)s on %(date)s (%(weekday)s) "
                "%(start)s–%(end)s. You do not need to come."
            )
            % values
        )
        sms = _("%(name)s: you are no longer on the roster of %(station)s on %(date)s.") % values
        return outbox_write(
            key=_key(event.pk, rep.pk, f"removed:{timezone.now():%Y%m%d%H%M%S}"),
            topic=TOPIC_REMOVED,
            recipient=Recipient.for_representative(rep),
            subject=subject,
            body=body,
            sms_text=sms,
            url=_event_url(event),
            station=event.station,
        )


def _was_sent(event_id: int, rep_id: int) -> bool:
    return OutboxMessage.objects.filter(
        key=_key(event_id, rep_id, "notice"), status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED]
    ).exists()


SCHEDULE_FIELDS = ("date", "start_time", "end_time", "place")


def notice_event_changed(*, event: ReceptionEvent, before: dict) -> int:
    """After an event is saved: corrections for a new date, time or place, or a cancellation.

    Unsent notices are rewritten in place (the representative gets the right
    one); those already sent get a correction keyed by the event's new
    schedule revision, so each change is told once.
    """
    cancelled = (
        before.get("status") != ReceptionEvent.Status.CANCELLED and event.status == ReceptionEvent.Status.CANCELLED
    )
    moved = any(before.get(f) is not None and before.get(f) != getattr(event, f) for f in SCHEDULE_FIELDS)
    if not (cancelled or moved):
        return 0
    notices = list(
        OutboxMessage.objects.select_for_update()
        .filter(key__startswith=f"reception:{event.pk}:rep:", key__endswith=":notice")
        .exclude(status=OutboxMessage.Status.CANCELLED)
    )
    if not notices:
        return 0
    if cancelled:
        OutboxMessage.objects.filter(pk__in=[n.pk for n in notices if n.status == OutboxMessage.Status.PENDING]).update(
            status=OutboxMessage.Status.CANCELLED
        )
    sent_rep_ids = {_rep_id(n.key) for n in notices if n.status != OutboxMessage.Status.PENDING}
    pending = [n for n in notices if n.status == OutboxMessage.Status.PENDING]
    written = 0
    with translation.override(settings.LANGUAGE_CODE):
        if moved and not cancelled:
            reps = Representative.objects.in_bulk({_rep_id(n.key) for n in pending})
            place = event.station.jurisdiction.code
            book = office_settings.Book.load([place])
            for n in pending:
                rep = reps.get(_rep_id(n.key))
                if rep is None:
                    continue
                subject, body, sms = _compose_notice(event, rep)
                # Signed as `liaison.outbox.outbox_rows` signs a new one.
                n.subject, n.body = subject, book.signed(sms, place) if n.channel == "sms" else body
                n.save(update_fields=["subject", "body"])
            event.schedule_revision += 1
            ReceptionEvent.objects.filter(pk=event.pk).update(schedule_revision=event.schedule_revision)
        for rep in Representative.objects.filter(pk__in=sent_rep_ids).select_related("user"):
            written += _write_change(event, rep, before, cancelled)
    return written


def _rep_id(key: str) -> int:
    return int(key.split(":")[3])


def _write_change(event, rep, before, cancelled) -> int:
    old = _when(event, before.get("date"), before.get("start_time"), before.get("end_time"))
    new = _when(event)
    values = {
        "name": rep.name,
        "station": event.station.name,
        "old_place": before.get("place") or event.place,
        "place": event.place,
        **{f"old_{k}": v for k, v in old.items()},
        **new,
    }
    if cancelled:
        subject = _("Cancelled: %(station)s on %(old_date)s") % values
        body = (
            _(
                "Dear %(name)s,\n\nThe activity at %(station)s on %(old_date)s (%(old_weekday)s) %(old_start)s–%(old_end)s "
                "is cancelled. You do not need to come."
            )
            % values
        )
        sms = _("%(name)s: the activity at %(station)s on %(old_date)s is cancelled.") % values
        kind, topic = "cancel", TOPIC_CANCEL
    else:
        subject = _("Changed: %(station)s now on %(date)s %(start)s") % values
        body = (
            _(
                "Dear %(name)s,\n\nThe activity at %(station)s has changed.\n\n"
                "Was: %(old_date)s (%(old_weekday)s) %(old_start)s–%(old_end)s, %(old_place)s\n"
                "Now: %(date)s (%(weekday)s) %(start)s–%(end)s, %(place)s\n\nPlease note the new time and place."
            )
            % values
        )
        sms = _("%(name)s: changed, %(station)s now on %(date)s %(start)s-%(end)s, %(place)s.") % values
        kind, topic = f"change:{event.schedule_revision}", TOPIC_CHANGE
    return outbox_write(
        key=_key(event.pk, rep.pk, kind),
        topic=topic,
        recipient=Recipient.for_representative(rep),
        subject=subject,
        body=body,
        sms_text=sms,
        url=_event_url(event),
        station=event.station,
    )
