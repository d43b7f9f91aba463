"""Excel rosters of stations and representatives: columns, template, import and export.

Each roster's columns are defined once (`STATION_ROSTER`, `REPRESENTATIVE_ROSTER`)
and drive the template, the importer and the exporter, so an exported file can
be edited and imported again. Imports and large exports run as background jobs
(liaison.jobs); every read and write goes through the job owner's
`visible_to()` querysets, and a reference to something outside the owner's
scope reads exactly like a reference to something that does not exist.
"""

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from liaison.access import forget_scope
from liaison.jobs import JobRejected, JobResult, runner, temp_path
from liaison.models import Jurisdiction, Role

from .models import ALLOWED_PARENT_KINDS, ROOT_KINDS, Level, Membership, ProfessionalGroup, Representative, Station, StationKind
from .selectors import representative_filter, representative_list, station_filter, station_list

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Up to this many rows an export is written during the request; above it, a job.
DIRECT_EXPORT_LIMIT = 2000
# A file where every row is wrong would otherwise store a six-figure error list.
MAX_REPORTED_ERRORS = 10_000
LOOKUP_CHUNK = 900  # codes per `IN (...)`: below SQLite's historic 999-parameter limit
WRITE_BATCH = 1000
HEADER_SEARCH_ROWS = 10  # offices often put a title row or two above the header
CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")

STATION_IMPORT, STATION_EXPORT = "stations.import", "stations.export"
REPRESENTATIVE_IMPORT, REPRESENTATIVE_EXPORT = "representatives.import", "representatives.export"


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One roster column. `field` is the model field it fills (None: handled by the roster)."""

    key: str
    label: object  # lazy translated header label
    help: object
    type: str = "text"  # text | int | decimal | bool | choice | code | codes
    field: str | None = None
    required: bool = False
    choices: tuple = ()  # (value, lazy label) pairs for type "choice"
    places: int = 0  # decimal places for type "decimal"
    width: int = 14
    example: object = ""
    text_format: bool = False  # keep Excel from turning long numbers into 1.1E+11
    private: bool = False  # only for users who may see representatives' private phones

    def allowed_labels(self) -> list[str]:
        if self.type == "choice":
            return [str(label) for _value, label in self.choices]
        if self.type == "bool":
            return [_("Yes"), _("No")]
        return []


STATION_COLUMNS = (
    Column("code", gettext_lazy("Station number"), gettext_lazy("The number the office gives the station, e.g. 110119100-01."),
           type="code", field="code", required=True, width=18, example="110119100-01", text_format=True),
    Column("name", gettext_lazy("Station name"), gettext_lazy("The full name on the station's sign."),
           field="name", required=True, width=28, example="东关村人大代表联络站"),
    Column("kind", gettext_lazy("Kind"), gettext_lazy("Choose from the list."),
           type="choice", field="kind", required=True, choices=tuple(StationKind.choices), width=16, example=StationKind.STATION),
    Column("parent", gettext_lazy("Parent station number"),
           gettext_lazy("The number of the home or station this one belongs to: an existing one or one in this file. Leave blank for a home."),
           type="code", width=18, example="110119100-00", text_format=True),
    Column("jurisdiction", gettext_lazy("Administrative code"),
           gettext_lazy("The 12-digit code of the district, street, township, community or village."),
           type="code", required=True, width=16, example="110119100201", text_format=True),
    Column("address", gettext_lazy("Address"), gettext_lazy("Where residents find the station."),
           field="address", required=True, width=32, example="延庆区延庆镇东关村村委会二层"),
    Column("latitude", gettext_lazy("Latitude"), gettext_lazy("Decimal degrees, e.g. 40.465500. Give both latitude and longitude, or neither."),
           type="decimal", field="latitude", places=6, width=12, example=Decimal("40.465500")),
    Column("longitude", gettext_lazy("Longitude"), gettext_lazy("Decimal degrees, e.g. 115.985300."),
           type="decimal", field="longitude", places=6, width=12, example=Decimal("115.985300")),
    Column("opening_hours", gettext_lazy("Opening hours"), gettext_lazy("For example: Mon-Fri 9:00-17:00; reception day the 15th."),
           field="opening_hours", width=28, example="周一至周五 9:00-17:00，每月15日接待日"),
    Column("phone", gettext_lazy("Phone"), gettext_lazy("A mobile number or a landline such as 010-69101234."),
           field="phone", width=16, example="010-69101234", text_format=True),
    Column("area_m2", gettext_lazy("Floor area (m²)"), gettext_lazy("Whole square metres."),
           type="int", field="area_m2", width=12, example=120),
    Column("annual_budget", gettext_lazy("Annual budget (yuan)"), gettext_lazy("Yuan, at most two decimals."),
           type="decimal", field="annual_budget", places=2, width=14, example=Decimal("20000.00")),
    Column("is_active", gettext_lazy("In service"), gettext_lazy("Yes or no; blank means yes."),
           type="bool", field="is_active", width=10, example=True),
)

REPRESENTATIVE_COLUMNS = (
    Column("code", gettext_lazy("Representative number"), gettext_lazy("The number the office gives the representative: letters, digits and hyphens."),
           type="code", field="code", required=True, width=18, example="R-2026-001", text_format=True),
    Column("name", gettext_lazy("Full name"), gettext_lazy("Full name."), field="name", required=True, width=12, example="张建国"),
    Column("gender", gettext_lazy("Gender"), gettext_lazy("Choose from the list."),
           type="choice", field="gender", choices=tuple(Representative.Gender.choices), width=8, example=Representative.Gender.MALE),
    Column("level", gettext_lazy("Level"), gettext_lazy("The congress the representative sits in."),
           type="choice", field="level", required=True, choices=tuple(Level.choices), width=14, example=Level.COUNTY),
    Column("jurisdiction", gettext_lazy("Elected in (administrative code)"),
           gettext_lazy("The 12-digit code of the province, city, district or township whose congress the representative sits in."),
           type="code", required=True, width=18, example="110119000000", text_format=True),
    Column("constituency", gettext_lazy("Constituency"), gettext_lazy("The electoral district."), field="constituency", width=18, example="延庆镇第3选区"),
    Column("work_unit", gettext_lazy("Work unit"), gettext_lazy("Employer or organisation."), field="work_unit", width=24, example="延庆镇东关村村民委员会"),
    Column("position", gettext_lazy("Position"), gettext_lazy("Post in the work unit."), field="position", width=14, example="村委会主任"),
    Column("public_phone", gettext_lazy("Public phone"), gettext_lazy("Shown to residents: a mobile number or a landline such as 010-69101234."),
           field="public_phone", width=16, example="010-69101234", text_format=True),
    Column("private_phone", gettext_lazy("Private phone"), gettext_lazy("An 11-digit mobile number; never shown to the public."),
           field="private_phone", width=14, example="13900000000", text_format=True, private=True),
    Column("professional_group", gettext_lazy("Professional group"), gettext_lazy("Choose from the list."),
           type="choice", field="professional_group", choices=tuple(ProfessionalGroup.choices), width=16, example=ProfessionalGroup.AGRICULTURE),
    Column("grid_cell", gettext_lazy("Grid cell"), gettext_lazy("The governance grid cell the representative is attached to."),
           field="grid_cell", width=16, example="东关村第2网格"),
    Column("term_number", gettext_lazy("Term number"), gettext_lazy("The session number of the congress, e.g. 17."),
           type="int", field="term_number", width=10, example=17),
    Column("term_start", gettext_lazy("Term start (year)"), gettext_lazy("Four-digit year."), type="int", field="term_start", width=10, example=2021),
    Column("term_end", gettext_lazy("Term end (year)"), gettext_lazy("Four-digit year, not before the start."), type="int", field="term_end", width=10, example=2026),
    Column("stations", gettext_lazy("Station numbers"),
           gettext_lazy("The stations the representative is attached to. Separate several numbers with “、”, “,” or “;”. Listed stations are added; existing memberships are kept."),
           type="codes", width=26, example="110119100-01、110119100-02", text_format=True),
    Column("head_of", gettext_lazy("Head of station (number)"),
           gettext_lazy("Optional: the number of the station this representative heads. A station has at most one head."),
           type="codes", width=18, example="110119100-01", text_format=True),
    Column("is_active", gettext_lazy("Serving"), gettext_lazy("Yes or no; blank means yes."),
           type="bool", field="is_active", width=8, example=True),
)


@dataclass(frozen=True)
class Roster:
    key: str  # "stations" | "representatives": also the nav entry
    model: type
    columns: tuple[Column, ...]
    title: object  # "Station roster"
    entity: object  # "station"
    import_kind: str
    export_kind: str
    notes: tuple = field(default=())

    def column(self, key) -> Column:
        return next(c for c in self.columns if c.key == key)

    def columns_for(self, user) -> list[Column]:
        private = user.has_perm("stations.view_private_phone")
        return [c for c in self.columns if private or not c.private]

    def template_filename(self) -> str:
        return _("%(roster)s import template.xlsx") % {"roster": self.title}

    def export_filename(self) -> str:
        return f"{self.title}-{timezone.localdate():%Y%m%d}.xlsx"


STATION_ROSTER = Roster(
    "stations", Station, STATION_COLUMNS, gettext_lazy("Station roster"), gettext_lazy("station"),
    STATION_IMPORT, STATION_EXPORT,
    notes=(gettext_lazy("A parent station may be a station that already exists or one defined in the same file; "
                        "a home has no parent, a station belongs to a home, a contact point to a station or a home."),),
)
REPRESENTATIVE_ROSTER = Roster(
    "representatives", Representative, REPRESENTATIVE_COLUMNS, gettext_lazy("Representative roster"),
    gettext_lazy("representative"), REPRESENTATIVE_IMPORT, REPRESENTATIVE_EXPORT,
    notes=(gettext_lazy("Station numbers add the representative to those stations; memberships not listed are kept. "
                        "Remove a representative from a station on the station's page."),),
)


def general_notes(roster: Roster) -> list[str]:
    """The instructions shown on the import page and in the template's second sheet."""
    entity = roster.entity
    return [
        _("Fill in one %(entity)s per row below the header row. Keep the header row; columns may be in any order and extra columns are ignored.") % {"entity": entity},
        _("Required columns (red headers in the template) must be filled in. The first row below the header is an example: replace it or delete it."),
        _("When the number matches a %(entity)s in your area, that record is updated with the values in the file; otherwise a new one is created.") % {"entity": entity},
        _("The whole file is checked first. If any row has a problem, nothing is imported and every problem is listed with its row number."),
        _("At most %(count)s rows per file.") % {"count": number_format(settings.LIAISON_MAX_IMPORT_ROWS, force_grouping=True)},
        *[str(n) for n in roster.notes],
    ]


# --------------------------------------------------------------------------- template


def _header_font(column):
    return Font(bold=True, color="C00000" if column.required else "000000")


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def template_workbook(roster: Roster, user) -> bytes:
    """The import template: header, one example row, dropdowns and an instructions sheet."""
    columns = roster.columns_for(user)
    wb = Workbook()
    ws = wb.active
    ws.title = str(roster.title)[:31]
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        header = ws.cell(row=1, column=i, value=str(column.label))
        header.font, header.fill = _header_font(column), _HEADER_FILL
        header.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = column.width
        if column.text_format:
            ws.column_dimensions[letter].number_format = "@"
        example = ws.cell(row=2, column=i, value=_display(column, column.example))
        example.font = Font(italic=True, color="808080")
        if column.text_format:
            example.number_format = "@"
        labels = column.allowed_labels()
        if labels:
            dv = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(label.replace('"', "") for label in labels)),
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                error=_("Choose a value from the list."),
            )
            dv.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30

    notes = wb.create_sheet(_("Instructions")[:31])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 40
    notes.append([_("%(roster)s: how to fill it in") % {"roster": roster.title}])
    notes["A1"].font = Font(bold=True, size=14)
    for line in general_notes(roster):
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("Description"), _("Allowed values")])
    for cell in notes[notes.max_row]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for column in columns:
        notes.append([str(column.label), _("Yes") if column.required else "", str(column.help), " / ".join(column.allowed_labels())])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _display(column: Column, value):
    """A value as a cell shows it: choice and yes/no values become their translated labels."""
    if column.type == "choice":
        return str(dict(column.choices).get(value, value or ""))
    if column.type == "bool":
        return _("Yes") if value else _("No")
    return value


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
            message = _("Nothing was imported. Problems found: %(count)s, in %(rows)s rows; the first %(shown)s are listed. "
                        "Correct the file and upload it again.")
        else:
            message = _("Nothing was imported. Problems found: %(count)s, in %(rows)s rows. Correct the file and upload it again.")
        raise JobRejected(message % values, self.items)


def _read_rows(fh, roster: Roster, owner, progress) -> tuple[list[_Row], set[str]]:
    """Read the first sheet: find the header, convert every non-blank row.

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
    try:
        ws = wb.worksheets[0]
        estimate = max((ws.max_row or 0) - 1, 0)
        progress.total(estimate * 2)
        mapping, rows = None, []
        limit = settings.LIAISON_MAX_IMPORT_ROWS
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if mapping is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                mapping = _match_header(values, aliases, roster, number)
                continue
            if all(_blank(v) for v in values):
                continue
            if len(rows) >= limit:
                raise JobRejected(
                    _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": limit}
                )
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
            [{"row": 1, "column": "", "message": _("The header row must contain the column “%(column)s”.")
              % {"column": roster.columns[0].label}}],
        )
    if not rows:
        raise JobRejected(_("The file has no rows to import."))
    if len(rows) != estimate:
        progress.total(len(rows) * 2)
    progress.advance(len(rows), force=True)
    return rows, {c.key for c in mapping.values()}


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
    errors += [{"row": number, "column": str(c.label), "message": _("This required column is missing.")} for c in missing]
    if errors:
        raise JobRejected(_("The header row does not match the template."), errors)
    return found


def _chunks(items, size=LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _by_code(queryset, codes) -> dict:
    found = {}
    for chunk in _chunks(codes):
        found.update({obj.code: obj for obj in queryset.filter(code__in=chunk).order_by()})
    return found


def _existing_codes(model, codes) -> set[str]:
    found = set()
    for chunk in _chunks(codes):
        found.update(model.objects.filter(code__in=chunk).order_by().values_list("code", flat=True))
    return found


def _is_station_staff(user) -> bool:
    return user.role == Role.STATION_STAFF and not user.is_system_admin


# --------------------------------------------------------------------------- import: validation


class _Import:
    """Shared steps of both importers: per-row field checks, number matching, errors."""

    roster: Roster
    jurisdiction_levels: tuple

    def __init__(self, owner, rows, present, progress):
        self.owner, self.rows, self.present, self.progress = owner, rows, present, progress
        self.errors = _Errors()
        self.col = {c.key: c for c in self.roster.columns}

    def error(self, row, key, message):
        self.errors.add(row.number, self.col[key].label if key else "", message)

    def match_numbers(self):
        """Pair each row with the visible record of its number (update) or a new instance (create)."""
        model = self.roster.model
        codes = {r.cells["code"] for r in self.rows if isinstance(r.cells.get("code"), str)}
        visible = _by_code(self.visible_queryset(), codes)
        taken = _existing_codes(model, codes - set(visible))
        first_row = {}
        for row in self.rows:
            for column, message in row.problems:
                self.error(row, column.key, message)
            for column in self.roster.columns:
                if column.required and column.key not in row.cells and column.key not in row.failed:
                    self.error(row, column.key, _("This column is required."))
            code = row.cells.get("code")
            row.instance = None
            if code is None:
                continue
            if code in first_row:
                self.error(row, "code", _("This number appears more than once in the file (first in row %(row)s).")
                           % {"row": first_row[code]})
                continue
            first_row[code] = row.number
            if code in taken:
                # Used by a record outside the owner's area: say no more than that.
                self.error(row, "code", _("This number is already in use."))
                continue
            row.instance = visible.get(code) or model(code=code)
        self.by_code = {r.cells["code"]: r for r in self.rows if r.instance is not None}

    def set_fields(self, row):
        """Copy the present simple columns onto the instance and run the model field validators."""
        instance, checked = row.instance, set()
        creating = instance.pk is None
        for key in self.present:
            column = self.col[key]
            if column.field is None or column.field == "code" or key in row.failed:
                continue
            model_field = instance._meta.get_field(column.field)
            value = row.cells.get(key)
            if value is None and column.required:
                continue  # reported as required
            if value is None:
                if column.type == "bool":
                    value = True
                elif model_field.null:
                    value = None
                else:
                    value = ""
            setattr(instance, column.field, value)
            checked.add(column.field)
        if creating:
            checked.add("code")
        exclude = [f.name for f in instance._meta.fields if f.name not in checked]
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            self.add_validation_error(row, error)
            return False
        return True

    def add_validation_error(self, row, error):
        by_field = {c.field: c.key for c in self.roster.columns if c.field}
        for name, messages in error.message_dict.items():
            key = by_field.get(name) if name != NON_FIELD_ERRORS else None
            for message in messages:
                self.error(row, key, message)

    def resolve_jurisdictions(self):
        codes = {r.cells["jurisdiction"] for r in self.rows if r.instance is not None and "jurisdiction" in r.cells}
        self.jurisdictions = _by_code(Jurisdiction.objects.visible_to(self.owner), codes)

    def set_jurisdiction(self, row):
        if "jurisdiction" not in self.present or "jurisdiction" in row.failed:
            return
        code = row.cells.get("jurisdiction")
        if code is None:
            return  # reported as required
        instance = row.instance
        if instance.pk and instance.jurisdiction.code == code:
            return  # unchanged: fine even where the owner could not choose it today
        jurisdiction = self.jurisdictions.get(code)
        if jurisdiction is None:
            self.error(row, "jurisdiction", _("No jurisdiction with this code in your area."))
        elif jurisdiction.level not in self.jurisdiction_levels:
            self.error(row, "jurisdiction", _("A %(level)s cannot be used here; use the code of a %(allowed)s.") % {
                "level": jurisdiction.get_level_display(),
                "allowed": " / ".join(str(Jurisdiction.Level(level).label) for level in self.jurisdiction_levels),
            })
        else:
            instance.jurisdiction = jurisdiction

    def run(self) -> str:
        """Validate every row, then write all of them in one transaction, or nothing.

        Progress written during the transaction becomes visible only at its
        commit on PostgreSQL; the reading and checking phase, the long one, is
        reported live.
        """
        self.match_numbers()
        self.validate()
        self.errors.raise_if_any()
        try:
            with transaction.atomic():
                message = self.write()
        except IntegrityError:
            # Someone saved the same number or a second head while we checked the file.
            raise JobRejected(_("The roster changed while the file was being imported. Nothing was imported; upload the file again.")) from None
        forget_scope(self.owner)
        return message

    def advance_writes(self, done):
        self.progress.advance(len(self.rows) + done)


class _StationImport(_Import):
    roster = STATION_ROSTER
    jurisdiction_levels = (Jurisdiction.Level.COUNTY, Jurisdiction.Level.TOWNSHIP, Jurisdiction.Level.COMMUNITY)

    def visible_queryset(self):
        return Station.objects.visible_to(self.owner).select_related("parent", "jurisdiction")

    def validate(self):
        live = [r for r in self.rows if r.instance is not None]
        self.resolve_jurisdictions()
        parent_codes = {r.cells["parent"] for r in live if "parent" in r.cells} - set(self.by_code)
        self.parents = _by_code(Station.objects.visible_to(self.owner), parent_codes)
        staff = _is_station_staff(self.owner)
        own = set(self.owner.staffed_stations.values_list("pk", flat=True)) if staff else set()
        for row in live:
            self.set_fields(row)
            self.set_jurisdiction(row)
        for row in live:
            self.check_parent(row, staff, own)
            self.check_location(row)

    def kind_of(self, code_or_station):
        if isinstance(code_or_station, Station):
            return code_or_station.kind
        row = self.by_code[code_or_station]
        return row.instance.kind if "kind" in row.cells else None

    def check_parent(self, row, staff, own):
        instance = row.instance
        row.parent = instance.parent if instance.pk else None  # a Station, a file code, or None
        if "parent" in self.present and "parent" not in row.failed:
            code = row.cells.get("parent")
            if code is None:
                row.parent = None
            elif code == instance.code:
                self.error(row, "parent", _("A station cannot belong to itself."))
                return
            elif code in self.by_code:
                target = self.by_code[code]
                row.parent = target.instance if target.instance.pk else code
            elif code in self.parents:
                row.parent = self.parents[code]
            elif instance.pk and instance.parent_id and instance.parent.code == code:
                pass  # unchanged
            else:
                self.error(row, "parent", _("No station with this number in your area."))
                return
        if staff and row.parent is None and instance.pk not in own:
            self.error(row, "parent", _("Station staff add stations below one of their own stations."))
            return
        if "kind" in row.failed or "kind" not in row.cells:
            return  # reported already; a guessed kind would only add noise
        if row.parent is None:
            if instance.kind not in ROOT_KINDS:
                self.error(row, "parent", _("A contact point must belong to a station or a home."))
            return
        parent_kind = self.kind_of(row.parent)
        if parent_kind is not None and parent_kind not in ALLOWED_PARENT_KINDS.get(instance.kind, set()):
            self.error(row, "parent", _("A %(kind)s cannot belong to a %(parent)s.") % {
                "kind": StationKind(instance.kind).label, "parent": StationKind(parent_kind).label})

    def check_location(self, row):
        instance = row.instance
        if {"latitude", "longitude"} & row.failed:
            return
        if (instance.latitude is None) != (instance.longitude is None):
            self.error(row, "latitude", _("Give both latitude and longitude, or neither."))

    def write(self) -> str:
        now = timezone.now()
        rows = [r for r in self.rows if r.instance is not None]
        new = [r for r in rows if r.instance.pk is None]
        old = [r for r in rows if r.instance.pk is not None]
        done = 0
        # Parents defined in the file are created before their children (the tree is at most three deep).
        pending = new
        while pending:
            ready = [r for r in pending if not isinstance(r.parent, str) or self.by_code[r.parent].instance.pk]
            for chunk in _chunks(ready, WRITE_BATCH):
                for row in chunk:
                    self._link_parent(row)
                Station.objects.bulk_create([r.instance for r in chunk], batch_size=WRITE_BATCH)
                done += len(chunk)
                self.advance_writes(done)
            pending = [r for r in pending if r.instance.pk is None]
            if not ready:  # impossible after validation; never loop forever
                raise RuntimeError("unresolvable parents in station import")
        fields = [self.col[k].field for k in self.present if self.col[k].field and k != "code"]
        fields += [name for key, name in (("parent", "parent"), ("jurisdiction", "jurisdiction")) if key in self.present]
        for chunk in _chunks(old, WRITE_BATCH):
            for row in chunk:
                self._link_parent(row)
                row.instance.updated_at = now
            Station.objects.bulk_update([r.instance for r in chunk], [*fields, "updated_at"], batch_size=WRITE_BATCH)
            done += len(chunk)
            self.advance_writes(done)
        return _("Import finished: %(created)s created, %(updated)s updated.") % {"created": len(new), "updated": len(old)}

    def _link_parent(self, row):
        parent = row.parent
        if isinstance(parent, str):
            parent = self.by_code[parent].instance
        row.instance.parent = parent


class _RepresentativeImport(_Import):
    roster = REPRESENTATIVE_ROSTER
    jurisdiction_levels = (
        Jurisdiction.Level.PROVINCE, Jurisdiction.Level.CITY, Jurisdiction.Level.COUNTY, Jurisdiction.Level.TOWNSHIP,
    )

    def visible_queryset(self):
        return Representative.objects.visible_to(self.owner).select_related("jurisdiction")

    def validate(self):
        live = [r for r in self.rows if r.instance is not None]
        self.resolve_jurisdictions()
        codes = set()
        for row in live:
            codes.update(row.cells.get("stations", ()), row.cells.get("head_of", ()))
        self.stations = _by_code(Station.objects.visible_to(self.owner), codes)
        head_pks = {self.stations[c].pk for r in live for c in r.cells.get("head_of", ()) if c in self.stations}
        self.current_heads = {}
        for chunk in _chunks(head_pks):
            self.current_heads.update(
                Membership.objects.filter(station_id__in=chunk, role=Membership.Role.HEAD).values_list("station_id", "representative_id")
            )
        staff = _is_station_staff(self.owner)
        heads_in_file = {}
        for row in live:
            if self.set_fields(row):
                try:
                    row.instance.clean()
                except ValidationError as error:
                    self.add_validation_error(row, error)
            self.set_jurisdiction(row)
            row.member_of = self.resolve_stations(row, "stations")
            row.head_of = self.resolve_stations(row, "head_of")
            for station in row.head_of:
                holder = self.current_heads.get(station.pk)
                if holder is not None and holder != row.instance.pk:
                    self.error(row, "head_of", _("Station %(code)s already has a head. Change the head on the station's page first.")
                               % {"code": station.code})
                elif station.pk in heads_in_file:
                    self.error(row, "head_of", _("Row %(row)s already makes another representative the head of station %(code)s.")
                               % {"row": heads_in_file[station.pk], "code": station.code})
                else:
                    heads_in_file[station.pk] = row.number
            if staff and row.instance.pk is None and not (row.member_of or row.head_of):
                self.error(row, "stations", _("Station staff attach a new representative to one of their stations."))

    def resolve_stations(self, row, key) -> list:
        found = []
        for code in row.cells.get(key, ()):
            station = self.stations.get(code)
            if station is None:
                self.error(row, key, _("No station with the number %(code)s in your area.") % {"code": code})
            elif station not in found:
                found.append(station)
        return found

    def write(self) -> str:
        now = timezone.now()
        rows = [r for r in self.rows if r.instance is not None]
        new = [r for r in rows if r.instance.pk is None]
        old = [r for r in rows if r.instance.pk is not None]
        done = 0
        for chunk in _chunks(new, WRITE_BATCH):
            Representative.objects.bulk_create([r.instance for r in chunk], batch_size=WRITE_BATCH)
            done += len(chunk)
            self.advance_writes(done)
        fields = [self.col[k].field for k in self.present if self.col[k].field and k != "code"]
        if "jurisdiction" in self.present:
            fields.append("jurisdiction")
        for chunk in _chunks(old, WRITE_BATCH):
            for row in chunk:
                row.instance.updated_at = now
            Representative.objects.bulk_update([r.instance for r in chunk], [*fields, "updated_at"], batch_size=WRITE_BATCH)
            done += len(chunk)
            self.advance_writes(done)
        added = self._write_memberships(rows)
        return _("Import finished: %(created)s created, %(updated)s updated, %(memberships)s station memberships added.") % {
            "created": len(new), "updated": len(old), "memberships": added}

    def _write_memberships(self, rows) -> int:
        wanted = {}  # (representative id, station id) -> role
        for row in rows:
            for station in row.member_of:
                wanted.setdefault((row.instance.pk, station.pk), Membership.Role.MEMBER)
            for station in row.head_of:
                wanted[(row.instance.pk, station.pk)] = Membership.Role.HEAD
        if not wanted:
            return 0
        existing = {}
        for chunk in _chunks({rep for rep, _station in wanted}):
            for pk, rep, station, role in Membership.objects.filter(representative_id__in=chunk).values_list(
                "pk", "representative_id", "station_id", "role"
            ):
                existing[(rep, station)] = (pk, role)
        create = [
            Membership(representative_id=rep, station_id=station, role=role)
            for (rep, station), role in wanted.items() if (rep, station) not in existing
        ]
        promote = [existing[key][0] for key, role in wanted.items()
                   if role == Membership.Role.HEAD and key in existing and existing[key][1] != role]
        for chunk in _chunks(promote):
            Membership.objects.filter(pk__in=chunk).update(role=Membership.Role.HEAD)
        Membership.objects.bulk_create(create, batch_size=WRITE_BATCH)
        return len(create)


def _run_import(importer_class, job, progress) -> JobResult:
    owner = job.owner
    if not owner.is_active or not owner.has_perm("stations.import_roster"):
        raise JobRejected(_("You may no longer import rosters."))
    with job.upload.open("rb") as fh:
        rows, present = _read_rows(fh, importer_class.roster, owner, progress)
    return JobResult(message=importer_class(owner, rows, present, progress).run())


@runner(STATION_IMPORT)
def run_station_import(job, progress):
    return _run_import(_StationImport, job, progress)


@runner(REPRESENTATIVE_IMPORT)
def run_representative_import(job, progress):
    return _run_import(_RepresentativeImport, job, progress)


# --------------------------------------------------------------------------- export


def export_queryset(roster: Roster, user, params: QueryDict, request=None):
    """The list page's filtered, sorted queryset for `user` (a request is only needed for `.user`)."""
    request = request or SimpleNamespace(user=user, GET=params)
    if roster is STATION_ROSTER:
        return station_list(station_filter(user, params, request), params.get("sort", ""))
    return representative_list(representative_filter(user, params, request), params.get("sort", ""))


def _station_values(station, extra) -> dict:
    return {
        "code": station.code, "name": station.name, "kind": station.kind,
        "parent": station.parent.code if station.parent_id else "",
        "jurisdiction": station.jurisdiction.code, "address": station.address,
        "latitude": station.latitude, "longitude": station.longitude, "opening_hours": station.opening_hours,
        "phone": station.phone, "area_m2": station.area_m2, "annual_budget": station.annual_budget,
        "is_active": station.is_active,
    }


def _representative_values(rep, extra) -> dict:
    stations = extra.get(rep.pk, ())
    values = {c.field: getattr(rep, c.field) for c in REPRESENTATIVE_COLUMNS if c.field}
    values["jurisdiction"] = rep.jurisdiction.code
    values["stations"] = "、".join(code for code, _role in stations)
    values["head_of"] = "、".join(code for code, role in stations if role == Membership.Role.HEAD)
    return values


def _representative_stations(reps, user) -> dict:
    """Visible station numbers (and roles) of a chunk of representatives: no station outside the scope."""
    found = {}
    memberships = (
        Membership.objects.filter(representative__in=[r.pk for r in reps], station__in=Station.objects.visible_to(user))
        .order_by("station__code")
        .values_list("representative_id", "station__code", "role")
    )
    for rep_id, code, role in memberships:
        found.setdefault(rep_id, []).append((code, role))
    return found


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_export(roster: Roster, queryset, user, target, on_rows: Callable[[int], None] | None = None) -> int:
    """Write the roster of `queryset` (already scoped) as .xlsx to `target`; returns the row count."""
    columns = roster.columns_for(user)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(roster.title)[:31])
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 7
    for i, column in enumerate(columns, start=2):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    header = []
    for label, font in [(_("No."), Font(bold=True)), *[(str(c.label), _header_font(c)) for c in columns]]:
        cell = WriteOnlyCell(ws, value=label)
        cell.font, cell.fill = font, _HEADER_FILL
        header.append(cell)
    ws.append(header)
    values_of = _station_values if roster is STATION_ROSTER else _representative_values
    number = 0
    for batch in _batched(queryset.iterator(chunk_size=2000), 2000):
        extra = _representative_stations(batch, user) if roster is REPRESENTATIVE_ROSTER else {}
        for obj in batch:
            number += 1
            values = values_of(obj, extra)
            ws.append([number, *[_text_safe(ws, _export_cell(c, values.get(c.key))) for c in columns]])
        if on_rows:
            on_rows(number)
    wb.save(target)
    return number


def _export_cell(column, value):
    if value is None:
        return None
    if column.type in ("choice", "bool"):
        return _display(column, value)
    if isinstance(value, Decimal):
        return float(value)  # a number Excel can sum, not text
    return value


def _text_safe(ws, value):
    """Text that starts with "=" stays text: a station name must never become a live formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def export_bytes(roster: Roster, queryset, user) -> bytes:
    out = io.BytesIO()
    write_export(roster, queryset, user, out)
    return out.getvalue()


def _run_export(roster: Roster, job, progress) -> JobResult:
    owner = job.owner
    if not owner.is_active or not owner.has_perm("stations.export_roster"):
        raise JobRejected(_("You may no longer export rosters."))
    params = QueryDict(job.params.get("query", ""))
    queryset = export_queryset(roster, owner, params)
    progress.total(queryset.count())
    path = temp_path()
    count = write_export(roster, queryset, owner, path, on_rows=lambda n: progress.advance(n, force=True))
    return JobResult(
        message=_("%(count)s rows exported.") % {"count": count}, path=path, name=job.params.get("filename") or roster.export_filename()
    )


@runner(STATION_EXPORT)
def run_station_export(job, progress):
    return _run_export(STATION_ROSTER, job, progress)


@runner(REPRESENTATIVE_EXPORT)
def run_representative_export(job, progress):
    return _run_export(REPRESENTATIVE_ROSTER, job, progress)
