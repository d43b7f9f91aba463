"""Generating the annual plan (年度预安排): `plan_generate()` turns the active rules of the active
stations under a jurisdiction into the year's draft events and, if asked, proposes rosters from the
stations' members within their yearly quotas. It runs as the background job "reception_plan"
(`run_plan_generation`) and writes in chunks of stations, so the job page sees progress and a
re-run adds only what is missing. Rules, publishing and the rule pages' writes are in
`stations.reception.plans.services`."""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import batched

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models.constants import OnConflict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import office_settings
from liaison.jobs import JobRejected, JobResult, runner
from liaison.models import Jurisdiction
from liaison.workdays import Calendars
from stations.models import (
    EventKind,
    Membership,
    ReceptionEvent,
    ReceptionPlan,
    ReceptionRule,
    Representative,
    RosterEntry,
)
from stations.reception.plans.services import (
    PLAN_JOB,
    PLAN_PERMISSION,
    Draft,
    _check_may_plan,
    _schedule_key,
    _still_missing,
    plan_stations,
    rule_dates,
)
from stations.reception.workflow import OCCUPYING

STATION_CHUNK = 250  # stations per transaction and per progress step
WRITE_BATCH = 2000
_IN_BATCH = 2000  # ids per IN (...) list: SQLite caps the variables of one statement
_MAX_PARAMS = 30_000  # parameters of one INSERT (SQLite allows 32,766, PostgreSQL 65,535)


@dataclass
class GenerationReport:
    stations: int = 0
    rules: int = 0
    events_created: int = 0
    events_existing: int = 0
    roster_entries_created: int = 0
    seconds: float = 0.0


def _lock_draft(plan_pk: int) -> ReceptionPlan:
    plan = ReceptionPlan.objects.select_for_update().select_related("jurisdiction").get(pk=plan_pk)
    if plan.status == ReceptionPlan.Status.PUBLISHED:
        raise ValidationError(
            _(
                "The %(year)s plan of %(jurisdiction)s is published and can no longer be regenerated; "
                "change single events instead."
            )
            % {"year": plan.year, "jurisdiction": plan.jurisdiction.name}
        )
    return plan


def plan_generate(
    *, jurisdiction: Jurisdiction, year: int, actor, propose_rosters: bool, progress=None
) -> ReceptionPlan:
    """Create or complete the draft plan of `jurisdiction` for `year`.

    Adds a draft event for every (rule, date) of the active rules of the
    active stations under the jurisdiction that has none yet (in any plan:
    a township's plan skips what its county's plan holds); deletes nothing.
    With `propose_rosters`, fills open slots of the plan's draft events from
    the station's serving members, up to each one's yearly quota and never
    twice on one day. Writes per chunk of stations, so `progress` (a
    JobProgress) is visible while it runs; a re-run completes an interrupted one.

    Raises ValidationError when the plan is published, PermissionDenied when
    the actor may not plan for the jurisdiction. The returned plan carries
    `report` (a GenerationReport).
    """
    started = time.perf_counter()
    _check_may_plan(actor, jurisdiction)
    with transaction.atomic():
        plan, _created = ReceptionPlan.objects.get_or_create(jurisdiction=jurisdiction, year=year)
        _lock_draft(plan.pk)
    calendars = Calendars.load()  # one read of the entries; each station's rules at its own place
    stations = list(plan_stations(jurisdiction).order_by("pk").values_list("pk", "address", "jurisdiction__code"))
    report = GenerationReport(stations=len(stations))
    if progress is not None:
        progress.total(len(stations))
    proposer = _RosterProposer(plan=plan, actor=actor) if propose_rosters else None
    expansions: dict[tuple, list[date]] = {}
    done = 0
    for batch in batched(stations, STATION_CHUNK):
        chunk = {pk: address for pk, address, _place in batch}
        places = {pk: calendars.at(place) for pk, _address, place in batch}
        with transaction.atomic():
            _lock_draft(plan.pk)  # publishing waits for the chunk, and stops the rest
            existed = _add_events(plan, chunk, places, expansions, actor, report)
            if proposer is not None:
                proposer.propose(list(chunk), existed, report)
        done += len(batch)
        if progress is not None:
            progress.advance(done)
    report.seconds = time.perf_counter() - started
    with transaction.atomic():
        plan = _lock_draft(plan.pk)
        plan.generated_at, plan.generated_by, plan.generation_seconds = timezone.now(), actor, report.seconds
        plan.save(update_fields=["generated_at", "generated_by", "generation_seconds"])
    plan.report = report
    return plan


_EVENT_COLUMNS = (
    "station_id",
    "kind",
    "start_time",
    "end_time",
    "place",
    "status",
    "plan_id",
    "rule_id",
    "open_slots",
    "created_by_id",
    "date",
)
_ROSTER_COLUMNS = ("event_id", "representative_id", "source", "added_by_id")


def _insert_ignoring_conflicts(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT rows (values of `columns`, attnames) in batches; rows that would break
    a unique constraint are skipped. Other fields get their default, auto_now(_add) now.

    What bulk_create(ignore_conflicts=True) does, without a model instance per
    row and with each distinct value prepared once: bulk_create spent 50 of the
    80 seconds of a 20,000-station plan building and preparing instances.
    No save() and no signals (none are connected to these models).
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    ops, opts, now = connection.ops, model._meta, timezone.now()
    fields = [f for f in opts.concrete_fields if f is not opts.pk]
    given = {opts.get_field(name).attname: i for i, name in enumerate(columns)}
    if len(given) != len(columns) or any(f.attname not in given and f.has_db_default() for f in fields):
        raise ValueError(f"{model.__name__}: give each column once, and every field with a database default")
    slots = []
    for f in fields:
        if f.attname in given:
            slots.append((given[f.attname], f, {}))
        else:
            default = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            slots.append((None, f.get_db_prep_save(default, connection), None))

    def values(row):
        for index, extra, cache in slots:
            if index is None:
                yield extra
                continue
            value = row[index]
            if value not in cache:
                cache[value] = extra.get_db_prep_save(value, connection)
            yield cache[value]

    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(opts.db_table)} "
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) VALUES "
    )
    tail = " " + ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    per_batch = min(WRITE_BATCH, _MAX_PARAMS // len(fields))
    with connection.cursor() as cursor:
        for batch in batched(rows, per_batch):
            cursor.execute(
                head + ", ".join([placeholder] * len(batch)) + tail, [v for row in batch for v in values(row)]
            )


def _add_events(plan, addresses: dict[int, str], calendars, expansions, actor, report) -> set[tuple[int, date]]:
    """Create the chunk's missing events; returns the (rule, date) pairs that had one already.
    `calendars` is the calendar at each station's place ({station pk: WorkingCalendar})."""
    rules = list(ReceptionRule.objects.filter(station_id__in=list(addresses), is_active=True).order_by("pk"))
    report.rules += len(rules)
    have: dict[int, set[date]] = defaultdict(set)
    first, last = date(plan.year, 1, 1), date(plan.year, 12, 31)
    for rule_id, day in (
        ReceptionEvent.objects.filter(rule_id__in=[r.pk for r in rules], date__gte=first, date__lte=last)
        .order_by()
        .values_list("rule_id", "date")
    ):
        have[rule_id].add(day)
    new = []
    for rule in rules:
        calendar = calendars[rule.station_id]
        # Rules with one schedule under the same offices' local entries share one expansion.
        key = (_schedule_key(rule), calendar.offices)
        if key not in expansions:
            expansions[key] = rule_dates(rule, plan.year, calendar)
        report.events_existing += len(have[rule.pk])
        fixed = (
            rule.station_id,
            EventKind.RECEPTION,
            rule.start_time,
            rule.end_time,
            rule.place or addresses[rule.station_id],
            Draft,
            plan.pk,
            rule.pk,
            rule.representatives_per_event,
            actor.pk,
        )
        new += [(*fixed, day) for day in _still_missing(rule, expansions[key], have[rule.pk])]
    # The unique (rule, date) constraint makes a concurrent run harmless.
    _insert_ignoring_conflicts(ReceptionEvent, _EVENT_COLUMNS, new)
    report.events_created += len(new)
    return {(rule_id, day) for rule_id, days in have.items() for day in days}


class _RosterProposer:
    """Rotates each station's serving members over its draft events of the plan.

    Keeps, across chunks, every seen representative's count of events that
    year (any station, any plan, not cancelled) and their busy days.
    """

    def __init__(self, *, plan: ReceptionPlan, actor):
        self.plan, self.actor = plan, actor
        self.first, self.last = date(plan.year, 1, 1), date(plan.year, 12, 31)
        self.quotas = office_settings.Book.load()  # each member's quota: by level and where elected
        self.count: dict[int, int] = {}
        self.busy: dict[int, set[date]] = {}
        self.quota: dict[int, int] = {}

    def propose(self, station_ids: list[int], existed: set[tuple[int, date]], report: GenerationReport) -> None:
        """Fill the open slots of the plan's draft events at these stations (`existed`:
        the (rule, date) pairs whose events were there before this run, the only
        ones that can have a roster already)."""
        # Every query here is an index lookup by ids, and none keeps the models'
        # default ordering (which would join stations and representatives).
        memberships = list(
            Membership.objects.filter(station_id__in=station_ids)
            .order_by()
            .values_list("station_id", "representative_id", "role")
        )
        levels = {}
        rep_ids = sorted({rep for _station, rep, _role in memberships})
        for ids in batched(rep_ids, _IN_BATCH):
            levels.update(
                (pk, (level, place))
                for pk, level, place in Representative.objects.filter(pk__in=ids, is_active=True)
                .order_by()
                .values_list("pk", "level", "jurisdiction__code")
            )
        members: dict[int, list[int]] = defaultdict(list)
        for station_id, rep_id, _role in sorted(memberships, key=lambda m: (m[0], m[2] != Membership.Role.HEAD, m[1])):
            if rep_id in levels:  # serving
                members[station_id].append(rep_id)
                self.quota[rep_id] = self.quotas.quota(*levels[rep_id])
        self._load([rep for rep in levels if rep not in self.count])
        events: dict[int, list[tuple]] = defaultdict(list)
        rows = (
            ReceptionEvent.objects.filter(station_id__in=station_ids, date__gte=self.first, date__lte=self.last)
            .order_by()
            .values_list("pk", "station_id", "date", "start_time", "open_slots", "plan_id", "status", "rule_id")
        )
        old = []
        for pk, station_id, day, _start, slots, plan_id, status, rule_id in sorted(
            rows, key=lambda r: (r[2], r[3], r[0])
        ):
            if plan_id == self.plan.pk and status == Draft:
                events[station_id].append((pk, day, slots))
                if rule_id is None or (rule_id, day) in existed:
                    old.append(pk)
        on_roster: dict[int, set[int]] = defaultdict(set)
        for ids in batched(old, _IN_BATCH):
            for event_id, rep_id in (
                RosterEntry.objects.filter(event_id__in=ids).order_by().values_list("event_id", "representative_id")
            ):
                on_roster[event_id].add(rep_id)
        entries = []
        for station_id, station_events in events.items():
            if members.get(station_id):
                entries += self._rotate(station_events, members[station_id], on_roster)
        _insert_ignoring_conflicts(RosterEntry, _ROSTER_COLUMNS, entries)
        report.roster_entries_created += len(entries)

    def _load(self, rep_ids: list[int]) -> None:
        """Count the year's events (not cancelled) of representatives not seen yet.

        Two lookups by id rather than one join on a date range: the plan
        stays right while the tables grow during a first generation.
        """
        for rep in rep_ids:
            self.count[rep], self.busy[rep] = 0, set()
        for ids in batched(rep_ids, _IN_BATCH):
            entries = list(
                RosterEntry.objects.filter(representative_id__in=ids)
                .order_by()
                .values_list("representative_id", "event_id")
            )
            days = {}
            event_ids = sorted({event for _rep, event in entries})
            for event_batch in batched(event_ids, _IN_BATCH):
                days.update(
                    ReceptionEvent.objects.filter(pk__in=event_batch, date__gte=self.first, date__lte=self.last)
                    .filter(status__in=OCCUPYING)
                    .order_by()
                    .values_list("pk", "date")
                )
            for rep, event in entries:
                if event in days:
                    self.count[rep] += 1
                    self.busy[rep].add(days[event])

    def _rotate(self, events, reps, on_roster) -> list[tuple]:
        """Spread the members' remaining quota evenly over the year's events.

        Each event may take its share of the remaining quota (so a station
        whose members cannot fill every slot still has someone in December);
        within an event, whoever has the fewest events, then the longest gap.
        """
        needs = [max(0, slots - len(on_roster[pk])) for pk, _day, slots in events]
        wanted = sum(needs)
        room = sum(max(0, self.quota[r] - self.count[r]) for r in reps)
        share = min(room, wanted)
        if not share:
            return []
        order = {rep: i for i, rep in enumerate(reps)}
        last_day: dict[int, date] = {}
        entries, given, cumulative = [], 0, 0
        for (pk, day, _slots), need in zip(events, needs, strict=False):
            cumulative += need
            allowed = min(need, share * cumulative // wanted - given)
            if allowed <= 0:
                continue
            candidates = [
                r for r in reps if self.count[r] < self.quota[r] and day not in self.busy[r] and r not in on_roster[pk]
            ]
            candidates.sort(key=lambda r: (self.count[r], last_day.get(r, date.min), order[r]))
            for rep in candidates[:allowed]:
                entries.append((pk, rep, RosterEntry.Source.PLAN, self.actor.pk))
                self.count[rep] += 1
                self.busy[rep].add(day)
                last_day[rep] = day
                given += 1
        return entries


@runner(PLAN_JOB)
def run_plan_generation(job, progress) -> JobResult:
    """Job params: jurisdiction (pk), year, propose_rosters."""
    owner, params = job.owner, job.params
    jurisdiction = Jurisdiction.objects.visible_to(owner).filter(pk=params.get("jurisdiction")).first()
    if not owner.is_active or jurisdiction is None or not owner.has_perm(PLAN_PERMISSION):
        raise JobRejected(_("You may no longer make plans for this jurisdiction."))
    try:
        plan = plan_generate(
            jurisdiction=jurisdiction,
            year=int(params["year"]),
            actor=owner,
            propose_rosters=bool(params.get("propose_rosters")),
            progress=progress,
        )
    except (ValidationError, PermissionDenied) as refused:
        messages = getattr(refused, "messages", None) or [_("You may no longer make plans for this jurisdiction.")]
        raise JobRejected(" ".join(messages)) from refused
    r = plan.report
    message = _(
        "The %(year)s plan of %(jurisdiction)s: %(created)s new events (%(existing)s were there already) from "
        "%(rules)s rules at %(stations)s stations; %(entries)s representatives proposed for rosters. "
        "Took %(seconds)s seconds."
    ) % {
        "year": plan.year,
        "jurisdiction": jurisdiction.name,
        "created": r.events_created,
        "existing": r.events_existing,
        "rules": r.rules,
        "stations": r.stations,
        "entries": r.roster_entries_created,
        "seconds": f"{r.seconds:.1f}",
    }
    return JobResult(message=message, url=reverse("plans:plan_detail", args=[plan.pk]))
