"""The office's annual plan in real Chromium: generate next year's plan, review it, publish it."""

from datetime import time

import pytest

from liaison import workdays
from stations.models import ReceptionEvent, ReceptionPlan, ReceptionRule
from tests.browser.test_network_pages import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_generates_reviews_and_publishes_a_plan(live_server, world, page):
    year = max(workdays.OFFICIAL_YEARS) + 1  # a year the calendar package does not know yet (2027)
    ReceptionRule.objects.create(
        station=world.S1, pattern="monthly_day", day_of_month=15, start_time=time(9), end_time=time(11, 30)
    )
    ReceptionRule.objects.create(
        station=world.S2,
        pattern="nth_weekday",
        week_of_month=2,
        weekday=4,
        start_time=time(14),
        end_time=time(16),
        representatives_per_event=1,
    )
    sign_in(page, live_server, "office", world.password)

    page.goto(live_server.url + "/reception/plans/")
    warning = page.locator("#calendar-warning")
    page.fill("#id_year", str(year))
    assert warning.is_visible() and str(year) in warning.inner_text()
    assert warning.locator("a").get_attribute("href") == f"/calendar/{year}/"
    page.fill("#id_year", str(year - 1))  # a known year: no warning
    assert not warning.is_visible()
    page.fill("#id_year", str(year))
    assert warning.is_visible()
    page.select_option("#id_jurisdiction", str(world.j.K.pk))
    page.check("#id_propose_rosters")
    page.screenshot(path="var/browser-plan-list-warning.png", full_page=True)
    page.click("#generate-plan")

    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector("#job-progress[data-status=succeeded]")
    assert "100%" in page.locator("#job-progress .progress-bar").inner_text()
    page.screenshot(path="var/browser-plan-job-finished.png", full_page=True)
    page.click("#job-progress a.btn-primary")

    plan = ReceptionPlan.objects.get(jurisdiction=world.j.K, year=year)
    page.wait_for_url(f"**/reception/plans/{plan.pk}/")
    assert page.locator("#stat-events").inner_text() == "24"
    assert page.locator("#calendar-warning").is_visible()
    assert "H-1" in page.locator("#without-rules").inner_text()  # the home has no rule yet
    page.screenshot(path="var/browser-plan-detail-draft.png", full_page=True)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#publish-plan")
    page.wait_for_selector(".alert-success")
    assert (
        page.locator("#plan-status").inner_text() == "已发布"
        or "published" in page.locator("#plan-status").inner_text().lower()
    )
    assert page.locator("#publish-plan").count() == 0
    assert set(ReceptionEvent.objects.filter(plan=plan).values_list("status", flat=True)) == {"scheduled"}
    plan.refresh_from_db()
    assert plan.status == "published"
