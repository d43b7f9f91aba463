"""Content-Security-Policy: the header as sent, the nonce on every inline <style>, and no
inline script, on*= handler or eval anywhere (templates and rendered pages).

The browser side (no violation while the pages are used) is tests/browser/test_csp.py, and
every browser test fails on a violation (tests/browser/conftest.py)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from liaison.headers import tile_source

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STATIC_JS = Path(settings.BASE_DIR) / "static" / "js"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


class Page(HTMLParser):
    """The parts of a page the policy cares about."""

    def __init__(self):
        super().__init__()
        self.inline_scripts, self.style_nonces, self.handlers, self.links = [], [], [], []
        self.htmx_config = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and "src" not in a and a.get("type") != "application/json":
            self.inline_scripts.append(a)
        if tag == "style":
            self.style_nonces.append(a.get("nonce"))
        self.handlers += [(tag, k) for k in a if k.startswith("on") or k.startswith("hx-on")]
        self.handlers += [(tag, k) for k, v in a.items() if v and v.strip().lower().startswith("javascript:")]
        if tag == "meta" and a.get("name") == "htmx-config":
            self.htmx_config = a["content"]
        if tag == "a" and a.get("href", "").startswith("/") and not a["href"].startswith("//"):
            self.links.append(a["href"])


def parse(response) -> Page:
    page = Page()
    page.feed(response.content.decode())
    return page


def check_page(response):
    """The policy is sent, and the page needs nothing it forbids."""
    csp = policy(response)
    page = parse(response)
    assert not page.inline_scripts, page.inline_scripts
    assert not page.handlers, page.handlers
    nonces = {v.removeprefix("'nonce-").removesuffix("'") for v in csp["style-src"] if v.startswith("'nonce-")}
    for nonce in page.style_nonces:
        assert nonce and nonce in nonces, (nonce, csp["style-src"])
    return page


def test_the_policy_forbids_inline_scripts_eval_framing_and_plugins(client, db):
    response = client.get(reverse("login"))
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in csp[directive]
        assert "'unsafe-eval'" not in csp[directive]
    # No 'unsafe-inline' anywhere, style attributes included: style-src (with its nonce) governs them.
    assert "style-src-attr" not in csp and "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in csp["img-src"]


def test_each_response_has_its_own_nonce_and_the_style_elements_carry_it(client, world):
    station = world.S1
    first = client.get(reverse("public:station", args=[station.public_code]))
    second = client.get(reverse("public:station", args=[station.public_code]))
    assert first.status_code == second.status_code == 200
    one, two = check_page(first), check_page(second)
    assert one.style_nonces and two.style_nonces  # the public base has a <style> element
    assert one.style_nonces[0] != two.style_nonces[0]
    assert len(one.style_nonces[0]) >= 22  # 16 random bytes


def test_the_pages_a_signed_in_office_reaches_from_the_start_page_need_no_inline_script(client_for, world, ledger):
    """Every page linked from the start page (the whole navigation and the items on it)."""
    client = client_for(world.office)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    start = check_page(home)
    assert start.htmx_config and '"allowEval": false' in start.htmx_config
    links = sorted({href for href in start.links if not href.startswith(("/admin/", "/accounts/logout"))})
    assert len(links) >= 10, links
    checked = 0
    for href in links:
        response = client.get(href)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        check_page(response)
        checked += 1
    assert checked >= 10, checked


@pytest.mark.parametrize("username", ["admin", "staff", "dept", "rep"])
def test_each_roles_start_page_and_its_links(client_for, world, ledger, username):
    client = client_for(getattr(world, username))
    start = check_page(client.get(reverse("home")))
    for href in sorted(set(start.links)):
        if href.startswith("/accounts/logout"):
            continue
        response = client.get(href)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            check_page(response)


def test_public_pages_need_no_inline_script(client, world):
    for url in [
        reverse("public:directory"),
        reverse("public:station", args=[world.S1.public_code]),
        reverse("public:station_poster", args=[world.S1.public_code]),
        reverse("public:station_petition", args=[world.S1.public_code]),
        reverse("tracking:lookup"),
        reverse("login"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        check_page(response)


def test_the_error_pages_need_no_inline_script(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    check_page(response)


ON_HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\-][\w:-]*)\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def test_no_template_has_an_inline_script_a_handler_a_style_attribute_or_a_bare_style_element():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        name = str(path.relative_to(TEMPLATES))
        offenders += [(name, m.group(0)) for m in INLINE_SCRIPT.finditer(text)]
        offenders += [(name, m.group(1)) for m in ON_HANDLER.finditer(text)]
        offenders += [(name, "javascript:") for _ in re.finditer(r"javascript:", text, re.I)]
        offenders += [(name, "<style> without nonce") for _ in re.finditer(r"<style>", text)]
        offenders += [(name, m.group(0)) for m in re.finditer(r"\sstyle=\"[^\"]*\"", text)]
    assert not offenders, offenders


def test_our_scripts_use_no_eval():
    for path in STATIC_JS.glob("*.js"):
        text = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*[\"']", text), path


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}", "https://*.tianditu.gov.cn"),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_the_map_tiles_origin_is_allowed_for_images(url, source):
    assert tile_source(url) == source


def test_the_tile_server_follows_the_setting(client, db, settings):
    settings.MAP_TILE_URL = "https://t{s}.tiles.example.cn/{z}/{x}/{y}.png"
    csp = policy(client.get(reverse("login")))
    assert "https://*.tiles.example.cn" in csp["img-src"]
    assert "https://tile.openstreetmap.org" not in csp["img-src"]


def test_a_foreign_origin_is_not_allowed(client, db):
    csp = policy(client.get(reverse("login")))
    for directive in ("script-src", "style-src", "connect-src", "font-src"):
        assert all(not urlsplit(v).netloc for v in csp[directive]), csp[directive]
