"""Playwright fixtures for the browser tests: one Debian Chromium per session, a fresh page per test.

Chromium comes from the system (`apt-get install chromium fonts-noto-cjk`), not
from Playwright's download. Without it the tests skip, unless
LIAISON_REQUIRE_BROWSER is set (CI), where they fail.

Use with pytest-django's `live_server` (and request `transactional_db`, so
data made in the test is visible to the server thread):

    def test_x(live_server, transactional_db, world, page):
        page.goto(live_server.url + "/directory/")

The page blocks every request that leaves the live server (map tiles, any
CDN) and lists them in `page.external_requests`.
"""

import os
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _unavailable(reason):
    if os.environ.get("LIAISON_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.isfile(executable) or not os.access(executable, os.X_OK):
        _unavailable(f"Chromium not found at {executable} (set CHROMIUM_PATH or apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A desktop-sized page in its own context; call page.set_viewport_size(PHONE) for a phone."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    external = []

    def only_local(route):
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    violations = watch_csp(context)
    page = context.new_page()
    page.external_requests = external
    page.csp_violations = violations
    yield page
    context.close()
    # Every browser test is also a CSP test: a page that needed an inline script, an on*=
    # handler, eval or a foreign origin fails here (liaison/settings/base.py, SECURE_CSP).
    assert not violations, f"Content-Security-Policy violations: {violations}"


# Reports each `securitypolicyviolation` event of every document of the context to Python.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation({
    directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
    source: e.sourceFile, line: e.lineNumber, page: document.location.pathname,
  });
});
"""


def watch_csp(context) -> list:
    """A list that fills with the CSP violations (and the browser's "Refused to ..." console
    errors) of every page of `context` from now on."""
    violations = []
    context.expose_binding("__cspViolation", lambda source, v: violations.append(v))
    context.add_init_script(_CSP_LISTENER)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append({"console": message.text})

    context.on("console", on_console)
    return violations


@pytest.fixture(autouse=True)
def _categories(request):
    """The taxonomy comes from a data migration, which a transactional test's flush removes;
    every browser test starts with it again."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from petitions.ledger.taxonomy import seed_taxonomy
    from petitions.models import Category

    seed_taxonomy(Category)
