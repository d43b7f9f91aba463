"""Working bodies (委室) in real Chromium: the office sets one up on a phone; its staff find their
body on the start page and organise a department-head visit of their department."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.models import Role, WorkingBody
from stations.models import EventKind, ReceptionEvent
from tests.browser.conftest import PHONE
from tests.browser.test_event_pages import sign_in
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("var")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_office_sets_up_a_working_body_on_a_phone(live_server, world, page):
    SHOTS.mkdir(exist_ok=True)
    UserFactory(username="chen", full_name="陈明", role=Role.WORKING_BODY, jurisdiction=world.j.K)
    DepartmentFactory(name="区卫生健康委员会", jurisdiction=world.j.K)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "office", world.password)
    page.goto(live_server.url + "/offices/bodies/")
    assert "城建环保委" in page.inner_text("#body-table") and fits(page)
    page.click("a[href='/offices/bodies/new/']")
    page.fill("#id_name", "社会建设委")
    page.get_by_label("区卫生健康委员会（延庆区）").check()
    page.get_by_label("陈明 (chen)").check()
    assert fits(page)
    page.screenshot(path=str(SHOTS / "working_body_form_phone.png"), full_page=True)
    page.click("#working-body-form button[type=submit]")
    page.wait_for_url(live_server.url + "/offices/bodies/")
    row = page.inner_text("#body-table")
    assert "社会建设委" in row and "区卫生健康委员会" in row and "陈明" in row
    assert fits(page)
    page.screenshot(path=str(SHOTS / "working_body_list_phone.png"), full_page=True)
    made = WorkingBody.objects.get(name="社会建设委")
    assert made.members.get().username == "chen"


def test_its_staff_organise_a_head_visit(live_server, world, page):
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server, "body", world.password)
    home = page.inner_text("main")
    assert "城建环保委" in home and world.D.name in home
    page.goto(live_server.url + "/reception/events/new/")
    assert page.locator("#id_kind option").all_inner_texts() == [str(EventKind.DEPARTMENT_VISIT.label)]
    page.select_option("#id_station", str(world.S2.pk))
    page.fill("#id_date", (timezone.localdate() + timedelta(days=20)).isoformat())
    page.fill("#id_place", "康庄镇代表之家会议室")
    page.select_option("#id_department", str(world.D.pk))
    page.fill("#id_department_head", "刘主任")
    page.fill("#id_topics", "老旧小区改造、加装电梯")
    page.screenshot(path=str(SHOTS / "working_body_visit_form.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/reception/events/*/")
    visit = ReceptionEvent.objects.get()
    assert visit.department == world.D and visit.kind == EventKind.DEPARTMENT_VISIT and visit.created_by == world.body
    page.set_viewport_size(PHONE)
    page.reload()
    assert fits(page)
