"""The one Excel writer: layout, safe values, the offices' print setup on every sheet of every
export, and flat memory over a long stream of rows."""

import io
import weakref
from datetime import date, datetime
from datetime import time as clock

import pytest
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from liaison.excel import ALERT_FONT, Sheet, Styled, print_setup, sheet_name, write_workbook, xlsx_response
from liaison.models import Job
from stations.models import Campaign


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


def _written(*sheets: Sheet):
    out = io.BytesIO()
    write_workbook(out, *sheets)
    return _book(out.getvalue())


def assert_printable(ws) -> int:
    """The offices' print setup on `ws`; returns its header row (repeated on every page, filtered)."""
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), ws.title
    first, last = ws.print_title_rows.replace("$", "").split(":")
    assert first == last, ws.title  # exactly the header row
    header_row = int(first)
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{header_row}:"), (ws.title, ws.auto_filter.ref)
    assert ws.cell(row=header_row, column=1).font.b, ws.title  # the repeated, filtered row is the header
    return header_row


# --------------------------------------------------------------------------- the writer


def test_a_sheet_with_a_title_and_subtitle_has_its_header_on_the_third_row():
    sheet = Sheet(
        "By station",
        ["Station", "Held", "Residents"],
        [["东关村联络站", 3, 40], ["榆林堡村联络站", 1, 12]],
        footer=["Total", 4, 52],
        heading="Campaign totals",
        subtitle=["As of 2026-12-07."],
        widths=[28, 10, 12],
        freeze_columns=1,
    )
    assert sheet.header_row == 3
    ws = _written(sheet).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows == [
        ("Campaign totals", None, None),
        ("As of 2026-12-07.", None, None),
        ("Station", "Held", "Residents"),
        ("东关村联络站", 3, 40),
        ("榆林堡村联络站", 1, 12),
        ("Total", 4, 52),
    ]
    assert assert_printable(ws) == 3
    assert ws.auto_filter.ref == "A3:C5"  # the totals stay out of the filter, so sorting keeps them last
    assert ws.freeze_panes == "B4"
    assert ws.column_dimensions["A"].width == 28
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A6"].font.b  # the footer


def test_a_plain_sheet_starts_with_its_header_and_every_sheet_is_set_up():
    book = _written(Sheet("One", ["a"], [[1]]), Sheet("Two: [x/y]", ["b", "c"], iter([])))
    first, second = book.worksheets
    assert list(first.iter_rows(values_only=True)) == [("a",), (1,)]
    assert assert_printable(first) == 1 and first.freeze_panes == "A2"
    assert second.title == "Two、 、x、y、"  # characters Excel refuses in a sheet's name
    assert assert_printable(second) == 1 and second.auto_filter.ref == "A1:B1"


def test_values_are_made_safe_and_typed():
    ws = _written(
        Sheet(
            "Safe",
            [gettext_lazy("Content"), "Date", "Time", "Stamp", "Share"],
            [
                ['=HYPERLINK("http://x")', date(2026, 3, 8), clock(9, 30), datetime(2026, 3, 8, 9, 30), 0.25],
                ["bell\x07 and tab\x0b gone", None, None, None, None],
                ["", None, None, None, None],
            ],
            formats={4: "0%"},
        )
    ).active
    assert ws["A1"].value == gettext("Content")  # a lazy translation is rendered in the active language
    assert ws["A2"].data_type == "s" and ws["A2"].value == '=HYPERLINK("http://x")'  # never a live formula
    assert ws["B2"].number_format == "yyyy-mm-dd" and ws["B2"].value.date() == date(2026, 3, 8)
    assert ws["C2"].value == clock(9, 30) and ws["D2"].value == datetime(2026, 3, 8, 9, 30)
    assert ws["E2"].number_format == "0%"
    assert ws["A3"].value == "bell and tab gone"
    assert ws["A4"].value is None


def test_wrapped_columns_wrap_every_cell_is_top_aligned_and_a_styled_cell_keeps_its_font():
    ws = _written(
        Sheet(
            "Ledger",
            ["No.", "Content", "Due"],
            [[1, "long text", Styled(date(2026, 1, 5), ALERT_FONT)], [2, "more", date(2026, 2, 1)]],
            wrap={1},
        )
    ).active
    assert ws["B2"].alignment.wrap_text and ws["B2"].alignment.vertical == "top"
    assert ws["A2"].alignment.vertical == "top" and not ws["A2"].alignment.wrap_text
    assert ws["C2"].font.color.rgb == "00C00000" and ws["C2"].font.b and ws["C2"].number_format == "yyyy-mm-dd"
    assert not ws["C3"].font.b


def test_xlsx_response_is_a_private_download():
    response = xlsx_response("报表-2026.xlsx", Sheet("S", ["a"], [[1]]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment") and "filename*=" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert_printable(_book(response.content).active)


def test_print_setup_on_an_ordinary_worksheet_keeps_what_it_had():
    wb = Workbook()
    ws = wb.active
    ws.append(["Heading"])
    ws.append(["Code", "Name"])
    ws.append(["S-1", "东关村联络站"])
    ws["A2"].font = Font(bold=True)
    ws.freeze_panes = "A3"
    print_setup(ws, header_row=2, columns=2)
    out = io.BytesIO()
    wb.save(out)
    read = _book(out.getvalue()).active
    assert assert_printable(read) == 2 and read.auto_filter.ref == "A2:B3" and read.freeze_panes == "A3"


def test_sheet_names_fit_excel():
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name(gettext_lazy("By station")) == gettext("By station")


def test_fifty_thousand_rows_stream_through_without_being_kept(tmp_path):
    """A generator of 50,000 rows: each row is written and let go before the next ones are
    made, so memory does not grow with the export (openpyxl's write-only mode)."""
    alive: list[weakref.ref] = []
    most_alive = 0

    class Row(list):
        pass  # a list that can be weakly referenced

    def rows():
        nonlocal most_alive
        for n in range(50_000):
            if n % 5_000 == 0:  # rows hold no cycles: reference counting frees each once it is let go
                most_alive = max(most_alive, sum(1 for ref in alive if ref() is not None))
                alive.clear()
            row = Row([n, f"代表 {n}", date(2026, 1, 1 + n % 28)])
            alive.append(weakref.ref(row))
            yield row

    path = tmp_path / "big.xlsx"
    assert write_workbook(path, Sheet("Big", ["No.", "Name", "Date"], rows())) == 50_000
    assert most_alive <= 2  # rows already written are gone: nothing holds a list of them
    rows_read = load_workbook(path, read_only=True).active.iter_rows(values_only=True)
    assert sum(1 for _row in rows_read) == 50_001


# --------------------------------------------------------------------------- every export path


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="集中联系选民月", jurisdiction=world.j.K, start_date=date(2026, 11, 6), end_date=date(2026, 12, 6)
    )


def _download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


EXPORTS = [
    # (who, url name, url args, query)
    ("office", "petitions:export", [], {}),
    ("office", "petitions:supervision_export", [], {}),
    ("office", "petitions:suggestion_export", [], {}),
    ("office", "petitions:triage", [], {"export": "xlsx"}),
    ("dept", "petitions:department", [], {"tab": "new", "export": "xlsx"}),
    ("office", "reports:dashboard_export", [], {}),
    ("office", "reports:monthly", [], {"format": "xlsx"}),
    ("office", "reports:departments", [], {"format": "xlsx"}),
    ("office", "reception:event_list", [], {"format": "xlsx"}),
    ("office", "reception_reports:campaign_detail", ["campaign"], {"format": "xlsx"}),
    ("office", "reception_reports:attendance", [], {"year": 2026, "format": "xlsx"}),
    ("office", "performance:ranking", [], {"year": 2026, "format": "xlsx"}),
    ("office", "stations:station_export", [], {}),
    ("office", "stations:representative_export", [], {}),
    ("office", "stations:station_import_template", [], {}),
    ("office", "stations:representative_import_template", [], {}),
]


@pytest.mark.parametrize(("who", "name", "args", "query"), EXPORTS, ids=[e[1] for e in EXPORTS])
def test_every_export_prints_landscape_one_page_wide_with_titles_and_a_filter(
    world, ledger, campaign, client_for, who, name, args, query
):
    url = reverse(name, args=[campaign.pk if a == "campaign" else a for a in args])
    book = _book(_download(client_for(getattr(world, who)).get(url, query)))
    for ws in book.worksheets:
        assert_printable(ws)


def test_the_ledger_export_keeps_its_title_lines_and_header_on_row_three(world, ledger, client_for):
    ws = _book(_download(client_for(world.office).get(reverse("petitions:export")))).active
    assert assert_printable(ws) == 3 and ws.freeze_panes == "C4"


@pytest.mark.parametrize(
    ("module", "limit", "name"),
    [
        (None, "LIAISON_EXPORT_SYNC_ROWS", "petitions:export"),
        ("petitions.reports.views", "EXPORT_SYNC_ITEMS", "reports:dashboard_export"),
        ("stations.roster", "DIRECT_EXPORT_LIMIT", "stations:station_export"),
    ],
    ids=["ledger", "dashboard", "roster"],
)
def test_exports_written_by_a_job_get_the_same_print_setup(
    world, ledger, client_for, settings, monkeypatch, django_capture_on_commit_callbacks, module, limit, name
):
    if module is None:
        setattr(settings, limit, 0)
    else:
        monkeypatch.setattr(f"{module}.{limit}", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.office).get(reverse(name))
    job = Job.objects.get(owner=world.office)
    assert response.status_code == 302 and job.status == Job.Status.SUCCEEDED, job.message
    with job.result_file.open("rb") as fh:
        book = _book(fh.read())
    for ws in book.worksheets:
        assert_printable(ws)
