"""One item between two levels in real Chromium (issue 15's walk): registered at a township
station, the township office escalates it to the district office, which finds it in its triage
list marked as escalated and assigns it to a district bureau; the bureau replies; the answer
comes back to the township's side: its station's staff feed it back, the resident rates it on
the tracking page, the township office closes it out. Each hand-over shows on the public timeline.

Screenshots in /tmp/shots (escalation_*.png) at 1366 px, and the district's triage list at 375 px.
"""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from liaison.models import Jurisdiction, Office, Role
from petitions.handling.workflow import Move
from petitions.models import Petition, Status
from tests.browser.conftest import PHONE
from tests.browser.test_handling_walk import People, expect_done, open_item, send_move, start_move, timeline, zh
from tests.factories import JurisdictionFactory, StationFactory, UserFactory, make_petition

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
CONTENT = "西关村村口排水沟堵塞，一下雨就积水，老人孩子出行不便"
REASON = "排水沟连着区级排水管网，需区水务部门统筹改造，镇里无力解决。"
REPLY = "已安排疏通西关村村口排水沟，并将该段管网纳入今年区级改造计划。"


@pytest.fixture
def people(browser, live_server, world):
    cache.clear()
    crowd = People(browser, live_server, world.password)
    yield crowd
    crowd.close()
    cache.clear()


def test_an_item_escalated_from_a_township_comes_back_and_is_closed_there(people, world):
    w = world
    SHOTS.mkdir(exist_ok=True)
    c1b = JurisdictionFactory(code="110119100202", name="西关村", level=Jurisdiction.Level.COMMUNITY, parent=w.j.T1)
    station = StationFactory(code="S-T1", name="西关村联络站", kind="station", jurisdiction=c1b, parent=w.H1)
    staff_t = UserFactory(username="staff_t1", role=Role.STATION_STAFF)
    station.staff.add(staff_t)
    petition = make_petition(
        station=station, actor=staff_t, content=CONTENT, petitioner_name="刘桂芳", petitioner_phone="13811110001"
    )
    assert petition.owner_office == Office.objects.get(jurisdiction=w.j.T1)

    # 1. The township office hands it up to the district office.
    township = people("office_t1")
    open_item(township, people, petition)
    start_move(township, Move.ESCALATE, petition)
    expect(township.locator("#id_office option")).to_have_count(1)  # 延庆区 (北京市 has no office here)
    township.select_option("#id_office", str(w.OK.pk))
    township.fill("#id_reason", REASON)
    township.fill("#id_note", "镇里已现场查看，临时清掏。")
    township.screenshot(path=str(SHOTS / "escalation_form.png"), full_page=True)
    send_move(township)
    expect_done(township, Move.ESCALATE, petition, Status.TRIAGED)
    expect(timeline(township, "escalated")).to_contain_text("延庆区人大常委会")
    # Now the township reads it: no routing buttons left.
    expect(township.locator('#moves a[data-move="assign"]')).to_have_count(0)

    # 2. The district office finds it in its triage list, marked, and assigns it to its bureau.
    district = people("office")
    district.goto(people.url(reverse("petitions:triage")))
    row = district.locator(f'#triage-table tr[data-petition="{petition.pk}"]')
    expect(row.locator(".escalated-badge")).to_contain_text("延庆镇人大主席团")
    district.screenshot(path=str(SHOTS / "escalation_triage.png"), full_page=True)
    district.set_viewport_size(PHONE)
    district.screenshot(path=str(SHOTS / "escalation_triage_375.png"), full_page=True)
    assert district.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    district.set_viewport_size({"width": 1366, "height": 768})
    open_item(district, people, petition)
    expect(district.locator("#timeline")).to_contain_text(REASON)
    start_move(district, Move.ASSIGN, petition)
    district.select_option("#id_department", str(w.D.pk))
    send_move(district)
    expect_done(district, Move.ASSIGN, petition, Status.ASSIGNED)

    # 3. The district bureau accepts and replies.
    dept = people("dept")
    open_item(dept, people, petition)
    start_move(dept, Move.ACCEPT, petition)
    send_move(dept)
    start_move(dept, Move.REPLY, petition)
    dept.check("input[name=outcome][value='A']")
    dept.fill("#id_text", REPLY)
    send_move(dept)
    expect_done(dept, Move.REPLY, petition, Status.REPLIED)

    # 4. The answer comes back to the township: the district office may not feed back or close.
    open_item(district, people, petition)
    expect(district.locator('#moves a[data-move="feed_back"]')).to_have_count(0)
    staff = people("staff_t1")
    open_item(staff, people, petition)
    start_move(staff, Move.FEED_BACK, petition)
    staff.check("input[name=method][value='phone']")
    staff.fill("#id_text", "已电话告知刘桂芳区里的答复。")
    send_move(staff)
    expect_done(staff, Move.FEED_BACK, petition, Status.FED_BACK)

    # 5. The resident rates on the tracking page and sees each hand-over.
    number = petition.tracking_number
    resident = people("resident")
    resident.goto(people.url(reverse("tracking:detail", args=[number])))
    expect(resident.locator("#timeline")).to_contain_text("延庆区人大常委会")
    expect(resident.locator("#timeline")).to_contain_text(REPLY)
    code = Petition.objects.get(pk=petition.pk).rating_code
    resident.fill("#rate-form input[name=code]", code)
    resident.check("#rate-form input[name=satisfaction][value='satisfied']")
    with resident.expect_navigation():
        resident.click("#rate-form button[type=submit]")
    expect(resident.locator("#track-status")).to_have_text(zh(Status.RATED.label))
    resident.screenshot(path=str(SHOTS / "escalation_tracking.png"), full_page=True)

    # 6. The township office closes it out.
    open_item(township, people, petition)
    start_move(township, Move.CLOSE, petition)
    township.fill("#id_note", "区里统筹解决，群众满意。")
    send_move(township)
    expect_done(township, Move.CLOSE, petition, Status.CLOSED)
    township.screenshot(path=str(SHOTS / "escalation_closed.png"), full_page=True)
    assert Petition.objects.get(pk=petition.pk).handling_office == w.OK  # the record of who handled it stays
