"""Reception-day announcements in a real Chromium: the phone page and the one-page A4 notice."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import EventKind, ReceptionEvent, RosterEntry
from tests.browser.conftest import PHONE
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.browser

LONG_WORK_UNIT = "北京市延庆区延庆镇东关村股份经济合作社暨东关村村民委员会综合服务中心"
LONG_PLACE = "北京市延庆区延庆镇东关村东关大街一百二十八号院内村民委员会综合服务楼二层第一会议室"


def count_pdf_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def announced(world):
    """A reception day at S1 with eight representatives with long work units and a long place."""
    world.S1.address = f"北京市延庆区{world.S1.name}所在地延庆镇东关村东关大街一百二十八号院内综合楼一层"
    world.S1.save()
    event = ReceptionEvent.objects.create(
        station=world.S1,
        kind=EventKind.RECEPTION,
        status=ReceptionEvent.Status.SCHEDULED,
        date=timezone.localdate() + timedelta(days=10),
        start_time=time(9),
        end_time=time(11, 30),
        place=LONG_PLACE,
        public_note="请携带身份证件复印件。反映集体诉求的，请推选代表不超过五人。",
    )
    reps = [world.R1] + [
        RepresentativeFactory(
            name=f"值班代表{i}号",
            jurisdiction=world.j.K,
            work_unit=LONG_WORK_UNIT,
            position="党支部书记、村民委员会主任",
            public_phone=f"010-6910{i:04d}",
        )
        for i in range(7)
    ]
    RosterEntry.objects.bulk_create([RosterEntry(event=event, representative=rep) for rep in reps])
    world.event = event
    return world


def make_visit(world, *, cancelled):
    """The fullest notices: a department-head visit with long duties, topics and note, maybe cancelled."""
    event = world.event
    event.kind, event.department, event.department_head = EventKind.DEPARTMENT_VISIT, world.D, "刘建华 主任"
    event.department_duties = "负责全区住房保障、房地产市场监管、老旧小区综合整治和建设工程质量安全监管。" * 3
    event.topics = "老旧小区加装电梯进展；物业服务质量和收费；保障性住房申请条件和流程。" * 3
    event.public_note = event.public_note * 4
    if cancelled:
        event.status = ReceptionEvent.Status.CANCELLED
        # More than the notice lists: eight rows and a line pointing to the page online.
        RosterEntry.objects.bulk_create(
            [
                RosterEntry(
                    event=event, representative=RepresentativeFactory(name=f"候补代表{i}", jurisdiction=world.j.K)
                )
                for i in range(4)
            ]
        )
    event.save()


@pytest.mark.parametrize("variant", ["reception", "visit", "cancelled visit"])
def test_notice_prints_on_one_a4_page_with_eight_representatives(
    live_server, transactional_db, announced, page, variant
):
    if variant != "reception":
        make_visit(announced, cancelled=variant.startswith("cancelled"))
    event = announced.event
    page.goto(live_server.url + reverse("public:event_print", args=[announced.S1.public_code, event.pk]))
    assert page.locator(".notice-table tbody tr").count() == 8
    assert (page.locator(".notice-more").count() == 1) == (variant == "cancelled visit")
    qr = page.locator(".notice-qr img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert page.locator("[data-action=print]").is_visible()

    page.emulate_media(media="print")
    assert not page.locator("[data-action=print]").is_visible()
    assert not page.locator(".public-header").is_visible()
    # Everything is on the sheet (nothing clipped at its bottom) ...
    clipped = page.evaluate(
        "(() => { const n = document.querySelector('.notice'); return n.scrollHeight - n.clientHeight; })()"
    )
    assert clipped <= 1
    assert page.locator(".notice-foot").is_visible()
    # ... and the sheet is exactly one A4 page.
    pdf = page.pdf(format="A4", print_background=True)
    assert count_pdf_pages(pdf) == 1
    assert page.external_requests == []


def test_announcement_fits_a_phone(live_server, transactional_db, announced, page):
    page.set_viewport_size(PHONE)
    event = announced.event
    page.goto(live_server.url + reverse("public:event", args=[announced.S1.public_code, event.pk]))
    assert page.locator("h1").is_visible()
    reps = page.locator("#representatives")
    assert "张建国" in reps.inner_text() and LONG_WORK_UNIT in reps.inner_text()
    assert announced.R1.private_phone not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # No script is needed to read it.
    assert page.locator("script[src]").count() == 0
    assert page.external_requests == []


def test_station_page_links_the_next_reception_day(live_server, transactional_db, announced, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:station", args=[announced.S1.public_code]))
    section = page.locator("#next-reception")
    assert "张建国" in section.inner_text()
    section.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/events/{announced.event.pk}/$"))
    assert page.locator("#where").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
