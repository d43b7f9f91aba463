"""The one Excel writer: every export and report workbook is described as `Sheet`s and written here.

A sheet is an optional title line and subtitle lines, one header row, the data
rows and an optional bold footer (totals). Sheets are written in openpyxl's
write-only mode, row by row from any iterable, so an export of 100,000 rows
keeps memory flat: pass a generator, never a list built for the purpose.

Every sheet gets the offices' print setup, because these files are printed
and filed: landscape A4, scaled to one page wide (as many pages long as it
takes), the header row repeated on every printed page, and an autofilter on
the header row. In write-only mode openpyxl writes the sheet properties (where
"fit to page" lives), the views (frozen panes) and the column widths when the
first row is appended, and the autofilter, page setup and print titles only
when the workbook is saved; the writer sets each at the right moment.

Cell values are made safe on the way: text starting with "=", "+", "-", "@", a tab
or a carriage return (OWASP's list for spreadsheet formula injection) is written as
a string cell with Excel's quote prefix, the stored form of a leading apostrophe, so
neither Excel nor WPS evaluates it, on opening or when the cell is edited; the text
itself reads back as typed. Numbers stay numbers. Characters Excel refuses are
dropped, lazy translations are rendered; dates keep openpyxl's `yyyy-mm-dd`.
"""

import io
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from liaison.web import no_store

__all__ = [
    "ALERT_FONT",
    "HEADER_FILL",
    "HEADER_FONT",
    "TITLE_FONT",
    "XLSX_CONTENT_TYPE",
    "Sheet",
    "Styled",
    "formula_like",
    "print_setup",
    "sheet_name",
    "text_only",
    "write_workbook",
    "xlsx_download",
    "xlsx_response",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAPER_A4 = 9  # the paperSize code of ISO A4 in SpreadsheetML

_THIN = Side(style="thin", color="BFBFBF")
HEADER_FONT, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT, SUBTITLE_FONT = Font(bold=True, size=14), Font(size=10, color="595959")
FOOTER_FONT = Font(bold=True)
ALERT_FONT = Font(color="C00000", bold=True)  # overdue dates, as the red of the deadline lights
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name


@dataclass(frozen=True)
class Styled:
    """A cell value with its own font, for the few cells that stand out (an overdue date in red)."""

    value: Any
    font: Font | None = None


@dataclass
class Sheet:
    """One worksheet: what it says, not how it is drawn.

    `title` names the tab (cut to Excel's 31 characters). `heading` and
    `subtitle` are lines above the header row: the header then sits on row
    1 + (1 if heading) + len(subtitle). `header` holds the column labels,
    `rows` any iterable of value sequences (consumed once, lazily), `footer`
    a bold last row kept out of the autofilter (totals). Optional per-column
    settings are keyed by the 0-based column index: `widths` (in order),
    `wrap` (long text: wrapped, and every cell of a wrapping sheet is
    top-aligned), `formats` (a number format; dates need none),
    `header_fonts` (a header drawn differently, e.g. a required column in red).
    `freeze_columns` keeps that many left columns in view besides the header.
    """

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    footer: Sequence[Any] | None = None
    widths: Sequence[float | None] = ()
    heading: str = ""
    subtitle: Sequence[str] = ()
    wrap: Collection[int] = ()
    formats: Mapping[int, str] = field(default_factory=dict)
    header_fonts: Mapping[int, Font] = field(default_factory=dict)
    freeze_columns: int = 0

    @property
    def header_row(self) -> int:
        """The 1-based row number of the header (rows above it: the heading and subtitle lines)."""
        return 1 + (1 if self.heading else 0) + len(self.subtitle)


def sheet_name(title: Any) -> str:
    """A tab name Excel accepts: refused characters replaced, at most 31 characters."""
    return _SHEET_NAME_REFUSED.sub("、", str(title))[:31]


def print_setup(ws: Any, *, header_row: int, columns: int, last_row: int | None = None) -> None:
    """The offices' print setup on `ws`: landscape A4, one page wide, header repeated, autofilter.

    For an ordinary (in-memory) worksheet `last_row` may be left out: it is the
    sheet's last row. A write-only sheet must get the page part before its first
    row (`_page_setup`) and the autofilter after its last (`_autofilter`), which
    `write_workbook` does; call this one only on ordinary worksheets.
    """
    _page_setup(ws, header_row=header_row)
    _autofilter(ws, header_row=header_row, columns=columns, last_row=last_row or max(ws.max_row, header_row))


def _page_setup(ws: Any, *, header_row: int) -> None:
    """Side effect: sets the sheet properties and page setup of `ws` (before its first row if write-only)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages long as the rows need
    ws.print_title_rows = f"{header_row}:{header_row}"


def _autofilter(ws: Any, *, header_row: int, columns: int, last_row: int) -> None:
    if columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for text a spreadsheet could take for a formula (OWASP CSV injection)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell: Any) -> Any:
    """Mark a cell holding formula-like text as plain text, quote prefix and all."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def text_only(ws: Any) -> None:
    """For a workbook built in ordinary (not write-only) mode: formula-like text stays text."""
    for row in ws.iter_rows():
        for cell in row:
            if formula_like(cell.value):
                _as_text(cell)


def _plain(value: Any) -> Any:
    """A value openpyxl can store and Excel opens: lazy text rendered, refused characters dropped."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value or None  # an empty string reads back as an empty cell anyway
    return value


class _SheetWriter:
    """Writes one `Sheet` into a write-only worksheet, sharing one style array per kind of cell.

    Setting `cell.alignment` or `cell.font` on each cell would hash the style
    objects once per cell; a 100,000-row export has millions of cells, so each
    distinct style is built once (per column, value type and font) and shared:
    the writer only reads a cell's style array, never changes it.
    """

    def __init__(self, ws: Any, sheet: Sheet) -> None:
        self.ws, self.sheet = ws, sheet
        self.top = bool(sheet.wrap)
        self.styles: dict[tuple, Any] = {}

    def cell(self, index: int, value: Any, font: Font | None = None) -> Any:
        """The value of column `index` ready to append: a bare value when it needs no style of its own."""
        if isinstance(value, Styled):
            value, font = value.value, value.font or font
        value = _plain(value)
        if value is None:
            return None
        as_text = formula_like(value)  # text typed by a person is never a live formula
        key = (index, type(value), font, as_text)  # a Font hashes by its attributes
        try:
            style = self.styles[key]
        except KeyError:
            style = self.styles[key] = self._style(index, value, font, as_text)
        if style is None:
            return value  # openpyxl's own cell, with its own date formats, is the cheapest
        cell = WriteOnlyCell(self.ws, value=value)
        if as_text:
            cell.data_type = "s"
        cell._style = style
        return cell

    def _style(self, index: int, value: Any, font: Font | None, as_text: bool = False) -> Any:
        """The shared style array of this column, value type, font and quote prefix; None when the cell needs none."""
        number_format = self.sheet.formats.get(index)
        alignment = WRAP if index in self.sheet.wrap else TOP if self.top else None
        if number_format is None and alignment is None and font is None and not as_text:
            return None
        probe = WriteOnlyCell(self.ws, value=value)  # openpyxl gives dates yyyy-mm-dd, times their own format
        if as_text:
            _as_text(probe)
        if number_format is not None:
            probe.number_format = number_format
        if alignment is not None:
            probe.alignment = alignment
        if font is not None:
            probe.font = font
        return probe._style

    def line(self, text: str, font: Font) -> list:
        cell = WriteOnlyCell(self.ws, value=_plain(text))
        cell.font = font
        return [_as_text(cell) if formula_like(cell.value) else cell]

    def header(self) -> list:
        cells = []
        for index, label in enumerate(self.sheet.header):
            cell = WriteOnlyCell(self.ws, value=_plain(label))
            cell.font = self.sheet.header_fonts.get(index, HEADER_FONT)
            cell.fill, cell.alignment, cell.border = HEADER_FILL, HEADER_ALIGN, HEADER_BORDER
            cells.append(_as_text(cell) if formula_like(cell.value) else cell)
        return cells

    def write(self) -> int:
        """Append every row of the sheet; returns the number of data rows (header and footer not counted)."""
        sheet, ws = self.sheet, self.ws
        header_row = sheet.header_row
        # Written with the first row in write-only mode, so set before it.
        ws.freeze_panes = f"{get_column_letter(sheet.freeze_columns + 1)}{header_row + 1}"
        for i, width in enumerate(sheet.widths, start=1):
            if width:
                ws.column_dimensions[get_column_letter(i)].width = width
        _page_setup(ws, header_row=header_row)
        if sheet.heading:
            ws.append(self.line(sheet.heading, TITLE_FONT))
        for text in sheet.subtitle:
            ws.append(self.line(text, SUBTITLE_FONT))
        ws.append(self.header())
        count = 0
        for row in sheet.rows:
            count += 1
            ws.append([self.cell(i, value) for i, value in enumerate(row)])
        # The filter covers the data, not the totals, so that sorting keeps the totals last.
        _autofilter(ws, header_row=header_row, columns=len(sheet.header), last_row=header_row + count)
        if sheet.footer:
            ws.append([self.cell(i, value, FOOTER_FONT) for i, value in enumerate(sheet.footer)])
        return count


def write_workbook(target: str | os.PathLike | IO[bytes], *sheets: Sheet) -> int:
    """Write `sheets` as one .xlsx workbook into `target` (a path or a binary file); returns the data rows written.

    Precondition: at least one sheet. Side effect: consumes each sheet's `rows`.
    """
    wb = Workbook(write_only=True)
    count = 0
    for sheet in sheets:
        count += _SheetWriter(wb.create_sheet(sheet_name(sheet.title)), sheet).write()
    wb.save(target)
    return count


def xlsx_response(filename: str, *sheets: Sheet) -> HttpResponse:
    """`sheets` as a download named `filename`, never cached (exports hold personal data).

    The workbook is built in memory: for the bounded exports written during a
    request. A larger one is written with `write_workbook` to a temporary file
    and sent with `xlsx_download`, or written by a job.
    """
    out = io.BytesIO()
    rows = write_workbook(out, *sheets)
    response = _bytes_download(filename, out.getvalue())
    response.audit_export = {"rows": rows}  # recorded by liaison.audit.AuditMiddleware
    return response


def xlsx_download(filename: str, content: bytes | IO[bytes], *, rows: int | None = None) -> HttpResponseBase:
    """A finished workbook as a download named `filename`, never cached.

    `content` is the workbook's bytes, or an open binary file positioned at its
    start: the file is streamed and closed by the response when it is sent.
    `rows`: the data rows it holds, for the audit log's line (liaison.audit).
    """
    if isinstance(content, bytes):
        response = _bytes_download(filename, content)
    else:
        response = no_store(
            FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
        )
    response.audit_export = {"rows": rows}
    return response


def _bytes_download(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return no_store(response)
