"""The office's oversight pages in real Chromium: the dashboard's figures open the ledger rows
behind them; the monthly report and the department evaluation print on A4 (landscape for the
latter) without spilling over the page width; the Excel downloads open."""

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from petitions.models import Petition, Satisfaction, Status
from tests.browser.test_ledger import sign_in
from tests.factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")


@pytest.fixture
def items(world):
    """A dozen items of last month in 延庆区: replied on time, late, open and overdue, rated."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    made = []
    for n in range(12):
        p = make_petition(
            station=world.S1 if n % 3 else world.S2,
            representatives=[world.R1] if n % 2 else [],
            department=world.D,
            content=f"第{n}件：楼道照明损坏",
        )
        values = {
            "received_on": first + timedelta(days=n),
            "due_on": first + timedelta(days=n + 10),
            "assigned_at": timezone.now() - timedelta(days=40),
            "status": Status.ACCEPTED,
        }
        if n < 8:
            values.update(
                status=Status.CLOSED if n < 5 else Status.REPLIED,
                replied_at=timezone.now() - timedelta(days=30),
                reply_working_days=5 + n,
                satisfaction=Satisfaction.SATISFIED if n < 4 else "",
            )
        Petition.objects.filter(pk=p.pk).update(**values)
        made.append(p)
    make_petition(station=world.S3, content="朝阳区的意见，不应计入")
    return first


def test_the_office_reads_the_dashboard_and_opens_the_items_behind_a_figure(live_server, world, page, items):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, "office", world.password)
    page.goto(live_server.url + "/reports/")
    page.select_option("#id_period", "last_month")
    page.click("#report-filter [type=submit]")
    page.wait_for_url("**period=last_month**")
    page.wait_for_selector("#fig-received")  # the figures follow the page, after a progress bar
    received = int(page.locator("#fig-received .stat-value").inner_text())
    assert received == 12
    assert page.locator("#rate-reply .stat-value").inner_text() == "66.7%"  # 8 of 12 assigned
    assert page.locator("#rate-satisfaction .stat-value").inner_text() == "100.0%"
    assert page.locator("#dash-trend svg").count() == 0 or page.locator("#dash-trend svg").is_visible()
    page.screenshot(path=str(SHOTS / "dashboard_office.png"), full_page=True)
    assert page.external_requests == []

    page.click("#fig-closed")
    page.wait_for_url("**measure=closed**")
    assert "销号" in page.locator("#ledger-figure").inner_text()
    assert page.locator("#petition-ledger tbody tr[data-tracking]").count() == 5

    page.goto(live_server.url + "/reports/?period=last_month")
    page.wait_for_selector("#table-stations")
    row = page.locator(f'#table-stations tr[data-key="{world.S1.pk}"]')
    expected = int(row.locator('[data-col="received"]').inner_text())
    row.locator('[data-col="received"] a').click()
    page.wait_for_url(f"**station={world.S1.pk}**")
    assert page.locator("#petition-ledger tbody tr[data-tracking]").count() == expected == 8

    with page.expect_download() as download:
        page.goto(live_server.url + "/reports/?period=last_month")
        page.click("#dash-export")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.worksheets[0]["B4"].value == 12


def _fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_monthly_report_and_the_department_evaluation_print(live_server, world, page, items):
    sign_in(page, live_server, "office", world.password)
    page.goto(live_server.url + f"/reports/monthly/?month={items:%Y-%m}")
    assert f"{items.year}年{items.month}月" in page.locator("#monthly-report h1").inner_text()
    assert "收到群众意见12件" in page.locator("#report-summary").inner_text().replace(" ", "")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    assert _fits_the_page(page)
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (SHOTS / "monthly_report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") <= 4

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/reports/departments/?period=last_month")
    row = page.locator(f'#department-table tr[data-department="{world.D.pk}"]')
    assert row.locator('[data-col="assigned"]').inner_text() == "12"
    page.screenshot(path=str(SHOTS / "department_evaluation.png"), full_page=True)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape
    assert _fits_the_page(page)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SHOTS / "department_evaluation.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
