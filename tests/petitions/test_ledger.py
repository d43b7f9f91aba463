"""The ledger page: scope per role, filters and their choices, search, masking, keyset pages,
query counts, saved filters and the representative's "awaiting first reply" block."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from petitions.ledger import keyset
from petitions.ledger import listing as ledger_mod
from petitions.ledger.services import petition_mark_follow_up, petition_reply_online
from petitions.models import Category, Petition, SavedFilter
from tests.factories import UserFactory, make_petition

LEDGER = reverse("petitions:ledger")

# Who sees which item of the `ledger` fixture (see its docstring).
EXPECTED = {
    "admin": "abcde",
    "office": "abcd",
    "office_t1": "abc",
    "office_k2": "e",
    "staff": "abc",
    "rep": "a",
    "dept": "ab",
    "nobody": "",
}


def numbers(html: str) -> list[str]:
    """Tracking numbers of the ledger table's rows, in order."""
    table = html.split('id="petition-ledger"', 1)[1]
    return re.findall(r'data-tracking="([^"]+)"', table)


def count_shown(html: str) -> str:
    return re.search(r'id="ledger-count" data-count="([^"]*)"', html).group(1)


def get(client, query=""):
    response = client.get(LEDGER + query)
    assert response.status_code == 200
    return response.content.decode()


# --------------------------------------------------------------------------- scope


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_rows_and_count_are_the_users_scope(who, world, ledger, client_for):
    html = get(client_for(getattr(world, who)))
    expected = {getattr(ledger, key).tracking_number for key in EXPECTED[who]}
    assert set(numbers(html)) == expected
    assert count_shown(html) == str(len(expected))
    others = {getattr(ledger, key).tracking_number for key in "abcde"} - expected
    assert not any(number in html for number in others)


def test_anonymous_is_sent_to_sign_in(db, client):
    response = client.get(LEDGER)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_filter_choices_are_scoped(world, ledger):
    staff_form = ledger_mod.ledger_filter(world.staff, QueryDict(""))
    stations = set(staff_form.fields["station"].queryset)
    assert {world.H1, world.S1, world.P1} <= stations and not stations & {world.S2, world.S3}
    assert set(staff_form.fields["representative"].queryset) == {world.R1}
    departments = set(staff_form.fields["department"].queryset)
    assert world.D in departments and world.D2 not in departments

    rep_form = ledger_mod.ledger_filter(world.rep, QueryDict(""))
    assert world.R2 not in set(rep_form.fields["representative"].queryset)
    dept_form = ledger_mod.ledger_filter(world.dept, QueryDict(""))
    assert set(dept_form.fields["department"].queryset) == {world.D}
    office_k2_form = ledger_mod.ledger_filter(world.office_k2, QueryDict(""))
    assert set(office_k2_form.fields["station"].queryset) == {world.S3}


@pytest.mark.parametrize(
    "who, key, target",
    [
        ("staff", "station", "S3"),
        ("staff", "station", "S2"),
        ("rep", "representative", "R2"),
        ("rep", "representative", "R3"),
        ("dept", "department", "D2"),
        ("office_t1", "station", "S2"),
    ],
)
def test_a_forged_id_gives_no_rows(who, key, target, world, ledger, client_for):
    html = get(client_for(getattr(world, who)), f"?{key}={getattr(world, target).pk}")
    assert numbers(html) == []
    assert count_shown(html) == "0"
    assert 'id="id_' + key + '"' in html and "is-invalid" in html  # the error is shown at the field


def test_search_finds_only_what_the_user_sees(world, ledger, client_for):
    staff = client_for(world.staff)
    assert numbers(get(staff, "?q=电梯")) == []  # item e's word, another district
    assert numbers(get(staff, "?q=榆林堡")) == []  # item d's word, another station
    assert numbers(get(staff, "?q=路灯")) == [ledger.a.tracking_number]
    assert numbers(get(client_for(world.office_k2), "?q=电梯")) == [ledger.e.tracking_number]
    assert numbers(get(staff, f"?q={ledger.c.tracking_number}")) == [ledger.c.tracking_number]


# --------------------------------------------------------------------------- filters


def test_filters(world, ledger, client_for):
    office = client_for(world.office)
    n = lambda key: getattr(ledger, key).tracking_number

    parent = Category.objects.create(name="测试大类")
    child = Category.objects.create(name="测试小类", parent=parent)
    Petition.objects.filter(pk=ledger.a.pk).update(category=child, urgency="urgent", is_hard_problem=True)
    Petition.objects.filter(pk=ledger.d.pk).update(
        category=parent, due_on=date(2020, 1, 1), received_on=date(2020, 1, 1)
    )

    assert set(numbers(get(office, f"?category={parent.pk}"))) == {n("a"), n("d")}  # the parent matches its children
    assert numbers(get(office, f"?category={child.pk}")) == [n("a")]
    assert numbers(get(office, "?urgency=urgent")) == [n("a")]
    assert numbers(get(office, "?hard=on")) == [n("a")]
    assert numbers(get(office, "?channel=qr")) == [n("c")]
    assert numbers(get(office, "?awaiting=on")) == [n("c")]
    assert numbers(get(office, "?overdue=on")) == [n("d")]
    assert numbers(get(office, "?received_to=2020-12-31")) == [n("d")]
    assert set(numbers(get(office, "?received_from=2021-01-01"))) == {n("a"), n("b"), n("c")}
    assert numbers(get(office, f"?representative={world.R2.pk}")) == [n("d")]
    assert set(numbers(get(office, f"?department={world.D.pk}"))) == {n("a"), n("b")}
    assert set(numbers(get(office, f"?station={world.S1.pk}"))) == {n("a"), n("b")}
    assert set(numbers(get(office, f"?station={world.S1.pk}&below=on"))) == {n("a"), n("b"), n("c")}
    assert set(numbers(get(office, "?status=registered"))) == {n(k) for k in "abcd"}
    assert numbers(get(office, "?status=closed")) == []
    # A wrong date range shows its error and no rows.
    html = get(office, "?received_from=2026-02-01&received_to=2026-01-01")
    assert numbers(html) == [] and "is-invalid" in html


def test_follow_up_filter_is_the_representatives_own_mark(world, ledger, client_for):
    from petitions.ledger.services import petition_add_representative

    petition_add_representative(actor=world.staff, petition=ledger.b, representative=world.R1, role="following")
    petition_mark_follow_up(actor=world.rep, petition=ledger.a, on=True)
    rep = client_for(world.rep)
    assert set(numbers(get(rep))) == {ledger.a.tracking_number, ledger.b.tracking_number}
    assert numbers(get(rep, "?follow_up=on")) == [ledger.a.tracking_number]
    html = get(rep)
    assert 'data-follow-up="1"' in html and 'data-follow-up="0"' in html


# --------------------------------------------------------------------------- masking


def test_staff_see_phones_in_full(world, ledger, client_for):
    html = get(client_for(world.staff))
    assert "13812345678" in html and "张三" in html


@pytest.mark.parametrize("who", ["office", "rep"])
def test_office_and_representatives_see_masked_values(who, world, ledger, client_for):
    html = get(client_for(getattr(world, who)))
    assert "138****5678" in html
    assert "13812345678" not in html and "张三" not in html


def test_department_sees_confidential_for_protected_items(world, ledger, client_for):
    html = get(client_for(world.dept))
    row_b = html.split(f'data-tracking="{ledger.b.tracking_number}"', 1)[1].split("</tr>", 1)[0]
    assert escape(gettext("Confidential")) in row_b
    for raw in ("李四", "13812340000", "138****0000", "李*"):
        assert raw not in html
    assert "138****5678" in html  # item a is not protected: masked, not hidden


# --------------------------------------------------------------------------- keyset pages


@pytest.fixture
def many(world):
    """120 items at S1 over 30 days (four a day), some with a deadline, some without."""
    items = []
    start = date(2025, 3, 1)
    for i in range(120):
        p = make_petition(
            station=world.S1,
            actor=world.staff,
            content=f"第{i}号意见：小区停车难",
            received_on=start + timedelta(days=i // 4),
        )
        items.append(p)
    for i, p in enumerate(items):
        if i % 3:
            Petition.objects.filter(pk=p.pk).update(due_on=start + timedelta(days=(i * 7) % 40))
    return items


def _walk(client, query, direction="next"):
    """Follow the "next" (or "previous") links from `query`; return each page's numbers and the last query."""
    pages, url = [], LEDGER + query
    while True:
        html = client.get(url).content.decode()
        pages.append(numbers(html))
        link = re.search(rf'href="([^"]*)"[^>]*data-page="{direction}"', html)
        if not link:
            return pages, url
        url = LEDGER + link.group(1).replace("&amp;", "&")
        assert len(pages) < 50


def test_keyset_walks_every_item_once_forward_and_back(world, many, client_for):
    staff = client_for(world.staff)
    expected = list(
        Petition.objects.visible_to(world.staff)
        .order_by("-received_on", "-pk")
        .values_list("tracking_number", flat=True)
    )
    assert len(expected) == 120
    forward, last_url = _walk(staff, "?size=25")
    assert [len(p) for p in forward] == [25, 25, 25, 25, 20]
    assert [n for page in forward for n in page] == expected

    backward, _ = _walk(staff, last_url.removeprefix(LEDGER), "previous")
    assert list(reversed(backward)) == forward
    # The cursor is opaque and never an offset.
    cursor = parse_qs(urlsplit(last_url).query)["cursor"][0]
    assert "offset" not in cursor and not cursor.isdigit()


def test_row_numbers_continue_across_pages(world, many, client_for):
    staff = client_for(world.staff)
    html = staff.get(LEDGER + "?size=50").content.decode()
    nxt = re.search(r'href="([^"]*)"[^>]*data-page="next"', html).group(1).replace("&amp;", "&")
    second = staff.get(LEDGER + nxt).content.decode()
    assert "Rows 51–100" in second or "51–100" in second
    assert re.search(r'<td class="num text-body-secondary">51</td>', second)


@pytest.mark.parametrize("sort", ["-received", "received", "-due", "due", "status", "-status", "category", "-category"])
def test_keyset_pages_match_the_full_order_for_every_sort(sort, world, many):
    Petition.objects.filter(pk__in=[p.pk for p in many[::5]]).update(status="closed")
    category = Category.objects.create(name="测试类别")
    Petition.objects.filter(pk__in=[p.pk for p in many[::4]]).update(category=category)
    queryset = Petition.objects.visible_to(world.staff)
    expected = list(keyset.sorted_queryset(queryset, sort).values_list("pk", flat=True))
    assert len(expected) == 120

    paginator = keyset.KeysetPaginator(queryset, sort, 25)
    page, seen, pages = paginator.page(""), [], []
    while True:
        pages.append([p.pk for p in page.rows])
        seen += pages[-1]
        if not page.has_next:
            break
        page = paginator.page(page.next_cursor)
    assert seen == expected
    # ...and back again from the last page.
    back = [pages[-1]]
    while page.has_previous:
        page = paginator.page(page.previous_cursor)
        back.append([p.pk for p in page.rows])
    assert list(reversed(back)) == pages


def test_nulls_come_last_both_ways(world, many):
    queryset = Petition.objects.visible_to(world.staff)
    for sort in ("due", "-due"):
        rows = list(keyset.sorted_queryset(queryset, sort))
        dues = [p.due_on for p in rows]
        first_null = dues.index(None)
        assert all(d is None for d in dues[first_null:])


def test_a_bad_or_foreign_cursor_gives_the_first_page(world, many, client_for):
    staff = client_for(world.staff)
    first = numbers(get(staff, "?size=25"))
    assert numbers(get(staff, "?size=25&cursor=not-a-cursor")) == first
    token = keyset.Cursor(False, date(2025, 3, 10), many[40].pk, 25).encode("-due")
    assert numbers(get(staff, f"?size=25&cursor={token}")) == first  # a cursor of another sort


def test_count_is_capped(world, many, client_for, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 100)
    html = get(client_for(world.staff), "?size=25")
    assert count_shown(html) == "100+"


def test_a_page_costs_the_same_queries_whatever_its_size(world, many, client_for, django_assert_max_num_queries):
    staff = client_for(world.staff)
    staff.get(LEDGER)  # warm the session
    with django_assert_max_num_queries(24) as small:
        staff.get(LEDGER + "?size=25")
    with django_assert_max_num_queries(24) as large:
        staff.get(LEDGER + "?size=100")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_query_count_is_bounded_for_a_representative(world, ledger, client_for, django_assert_max_num_queries):
    for i in range(30):
        make_petition(station=world.S1, representatives=[world.R1], channel="qr", content=f"扫码意见{i}")
    rep = client_for(world.rep)
    rep.get(LEDGER)
    with django_assert_max_num_queries(24):
        html = rep.get(LEDGER + "?size=100").content.decode()
    assert len(numbers(html)) == 31


# --------------------------------------------------------------------------- saved filters


def test_saved_filter_round_trip(world, ledger, client_for):
    office = client_for(world.office)
    response = office.post(
        reverse("petitions:filter_save"),
        {"name": "路灯", "query": f"q=路灯&station={world.S1.pk}&cursor=abc&evil=1"},
    )
    saved = SavedFilter.objects.get(owner=world.office)
    assert saved.name == "路灯"
    assert QueryDict(saved.query) == QueryDict(f"q=路灯&station={world.S1.pk}")
    assert response.status_code == 302 and response["Location"].endswith(saved.query)

    html = get(office)
    assert f'?{escape(saved.query)}"' in html and ">路灯</a>" in html
    assert numbers(get(office, f"?{saved.query}")) == [ledger.a.tracking_number]

    # Saving under the same name replaces it.
    office.post(reverse("petitions:filter_save"), {"name": "路灯", "query": "status=closed"})
    assert SavedFilter.objects.get(owner=world.office).query == "status=closed"

    # Only the owner lists and deletes it.
    assert ">路灯</a>" not in get(client_for(world.staff))
    assert client_for(world.staff).post(reverse("petitions:filter_delete", args=[saved.pk])).status_code == 404
    assert office.post(reverse("petitions:filter_delete", args=[saved.pk])).status_code == 302
    assert not SavedFilter.objects.exists()


def test_saving_a_filter_needs_a_name(world, client_for):
    response = client_for(world.office).post(reverse("petitions:filter_save"), {"name": " ", "query": "status=closed"})
    assert response.status_code == 302 and "status=closed" in response["Location"]
    assert not SavedFilter.objects.exists()


def test_export_link_keeps_the_filter_without_the_cursor(world, ledger, client_for):
    html = get(client_for(world.office), "?status=registered&cursor=xyz")
    link = re.search(r'id="ledger-export" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.startswith(reverse("petitions:export"))
    assert "status=registered" in link and "cursor" not in link


def test_actions_follow_permissions(world, ledger, client_for):
    assert reverse("petitions:create") in get(client_for(world.staff))
    rep_html = get(client_for(world.rep))
    assert f'href="{reverse("petitions:create")}"' not in rep_html.split("<main", 1)[1]
    assert 'id="ledger-export"' in rep_html


def test_user_without_ledger_permission_gets_403(db, client_for):
    user = UserFactory(username="plain", role="")
    assert client_for(user).get(LEDGER).status_code == 403


# --------------------------------------------------------------------------- awaiting first reply


def test_representatives_awaiting_block_oldest_deadline_first(world, ledger, client_for):
    now = timezone.now()
    late = make_petition(station=world.S1, representatives=[world.R1], channel="qr", content="路口积水严重")
    soon = make_petition(station=world.S1, representatives=[world.R1], channel="wechat", content="楼道堆物")
    later = make_petition(station=world.S1, representatives=[world.R1], channel="qr", content="噪音扰民")
    answered = make_petition(station=world.S1, representatives=[world.R1], channel="qr", content="已答复的意见")
    other = make_petition(station=world.S2, representatives=[world.R2], channel="qr", content="别人的意见")
    Petition.objects.filter(pk=late.pk).update(first_reply_due_at=now - timedelta(hours=3))
    Petition.objects.filter(pk=soon.pk).update(first_reply_due_at=now + timedelta(hours=2))
    Petition.objects.filter(pk=later.pk).update(first_reply_due_at=now + timedelta(hours=20))
    petition_reply_online(actor=world.rep, petition=answered, text="已收到，正在了解。")

    html = get(client_for(world.rep))
    block = html.split('id="awaiting"', 1)[1].split("</section>", 1)[0]
    order = [int(pk) for pk in re.findall(r'<tr data-petition="(\d+)"', block)]
    assert order == [late.pk, soon.pk, later.pk]
    assert answered.pk not in order and other.pk not in order
    assert "is-late" in block.split(f'data-petition="{soon.pk}"')[0]  # the late one is marked
    # The awaiting items are also marked in the table.
    assert 'class="ledger-row-awaiting"' in html


def test_no_awaiting_block_for_other_roles(world, ledger, client_for):
    assert 'id="awaiting"' not in get(client_for(world.office))  # item c awaits, but the office does not reply


def test_filter_summary_for_the_export(world, ledger):
    params = QueryDict(f"status=open&station={world.S1.pk}&overdue=on&received_from=2026-01-01&q=路灯&size=25&cursor=x")
    summary = ledger_mod.ledger_filter_summary(world.office, params)
    assert "2026-01-01" in summary and world.S1.name in summary and "路灯" in summary
    assert "25" not in summary  # the page size is not a filter
    assert ledger_mod.ledger_filter_summary(world.office, QueryDict("")) == ""
    assert ledger_mod.ledger_filter_summary(world.staff, QueryDict(f"station={world.S3.pk}")) == ""  # invalid: no rows


def test_ledger_queryset_is_the_pages_filter_in_order(world, ledger):
    rows = list(ledger_mod.ledger_queryset(world.office, QueryDict(f"station={world.S1.pk}&sort=received")))
    assert [p.pk for p in rows] == sorted([ledger.a.pk, ledger.b.pk])
    assert list(ledger_mod.ledger_queryset(world.staff, QueryDict(f"station={world.S3.pk}"))) == []
