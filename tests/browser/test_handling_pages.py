"""Smaller handling page checks in real Chromium, each from an item brought to the right state by
the real services: the resident rates on the tracking page, a refused move keeps what was typed,
two people acting at the same moment, and the feedback letter on one A4 page."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from petitions.handling import services as handling
from petitions.handling.workflow import Move
from petitions.models import ExtensionRequest, Petition, Rating, Status
from tests.browser.test_handling_walk import TIMEOUT, People, done_message, send_move, start_move, zh
from tests.browser.test_public_events import count_pdf_pages
from tests.factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

REPLY = "经核查，路灯线路老化，已于本周更换线路并恢复照明。"


@pytest.fixture
def people(browser, live_server, world):
    """One browser context per person (test_handling_walk.People); the tracking page's limits from zero."""
    cache.clear()
    expect.set_options(timeout=TIMEOUT)
    crowd = People(browser, live_server, world.password)
    yield crowd
    crowd.close()
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests that run after
    cache.clear()


def fresh(petition):
    return Petition.objects.get(pk=petition.pk)


def assigned(world):
    petition = make_petition(
        station=world.S1,
        representatives=[world.R1],
        actor=world.staff,
        content="东关村西口路灯坏了一个月，晚上出行很危险",
        petitioner_name="刘桂芳",
        petitioner_phone="13811110001",
    )
    handling.petition_assign(actor=world.office, petition=petition, department=world.D)
    return fresh(petition)


def fed_back(world):
    petition = assigned(world)
    handling.petition_accept(actor=world.dept, petition=petition)
    handling.petition_reply(actor=world.dept, petition=fresh(petition), outcome="A", text=REPLY)
    handling.petition_feed_back(actor=world.staff, petition=fresh(petition), method="phone", text="已电话告知。")
    return fresh(petition)


def test_the_resident_rates_on_the_tracking_page(live_server, world, people):
    """The rating form is a POST from a page that asks for no referrer: the browser must still be
    able to send it (Django's CSRF check reads the Origin header a browser sends with it)."""
    petition = fed_back(world)
    resident = people("resident")
    resident.goto(people.url(reverse("tracking:detail", args=[petition.tracking_number])))
    expect(resident.locator("#track-status")).to_have_text(zh(Status.FED_BACK.label))
    expect(resident.locator("#timeline")).to_contain_text(REPLY)
    resident.fill("#rate-form input[name=code]", Petition.objects.get(pk=petition.pk).rating_code)
    resident.check("#rate-form input[name=satisfaction][value='basically']")
    resident.fill("#rate-form textarea[name=comment]", "修好了，但拖得有点久。")
    with resident.expect_navigation():
        resident.click("#rate-form button[type=submit]")
    assert "CSRF" not in resident.content(), "the resident's rating was refused by the CSRF check"
    expect(resident.locator("#rating .track-thanks")).to_be_visible()
    assert resident.url.endswith("?rated=1#rating")
    rating = Rating.objects.get(petition=petition)
    assert (rating.rater, rating.satisfaction, rating.representative) == (Rating.Rater.RESIDENT, "basically", None)
    assert fresh(petition).status == Status.RATED
    expect(resident.locator("#rate-form")).to_have_count(0)  # once per round


def test_a_refused_extension_request_keeps_what_was_typed(live_server, world, people):
    petition = assigned(world)
    handling.petition_accept(actor=world.dept, petition=petition)
    due = fresh(petition).due_on
    dept = people("dept")
    dept.goto(people.url(reverse("petitions:detail", args=[petition.pk])))
    start_move(dept, Move.REQUEST_EXTENSION, petition)
    dept.fill("#id_requested_due_on", due.isoformat())  # not after the current deadline
    dept.fill("#id_reason", "需要协调供电公司停电检修。")
    dept.click("#move-submit")
    expect(dept.locator("#id_requested_due_on.is-invalid")).to_be_visible()
    expect(dept.locator("#id_reason")).to_have_value("需要协调供电公司停电检修。")
    assert not ExtensionRequest.objects.exists()

    dept.fill("#id_requested_due_on", (due + timedelta(days=7)).isoformat())
    send_move(dept)
    expect(dept.locator(".messages .alert-success").last).to_contain_text(
        done_message(Move.REQUEST_EXTENSION, petition)
    )
    expect(dept.locator("#pending-extension")).to_contain_text((due + timedelta(days=7)).isoformat())
    assert ExtensionRequest.objects.get().requested_due_on == due + timedelta(days=7)


def test_two_people_at_the_same_moment_the_second_is_told_and_keeps_the_text(live_server, world, people):
    """The department opens the return form; meanwhile a colleague accepts the item. Sending the
    return then says so and keeps the reason; sending again (the item is still the department's)
    returns it."""
    petition = assigned(world)
    dept = people("dept")
    dept.goto(people.url(reverse("petitions:detail", args=[petition.pk])))
    start_move(dept, Move.RETURN, petition)
    dept.fill("#id_reason", "不属于本委职责，请改派区城市管理委。")
    handling.petition_accept(actor=world.dept, petition=fresh(petition))  # the other tab, a colleague

    dept.click("#move-submit")
    expect(dept.locator("#move-error")).to_contain_text(zh(Status.ACCEPTED.label))
    expect(dept.locator("#id_reason")).to_have_value("不属于本委职责，请改派区城市管理委。")
    assert fresh(petition).status == Status.ACCEPTED

    send_move(dept)
    expect(dept.locator(".messages .alert-success").last).to_contain_text(done_message(Move.RETURN, petition))
    assert fresh(petition).status == Status.TRIAGED


def test_the_feedback_letter_is_one_a4_page(live_server, world, people):
    petition = fed_back(world)
    staff = people("staff")
    staff.goto(people.url(reverse("petitions:letter", args=[petition.pk])))
    letter = staff.locator("[data-testid=letter]")
    expect(letter).to_contain_text(REPLY)
    expect(letter).to_contain_text("刘桂芳")  # staff see the name: the letter is addressed to the resident
    staff.emulate_media(media="print")
    expect(staff.locator(".letter-tools")).to_be_hidden()
    expect(staff.locator("header")).to_be_hidden()
    pdf = staff.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert count_pdf_pages(pdf) == 1
    assert people.external == []
