"""In real Chromium on a 375 px phone: the 延庆镇 office opens 本级设置 from the menu, sees the
district's values it inherits, types a bad signature (kept, explained), then sets its own reply
hours and signature; an item sent online at its station gets those hours."""

from datetime import timedelta

import pytest

from liaison.models import OfficeSettings
from liaison.office_settings import office_settings_save
from tests.browser.conftest import PHONE
from tests.factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_township_office_sets_its_own_hours_and_signature(live_server, world, page, tmp_path):
    office_settings_save(office=world.OK, actor=world.office, values={"online_reply_hours": 12, "quota_county": 5})
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "office_t1")
    page.fill("#id_password", world.password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/offices/settings/")  # the menu entry
    page.wait_for_url(f"{live_server.url}/offices/{world.OT1.pk}/settings/")
    hours = page.locator("[data-setting=online_reply_hours]")
    assert hours.locator("input").get_attribute("placeholder") == "12"
    assert "延庆区人大常委会" in hours.locator("[data-applies]").inner_text()
    assert "系统默认值" in page.locator("[data-setting=visit_notice_days] [data-applies]").inner_text()
    assert fits(page), "the settings page scrolls sideways at 375 px"

    page.fill("#id_sms_sign_name", "延庆 镇")
    page.fill("#id_online_reply_hours", "8")
    page.click("#office-settings-form button[type=submit]")
    assert "不要有空格或括号" in page.locator("[data-setting=sms_sign_name]").inner_text()
    assert page.input_value("#id_online_reply_hours") == "8"  # what was typed is still there
    assert not OfficeSettings.objects.filter(office=world.OT1).exists()
    assert fits(page), "the page with its errors scrolls sideways at 375 px"
    page.screenshot(path=str(tmp_path / "office-settings-errors.png"), full_page=True)

    page.fill("#id_sms_sign_name", "【延庆镇人大主席团】")
    page.click("#office-settings-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/offices/{world.OT1.pk}/settings/")
    assert "本机关设置" in page.locator("[data-setting=online_reply_hours] [data-applies]").inner_text()
    assert "【延庆镇人大主席团】" in page.locator("[data-setting=sms_sign_name] [data-applies]").inner_text()
    own = OfficeSettings.objects.get(office=world.OT1)
    assert (own.online_reply_hours, own.sms_sign_name) == (8, "延庆镇人大主席团")

    item = make_petition(station=world.S1, channel="qr")
    assert item.first_reply_due_at - item.registered_at == timedelta(hours=8)
