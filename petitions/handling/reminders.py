"""Deadline reminders: which shares and online items are due a reminder today, and the
daily digests that carry them (run by beat through `petitions.tasks.send_deadline_reminders`).

Two steps, each safe to run any number of times and in several workers at once:

1. `reminders_queue` writes one `Reminder` row per (share or item, stage, day). The row's
   unique `key` is the whole "once" guarantee: the same stage of the same share on the same
   day is never stored twice, and a day beat missed is caught up by the next run (the
   BEFORE and OFFICE days are derived from the deadline, not from the day of the run).
2. `reminders_send` locks the unsent rows, writes one outbox message per user (a digest
   of every item due a reminder) and marks the rows sent, in one transaction: a message
   is stored if and only if its rows are marked, and the outbox key makes a retried run
   store nothing new.

Department stages (BEFORE / DUE / OVERDUE) reach the active members of the share's
department; OFFICE reaches the committee office (`office_users_for`); ONLINE reaches the
representatives on an online item nobody answered within the hours it was promised
(the station's staff when it has none). Messages name the item by tracking number,
stage, deadline and department only: never the content or the petitioner. A text message
is signed for the place it is about (`liaison.office_settings`, read once per run): an
online item's place; a digest, the office account's jurisdiction, else the department of
its most pressing line.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import office_settings, workdays
from liaison.models import OutboxMessage, User
from liaison.outbox import Recipient, outbox_rows, outbox_store
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES, Assignment, Reminder
from petitions.handling.notifications import department_members, office_users_for
from petitions.handling.workflow import AWAITING_REPLY, OPEN
from petitions.ledger.models import first_reply_hours
from petitions.models import Department, Petition, PetitionRepresentative
from stations.models import Station

Stage = Reminder.Stage
# Rows read from the selection and inserted per statement.
QUEUE_CHUNK = 5000
# Reminder rows locked per statement while sending (all in the run's one transaction).
SEND_BATCH = 1000
# Lines listed in one digest; the rest are counted, the linked page shows them all.
DIGEST_LINES = 200
# Order of the lines in a digest: the most pressing first.
_STAGE_ORDER = {Stage.OFFICE: 0, Stage.OVERDUE: 1, Stage.DUE: 2, Stage.BEFORE: 3}


# --------------------------------------------------------------------------- queue


def _day(value: date) -> str:
    return value.isoformat()


class _Plan:
    """The stages a deadline calls for today, worked out once per distinct deadline and calendar.

    A share's working days are counted at its item's place (`liaison.workdays`: the deployment's
    calendar with the local entries of the offices above the place), from one snapshot of the
    entries for the whole run, never a query per row.
    """

    def __init__(self, today: date):
        self.today = today
        self.calendars = workdays.snapshot()
        # Without local entries every place has the deployment's calendar: no need to read places.
        self.by_place = bool(self.calendars.local_places())
        self.before = settings.LIAISON_REMINDER_BEFORE_WORKING_DAYS
        self.office = settings.LIAISON_OFFICE_ALERT_WORKING_DAYS
        # Every deadline with at most `before` working days left, including a day off just after
        # the last of them: the day before the next working day; the furthest such day over every
        # place's calendar (`_work_out` checks each share at its own place).
        self.horizon = max(cal.add(today, self.before + 1) for cal in self.calendars.every_calendar()) - timedelta(
            days=1
        )
        self._cache: dict[tuple, tuple[list, list]] = {}

    def stages(self, due: date, lead: bool, place: str = "") -> list[tuple[str, date]]:
        calendar = self.calendars.at(place)
        key = (calendar.offices, due)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._work_out(calendar, due)
        common, lead_only = found
        return common + lead_only if lead else common

    def _work_out(self, cal: workdays.WorkingCalendar, due: date) -> tuple[list, list]:
        today = self.today
        common, lead_only = [], []
        if due > today:
            # Not a working day left before it (a deadline on the coming Sunday) counts as near too.
            if cal.between(today, due) <= self.before:
                # The day the reminder was due: the same key whichever later day catches it up.
                common.append((Stage.BEFORE, cal.add(due, -self.before)))
        elif due == today:
            common.append((Stage.DUE, due))
        else:
            if cal.is_working_day(today):
                common.append((Stage.OVERDUE, today))
            alert_day = cal.add(due, self.office)  # "3 working days overdue" is reached on this day
            if alert_day <= today:
                lead_only.append((Stage.OFFICE, alert_day))
        return common, lead_only


def _store(pending: list[tuple], now: datetime) -> int:
    """Insert the (key, petition, share, stage, day) rows whose key is not stored yet; returns how many."""
    if not pending:
        return 0
    taken = set(Reminder.objects.filter(key__in=[row[0] for row in pending]).values_list("key", flat=True))
    new = [
        Reminder(key=key, petition_id=petition_id, assignment_id=assignment_id, stage=stage, day=day, created_at=now)
        for key, petition_id, assignment_id, stage, day in pending
        if key not in taken
    ]
    # ignore_conflicts: a run in another worker that stored the same key first wins quietly.
    Reminder.objects.bulk_create(new, batch_size=QUEUE_CHUNK, ignore_conflicts=True)
    return len(new)


def _online_due(now: datetime):
    """(pk, first-reply deadline) of the online items past it without a reply, QUEUE_CHUNK at a
    time in deadline order.

    Pages with a LIMIT in the index's order keep PostgreSQL on the small partial index
    `petition_awaiting_first_reply`: it misjudges how many rows the two NULL tests leave
    (tens of thousands for a few thousand at 1M items) and would otherwise scan the table.
    Items settled without a first reply are left to `reminders_send` (marked sent without a
    message): a status condition here would steer the planner off the index too.
    """
    base = (
        Petition.objects.awaiting_first_reply().filter(first_reply_due_at__lte=now).order_by("first_reply_due_at", "pk")
    )
    since, seen = None, set()
    while True:
        qs = base if since is None else base.filter(first_reply_due_at__gte=since).exclude(pk__in=seen)
        page = list(qs.values_list("pk", "first_reply_due_at")[:QUEUE_CHUNK])
        yield from page
        if len(page) < QUEUE_CHUNK:
            return
        last = page[-1][1]
        seen = (seen if last == since else set()) | {pk for pk, due_at in page if due_at == last}
        since = last


def reminders_queue(*, today: date | None = None, now: datetime | None = None) -> dict:
    """Store the reminders due today (see the module); returns counts.

    One query over the open shares due within LIAISON_REMINDER_BEFORE_WORKING_DAYS
    working days (partial index `assignment_due_open`), one per QUEUE_CHUNK online items
    past their first-reply deadline (partial index `petition_awaiting_first_reply`), and
    two statements per QUEUE_CHUNK reminders. Stores nothing already stored. The working
    days come from one snapshot of the calendar, worked out once per distinct deadline and
    place-set (the item's place is read only when some office has local entries).
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    plan = _Plan(today)
    counts = {"shares": 0, "online": 0, "created": 0}
    pending: list[tuple] = []

    def add(row: tuple) -> None:
        pending.append(row)
        if len(pending) >= QUEUE_CHUNK:
            counts["created"] += _store(pending, now)
            pending.clear()

    fields = ["pk", "petition_id", "due_on", "role"] + (["petition__area_code"] if plan.by_place else [])
    shares = (
        Assignment.objects.filter(state__in=ACTIVE_ASSIGNMENT_STATES, due_on__lte=plan.horizon)
        .order_by()
        .values_list(*fields)
    )
    for row in shares.iterator(chunk_size=QUEUE_CHUNK):
        (pk, petition_id, due_on, role), place = row[:4], row[4] if plan.by_place else ""
        counts["shares"] += 1
        for stage, day in plan.stages(due_on, role == Assignment.Role.LEAD, place):
            add((f"{stage}:a{pk}:{_day(day)}", petition_id, pk, stage, day))

    for pk, due_at in _online_due(now):
        counts["online"] += 1
        add((f"{Stage.ONLINE}:p{pk}", pk, None, Stage.ONLINE, timezone.localdate(due_at)))
    counts["created"] += _store(pending, now)
    return counts


# --------------------------------------------------------------------------- send

# What a run reads of each reminder: plain values, no model instances (tens of thousands a day).
_FIELDS = (
    "pk",
    "created_at",
    "stage",
    "petition_id",
    "petition__tracking_number",
    "petition__status",
    "petition__area_code",
    "petition__station_id",
    "petition__first_replied_at",
    "petition__first_reply_due_at",
    "petition__registered_at",
    "assignment_id",
    "assignment__state",
    "assignment__due_on",
    "assignment__department_id",
    "assignment__department__name",
    "assignment__department__jurisdiction__code",
    "assignment__assigned_by_id",
)


def _lock_batch(after: tuple | None) -> list[dict]:
    """The next SEND_BATCH unsent rows nobody else holds, oldest first (index `reminder_unsent`),
    with what the messages need of the item and the share.

    Two statements: the lock takes the reminder rows alone (a join before the LIMIT would
    read every unsent row's item and share), then their values are read by primary key.
    """
    qs = Reminder.objects.filter(sent_at__isnull=True)
    if after is not None:
        created_at, pk = after
        qs = qs.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk))
    ids = list(
        qs.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SEND_BATCH]
    )
    if not ids:
        return []
    return list(Reminder.objects.filter(pk__in=ids).order_by("created_at", "pk").values(*_FIELDS))


def _still_due(row: dict) -> bool:
    """False when the share closed or the item was answered after the row was queued."""
    if row["stage"] == Stage.ONLINE:
        return row["petition__first_replied_at"] is None and row["petition__status"] in OPEN
    # The item's clock runs (not answered, not suspended) and the share is still open.
    return row["assignment__state"] in ACTIVE_ASSIGNMENT_STATES and row["petition__status"] in AWAITING_REPLY


class _Recipients:
    """Who a row reaches; looked up once per department, office, station and item in a run."""

    def __init__(self):
        self.departments: dict[int, list] = {}
        self.offices: dict[tuple, list] = {}
        self.assigners: dict[int, object] = {}
        self.stations: dict[int, object] = {}
        self.staff: dict[int, list] = {}

    def for_share(self, row: dict) -> list:
        if row["stage"] == Stage.OFFICE:
            by_id, area = row["assignment__assigned_by_id"], row["petition__area_code"]
            if (by_id, area) not in self.offices:
                if by_id and by_id not in self.assigners:
                    self.assigners[by_id] = User.objects.filter(pk=by_id).first()
                by = self.assigners.get(by_id) if by_id else None
                # office_users_for reads nothing of the item but its place.
                self.offices[by_id, area] = office_users_for(Petition(area_code=area), by)
            return self.offices[by_id, area]
        department_id = row["assignment__department_id"]
        if department_id not in self.departments:
            self.departments[department_id] = department_members(Department(pk=department_id))
        return self.departments[department_id]

    def for_online(self, rows: list[dict]) -> dict[int, list[tuple[str, Recipient]]]:
        """(key suffix, recipient) per item: its representatives, else the staff of its station and those above."""
        from petitions.ledger.notifications import station_staff_upwards

        found = defaultdict(list)
        links = (
            PetitionRepresentative.objects.filter(petition__in=[r["petition_id"] for r in rows])
            .select_related("representative__user")
            .order_by("petition_id", "representative_id")
        )
        for link in links:
            found[link.petition_id].append(
                (f"rep{link.representative_id}", Recipient.for_representative(link.representative))
            )
        wanted = {r["petition__station_id"] for r in rows} - set(self.stations) - {None}
        self.stations |= Station.objects.in_bulk(wanted)
        for row in rows:
            station_id = row["petition__station_id"]
            if not found[row["petition_id"]] and station_id in self.stations:
                if station_id not in self.staff:
                    self.staff[station_id] = station_staff_upwards(self.stations[station_id])
                found[row["petition_id"]] = [(f"user{u.pk}", Recipient.for_user(u)) for u in self.staff[station_id]]
        return found


class _Outbox:
    """Messages of a run, stored OUTBOX_CHUNK rows per statement (`outbox_store`)."""

    OUTBOX_CHUNK = 500

    def __init__(self, counts: dict):
        self.rows: list = []
        self.counts = counts
        self.book = office_settings.Book.load()  # the SMS signatures of the run, read once

    def add(self, **message) -> None:
        self.rows += outbox_rows(**message, book=self.book)
        if len(self.rows) >= self.OUTBOX_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        stored = set(OutboxMessage.objects.filter(key__in={r.key for r in self.rows}).values_list("key", "channel"))
        new = [r for r in self.rows if (r.key, r.channel) not in stored]  # a rerun stores none of them
        self.counts["outbox_rows"] += outbox_store(new)
        self.counts["messages"] += len({r.key for r in new})
        self.rows = []


class _Digests:
    """The lines of each user's digest, gathered over the whole run."""

    def __init__(self):
        self.template = _("%(number)s · %(stage)s · deadline %(due)s · %(department)s")
        self.stage_names = {stage: str(stage.label) for stage in Stage}
        # user pk → [(sort key, line, row pk, stage, the department's place)]
        self.entries: dict[int, list] = defaultdict(list)
        self.users: dict[int, object] = {}

    def add(self, row: dict, users: list) -> None:
        due = row["assignment__due_on"]
        number = row["petition__tracking_number"]
        line = self.template % {
            "number": number,
            "stage": self.stage_names[row["stage"]],
            "due": due.isoformat(),
            "department": row["assignment__department__name"],
        }
        entry = (
            (_STAGE_ORDER[row["stage"]], due, number),
            line,
            row["pk"],
            row["stage"],
            row["assignment__department__jurisdiction__code"],
        )
        for user in users:
            self.users[user.pk] = user
            self.entries[user.pk].append(entry)

    def write(self, out: _Outbox, today: date) -> None:
        for user_pk, entries in self.entries.items():
            entries.sort()
            _digest(out, self.users[user_pk], entries, today)


def _digest(out: _Outbox, user, entries: list, today: date) -> None:
    """One message to `user` listing the lines gathered in this run, the most pressing first."""
    count = len(entries)
    lines = [entry[1] for entry in entries[:DIGEST_LINES]]
    if count > len(lines):
        lines.append(_("… and %(count)s more: see the page below.") % {"count": count - len(lines)})
    office_only = {entry[3] for entry in entries} <= {Stage.OFFICE}
    if office_only:
        subject = ngettext(
            "Deadline alert: %(count)s item overdue by %(days)s working days",
            "Deadline alert: %(count)s items overdue by %(days)s working days",
            count,
        ) % {"count": count, "days": settings.LIAISON_OFFICE_ALERT_WORKING_DAYS}
        intro = _("These items are overdue and the department has not replied. Consider supervising them:")
    else:
        subject = ngettext(
            "Deadline reminder: %(count)s item needs your department's reply",
            "Deadline reminder: %(count)s items need your department's reply",
            count,
        ) % {"count": count}
        intro = _("These items are due soon, due today or overdue:")
    out.add(
        # The first row makes a second digest the same day (rows queued later) a message of its own.
        key=f"reminders:u{user.pk}:{today.isoformat()}:{min(entry[2] for entry in entries)}",
        topic="petition_reminder",
        recipient=Recipient.for_user(user),
        subject=subject,
        body="\n".join([intro, "", *lines]),
        url=reverse("petitions:supervision" if office_only else "petitions:department"),
        place=user.jurisdiction.code if user.jurisdiction_id else entries[0][4],
        sms_text=ngettext(
            "%(count)s item needs attention (deadlines). Please log in to see it.",
            "%(count)s items need attention (deadlines). Please log in to see them.",
            count,
        )
        % {"count": count},
    )


def _online(out: _Outbox, row: dict, suffix: str, recipient: Recipient, station) -> None:
    due = timezone.localtime(row["petition__first_reply_due_at"])
    hours = first_reply_hours(row["petition__registered_at"], row["petition__first_reply_due_at"])
    number = row["petition__tracking_number"]
    out.add(
        key=f"online-late:p{row['petition_id']}:{suffix}",
        topic="petition_reminder",
        recipient=recipient,
        subject=_("Online item %(number)s still has no reply") % {"number": number},
        # No content: the message may leave the system by email or SMS.
        body=_(
            "A resident's online item has waited more than %(hours)s hours for a first reply (due %(due)s). "
            "Open the item to read it and reply."
        )
        % {"hours": hours, "due": f"{due:%Y-%m-%d %H:%M}"},
        url=reverse("petitions:detail", args=[row["petition_id"]]),
        station=station,
        place=row["petition__area_code"],
        sms_text=_("Online item %(number)s has waited over %(hours)s hours for your reply.")
        % {"number": number, "hours": hours},
    )


def reminders_send(*, now: datetime | None = None) -> dict:
    """Send every unsent reminder (see the module); returns counts.

    One transaction: the unsent rows are locked SEND_BATCH at a time (rows another run
    holds are skipped: that run sends them) and marked sent; one digest per user is
    written at the end. Rows whose share or item closed meanwhile are marked sent
    without a message. `messages` counts the messages stored by this run,
    `outbox_rows` their rows (one per channel).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"rows": 0, "skipped": 0, "messages": 0, "outbox_rows": 0}
    recipients, digests = _Recipients(), _Digests()
    out = _Outbox(counts)
    with transaction.atomic():
        after = None
        while batch := _lock_batch(after):
            after = (batch[-1]["created_at"], batch[-1]["pk"])
            counts["rows"] += len(batch)
            due = [row for row in batch if _still_due(row)]
            counts["skipped"] += len(batch) - len(due)
            online = [row for row in due if row["stage"] == Stage.ONLINE]
            if online:
                found = recipients.for_online(online)
                for row in online:
                    station = recipients.stations.get(row["petition__station_id"])
                    for suffix, recipient in found[row["petition_id"]]:
                        _online(out, row, suffix, recipient, station)
            for row in due:
                if row["stage"] != Stage.ONLINE:
                    digests.add(row, recipients.for_share(row))
            Reminder.objects.filter(pk__in=[row["pk"] for row in batch]).update(sent_at=now)
        digests.write(out, today)
        out.flush()
    return counts
