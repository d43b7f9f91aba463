"""The performance record in real Chromium: the representative opens their record, edits the
draft of the annual report, saves it, and prints it on one A4 page; the office's ranking prints
on A4 landscape; the public page fits a 375 px phone."""

from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stations.models import PerformanceReport, ReceptionEvent, RosterEntry
from tests.browser.conftest import PHONE
from tests.browser.test_calendar_and_reports import sign_in
from tests.factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = timezone.localdate().year


@pytest.fixture
def activity(world):
    event = ReceptionEvent.objects.create(
        station=world.S1,
        date=timezone.localdate().replace(month=1, day=15),
        start_time=time(9),
        end_time=time(11),
        place="会议室",
        status="held",
    )
    RosterEntry.objects.create(event=event, representative=world.R1, attended=True)
    for n in range(3):
        make_petition(
            station=world.S1,
            representatives=[world.R1],
            actor=world.staff,
            content=f"第{n}件：路灯不亮",
            petitioner_name="张三",
            petitioner_phone="13812345678",
        )


def test_the_representative_edits_and_prints_the_annual_report(live_server, world, activity, page):
    sign_in(page, live_server, "rep", world.password)
    page.goto(live_server.url + "/representatives/performance/me/")
    expect(page.locator('[data-figure="received"] .figure-value')).to_have_text("3")
    expect(page.locator('[data-figure="attended"] .figure-value')).to_have_text("1 / 3")

    page.click("#open-report")
    textarea = page.locator("#id_text")
    draft = textarea.input_value()
    assert str(YEAR) in draft and "3" in draft
    textarea.fill(draft + "\n\n今年我还走访了东关村的十户老人。")
    page.click("#report-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    report = PerformanceReport.objects.get(representative=world.R1, year=YEAR)
    assert report.text.endswith("今年我还走访了东关村的十户老人。") and report.updated_by == world.rep
    assert page.locator("#id_text").input_value().endswith("今年我还走访了东关村的十户老人。")

    page.click("#report-print")
    sheet = page.get_by_test_id("report-sheet")
    expect(sheet).to_contain_text("今年我还走访了东关村的十户老人。")
    expect(sheet).to_contain_text(world.R1.name)
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    from tests.browser.test_public_events import count_pdf_pages

    assert count_pdf_pages(pdf) == 1
    assert not page.external_requests


def test_a_stale_report_page_is_refused_with_the_text_kept(live_server, world, activity, page, browser):
    sign_in(page, live_server, "rep", world.password)
    url = live_server.url + f"/representatives/performance/{world.R1.pk}/{YEAR}/report/"
    page.goto(url)
    other = page.context.new_page()  # the same representative in a second tab
    other.goto(url)
    other.fill("#id_text", "另一个标签页里的稿子")
    other.click("#report-form button[type=submit]")
    expect(other.locator(".alert-success")).to_be_visible()

    page.fill("#id_text", "我在第一个标签页写的稿子")
    page.click("#report-form button[type=submit]")
    expect(page.locator(".alert-danger")).to_be_visible()
    assert page.locator("#id_text").input_value() == "我在第一个标签页写的稿子"
    assert PerformanceReport.objects.get(representative=world.R1, year=YEAR).text == "另一个标签页里的稿子"


def test_the_office_ranking_prints_on_a4_landscape(live_server, world, activity, page):
    sign_in(page, live_server, "office", world.password)
    page.goto(live_server.url + "/representatives/performance/")
    expect(page.locator("#ranking tbody tr")).to_have_count(3)
    first = page.locator("#ranking tbody tr").first
    expect(first).to_have_attribute("data-code", "R-1")
    page.emulate_media(media="print")
    expect(page.locator(".filter-bar")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    import re

    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
    assert (round(float(box[1])), round(float(box[2]))) == (842, 595)  # A4 landscape


def test_the_public_record_fits_a_phone(live_server, world, activity, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/s/{world.S1.public_code}/")
    page.locator(f'a[href="/r/{world.R1.pk}/record/"]').click()
    expect(page.locator('[data-figure="received"] dd')).to_have_text("3")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide
    body = page.content()
    assert "张三" not in body and "13812345678" not in body and "路灯不亮" not in body
    assert not page.external_requests
