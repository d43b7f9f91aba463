"""NUL and other control characters answer 400 everywhere, never 500 (liaison/middleware.py).

The crawl walks every URL pattern of the URL conf, puts a NUL (and other control
characters) in each of its path converters in turn, and sends the pattern's path a
query `?q=%00` and a POST with a NUL field, signed in and not."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from petitions.models import Petition, PetitionNote

pytestmark = pytest.mark.django_db

GROUP = re.compile(r"\(\?P<(\w+)>")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _regex_with(regex: str, value) -> str:
    """A path of the shape of `regex` with each named group replaced by value(name)."""
    out, i = [], 0
    while i < len(regex):
        found = GROUP.match(regex, i)
        if not found:
            out.append(regex[i])
            i += 1
            continue
        depth, j = 1, found.end()
        while depth:
            if regex[j - 1] != "\\":
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
            j += 1
        out.append(value(found.group(1)))
        i = j
    return re.sub(r"\\(.)", r"\1", "".join(out)).replace("^", "").replace("$", "").replace("?", "")


def patterns(resolver=None, prefix=""):
    """(route, name) of every endpoint of the URL conf, includes followed."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or ""


def build(route: str, value) -> str:
    """The path of `route` with each converter or named group replaced by value(its name)."""
    return "/" + CONVERTER.sub(lambda m: value(m.group(1)), _regex_with(route, value))


def names(route: str) -> list[str]:
    return GROUP.findall(route) + CONVERTER.findall(_regex_with(route, lambda n: ""))


ALL = sorted(set(patterns()))
WITH_CONVERTERS = [(route, n) for route, _ in ALL for n in names(route)]
OPEN311 = "/open311/"


def plain(name):
    return "json" if name == "fmt" else "1"  # Open311's format comes first in its checks


def test_the_crawl_covers_the_url_conf():
    # Figures for the closing note; a URL conf that shrank by half would be a surprise.
    assert len(ALL) > 150 and len(WITH_CONVERTERS) > 80, (len(ALL), len(WITH_CONVERTERS))


@pytest.fixture
def clients(world):
    signed_in = Client()
    signed_in.force_login(world.office)
    return {"anonymous": Client(), "office": signed_in}


@pytest.mark.parametrize("char", ["%00", "%0A", "%1B", "%7F"])
def test_a_control_character_in_any_path_converter_is_400(clients, char):
    failures = []
    for route, slot in WITH_CONVERTERS:
        path = build(route, lambda n, slot=slot: f"{plain(n)}{char}x" if n == slot else plain(n))
        for who, client in clients.items():
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if response.status_code != 400:
                    failures.append((who, method.upper(), path, response.status_code))
    assert not failures, failures[:20]


def test_a_nul_in_the_query_or_a_post_field_is_400_on_every_pattern(clients):
    failures = []
    for route, _name in ALL:
        path = build(route, plain)
        for who, client in clients.items():
            for response, how in (
                (client.get(path, {"q": "路灯\x00"}), "GET ?q=NUL"),
                (client.get(path + "?%00=1"), "GET NUL name"),
                (client.post(path, {"q": "a\x00b", "content": "路灯"}), "POST field NUL"),
            ):
                if response.status_code != 400:
                    failures.append((who, how, path, response.status_code))
    assert not failures, failures[:20]


def test_the_pages_named_in_the_issue(world, ledger, client_for):
    """The 500s of the issue, one by one, with real objects behind them."""
    number = ledger.c.tracking_number
    office = client_for(world.office)
    staff = client_for(world.staff)
    anonymous = Client()
    event = world.S1.events.create(date="2030-01-01", start_time="09:00", end_time="11:00", place="村委会")
    pages = [
        (anonymous, "get", "/track/%00/", None),
        (anonymous, "get", f"/track/{number}%00/", None),
        (anonymous, "post", f"/track/{number}%00/rate/", {"code": "123456", "rating": "satisfied"}),
        (anonymous, "post", f"/track/{number}/rate/", {"code": "12\x003456", "rating": "satisfied"}),
        (anonymous, "get", "/track/", {"number": "2612-\x00"}),
        (anonymous, "get", f"/s/%00{world.S1.public_code}/", None),
        (anonymous, "get", "/s/%00/petition/", None),
        (anonymous, "post", f"/s/{world.S1.public_code}/petition/", {"content": "路灯\x00坏了", "website": ""}),
        (anonymous, "get", "/s/%00/qr.svg", None),
        (office, "get", reverse("notices:outbox"), {"q": "\x00"}),
        (staff, "get", reverse("reception:roster_candidates", args=[event.pk]), {"q": "\x00"}),
        (office, "get", "/petitions/", {"q": "张\x00"}),
    ]
    for client, method, path, data in pages:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
        assert response.status_code == 400, (method, path, data, response.status_code)
        assert "控制字符" in response.content.decode()
    assert Petition.objects.count() == 5  # the NUL-bearing QR form stored nothing


def test_campaign_search_and_open311_answer_400_in_their_own_way(world, client_for):
    office = client_for(world.office)
    campaigns = [route for route, name in ALL if name and "campaign" in name and "<" not in route]
    assert campaigns, "no campaign page found"
    for route in campaigns:
        assert office.get("/" + route, {"q": "\x00"}).status_code == 400
    for path in ("/open311/v2/tokens/ab%00cd.json", "/open311/v2/services/%01.json", "/open311/v2/requests.xml?q=%1B"):
        response = Client().get(path)
        assert response.status_code == 400 and response["Content-Type"].startswith(("application/json", "text/xml"))


def test_line_breaks_tabs_and_pasted_vertical_tabs_in_a_form_pass(world, ledger, client_for):
    """Text pasted from Word carries vertical tabs (its line breaks); notes and forms keep taking it."""
    text = "第一行\r\n第二行\t\x0b第三行\x0c"
    response = client_for(world.rep).post(reverse("petitions:note_add", args=[ledger.a.pk]), {"text": text})
    assert response.status_code == 302
    assert "第二行" in PetitionNote.objects.get(petition=ledger.a).text
