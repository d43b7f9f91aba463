"""Signed-in journeys in real Chromium: sign in, filter the ledger, edit a station, switch language."""

import pytest

from stations.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_office_filters_stations_and_attaches_a_representative(live_server, world, page):
    sign_in(page, live_server, "office", world.password)
    assert page.locator("h1").inner_text().endswith("您好")
    page.click("#nav-main a.nav-link[href='/network/stations/']")
    rows = page.locator("table.table-ledger tbody tr")
    assert rows.count() == 5  # the district's stations, not 朝阳区's
    page.select_option("#id_kind", "home")
    page.click("form >> text=筛选")
    assert rows.count() == 2 and "kind=home" in page.url

    page.goto(live_server.url + f"/network/stations/{world.S1.pk}/")
    page.fill("#id_representative", "R-3")  # 朝阳区: not in this office's area
    page.click("#add-member")
    assert "辖区内没有" in page.locator("#members").inner_text()
    assert page.input_value("#id_representative") == "R-3"  # kept what was typed
    page.fill("#id_representative", "赵丽华")
    page.click("#add-member")
    assert "赵丽华已加入本站" in page.locator(".alert-success").inner_text()
    assert Membership.objects.filter(station=world.S1, representative=world.R4).exists()
    page.screenshot(path="var/browser-station-detail.png", full_page=True)


def test_station_form_keeps_input_on_error(live_server, world, page):
    sign_in(page, live_server, "staff", world.password)
    page.goto(live_server.url + f"/network/stations/{world.S1.pk}/edit/")
    page.fill("#id_name", "东关村联络站（二层）")
    page.fill("#id_phone", "12345")
    page.click("main form button[type=submit].btn-primary")
    page.screenshot(path="var/browser-station-form-error.png", full_page=True)
    assert "请修改标红的内容" in page.locator(".alert-danger").first.inner_text()
    assert page.input_value("#id_name") == "东关村联络站（二层）"
    assert page.locator("#id_phone.is-invalid").count() == 1
    page.fill("#id_phone", "010-69101234")
    page.click("main form button[type=submit].btn-primary")
    page.wait_for_url(f"**/network/stations/{world.S1.pk}/")
    assert "东关村联络站（二层）" in page.locator("h1").inner_text()


def test_language_switch_and_role_navigation(live_server, world, page):
    sign_in(page, live_server, "dept", world.password)
    nav = page.locator("#nav-main").inner_text()
    assert "联络站导览" in nav and "代表" not in nav.replace("联络站导览", "")
    page.click("text=English")
    page.wait_for_load_state()
    assert "Your department" in page.content() and page.locator("html").get_attribute("lang") == "en"
    assert page.goto(live_server.url + "/network/stations/").status == 403
    assert "You may not do this" in page.content()


def test_lockout_message_in_the_browser(live_server, world, page):
    for _ in range(5):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "office")
        page.fill("#id_password", "wrong-password")
        page.click("main form button[type=submit]")
    assert "登录失败次数过多" in page.locator(".alert-danger").inner_text()
