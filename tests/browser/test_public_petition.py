"""A resident on a phone: scan the station's QR code, send an item with a photo, track it."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from PIL import Image

from petitions.models import Petition, Status

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 667}
SHOTS = Path("/tmp/shots")
# Everything the form page downloads (HTML, CSS, images), uncompressed. Bootstrap's
# CSS is most of it; gzip (whitenoise) sends about a sixth over the wire.
PAGE_WEIGHT_BUDGET = 320_000


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def photo_file(name="路灯.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def page_weight(page) -> dict:
    """Bytes the page loaded (decoded), and how many scripts it fetched."""
    return page.evaluate(
        """() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const res = performance.getEntriesByType('resource');
            return {
                bytes: nav.decodedBodySize + res.reduce((sum, r) => sum + r.decodedBodySize, 0),
                scripts: res.filter(r => r.initiatorType === 'script').length,
                requests: res.length + 1,
            };
        }"""
    )


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"qr_{name}.png"), full_page=True)


def test_resident_sends_an_item_by_qr_code_and_tracks_it(live_server, transactional_db, world, page):
    page.set_viewport_size(SMALL_PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url + reverse("public:station_petition", args=[world.S1.public_code]))
    assert page.locator("#station-name").inner_text() == world.S1.name
    assert scroll_width(page) <= SMALL_PHONE["width"]
    weight = page_weight(page)
    assert weight["bytes"] < PAGE_WEIGHT_BUDGET, weight
    # One small script (the one-tap guard; the CSP allows no inline script), no framework.
    assert weight["scripts"] == 1, weight
    assert page.evaluate(
        "performance.getEntriesByType('resource').filter(r => r.initiatorType === 'script')"
        ".map(r => new URL(r.name).pathname)"
    ) == ["/static/js/liaison.js"]
    assert page.external_requests == []
    # Big tap targets: the send button and the text box are full width and tall.
    button = page.locator("#petition-submit").bounding_box()
    assert button["height"] >= 44 and button["width"] >= 300
    trap = page.locator("#id_website").bounding_box()  # the honeypot is off-screen
    assert trap["x"] + trap["width"] <= 0
    print("form page weight:", weight)

    page.fill("#id_content", "东关大街路口晚上停车混乱，行人过马路很危险，希望划线并安排人员疏导。")
    page.select_option("#id_category", label="停车管理")
    page.set_input_files("#id_photos", files=[photo_file()])
    page.fill("#id_phone", "13812345678")
    shoot(page, "form")
    page.click("#petition-submit")

    page.wait_for_url("**/petition/done/")
    number = page.locator("#tracking-number").inner_text().strip()
    petition = Petition.objects.get()
    assert number == petition.tracking_number
    assert petition.attachments.count() == 1 and petition.petitioner_phone == "13812345678"
    assert scroll_width(page) <= SMALL_PHONE["width"]
    page.click("#copy-number")
    page.wait_for_function("(b => b.textContent.trim() === b.dataset.done)(document.getElementById('copy-number'))")
    assert page.evaluate("navigator.clipboard.readText()") == number
    shoot(page, "done")

    # Later: the resident types the number, small letters and no dash, into the tracking page.
    page.goto(live_server.url + reverse("tracking:lookup"))
    page.fill("#id_number", number.replace("-", "").lower())
    shoot(page, "lookup")
    page.locator("#track-form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('tracking:detail', args=[number])}")
    with translation.override("zh-hans"):
        registered = str(Status.REGISTERED.label)
    assert page.locator("#track-status").inner_text() == registered
    assert page.locator("#track-station").inner_text() == world.S1.name
    html = page.content()
    assert "13812345678" not in html and "路灯.jpg" not in html
    assert scroll_width(page) <= SMALL_PHONE["width"]
    shoot(page, "track")


def test_a_wrong_phone_keeps_text_and_photo(live_server, transactional_db, world, page):
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url + reverse("public:station_petition", args=[world.S1.public_code]))
    page.fill("#id_content", "垃圾清运不及时，气味很大。")
    page.set_input_files("#id_photos", files=[photo_file("垃圾.jpg")])
    page.fill("#id_phone", "1381234")
    page.click("#petition-submit")

    page.wait_for_selector("#phone-error")
    assert page.input_value("#id_content") == "垃圾清运不及时，气味很大。"
    assert "垃圾.jpg" in page.locator("#staged-files").inner_text()
    assert scroll_width(page) <= SMALL_PHONE["width"]
    shoot(page, "error")

    page.fill("#id_phone", "13812345678")
    page.click("#petition-submit")
    page.wait_for_url("**/petition/done/")
    assert Petition.objects.get().attachments.get().original_name == "垃圾.jpg"
