"""Sorts and keyset pages of the ledger.

A page is found by KEYSET on (sort value, id), never by OFFSET: page 20,000
costs what page 1 costs. The cursor is opaque in the URL (base64 of a small
JSON list: direction, sort, value, id, position); a malformed cursor or one of
another sort gives the first page. The default order (received_on desc, id desc)
is the `petition_ledger_order` index of `Petition.Meta`.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from petitions.models import Status

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
# The total is counted up to this many rows and shown as "10,000+" beyond.
COUNT_CAP = 10_000
DEFAULT_SORT = "-received"


# -- sorts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    field: str  # a column or an annotation of the queryset
    kind: type  # date or int: how a cursor's value is read back
    nullable: bool = False
    annotation: object = None


def _status_rank():
    """The statuses in the order of a petition's life, not alphabetically."""
    return Case(
        *[When(status=value, then=Value(i)) for i, value in enumerate(Status.values)],
        default=Value(len(Status.values)),
        output_field=IntegerField(),
    )


SORTS = {
    "received": SortKey("received_on", date),
    "due": SortKey("due_on", date, nullable=True),
    "status": SortKey("status_rank", int, annotation=_status_rank),
    # Categories group in taxonomy order (ids follow the seeded positions).
    "category": SortKey("category_id", int, nullable=True),
}


def sorted_queryset(queryset: QuerySet, sort: str) -> QuerySet:
    key = SORTS[sort.lstrip("-")]
    if key.annotation is not None:
        queryset = queryset.annotate(**{key.field: key.annotation()})
    return queryset.order_by(*_ordering(key, descending=sort.startswith("-")))


def _ordering(key: SortKey, *, descending: bool, reverse: bool = False):
    """Order by (value, id); nulls always last on screen (so first when walking backwards)."""
    desc = descending != reverse
    if key.nullable:
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        col = F(key.field).desc(**nulls) if desc else F(key.field).asc(**nulls)
    else:
        # No NULLS clause on a NOT NULL column, so the (received_on desc, id desc) index serves it.
        col = F(key.field).desc() if desc else F(key.field).asc()
    return [col, F("id").desc() if desc else F("id").asc()]


def _beyond(key: SortKey, value, pk: int, *, descending: bool, reverse: bool) -> Q:
    """Rows after (value, pk) in the given walk order."""
    desc = descending != reverse
    nulls_last = not reverse
    op = "lt" if desc else "gt"
    f = key.field
    if value is None:
        q = Q(**{f"{f}__isnull": True, f"id__{op}": pk})
        if not nulls_last:
            q |= Q(**{f"{f}__isnull": False})
        return q
    q = Q(**{f"{f}__{op}": value}) | Q(**{f: value, f"id__{op}": pk})
    if key.nullable and nulls_last:
        q |= Q(**{f"{f}__isnull": True})
    if not key.nullable:
        # A bound the index can seek to; the OR above only trims the rows that share `value`.
        q &= Q(**{f"{f}__{op}e": value})
    return q


# -- keyset pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    backward: bool
    value: object
    pk: int
    position: int  # 1-based position of the row the cursor names

    def encode(self, sort: str) -> str:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        raw = json.dumps(["p" if self.backward else "n", sort, value, self.pk, self.position], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: str) -> "Cursor | None":
        """The cursor, or None when it is malformed or belongs to another sort (then: the first page)."""
        if not token or len(token) > 200:
            return None
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            direction, token_sort, value, pk, position = raw
            if token_sort != sort or direction not in ("n", "p"):
                return None
            key = SORTS[sort.lstrip("-")]
            if value is not None:
                value = date.fromisoformat(value) if key.kind is date else int(value)
            return cls(direction == "p", value, int(pk), max(1, int(position)))
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
            return None


@dataclass
class KeysetPage:
    rows: list
    sort: str
    per_page: int
    start: int  # position of the first row, 1-based
    has_previous: bool
    has_next: bool
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def start_index(self) -> int:
        return self.start if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start + len(self.rows) - 1 if self.rows else 0


class KeysetPaginator:
    """Pages of `queryset` (already filtered) in `sort` order, `per_page` rows each, found by keyset."""

    def __init__(self, queryset: QuerySet, sort: str = DEFAULT_SORT, per_page: int = DEFAULT_PAGE_SIZE):
        self.sort = sort if sort.lstrip("-") in SORTS else DEFAULT_SORT
        self.key = SORTS[self.sort.lstrip("-")]
        self.descending = self.sort.startswith("-")
        self.per_page = per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE
        self.queryset = self._counted = queryset
        if self.key.annotation is not None:
            self.queryset = queryset.annotate(**{self.key.field: self.key.annotation()})

    def count(self) -> tuple[int, bool]:
        """The number of rows up to COUNT_CAP, and whether there are more."""
        n = self._counted.order_by()[: COUNT_CAP + 1].count()
        return min(n, COUNT_CAP), n > COUNT_CAP

    def page(self, token: str = "") -> KeysetPage:
        cursor = Cursor.decode(token, self.sort)
        if cursor is None:
            return self._forward(None)
        if cursor.backward:
            return self._backward(cursor)
        return self._forward(cursor)

    def _walk(self, cursor: Cursor | None, *, reverse: bool) -> list:
        qs = self.queryset.order_by(*_ordering(self.key, descending=self.descending, reverse=reverse))
        if cursor is not None:
            qs = qs.filter(_beyond(self.key, cursor.value, cursor.pk, descending=self.descending, reverse=reverse))
        return list(qs[: self.per_page + 1])

    def _forward(self, cursor: Cursor | None) -> KeysetPage:
        rows = self._walk(cursor, reverse=False)
        has_next = len(rows) > self.per_page
        rows = rows[: self.per_page]
        start = cursor.position + 1 if cursor else 1
        return self._page(rows, start=start, has_previous=cursor is not None, has_next=has_next)

    def _backward(self, cursor: Cursor) -> KeysetPage:
        rows = self._walk(cursor, reverse=True)
        has_previous = len(rows) > self.per_page
        if not has_previous:
            # Back at the beginning: show the full first page, not a short remainder.
            return self._forward(None)
        rows = list(reversed(rows[: self.per_page]))
        start = max(2, cursor.position - len(rows))
        return self._page(rows, start=start, has_previous=True, has_next=True)

    def _page(self, rows, *, start, has_previous, has_next) -> KeysetPage:
        page = KeysetPage(
            rows=rows, sort=self.sort, per_page=self.per_page, start=start, has_previous=has_previous, has_next=has_next
        )
        if rows:
            first, last = rows[0], rows[-1]
            if has_next:
                page.next_cursor = Cursor(False, self._value(last), last.pk, page.end_index).encode(self.sort)
            if has_previous:
                page.previous_cursor = Cursor(True, self._value(first), first.pk, page.start).encode(self.sort)
        return page

    def _value(self, row):
        return getattr(row, self.key.field)
