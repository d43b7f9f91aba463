"""Roster import, the reading step (`stations.roster.importing` validates and writes): find the
header row of the first sheet, convert every non-blank cell to its model value in any configured
language, and collect the problems found on the way. Reads the file only; writes nothing."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from liaison.jobs import JobRejected
from stations.roster.columns import CODE_SEPARATORS, HEADER_SEARCH_ROWS, MAX_REPORTED_ERRORS, Column, Roster

# --------------------------------------------------------------------------- cell parsing


class CellError(Exception):
    pass


def _norm(text) -> str:
    return re.sub(r"\s+", "", str(text)).strip("*＊").casefold()


def _in_every_language(label) -> set[str]:
    """A lazy label in every configured language, normalised (headers and choices match any of them)."""
    found = {_norm(label)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(_norm(label))
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _to_int(value):
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime | date):
        return value.year
    text = _text(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellError(_("Enter a whole number."))


def _to_decimal(value, places: int):
    try:
        if isinstance(value, float):
            # Excel stores binary floats: round to the field's precision rather than reject 40.46550000000001.
            return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(_text(value).replace(",", ""))
        if not number.is_finite():
            raise InvalidOperation
        return number
    except InvalidOperation:
        raise CellError(_("Enter a number.")) from None


class _Vocabulary:
    """Choice and yes/no words in every language, computed once per import."""

    def __init__(self, columns):
        self.choices = {}
        for column in columns:
            if column.type == "choice":
                words = {}
                for value, label in column.choices:
                    words[_norm(value)] = value
                    for word in _in_every_language(label):
                        words[word] = value
                self.choices[column.key] = words
        self.yes = {"1", "y", "yes", "true", "是", "√"} | _in_every_language(gettext_lazy("Yes"))
        self.no = {"0", "n", "no", "false", "否", "×"} | _in_every_language(gettext_lazy("No"))

    def convert(self, column: Column, value):
        """The model value of a non-blank cell, or CellError."""
        if column.type == "int":
            return _to_int(value)
        if column.type == "decimal":
            return _to_decimal(value, column.places)
        if column.type == "bool":
            if isinstance(value, bool):
                return value
            word = _norm(_text(value))
            if word in self.yes:
                return True
            if word in self.no:
                return False
            raise CellError(_("Enter yes or no."))
        if column.type == "choice":
            found = self.choices[column.key].get(_norm(_text(value)))
            if found is None:
                raise CellError(
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": _text(value), "choices": " / ".join(column.allowed_labels())}
                )
            return found
        if column.type == "codes":
            return [c for c in CODE_SEPARATORS.split(_text(value)) if c]
        return _text(value)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- import: reading


@dataclass
class _Row:
    number: int  # the Excel row number
    cells: dict  # column key -> converted value (only non-blank, convertible cells)
    failed: set = field(default_factory=set)  # column keys whose cell could not be read
    problems: list = field(default_factory=list)  # (column, message) found while reading


class _Errors:
    def __init__(self):
        self.items, self.total, self.bad_rows = [], 0, set()

    def add(self, row: int, column, message):
        self.total += 1
        self.bad_rows.add(row)
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append({"row": row, "column": str(column) if column else "", "message": str(message)})

    def raise_if_any(self):
        if not self.total:
            return
        values = {"count": self.total, "rows": len(self.bad_rows), "shown": len(self.items)}
        if self.total > len(self.items):
            message = _(
                "Nothing was imported. Problems found: %(count)s, in %(rows)s rows; the first %(shown)s are listed. "
                "Correct the file and upload it again."
            )
        else:
            message = _(
                "Nothing was imported. Problems found: %(count)s, in %(rows)s rows. Correct the file and upload it again."
            )
        raise JobRejected(message % values, self.items)


def _read_rows(fh, roster: Roster, owner, progress) -> tuple[list[_Row], set[str]]:
    """Read the first sheet as a stream (read-only): find the header, convert every non-blank row.

    Raises JobRejected for an unreadable file, a missing header or too many rows.
    """
    columns = roster.columns_for(owner)
    vocabulary = _Vocabulary(columns)
    aliases = {}
    for column in columns:
        for word in _in_every_language(column.label) | {_norm(column.key)}:
            aliases[word] = column
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # openpyxl raises a zoo of exceptions for broken files
        raise JobRejected(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    limit = settings.LIAISON_MAX_IMPORT_ROWS
    try:
        ws = wb.worksheets[0]
        estimate = _declared_rows(ws, limit)
        # Refused by the size the sheet declares (its <dimension>), before a single row is
        # converted; the count below still stops a file whose declaration understates it.
        if estimate > limit:
            raise JobRejected(_too_many_rows(limit))
        progress.total(estimate * 2)
        mapping, rows = None, []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if mapping is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                mapping = _match_header(values, aliases, roster, number)
                continue
            if all(_blank(v) for v in values):
                continue
            if len(rows) >= limit:
                raise JobRejected(_too_many_rows(limit))
            row = _Row(number, {})
            for index, column in mapping.items():
                value = values[index] if index < len(values) else None
                if _blank(value):
                    continue
                try:
                    row.cells[column.key] = vocabulary.convert(column, value)
                except CellError as error:
                    row.failed.add(column.key)
                    row.problems.append((column, str(error)))
            rows.append(row)
            progress.advance(len(rows))
    finally:
        wb.close()
    if mapping is None:
        raise JobRejected(
            _("No header row was found. Use the columns of the template."),
            [
                {
                    "row": 1,
                    "column": "",
                    "message": _("The header row must contain the column “%(column)s”.")
                    % {"column": roster.columns[0].label},
                }
            ],
        )
    if not rows:
        raise JobRejected(_("The file has no rows to import."))
    if len(rows) != estimate:
        progress.total(len(rows) * 2)
    progress.advance(len(rows), force=True)
    return rows, {c.key for c in mapping.values()}


def _declared_rows(ws, limit: int) -> int:
    """Rows below the header as the sheet declares them (Excel and WPS always do). A sheet that
    declares nothing (some generated files) is counted first, streaming and keeping nothing,
    up to one row past the limit."""
    if ws.max_row is not None:
        return max(ws.max_row - 1, 0)
    counted = 0
    for _row in ws.iter_rows(values_only=True):
        counted += 1
        if counted > limit + 1:
            break
    return max(counted - 1, 0)


def _too_many_rows(limit: int) -> str:
    return _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": limit}


def _match_header(values, aliases, roster, number):
    """{cell index: Column} when `values` is the header row (it names the number column), else None."""
    found, errors = {}, []
    for index, value in enumerate(values):
        column = aliases.get(_norm(_text(value))) if not _blank(value) else None
        if column is None:
            continue
        if column in found.values():
            errors.append({"row": number, "column": str(column.label), "message": _("This column appears twice.")})
            continue
        found[index] = column
    if roster.columns[0] not in found.values():
        return None
    missing = [c for c in roster.columns if c.required and c not in found.values()]
    errors += [
        {"row": number, "column": str(c.label), "message": _("This required column is missing.")} for c in missing
    ]
    if errors:
        raise JobRejected(_("The header row does not match the template."), errors)
    return found
