"""In real Chromium: the office publishes a 2027 holiday on the calendar page, a township office a
local one on a phone, and the office opens a campaign's totals."""

from datetime import date, time

import pytest

from liaison import workdays
from liaison.models import CalendarDay
from stations.models import Campaign, EventKind, ReceptionEvent, RosterEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workdays.forget()
    yield
    workdays.forget()


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_office_enters_a_2027_holiday_and_sees_it_marked(live_server, world, page):
    from liaison.models import Role
    from tests.factories import UserFactory

    # The deployment's entries: the province-level office writes them.
    UserFactory(username="office_p", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.P)
    sign_in(page, live_server, "office_p", world.password)
    page.goto(live_server.url + "/calendar/2027/")
    assert page.locator("#year-unknown").is_visible()
    new_year = page.locator("td[data-date='2027-01-01']")
    assert "holiday" not in (new_year.get_attribute("class") or "")

    page.fill("#id_day-date", "2027-01-01")
    page.fill("#id_day-name", "元旦")
    page.check("input[name='day-kind'][value='holiday']")
    page.click("#add-day")
    page.wait_for_url("**/calendar/2027/#entries")
    assert new_year.get_attribute("class").split() == ["holiday", "office"]
    assert page.locator("#year-unknown").count() == 0
    assert "元旦" in page.locator("tr.office-entry[data-date='2027-01-01']").inner_text()

    # The same date again: refused, and what was typed is still there.
    page.fill("#id_day-date", "2027-01-01")
    page.fill("#id_day-name", "补班")
    page.check("input[name='day-kind'][value='working']")
    page.click("#add-day")
    assert page.locator("#id_day-date.is-invalid").count() == 1
    assert page.input_value("#id_day-name") == "补班"
    assert page.is_checked("input[name='day-kind'][value='working']")

    # Several lines, one of them wrong: nothing is saved and the line is named.
    page.fill("#id_bulk-lines", "2027-02-06 春节 班\n2027-02-30 春节 休")
    page.click("#import-days")
    assert "2027-02-30" in page.locator("#bulk-entry").inner_text()
    assert page.input_value("#id_bulk-lines").startswith("2027-02-06 春节 班")
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2027, 1, 1)]
    page.fill("#id_bulk-lines", "2027-02-06 春节 班\n2027-02-11 春节 休")
    page.click("#import-days")
    page.wait_for_url("**/calendar/2027/#entries")
    assert "makeup" in page.locator("td[data-date='2027-02-06']").get_attribute("class")
    assert page.locator("td[data-date='2027-02-06'] .mark").count() == 1
    page.screenshot(path="var/browser-calendar-2027.png", full_page=True)


def test_a_township_office_enters_a_local_holiday_on_a_phone(live_server, world, page):
    from liaison import calendar_services
    from tests.browser.conftest import PHONE

    district = calendar_services.calendar_day_set(
        actor=world.office, date=date(2027, 1, 5), is_working_day=False, name="区庆"
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "office_t1", world.password)
    page.goto(live_server.url + "/calendar/2027/")
    assert page.locator("#local-help").is_visible()  # it adds local entries only, and is told so
    # The district's entry: marked, named by its office, no delete button.
    assert page.locator("td[data-date='2027-01-05']").get_attribute("class").split() == ["holiday", "local"]
    row = page.locator("tr.local-entry[data-date='2027-01-05']")
    assert "延庆区人大常委会" in row.inner_text() and row.locator("button").count() == 0

    page.fill("#id_day-date", "2027-01-06")
    page.fill("#id_day-name", "镇庆")
    page.click("#add-day")
    page.wait_for_url("**/calendar/2027/#entries")
    assert page.locator("td[data-date='2027-01-06']").get_attribute("class").split() == ["holiday", "local"]
    own = page.locator("tr.local-entry[data-date='2027-01-06']")
    assert "延庆镇人大主席团" in own.inner_text() and own.locator("button").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path="var/browser-calendar-local-375.png", full_page=True)
    entry = CalendarDay.objects.get(date=date(2027, 1, 6))
    assert entry.office == world.OT1 and CalendarDay.objects.get(pk=district.pk).office == world.OK


def test_office_opens_a_campaigns_totals(live_server, world, page):
    campaign = Campaign.objects.create(
        name="集中联系选民月", jurisdiction=world.j.K, start_date=date(2026, 11, 6), end_date=date(2026, 12, 6)
    )

    def event(station, day, status="held", residents=None, opinions=None):
        return ReceptionEvent.objects.create(
            station=station,
            kind=EventKind.VOTER_MEETING,
            date=date(2026, 11, day),
            start_time=time(9),
            end_time=time(11),
            place="村委会",
            status=status,
            campaign=campaign,
            residents_received=residents,
            opinions_collected=opinions,
        )

    a, b = event(world.S1, 10, residents=35, opinions=12), event(world.S2, 12, residents=20, opinions=5)
    event(world.S3, 13, residents=500, opinions=500)  # 朝阳区: not the office's
    event(world.S1, 30, status="scheduled")
    RosterEntry.objects.create(event=a, representative=world.R1, attended=True)
    RosterEntry.objects.create(event=b, representative=world.R1, attended=True)
    RosterEntry.objects.create(event=b, representative=world.R2, attended=False)

    sign_in(page, live_server, "office", world.password)
    page.goto(live_server.url + "/reception/reports/campaigns/")
    page.click("#campaign-ledger >> text=集中联系选民月")
    page.wait_for_url(f"**/reception/reports/campaigns/{campaign.pk}/")
    figures = {
        k: page.locator(f"[data-figure='{k}']").inner_text() for k in ("present", "held", "residents", "opinions")
    }
    assert figures == {"present": "1", "held": "2", "residents": "55", "opinions": "17"}
    stations = page.locator("#by-station tbody tr")
    assert stations.count() == 2  # S1 (held and scheduled) and S2; nothing from 朝阳区
    assert [stations.nth(i).get_attribute("data-station") for i in range(2)] == [world.S1.code, world.S2.code]
    page.screenshot(path="var/browser-campaign-totals.png", full_page=True)

    page.click("[data-figure='held'] a")
    page.wait_for_url(f"**/reception/events/?campaign={campaign.pk}&status=held")
