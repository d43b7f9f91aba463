"""The registration desk in real Chromium: staff register three petitions in a row with the
keyboard alone, a form error keeps what was typed, and a similar open item is linked
instead of duplicated. Prints "desk registrations per minute: X" (run with -s to see it)."""

import time as clock
from datetime import time
from pathlib import Path

import pytest
from django.utils import timezone

from petitions.models import Petition, Status
from stations.models import Membership, ReceptionEvent, RosterEntry
from tests.factories import RepresentativeFactory, make_petition

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
RESIDENTS = [
    ("刘桂芳", "13811110001", "东关村西口路灯坏了一个月，晚上出行很危险"),
    ("陈志强", "13811110002", "村委会门前下水道堵塞，下雨天污水漫到路上"),
    ("周玉兰", "13811110003", "希望在村里设立老年餐桌，解决独居老人吃饭难"),
]


@pytest.fixture(autouse=True)
def _settled(page):
    """Let the page's last htmx requests finish before the database is flushed for the next test."""
    yield
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!document.querySelector('.htmx-request')")
    page.goto("about:blank")


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def todays_event(world):
    event = ReceptionEvent.objects.create(
        station=world.S1,
        date=timezone.localdate(),
        start_time=time(9),
        end_time=time(11, 30),
        place=world.S1.address,
        status=ReceptionEvent.Status.SCHEDULED,
    )
    RosterEntry.objects.create(event=event, representative=world.R1)
    return event


def active_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_staff_register_three_petitions_in_a_row_with_the_keyboard(live_server, world, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    event = todays_event(world)
    sign_in(page, live_server, "staff", world.password)
    page.goto(live_server.url + "/petitions/new/")
    # Today's event presets the station, the day and its representative.
    assert page.locator("#id_station").input_value() == str(world.S1.pk)
    assert page.locator("#id_event").input_value() == str(event.pk)
    assert page.locator(f"input[name=representatives][value='{world.R1.pk}']").is_checked()
    page.screenshot(path=str(SHOTS / "desk_form.png"), full_page=True)

    numbers = []
    started = clock.perf_counter()
    for i, (name, phone, content) in enumerate(RESIDENTS):
        page.wait_for_function("document.activeElement && document.activeElement.id === 'id_petitioner_name'")
        page.keyboard.type(name)
        page.keyboard.press("Tab")
        page.keyboard.type(phone)
        page.keyboard.press("Enter")  # an accidental Enter sends nothing
        assert active_id(page) == "id_petitioner_phone"
        for _ in range(6):  # address, ID number, co-petitioners, anonymous, confidential → content
            page.keyboard.press("Tab")
        assert active_id(page) == "id_content"
        page.keyboard.type(content)
        # Wait for the next page itself: on a slow machine the previous page's message is still showing.
        with page.expect_navigation():
            if i < 2:
                page.keyboard.press("Control+Enter")
            else:
                page.click("#desk-save-next")
        page.wait_for_selector(".alert-success .desk-number")
        # The newest message is the last one; that nothing was registered twice is checked below.
        numbers.append(page.locator(".alert-success .desk-number").last.inner_text().strip())
    elapsed = clock.perf_counter() - started
    print(
        f"\ndesk registrations per minute: {len(RESIDENTS) * 60 / elapsed:.1f} ({elapsed:.1f} s for {len(RESIDENTS)})"
    )

    assert len(set(numbers)) == 3
    items = list(Petition.objects.order_by("pk"))
    assert [p.tracking_number for p in items] == numbers
    assert [(p.petitioner_name, p.petitioner_phone, p.content) for p in items] == RESIDENTS
    for petition in items:
        assert petition.station == world.S1 and petition.event == event and petition.jurisdiction == world.j.C1
        assert list(petition.representatives.all()) == [world.R1]
    # The fresh form after the last one still has the day's station, event and representative.
    assert page.locator("#id_event").input_value() == str(event.pk)
    assert page.locator(f"input[name=representatives][value='{world.R1.pk}']").is_checked()
    assert page.locator("#id_content").input_value() == ""
    assert page.external_requests == []


def test_an_error_keeps_what_was_typed(live_server, world, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    todays_event(world)
    sign_in(page, live_server, "staff", world.password)
    page.goto(live_server.url + "/petitions/new/")
    page.keyboard.type("孙大爷")
    page.keyboard.press("Tab")
    page.keyboard.type("1381111")  # too short
    page.fill("#id_content", "楼道里堆满杂物，存在消防隐患")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-error-for=petitioner_phone]")

    assert not Petition.objects.exists()
    assert page.locator("#id_content").input_value() == "楼道里堆满杂物，存在消防隐患"
    assert page.locator("#id_petitioner_name").input_value() == "孙大爷"
    assert page.locator("#id_petitioner_phone").input_value() == "1381111"
    assert active_id(page) == "id_petitioner_phone"  # the first field in error has the focus
    page.screenshot(path=str(SHOTS / "desk_error.png"), full_page=True)

    page.fill("#id_petitioner_phone", "13811112222")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".alert-success .desk-number")
    assert Petition.objects.get().petitioner_phone == "13811112222"


def test_a_similar_open_item_is_linked_instead_of_duplicated(live_server, world, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    todays_event(world)
    first = make_petition(station=world.S1, content="东关村西口路灯坏了，晚上出行很危险", actor=world.staff)
    sign_in(page, live_server, "staff", world.password)
    page.goto(live_server.url + "/petitions/new/")
    page.keyboard.type("何建军")
    page.fill("#id_content", "路灯坏了好久，晚上出行危险")
    item = page.locator("[data-testid=similar-item]")
    item.first.wait_for()
    assert item.count() == 1 and first.tracking_number in item.first.inner_text()
    page.click(f"[data-link-to='{first.pk}']")
    banner = page.locator("#link-banner")
    assert banner.is_visible() and first.tracking_number in banner.inner_text()
    page.screenshot(path=str(SHOTS / "desk_similar.png"), full_page=True)

    page.click("#desk-save-next")
    page.wait_for_selector(".alert-success .desk-number")
    second = Petition.objects.exclude(pk=first.pk).get()
    assert second.status == Status.LINKED and second.linked_to == first


def test_picking_another_days_event_brings_its_station_and_roster(live_server, world, page):
    todays_event(world)
    other = ReceptionEvent.objects.create(
        station=world.P1,
        date=timezone.localdate(),
        start_time=time(14),
        end_time=time(16),
        place=world.P1.address,
        status=ReceptionEvent.Status.SCHEDULED,
    )
    sun = RepresentativeFactory(name="孙明", code="R-SUN", level="township", jurisdiction=world.j.T1)
    Membership.objects.create(representative=sun, station=world.P1)
    RosterEntry.objects.create(event=other, representative=sun)
    sign_in(page, live_server, "staff", world.password)
    page.goto(live_server.url + "/petitions/new/")
    assert page.locator("#id_station").input_value() == str(world.S1.pk)

    page.focus("#id_event")
    page.select_option("#id_event", str(other.pk))
    page.wait_for_selector(f"input[name=representatives][value='{sun.pk}']")
    assert page.locator("#id_station").input_value() == str(world.P1.pk)
    assert page.locator("#id_event").input_value() == str(other.pk)
    assert page.locator(f"input[name=representatives][value='{sun.pk}']").is_checked()
    assert page.locator(f"input[name=representatives][value='{world.R1.pk}']").count() == 0
    assert active_id(page) == "id_event"  # the keyboard stays where it was
