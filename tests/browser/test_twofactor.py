"""The second factor in real Chromium: an office switches it on (QR code, key, a code), keeps the
recovery codes, then signs in again with password and code; the pages fit a 375 px phone."""

import base64
import time

import pytest

from liaison.models import TwoFactorDevice
from liaison.twofactor import totp
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def code(key_text: str, offset: int = 0) -> str:
    secret = key_text.replace(" ", "")
    return totp(base64.b32decode(secret + "=" * (-len(secret) % 8)), time.time() + offset)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_office_enrols_then_signs_in_with_a_code(live_server, world, page, settings):
    settings.LIAISON_2FA_REQUIRED_ROLES = ["committee_office"]
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", world.password)
    page.click("main form button[type=submit]")
    # A required role is sent to the enrolment page, and only there.
    page.wait_for_url(live_server.url + "/accounts/2fa/")
    assert page.locator("[data-testid=twofactor-required]").is_visible()
    page.goto(live_server.url + "/petitions/")
    page.wait_for_url(live_server.url + "/accounts/2fa/")
    qr = page.locator("img.twofactor-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('img.twofactor-qr').naturalWidth") > 0
    assert fits(page), "the enrolment page scrolls sideways at 375 px"
    key = page.locator("[data-testid=twofactor-secret]").inner_text()
    page.fill("#id_code", code(key))
    page.click("main form button[type=submit]")

    page.wait_for_url(live_server.url + "/accounts/2fa/codes/")
    codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10
    assert page.locator("button[data-print]").is_visible()
    assert fits(page), "the recovery codes scroll sideways at 375 px"
    page.emulate_media(media="print")
    assert not page.locator("header.app-header").is_visible()  # paper: the sheet alone
    page.emulate_media(media="screen")
    assert TwoFactorDevice.objects.filter(user=world.office, disabled_at__isnull=True).count() == 1

    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", world.password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/accounts/login/code/")
    assert fits(page)
    page.fill("#id_code", code(key, 30))  # the next step: the enrolment's code cannot serve again
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".account-toggle").count() == 1  # drawn for a signed-in user only
