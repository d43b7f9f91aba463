"""`seed_demo --petitions N`: add N petitions for load tests, fast and in flat memory.

Items come from the demo generator (`petitions.demo.maker.Maker`) spread over the whole
network (the demo district and any synthetic province) and the last 3 years,
each with its receiving representatives and `registered` history row; an item
with a lead department and a deadline also gets its lead `Assignment` (round 1:
pending while assigned, accepted while in hand, done once answered), so the
department queues and the reminder selection meet a realistic table.

PostgreSQL: COPY, chunk by chunk, with the next chunk generated and
serialised in a thread while the server takes the current one (psycopg2
releases the GIL while it waits). Ids are reserved from the table's sequence. Each
row carries its owning and handling office from the generator (`Maker.item`, by
station: `petitions.demo.offices.station_owners`), so no UPDATE follows the load.
When at least REBUILD_INDEXES_FROM rows are added and no fewer than the table
holds, the secondary indexes are dropped and built again at the end, which is several times faster than updating them per row;
everything runs in one transaction, so a failure leaves the tables as they
were, indexes included. ANALYZE at the end. Other databases: `bulk_create`.
"""

import io
import json
import random
import secrets
import time as clock
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.demo.maker import (
    Item,
    Maker,
    Network,
    chunk_numbers,
    load_network,
    search_text,
    taken_numbers,
    tracking_number,
)
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import RESIDENT
from petitions.models import ONLINE_CHANNELS, Assignment, Petition, PetitionEvent, PetitionRepresentative, Status

BULK_DAYS = 3 * 365
BULK_CHUNK = 25_000
REBUILD_INDEXES_FROM = 100_000
TABLES = (Petition, PetitionRepresentative, PetitionEvent, Assignment)
PETITION_COLUMNS = [f.attname for f in Petition._meta.concrete_fields]
# Columns the generator leaves to the model (e.g. the handling fields): their plain defaults,
# so COPY never sends NULL to a NOT NULL column ("" for text, 1 for the round, ...).
PETITION_DEFAULTS = {
    f.attname: f.get_default()
    for f in Petition._meta.concrete_fields
    if not f.null and not f.primary_key and not (f.has_default() and callable(f.default))
}
LINK_COLUMNS = ["petition_id", "representative_id", "role", "follow_up", "received_on"]
EVENT_COLUMNS = [f.attname for f in PetitionEvent._meta.concrete_fields if f.attname != "id"]
ASSIGNMENT_COLUMNS = [f.attname for f in Assignment._meta.concrete_fields if f.attname != "id"]
SHARE_STATE = {
    Status.ASSIGNED: Assignment.State.PENDING,
    Status.ACCEPTED: Assignment.State.ACCEPTED,
    Status.IN_PROGRESS: Assignment.State.ACCEPTED,
}


def seed_bulk_petitions(
    count: int, *, report: Counter, today: date | None = None, chunk: int = BULK_CHUNK, log=lambda message: None
) -> None:
    """Add `count` petitions with their representatives and `registered` rows (see the module)."""
    today = today or timezone.localdate()
    net = load_network({})
    if not net.stations or not net.categories:
        raise ValueError("No stations or categories: load the demo district first.")
    rng = random.Random(secrets.randbits(64))  # every call adds different items
    maker = Maker(net, rng, today, BULK_DAYS, demo=False)
    sizes = [min(chunk, count - start) for start in range(0, count, chunk)]
    started = clock.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            rebuild = _drop_secondary_indexes(log) if count >= max(REBUILD_INDEXES_FROM, _rows_now()) else []
            _copy_all(maker, sizes, report, lambda done: _progress(log, done, count, started))
            if rebuild:
                _build_indexes(rebuild, log)
        else:
            for size in sizes:
                _insert_chunk(maker, size, report)
                _progress(log, report["petition"], count, started)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        log("tables analysed")


def _progress(log, done: int, count: int, started: float) -> None:
    log(f"petitions: {done:,} of {count:,} ({done / max(clock.monotonic() - started, 1e-6):,.0f} rows/s)")


def _event_row(petition_id: int, item: Item, net: Network, text: str) -> dict:
    return {
        "petition_id": petition_id,
        "kind": PetitionEventKind.REGISTERED,
        "actor_id": None,
        "actor_name": "",
        "actor_label": RESIDENT if item.values["channel"] in ONLINE_CHANNELS else "",
        "at": item.values["registered_at"],
        "from_status": "",
        "to_status": Status.REGISTERED,
        "is_public": True,
        "public_text": text,
        "data": {"channel": item.values["channel"], "representatives": [net.rep_names.get(r, "") for r in item.reps]},
    }


def _assignment_row(petition_id: int, item: Item) -> dict | None:
    """The lead share of an item with a department and a deadline (None for the others)."""
    values = item.values
    if not values["lead_department_id"] or not values["due_on"]:
        return None
    state = SHARE_STATE.get(values["status"], Assignment.State.DONE)
    at = item.status_at or values["registered_at"]
    return {
        "petition_id": petition_id,
        "department_id": values["lead_department_id"],
        "role": Assignment.Role.LEAD,
        "state": state,
        "round": 1,
        "due_on": values["due_on"],
        "assigned_at": at,
        "assigned_by_id": None,
        "accepted_at": at if state != Assignment.State.PENDING else None,
        "done_at": at if state == Assignment.State.DONE else None,
        "note": "",
    }


# --------------------------------------------------------------------------- other databases


def _insert_chunk(maker: Maker, size: int, report: Counter) -> None:
    text = _("Your item has been registered.")
    items = [maker.item(maker.rng.choice(maker.net.stations)) for _n in range(size)]
    petitions = [
        Petition(
            **item.values,
            tracking_number=number,
            search_text=search_text(number, item.values["content"], item.values["address"]),
        )
        for item, number in zip(items, chunk_numbers(items), strict=True)
    ]
    Petition.objects.bulk_create(petitions, batch_size=1000)
    links = [
        PetitionRepresentative(petition_id=p.pk, representative_id=rep, received_on=p.received_on)
        for p, item in zip(petitions, items, strict=True)
        for rep in item.reps
    ]
    PetitionRepresentative.objects.bulk_create(links, batch_size=2000)
    events = [
        PetitionEvent(**_event_row(p.pk, item, maker.net, text)) for p, item in zip(petitions, items, strict=True)
    ]
    PetitionEvent.objects.bulk_create(events, batch_size=2000)
    shares = [
        Assignment(**row) for p, item in zip(petitions, items, strict=True) if (row := _assignment_row(p.pk, item))
    ]
    Assignment.objects.bulk_create(shares, batch_size=2000)
    report["petition"] += len(petitions)
    report["petitionrepresentative"] += len(links)
    report["petitionevent"] += len(events)
    report["assignment"] += len(shares)


# --------------------------------------------------------------------------- PostgreSQL


@dataclass
class _Chunk:
    items: list[Item]
    ids: list[int]
    numbers: list[str]
    petitions: io.StringIO
    links: io.StringIO
    events: io.StringIO
    link_count: int
    shares: io.StringIO
    share_count: int


def _copy_value(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _tsv(rows, columns) -> io.StringIO:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([_copy_value(row.get(c)) for c in columns]))
        buffer.write("\n")
    buffer.seek(0)
    return buffer


def _unique_in_chunk(items: list[Item]) -> list[str]:
    numbers, seen = [], set()
    for item in items:
        while (number := tracking_number(secrets.randbits(40), item.values["registered_at"])) in seen:
            pass
        seen.add(number)
        numbers.append(number)
    return numbers


def _serialise(items: list[Item], ids: list[int], numbers: list[str], net: Network, text: str) -> _Chunk:
    petitions = _tsv(
        (
            {
                **PETITION_DEFAULTS,
                **item.values,
                "id": pk,
                "tracking_number": number,
                "search_text": search_text(number, item.values["content"], item.values["address"]),
            }
            for pk, item, number in zip(ids, items, numbers, strict=True)
        ),
        PETITION_COLUMNS,
    )
    links = [
        {
            "petition_id": pk,
            "representative_id": rep,
            "role": PetitionRepresentative.Role.RECEIVED,
            "follow_up": False,
            "received_on": item.values["received_on"],
        }
        for pk, item in zip(ids, items, strict=True)
        for rep in item.reps
    ]
    events = (_event_row(pk, item, net, text) for pk, item in zip(ids, items, strict=True))
    shares = [row for pk, item in zip(ids, items, strict=True) if (row := _assignment_row(pk, item))]
    return _Chunk(
        items,
        ids,
        numbers,
        petitions,
        _tsv(links, LINK_COLUMNS),
        _tsv(events, EVENT_COLUMNS),
        len(links),
        _tsv(shares, ASSIGNMENT_COLUMNS),
        len(shares),
    )


def _build_chunk(maker: Maker, size: int, ids: list[int], text: str) -> _Chunk:
    """Runs in the worker thread: no database access here."""
    items = [maker.item(maker.rng.choice(maker.net.stations)) for _n in range(size)]
    return _serialise(items, ids, _unique_in_chunk(items), maker.net, text)


def _reserve_ids(size: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('petitions_petition', 'id')) FROM generate_series(1, %s)", [size]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_all(maker: Maker, sizes: list[int], report: Counter, on_chunk) -> None:
    text = _("Your item has been registered.")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_build_chunk, maker, sizes[0], _reserve_ids(sizes[0]), text) if sizes else None
        for n in range(len(sizes)):
            chunk = pending.result()
            if n + 1 < len(sizes):
                pending = pool.submit(_build_chunk, maker, sizes[n + 1], _reserve_ids(sizes[n + 1]), text)
            taken = taken_numbers(chunk.numbers)
            if taken:  # about once in ten million rows: new numbers, serialised again here
                used = set(chunk.numbers) | taken
                for i, number in enumerate(chunk.numbers):
                    while number in used:
                        number = tracking_number(secrets.randbits(40), chunk.items[i].values["registered_at"])
                    used.add(number)
                    chunk.numbers[i] = number
                chunk = _serialise(chunk.items, chunk.ids, chunk.numbers, maker.net, text)
            with connection.cursor() as cursor:
                _copy(cursor, Petition, PETITION_COLUMNS, chunk.petitions)
                _copy(cursor, PetitionRepresentative, LINK_COLUMNS, chunk.links)
                _copy(cursor, PetitionEvent, EVENT_COLUMNS, chunk.events)
                _copy(cursor, Assignment, ASSIGNMENT_COLUMNS, chunk.shares)
            report["petition"] += len(chunk.items)
            report["petitionrepresentative"] += chunk.link_count
            report["petitionevent"] += len(chunk.items)
            report["assignment"] += chunk.share_count
            on_chunk(report["petition"])


def _copy(cursor, model, columns: list[str], buffer: io.StringIO) -> None:
    quote = connection.ops.quote_name
    columns_sql = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    cursor.copy_expert(f"COPY {quote(model._meta.db_table)} ({columns_sql}) FROM STDIN", buffer)


def _rows_now() -> int:
    """The planner's estimate of the petitions already there (a count would scan millions of rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'petitions_petition'::regclass")
        return max(0, cursor.fetchone()[0])


def _drop_secondary_indexes(log) -> list[str]:
    """Drop the non-unique indexes of the petition tables and the assignments (inside the caller's
    transaction); return the statements that build them again. Unique ones stay: they catch duplicates."""
    with connection.cursor() as cursor:
        # Foreign keys checked as rows arrive, not queued until commit: a queue of
        # millions of deferred checks would sit in the server's memory.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary""",
            [[m._meta.db_table for m in TABLES]],
        )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    log(f"{len(found)} indexes dropped for the load")
    return [sql for _name, sql in found]


def _build_indexes(statements: list[str], log) -> None:
    started = clock.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for sql in statements:
            cursor.execute(sql)
    log(f"{len(statements)} indexes built again in {clock.monotonic() - started:.1f} s")
