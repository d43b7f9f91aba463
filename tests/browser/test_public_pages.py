"""Residents' pages in a real Chromium: phone width, map, QR image, one-page A4 poster."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

LONG_WORK_UNIT = "北京市延庆区延庆镇东关村股份经济合作社暨东关村村民委员会综合服务中心"


@pytest.fixture
def public_world(world, settings):
    """The world with coordinates, long texts that must wrap, and a tile server that cannot be reached."""
    settings.MAP_TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"
    for station, lat, lng in (
        (world.S1, "40.456100", "115.970100"),
        (world.S2, "40.380000", "115.900000"),
        (world.H1, "40.460000", "115.980000"),
        (world.S3, "39.910000", "116.450000"),
    ):
        station.latitude, station.longitude = Decimal(lat), Decimal(lng)
        station.address = f"北京市延庆区{station.name}所在地延庆镇东关村东关大街一百二十八号院内综合楼一层"
        station.save()
    world.R1.work_unit = LONG_WORK_UNIT
    world.R1.position = "党支部书记、村民委员会主任"
    world.R1.public_phone = "010-69105678"
    world.R1.save()
    return world


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def external_hosts(page):
    return {urlsplit(u).hostname for u in page.external_requests}


def test_directory_on_a_phone(live_server, transactional_db, public_world, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:directory"))
    assert page.locator("h1").is_visible()
    for station in (public_world.S1, public_world.S2, public_world.S3):
        assert page.get_by_role("link", name=station.name).count() == 1
    assert scroll_width(page) <= PHONE["width"]

    # Leaflet started and put the four located stations on the map, tiles or not.
    page.wait_for_selector("#station-map.leaflet-container")
    assert page.evaluate("typeof window.L") == "object"
    page.wait_for_selector("#station-map[data-stations]")
    assert page.get_attribute("#station-map", "data-stations") == "4"
    # Nothing but the (unreachable) tile server was asked for outside the site.
    assert external_hosts(page) <= {"tiles.invalid"}
    assert scroll_width(page) <= PHONE["width"]


def test_directory_search_filters_list_and_map(live_server, transactional_db, public_world, page):
    page.goto(live_server.url + reverse("public:directory"))
    page.fill("#id_q", "建国里")
    page.locator("#directory-search button[type=submit]").click()
    page.wait_for_url(re.compile(r"q="))
    assert page.get_by_role("link", name=public_world.S3.name).count() == 1
    assert page.get_by_role("link", name=public_world.S1.name).count() == 0
    page.wait_for_selector("#station-map[data-stations]")
    assert page.get_attribute("#station-map", "data-stations") == "1"


def test_station_page_on_a_phone(live_server, transactional_db, public_world, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:station", args=[public_world.S1.public_code]))
    reps = page.locator("#representatives")
    assert "张建国" in reps.inner_text()
    assert LONG_WORK_UNIT in reps.inner_text()
    assert public_world.R1.private_phone not in page.content()

    qr = page.locator("#qr img")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 0

    page.wait_for_selector("#station-map.leaflet-container")
    assert scroll_width(page) <= PHONE["width"]
    assert external_hosts(page) <= {"tiles.invalid"}


def test_qr_link_opens_the_petition_form(live_server, transactional_db, public_world, page):
    petition_url = reverse("public:station_petition", args=[public_world.S1.public_code])
    page.goto(live_server.url + petition_url)
    assert page.url.endswith(petition_url)
    assert page.locator("#station-name").inner_text() == public_world.S1.name
    assert page.locator("#petition-form textarea[name=content]").is_visible()


def count_pdf_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_poster_prints_on_one_a4_page(live_server, transactional_db, public_world, page):
    from tests.factories import MembershipFactory, RepresentativeFactory

    for i in range(14):  # more than the poster shows
        rep = RepresentativeFactory(name=f"代表{i:02d}", jurisdiction=public_world.j.K, work_unit=LONG_WORK_UNIT)
        MembershipFactory(representative=rep, station=public_world.S1)
    page.goto(live_server.url + reverse("public:station_poster", args=[public_world.S1.public_code]))
    qr = page.locator(".poster-qr img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert page.locator("[data-action=print]").is_visible()

    page.emulate_media(media="print")
    assert not page.locator("[data-action=print]").is_visible()
    assert not page.locator(".public-header").is_visible()
    # The sheet holds all its content (nothing clipped at the bottom) ...
    clipped = page.evaluate(
        "(() => { const p = document.querySelector('.poster'); return p.scrollHeight - p.clientHeight; })()"
    )
    assert clipped <= 1
    assert page.locator(".poster-foot").is_visible()
    # ... and prints on exactly one A4 page.
    pdf = page.pdf(format="A4", print_background=True)
    assert count_pdf_pages(pdf) == 1


def test_poster_fits_a_phone_screen(live_server, transactional_db, public_world, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:station_poster", args=[public_world.S1.public_code]))
    assert page.locator(".poster-name").inner_text() == public_world.S1.name
    assert scroll_width(page) <= PHONE["width"]
