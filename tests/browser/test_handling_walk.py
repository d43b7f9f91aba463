"""One item through every role in real Chromium, from the desk to close-out (issue 5's "done when"):
registered at the desk, assigned, returned by the department, assigned again, accepted, an
extension asked for and approved, progress, a reply from a template with a file, fed back with
the printed letter, rated "dissatisfied" by the representative (a second round), answered again,
rated "satisfied" by the resident on the tracking page and by the representative, closed with a
public result that the station's public page shows.

Every person works in their own browser context (their own cookies), as on their own computer.
Prints "handling walk: X s" (run with -s) and writes it to var/bench/handling_walk.txt.
A second test: a confidential item never shows the department who raised it.
"""

import io
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from liaison.models import OutboxMessage
from petitions.handling import services as handling
from petitions.handling.forms import PAGES
from petitions.handling.workflow import Move
from petitions.ledger.events import PetitionEventKind
from petitions.models import (
    Assignment,
    DepartmentReply,
    ExtensionRequest,
    Petition,
    Rating,
    ReplyTemplate,
    Status,
)
from tests.browser.conftest import DESKTOP, LOCAL_HOSTS, watch_csp
from tests.browser.test_desk import sign_in, todays_event
from tests.factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
BENCH = Path(__file__).resolve().parents[2] / "var" / "bench"
TIMEOUT = 20_000  # ms; generous for a slow CI machine, every wait is Playwright's own auto-wait

CONTENT = "东关村西口路灯坏了一个月，晚上出行很危险，希望尽快修好"
RETURN_REASON = "路灯由区城市管理委负责维护，不属于本委职责，请改派。"
EXTENSION_REASON = "需要协调供电公司停电检修，预计还需两周。"
PROGRESS_TEXT = "已派人现场查看，确认为线路老化，正在联系供电公司。"
REPLY_1 = "经核查，西口路灯线路老化，已列入本月维修计划，预计月底前修复。"
REPLY_2 = "西口路灯已于本周更换线路并恢复照明，并在村口加装了一盏新灯。"
FEEDBACK_1 = "已电话告知刘桂芳答复内容，她表示希望尽快修好。"
FEEDBACK_2 = "工作人员上门告知，居民确认路灯已亮。"
PUBLIC_RESULT = "东关村西口路灯已修复，并新增一盏路灯。"


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The tracking page counts requests per address in the cache; start from zero."""
    cache.clear()
    yield
    cache.clear()


def zh(text) -> str:
    """What the page shows for a (lazy) source string: the site's language is Chinese."""
    with translation.override("zh-hans"):
        return str(text)


def zh_gettext(message, **params) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


def done_message(move: Move, petition) -> str:
    """The success message a move page leaves (views_handling.act)."""
    with translation.override("zh-hans"):
        return gettext("%(move)s: done for item %(number)s.") % {
            "move": str(PAGES[move].title),
            "number": petition.tracking_number,
        }


def photo(name="现场照片.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 170, 60)).save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


class Stopwatch:
    """The walk's duration (time.monotonic), with the time each step took."""

    def __init__(self):
        self.started = self.last = time.monotonic()
        self.steps = []
        self.current = None

    def lap(self, name):
        now = time.monotonic()
        if self.current:
            self.steps.append((self.current, now - self.last))
        self.current, self.last = name, now

    def report(self):
        self.lap(None)
        total = time.monotonic() - self.started
        line = (
            f"handling walk: {total:.1f} s (registration and 16 moves by staff, office, department, "
            f"representative and resident; 2 rounds; {len(self.steps)} steps)"
        )
        print("\n" + line)
        lines = [line] + [f"  {name}: {seconds:.1f} s" for name, seconds in self.steps]
        BENCH.mkdir(parents=True, exist_ok=True)
        (BENCH / "handling_walk.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


class People:
    """One browser context per person, signed in on first use (a resident never signs in)."""

    def __init__(self, browser, live_server, password):
        self.browser, self.live_server, self.password = browser, live_server, password
        self.pages = {}
        self.external = []
        self.csp_violations = []

    def url(self, path: str) -> str:
        return self.live_server.url + path

    def _new_page(self):
        context = self.browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT)

        def only_local(route):
            host = urlsplit(route.request.url).hostname or ""
            if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        violations = watch_csp(context)
        page = context.new_page()
        page.csp_violations = violations
        return page

    def __call__(self, username: str):
        if username not in self.pages:
            page = self._new_page()
            if username != "resident":
                sign_in(page, self.live_server, username, self.password)
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for page in self.pages.values():
            # Let the last requests finish before the database is flushed for the next test.
            page.wait_for_load_state("networkidle")
            page.goto("about:blank")
            page.context.close()
            self.csp_violations += page.csp_violations
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"


@pytest.fixture
def people(browser, live_server, world):
    expect.set_options(timeout=TIMEOUT)
    crowd = People(browser, live_server, world.password)
    yield crowd
    crowd.close()
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests that run after


# --------------------------------------------------------------------------- steps


def open_item(page, people, petition):
    page.goto(people.url(reverse("petitions:detail", args=[petition.pk])))
    expect(page.locator("#details")).to_be_visible()


def start_move(page, move: Move, petition):
    """Click the move's button in the item page's handling panel and land on its form."""
    page.locator(f'#handling #moves a[data-move="{move.value}"]').click()
    page.wait_for_url(f"**{reverse('petitions:act', args=[petition.pk, move.value])}")
    expect(page.locator("#move-panel")).to_have_attribute("data-move", move.value)


def send_move(page):
    """Submit the move form; wait for the page it leads to (the item, or the department desk)."""
    with page.expect_navigation():
        page.click("#move-submit")
    expect(page.locator("#move-form")).to_have_count(0)  # not the form again with an error


def expect_done(page, move: Move, petition, status=None):
    expect(page.locator(".messages .alert-success").last).to_contain_text(done_message(move, petition))
    if status is not None:
        expect(page.locator("#petition-status")).to_have_text(zh(Status(status).label))


def timeline(page, kind):
    return page.locator(f'#timeline li[data-kind="{kind}"]')


def current_due(petition):
    return Petition.objects.values_list("due_on", flat=True).get(pk=petition.pk)


# --------------------------------------------------------------------------- the walk


def test_one_item_through_every_role_from_the_desk_to_close_out(live_server, world, people):
    SHOTS.mkdir(parents=True, exist_ok=True)
    todays_event(world)
    template = ReplyTemplate.objects.create(outcome="A", title="已解决", text="经核查，您反映的问题已经解决。")
    D = world.D
    watch = Stopwatch()

    watch.lap("1. desk")
    # 1. Staff register the item at the desk: today's reception day at S1 brings R1.
    staff = people("staff")
    staff.goto(people.url(reverse("petitions:create")))
    expect(staff.locator("#id_station")).to_have_value(str(world.S1.pk))
    expect(staff.locator(f"input[name=representatives][value='{world.R1.pk}']")).to_be_checked()
    staff.fill("#id_petitioner_name", "刘桂芳")
    staff.fill("#id_petitioner_phone", "13811110001")
    staff.fill("#id_content", CONTENT)
    with staff.expect_navigation(url=re.compile(r"/petitions/\d+/$")):
        staff.click("#desk-save")
    petition = Petition.objects.get()
    number = petition.tracking_number
    expect(staff.locator(".messages .alert-success").last).to_contain_text(number)
    expect(staff.locator("#petition-status")).to_have_text(zh(Status.REGISTERED.label))
    expect(staff.locator("#representatives")).to_contain_text(world.R1.name)
    assert list(petition.representatives.all()) == [world.R1]

    watch.lap("2. assign")
    # 2. The office finds it in triage and assigns it to D.
    office = people("office")
    office.goto(people.url(reverse("petitions:triage")))
    row = office.locator(f'#triage-table tr[data-petition="{petition.pk}"]')
    expect(row).to_be_visible()
    expect(row.locator(".petition-status")).to_have_text(zh(Status.REGISTERED.label))
    row.locator("a[href$='/do/assign/']").click()
    office.wait_for_url(f"**{reverse('petitions:act', args=[petition.pk, 'assign'])}")
    office.select_option("#id_department", str(D.pk))
    office.fill("#id_responsible_leader", "王志明")
    office.fill("#id_note", "请核实后按期答复。")
    send_move(office)
    expect_done(office, Move.ASSIGN, petition, Status.ASSIGNED)
    expect(office.locator("#shares")).to_contain_text(D.name)
    expect(timeline(office, "assigned")).to_have_count(1)

    watch.lap("3. return")
    # 3. The department finds it among its new items and returns it with a reason.
    dept = people("dept")
    dept.goto(people.url(reverse("petitions:department")))
    expect(dept.locator('#desk-tabs a[data-tab="new"]')).to_have_class(re.compile(r"\bactive\b"))
    row = dept.locator(f'#desk-table tr[data-petition="{petition.pk}"]')
    expect(row).to_contain_text(CONTENT[:20])
    row.locator("a.ledger-number").click()
    dept.wait_for_url(f"**{reverse('petitions:detail', args=[petition.pk])}")
    expect(dept.locator("#petition-status")).to_have_text(zh(Status.ASSIGNED.label))
    start_move(dept, Move.RETURN, petition)
    dept.fill("#id_reason", RETURN_REASON)
    send_move(dept)
    dept.wait_for_url(f"**{reverse('petitions:department')}")
    expect_done(dept, Move.RETURN, petition)
    expect(dept.locator(f'#desk-table tr[data-petition="{petition.pk}"]')).to_have_count(0)
    dept.locator('#desk-tabs a[data-tab="returned"]').click()
    expect(dept.locator(f'#desk-table tr[data-petition="{petition.pk}"]')).to_be_visible()

    watch.lap("4. assign again")
    # 4. Back in the office's triage list, marked "Returned"; assigned again to D.
    office.goto(people.url(reverse("petitions:triage")))
    row = office.locator(f'#triage-table tr[data-petition="{petition.pk}"]')
    expect(row.locator(".badge.text-bg-warning")).to_have_text(zh_gettext("Returned"))
    expect(row.locator(".petition-status")).to_have_text(zh(Status.TRIAGED.label))
    open_item(office, people, petition)
    expect(office.locator("#shares")).to_contain_text(RETURN_REASON)
    expect(timeline(office, "returned").locator(".tl-status")).to_contain_text(zh(Status.TRIAGED.label))
    start_move(office, Move.ASSIGN, petition)
    office.select_option("#id_department", str(D.pk))
    send_move(office)
    expect_done(office, Move.ASSIGN, petition, Status.ASSIGNED)
    expect(office.locator("#shares tr[data-share]")).to_have_count(2)

    watch.lap("5. accept, extension asked")
    # 5. The department accepts, then asks for more time.
    open_item(dept, people, petition)
    start_move(dept, Move.ACCEPT, petition)
    send_move(dept)
    expect_done(dept, Move.ACCEPT, petition, Status.ACCEPTED)
    first_due = current_due(petition)
    asked = first_due + timedelta(days=14)
    start_move(dept, Move.REQUEST_EXTENSION, petition)
    dept.fill("#id_requested_due_on", asked.isoformat())
    dept.fill("#id_reason", EXTENSION_REASON)
    send_move(dept)
    expect_done(dept, Move.REQUEST_EXTENSION, petition, Status.ACCEPTED)
    expect(dept.locator("#pending-extension")).to_contain_text(asked.isoformat())
    expect(dept.locator('#moves a[data-move="request_extension"]')).to_have_count(0)  # one request at a time

    watch.lap("6. extension approved")
    # 6. The office approves, with a date of its own; the item's deadline moves.
    granted = first_due + timedelta(days=10)
    open_item(office, people, petition)
    expect(office.locator("#pending-extension")).to_contain_text(EXTENSION_REASON[:10])
    expect(office.locator("#details")).to_contain_text(first_due.isoformat())
    start_move(office, Move.DECIDE_EXTENSION, petition)
    expect(office.locator("#extension-request")).to_contain_text(EXTENSION_REASON)
    expect(office.locator("#id_due_on")).to_have_value(asked.isoformat())  # the request's date to start from
    office.check("input[name=approve][value='1']")
    office.fill("#id_due_on", granted.isoformat())
    send_move(office)
    expect_done(office, Move.DECIDE_EXTENSION, petition, Status.ACCEPTED)
    expect(office.locator("#details")).to_contain_text(granted.isoformat())
    expect(office.locator("#details")).not_to_contain_text(first_due.isoformat())
    expect(office.locator("#pending-extension")).to_have_count(0)
    expect(timeline(office, "extension_approved")).to_have_count(1)
    assert ExtensionRequest.objects.get(petition=petition).state == ExtensionRequest.State.APPROVED

    watch.lap("7. progress, reply")
    # 7. The department posts progress, then replies from a template, with a photo.
    open_item(dept, people, petition)
    expect(dept.locator("#details")).to_contain_text(granted.isoformat())
    start_move(dept, Move.PROGRESS, petition)
    dept.fill("#id_text", PROGRESS_TEXT)
    send_move(dept)
    expect_done(dept, Move.PROGRESS, petition, Status.IN_PROGRESS)
    expect(timeline(dept, "progress")).to_have_count(1)
    start_move(dept, Move.REPLY, petition)
    dept.select_option("#reply-template", str(template.pk))
    expect(dept.locator("#id_text")).to_have_value(template.text)
    expect(dept.locator("input[name=outcome][value='A']")).to_be_checked()
    dept.fill("#id_text", REPLY_1)  # the template was only the start
    dept.check("input[name=outcome][value='B']")
    dept.set_input_files("#id_files", files=[photo()])
    send_move(dept)
    expect_done(dept, Move.REPLY, petition, Status.REPLIED)
    reply = dept.locator("#handling .handling-reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text(REPLY_1)
    expect(reply.locator("a.petition-doc")).to_contain_text("现场照片.jpg")
    assert DepartmentReply.objects.get(petition=petition).attachments.count() == 1

    watch.lap("8. feedback, letter")
    # 8. Staff feed the answer back and print the feedback letter.
    open_item(staff, people, petition)
    expect(staff.locator("#petition-status")).to_have_text(zh(Status.REPLIED.label))
    start_move(staff, Move.FEED_BACK, petition)
    staff.check("input[name=method][value='phone']")
    staff.fill("#id_text", FEEDBACK_1)
    send_move(staff)
    expect_done(staff, Move.FEED_BACK, petition, Status.FED_BACK)
    expect(staff.locator("#details")).to_contain_text(FEEDBACK_1)
    staff.click("#letter-link")
    staff.wait_for_url(f"**{reverse('petitions:letter', args=[petition.pk])}")
    letter = staff.locator("[data-testid=letter]")
    expect(letter).to_contain_text(REPLY_1)
    expect(letter).to_contain_text(number)
    expect(letter).to_contain_text(D.name)
    # (A function: an expression that evaluates to one would be called by evaluate() itself.)
    staff.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
    staff.click("#letter-print")
    assert staff.evaluate("window.__printed") == 1
    staff.pdf(path=str(SHOTS / "walk_letter.pdf"), format="A4", print_background=True)

    watch.lap("9. dissatisfied, round 2")
    # 9. The representative is not satisfied: the item goes back to D for a second round.
    rep = people("rep")
    open_item(rep, people, petition)
    expect(rep.locator("#petition-status")).to_have_text(zh(Status.FED_BACK.label))
    expect(rep.locator('#moves a[data-move="close"]')).to_have_count(0)
    start_move(rep, Move.RATE, petition)
    rep.check("input[name=satisfaction][value='dissatisfied']")
    rep.fill("#id_comment", "只是列入计划，路灯还没修，群众不满意。")
    send_move(rep)
    expect_done(rep, Move.RATE, petition, Status.ASSIGNED)
    expect(rep.locator("#handling .panel-head .badge")).to_have_text(zh_gettext("round %(n)s", n=2))
    shares = rep.locator("#shares tr[data-share]")
    expect(shares).to_have_count(3)
    expect(shares.filter(has=rep.locator("td.num", has_text=re.compile(r"^2$")))).to_contain_text(D.name)
    expect(timeline(rep, "reopened")).to_have_count(1)
    expect(rep.locator('#ratings li[data-rating="dissatisfied"]')).to_have_count(1)

    watch.lap("10. round 2 reply, ratings")
    # 10. Round 2: D accepts and replies again; staff feed back; the resident and R1 are satisfied.
    dept.goto(people.url(reverse("petitions:department")))
    row = dept.locator(f'#desk-table tr[data-petition="{petition.pk}"]')
    expect(row.locator(".badge.text-bg-warning")).to_have_text(zh_gettext("round %(n)s", n=2))
    open_item(dept, people, petition)
    start_move(dept, Move.ACCEPT, petition)
    send_move(dept)
    expect_done(dept, Move.ACCEPT, petition, Status.ACCEPTED)
    start_move(dept, Move.REPLY, petition)
    dept.check("input[name=outcome][value='A']")
    dept.fill("#id_text", REPLY_2)
    send_move(dept)
    expect_done(dept, Move.REPLY, petition, Status.REPLIED)
    expect(dept.locator("#handling .handling-reply")).to_have_count(2)

    open_item(staff, people, petition)
    start_move(staff, Move.FEED_BACK, petition)
    staff.check("input[name=method][value='in_person']")
    staff.fill("#id_text", FEEDBACK_2)
    send_move(staff)
    expect_done(staff, Move.FEED_BACK, petition, Status.FED_BACK)

    resident = people("resident")
    resident.goto(people.url(reverse("tracking:detail", args=[number])))
    expect(resident.locator("#track-status")).to_have_text(zh(Status.FED_BACK.label))
    expect(resident.locator("#timeline")).to_contain_text(REPLY_2)
    expect(resident.locator("#timeline")).to_contain_text(PROGRESS_TEXT)
    assert "刘桂芳" not in resident.content() and "13811110001" not in resident.content()
    # The code came to the resident's phone with the answer (the outbox holds the text message).
    code = Petition.objects.get(pk=petition.pk).rating_code
    assert OutboxMessage.objects.filter(channel="sms", body__contains=code, key__contains="rating-code").exists()
    resident.fill("#rate-form input[name=code]", code)
    resident.check("#rate-form input[name=satisfaction][value='satisfied']")
    resident.fill("#rate-form textarea[name=comment]", "路灯修好了，谢谢！")
    with resident.expect_navigation():
        resident.click("#rate-form button[type=submit]")
    # (A page with `<meta name="referrer" content="no-referrer">` makes the browser send `Origin: null`
    # with the form, which Django's CSRF check refuses.)
    assert "CSRF" not in resident.content(), "the resident's rating was refused by the CSRF check"
    expect(resident).to_have_url(re.compile(r"\?rated=1#rating$"))
    expect(resident.locator("#rating .track-thanks")).to_be_visible()
    expect(resident.locator("#track-status")).to_have_text(zh(Status.RATED.label))
    expect(resident.locator("#rate-form")).to_have_count(0)

    open_item(rep, people, petition)
    expect(rep.locator("#petition-status")).to_have_text(zh(Status.RATED.label))
    start_move(rep, Move.RATE, petition)
    rep.check("input[name=satisfaction][value='satisfied']")
    send_move(rep)
    expect_done(rep, Move.RATE, petition, Status.RATED)
    expect(rep.locator("#ratings li")).to_have_count(3)
    # A representative never closes an item: no button, and the move itself answers 403.
    expect(rep.locator('#moves a[data-move="close"]')).to_have_count(0)
    csrf = next(c["value"] for c in rep.context.cookies() if c["name"] == "csrftoken")
    version = Petition.objects.values_list("version", flat=True).get(pk=petition.pk)
    answer = rep.request.post(
        people.url(reverse("petitions:act", args=[petition.pk, "close"])),
        form={"version": str(version), "public_result": "代表擅自销号"},
        headers={"X-CSRFToken": csrf, "Referer": people.url("/")},
    )
    assert answer.status == 403
    assert "CSRF" not in answer.text()  # refused for the role, not for a missing token
    assert zh_gettext("You may not do this") in answer.text()
    assert Petition.objects.get(pk=petition.pk).status == Status.RATED

    watch.lap("11. close-out")
    # 11. The office closes out with a public result; the station's public page shows it.
    open_item(office, people, petition)
    expect(office.locator("#ratings li")).to_have_count(3)
    start_move(office, Move.CLOSE, petition)
    office.fill("#id_public_result", PUBLIC_RESULT)
    office.fill("#id_note", "两轮办理，群众和代表均满意。")
    send_move(office)
    expect_done(office, Move.CLOSE, petition, Status.CLOSED)
    expect(office.locator("#handling")).to_contain_text(PUBLIC_RESULT)
    expect(timeline(office, "closed")).to_have_count(1)
    expect(office.locator("#handling #moves a")).to_have_count(0)
    office.screenshot(path=str(SHOTS / "walk_closed.png"), full_page=True)

    resident.goto(people.url(reverse("public:station", args=[world.S1.public_code])))
    expect(resident.locator("#results")).to_contain_text(PUBLIC_RESULT)
    resident.goto(people.url(reverse("tracking:detail", args=[number])))
    expect(resident.locator("#track-status")).to_have_text(zh(Status.CLOSED.label))

    watch.report()

    # What the walk left in the database: one history row per change, in order.
    petition.refresh_from_db()
    assert (petition.status, petition.round, petition.lead_department, petition.due_on is not None) == (
        Status.CLOSED,
        2,
        D,
        True,
    )
    assert petition.public_result == PUBLIC_RESULT
    states = list(petition.assignments.order_by("pk").values_list("round", "state"))
    assert states == [(1, Assignment.State.RETURNED), (1, Assignment.State.DONE), (2, Assignment.State.DONE)]
    ratings = list(
        Rating.objects.filter(petition=petition).order_by("pk").values_list("round", "rater", "satisfaction")
    )
    assert ratings == [
        (1, Rating.Rater.REPRESENTATIVE, "dissatisfied"),
        (2, Rating.Rater.RESIDENT, "satisfied"),
        (2, Rating.Rater.REPRESENTATIVE, "satisfied"),
    ]
    K = PetitionEventKind
    kinds = [k for k in petition.events.order_by("at", "pk").values_list("kind", flat=True) if k != K.REGISTERED]
    assert kinds == [
        K.ASSIGNED,
        K.RETURNED,
        K.ASSIGNED,
        K.ACCEPTED,
        K.EXTENSION_REQUESTED,
        K.EXTENSION_APPROVED,
        K.PROGRESS,
        K.DEPARTMENT_REPLIED,
        K.FED_BACK,
        K.REOPENED,
        K.ACCEPTED,
        K.DEPARTMENT_REPLIED,
        K.FED_BACK,
        K.RATED,
        K.RATED,
        K.CLOSED,
    ]
    assert people.external == []


# --------------------------------------------------------------------------- confidentiality


def test_the_department_never_sees_who_raised_a_confidential_item(live_server, world, people):
    petition = make_petition(
        station=world.S1,
        representatives=[world.R1],
        actor=world.staff,
        is_confidential=True,
        content="反映村干部在低保评定中优亲厚友的问题",
        petitioner_name="李秀兰",
        petitioner_phone="13812340000",
        petitioner_address="东关村二巷8号",
    )
    handling.petition_assign(actor=world.office, petition=petition, department=world.D)
    # In full and as the office would see them masked (李*, 138****0000, 东关村二巷8***).
    secrets = ("李秀兰", "李*", "13812340000", "138****0000", "东关村二巷8")

    def shows_no_identity(page):
        html = page.content()
        for secret in secrets:
            assert secret not in html, (page.url, secret)

    dept = people("dept")
    dept.goto(people.url(reverse("petitions:department")))
    row = dept.locator(f'#desk-table tr[data-petition="{petition.pk}"]')
    expect(row).to_be_visible()
    shows_no_identity(dept)
    row.locator("a.ledger-number").click()
    dept.wait_for_url(f"**{reverse('petitions:detail', args=[petition.pk])}")
    expect(dept.locator("#petitioner .ledger-hidden")).to_have_text(zh_gettext("Confidential"))
    shows_no_identity(dept)
    start_move(dept, Move.ACCEPT, petition)
    shows_no_identity(dept)
    send_move(dept)
    start_move(dept, Move.REPLY, petition)
    dept.check("input[name=outcome][value='B']")
    dept.fill("#id_text", "已转区民政局会同镇政府核查低保评定情况。")
    send_move(dept)
    expect_done(dept, Move.REPLY, petition, Status.REPLIED)
    shows_no_identity(dept)
    # The letter a department could print is addressed to a blank, never to the name.
    dept.goto(people.url(reverse("petitions:letter", args=[petition.pk])))
    expect(dept.locator("[data-testid=letter]")).to_contain_text("已转区民政局")
    shows_no_identity(dept)

    # The staff who registered it still see the resident (the control: the secret is really there).
    staff = people("staff")
    open_item(staff, people, petition)
    expect(staff.locator("#petitioner")).to_contain_text("李秀兰")
