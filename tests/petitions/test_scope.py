"""No petition leaks across stations, representatives or departments: querysets, the ledger
(rows, count, search, forged filters), the detail page, attachments, every action, the
Excel export and the public tracking page, for every account of the `ledger` fixture.

Outside a user's scope is 404 (never 403); inside but not permitted is 403. Assertions
are on data (tracking numbers, phone strings), never on layout. Also on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h_scope ./dev test tests/petitions/test_scope.py
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from petitions.ledger.export import COLUMNS
from petitions.ledger.privacy import Access, access, mask_name, mask_phone
from petitions.ledger.services import petition_attach, petition_note_add, staged_upload_store
from petitions.models import Petition, PetitionAttachment, PetitionEvent, PetitionNote

pytestmark = pytest.mark.django_db

# Which items of the `ledger` fixture each account sees (its docstring says why).
SEES = {
    "admin": "abcde",
    "office": "abcd",
    "office_t1": "abc",
    "office_k2": "e",
    "staff": "abc",
    "rep": "a",
    "dept": "ab",
    "nobody": "",
}
ACCOUNTS = list(SEES)
ITEMS = "abcde"
# A word of each item's content that no other item holds.
WORDS = {"a": "路灯", "b": "作风", "c": "垃圾", "d": "坑洼", "e": "电梯"}
# The petitioners of the fixture.
PHONES = {"a": "13812345678", "b": "13812340000", "c": "13700000000", "d": "13811112222", "e": "13833334444"}
NAMES = {"a": "张三", "b": "李四", "c": "", "d": "王五", "e": "赵六"}
# Items that get a photo (b is confidential: a department sees the item but not its files).
FILES_ON = "abd"
TRACKING = re.compile(r"\b\d{4}-[0-9A-Z]{8}\b")
ROW = re.compile(r'data-tracking="([^"]+)"')
COUNT = re.compile(r'id="ledger-count" data-count="(\d+)\+?"')


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (0, 90, 160)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def scoped(ledger, world):
    """The ledger plus a photo on a, b and d and an internal note on every item."""
    ledger.files = {}
    for key in FILES_ON:
        upload = SimpleUploadedFile(f"{key}.png", png(), "image/png")
        staged = staged_upload_store(owner_key=f"setup-{key}", upload=upload)
        [ledger.files[key]] = petition_attach(actor=world.admin, petition=getattr(ledger, key), staged=[staged])
    for key in ITEMS:
        petition_note_add(actor=world.admin, petition=getattr(ledger, key), text=f"内部备注{key}号")
    return ledger


def item(ledger, key) -> Petition:
    return getattr(ledger, key)


def numbers(ledger, keys) -> set[str]:
    return {item(ledger, k).tracking_number for k in keys}


def html(response) -> str:
    return response.content.decode()


def numbers_in(text: str, ledger) -> set[str]:
    """The fixture's tracking numbers anywhere in `text`."""
    return set(TRACKING.findall(text)) & numbers(ledger, ITEMS)


def ledger_rows(response) -> set[str]:
    """Tracking numbers of the ledger's rows (the search box may echo a typed number)."""
    return set(ROW.findall(html(response)))


def shown_count(response) -> int:
    match = COUNT.search(html(response))
    assert match, "the ledger shows its count in #ledger-count[data-count]"
    return int(match.group(1))


def assert_petitioners(text, ledger, user, visible_keys, *, where):
    """Each petitioner appears as `user` may see them (full, masked) or not at all (hidden, out of scope)."""
    for key in ITEMS:
        phone, name = PHONES[key], NAMES[key]
        level = access(user, item(ledger, key)) if key in visible_keys else Access.HIDDEN
        if level is Access.FULL:
            assert phone in text, (where, key)
            continue
        assert phone not in text and (name == "" or name not in text), (where, key)
        shown = level is Access.MASKED
        assert (mask_phone(phone) in text) == shown, (where, key)
        if name:
            assert (mask_name(name) in text) == shown, (where, key)


# -- querysets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ACCOUNTS)
def test_querysets(scoped, world, account):
    user = getattr(world, account)
    expected = {item(scoped, k).pk for k in SEES[account]}
    assert set(Petition.objects.visible_to(user).values_list("pk", flat=True)) == expected
    for model in (PetitionAttachment, PetitionEvent, PetitionNote):
        seen = set(model.objects.visible_to(user).values_list("petition_id", flat=True))
        owners = set(model.objects.values_list("petition_id", flat=True))
        assert seen == expected & owners, model.__name__
    files = set(PetitionAttachment.objects.visible_to(user).values_list("pk", flat=True))
    assert files == {scoped.files[k].pk for k in FILES_ON if k in SEES[account]}


# -- the ledger --------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ACCOUNTS)
def test_ledger_lists_exactly_the_scope(scoped, world, client_for, account):
    user = getattr(world, account)
    response = client_for(user).get(reverse("petitions:ledger"))
    assert response.status_code == 200
    text = html(response)
    assert numbers_in(text, scoped) == numbers(scoped, SEES[account])
    assert ledger_rows(response) == numbers(scoped, SEES[account])
    assert shown_count(response) == len(SEES[account])
    assert_petitioners(text, scoped, user, SEES[account], where="ledger")
    for key in ITEMS:
        if key not in SEES[account]:
            assert item(scoped, key).content[:12] not in text, key


@pytest.mark.parametrize("account", ACCOUNTS)
def test_ledger_search_finds_only_visible_items(scoped, world, client_for, account):
    client = client_for(getattr(world, account))
    for key, word in WORDS.items():
        response = client.get(reverse("petitions:ledger"), {"q": word})
        expected = {key} & set(SEES[account])
        assert numbers_in(html(response), scoped) == numbers(scoped, expected), (account, word)
        assert shown_count(response) == len(expected), (account, word)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_ledger_search_by_a_foreign_tracking_number(scoped, world, client_for, account):
    client = client_for(getattr(world, account))
    for key in ITEMS:
        petition = item(scoped, key)
        response = client.get(reverse("petitions:ledger"), {"q": petition.tracking_number})
        expected = {key} & set(SEES[account])
        assert ledger_rows(response) == numbers(scoped, expected), (account, key)
        assert shown_count(response) == len(expected)
        if not expected:
            assert petition.content[:12] not in html(response)
            assert reverse("petitions:detail", args=[petition.pk]) not in html(response)


# A filter naming a station, representative or department outside the scope gives no rows.
FORGED = [
    ("staff", "station", "S3"),
    ("staff", "station", "S2"),
    ("staff", "station", "H2"),
    ("office_t1", "station", "S2"),
    ("office", "station", "S3"),
    ("office_k2", "station", "S1"),
    ("rep", "station", "S2"),
    ("rep", "representative", "R2"),
    ("rep", "representative", "R3"),
    ("office", "representative", "R3"),
    ("office_t1", "representative", "R2"),
    ("staff", "representative", "R2"),
    ("dept", "department", "D2"),
    ("office_k2", "department", "D"),
    ("nobody", "station", "S1"),
    ("nobody", "representative", "R1"),
]


@pytest.mark.parametrize("account, field, target", FORGED)
def test_forged_filter_gives_no_foreign_rows(scoped, world, client_for, account, field, target):
    client = client_for(getattr(world, account))
    params = {field: getattr(world, target).pk, "below": "on"}
    response = client.get(reverse("petitions:ledger"), params)
    assert response.status_code == 200
    assert numbers_in(html(response), scoped) == set() and shown_count(response) == 0
    export = client.get(reverse("petitions:export"), params)
    assert export.status_code == 200
    assert export_numbers(export) == set()


@pytest.mark.parametrize(
    "account, field, target, keys",
    [
        ("staff", "station", "S1", "ab"),
        ("office", "station", "S2", "d"),
        ("office", "representative", "R2", "d"),
        ("rep", "representative", "R1", "a"),
        ("dept", "department", "D", "ab"),
        ("admin", "department", "D2", "e"),
    ],
)
def test_filters_in_scope_still_work(scoped, world, client_for, account, field, target, keys):
    """The forged-filter test above would pass for a filter that never matches: check it does."""
    response = client_for(getattr(world, account)).get(reverse("petitions:ledger"), {field: getattr(world, target).pk})
    assert numbers_in(html(response), scoped) == numbers(scoped, keys)
    assert shown_count(response) == len(keys)


@pytest.mark.parametrize("account", ["staff", "rep", "dept", "office_k2", "nobody"])
def test_forged_cursor_gives_no_foreign_rows(scoped, world, client_for, account):
    """A cursor only says where to resume; the rows still come from the user's scope."""
    from petitions.ledger.listing import DEFAULT_SORT, Cursor

    client = client_for(getattr(world, account))
    for key in ITEMS:
        petition = item(scoped, key)
        # Resume just before the foreign item, forwards (newest first) and backwards.
        for backward, pk in ((False, petition.pk + 1), (True, petition.pk - 1)):
            token = Cursor(backward, petition.received_on, pk, 1).encode(DEFAULT_SORT)
            response = client.get(reverse("petitions:ledger"), {"cursor": token, "size": 25})
            assert response.status_code == 200
            assert ledger_rows(response) <= numbers(scoped, SEES[account]), (account, key, backward)
            assert shown_count(response) == len(SEES[account])


# -- one item ----------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ACCOUNTS)
def test_detail_200_in_scope_404_outside(scoped, world, client_for, account):
    user = getattr(world, account)
    client = client_for(user)
    for key in ITEMS:
        petition = item(scoped, key)
        response = client.get(reverse("petitions:detail", args=[petition.pk]))
        if key in SEES[account]:
            assert response.status_code == 200, (account, key)
            text = html(response)
            assert petition.tracking_number in text
            # Only this item's petitioner, at this user's level; nobody else's.
            assert_petitioners(text, scoped, user, key, where=f"detail {key}")
        else:
            assert response.status_code == 404, (account, key)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_attachments_200_in_scope_404_outside(scoped, world, client_for, account):
    user = getattr(world, account)
    client = client_for(user)
    for key in FILES_ON:
        petition, attachment = item(scoped, key), scoped.files[key]
        response = client.get(reverse("petitions:attachment", args=[petition.pk, attachment.pk]))
        may_see = key in SEES[account] and access(user, petition) is not Access.HIDDEN
        if may_see:
            assert response.status_code == 200, (account, key)
            with attachment.file.open("rb") as handle:
                assert b"".join(response.streaming_content) == handle.read()
        else:
            assert response.status_code == 404, (account, key)
        # Another item's file under this item's address is never served.
        other = scoped.files["d" if key != "d" else "a"]
        crossed = client.get(reverse("petitions:attachment", args=[petition.pk, other.pk]))
        assert crossed.status_code == 404, (account, key)


def test_department_sees_nothing_personal_of_a_confidential_item(scoped, world, client_for):
    from petitions.ledger.services import PetitionDraft, petition_update

    b = scoped.b
    draft = PetitionDraft(
        jurisdiction=b.jurisdiction,
        station=b.station,
        content=b.content,
        is_confidential=True,
        petitioner_name="李四",
        petitioner_phone="13912349999",
    )
    petition_update(actor=world.staff, petition=b, draft=draft)  # the history holds masked old and new phones
    text = html(client_for(world.dept).get(reverse("petitions:detail", args=[b.pk])))
    for secret in ("李四", "李*", "13812340000", "138****0000", "13912349999", "139****9999", "内部备注b号"):
        assert secret not in text, secret
    assert reverse("petitions:attachment", args=[b.pk, scoped.files["b"].pk]) not in text
    # The office sees the same item masked, with its notes and file.
    text = html(client_for(world.office).get(reverse("petitions:detail", args=[b.pk])))
    assert "139****9999" in text and "13912349999" not in text and "内部备注b号" in text
    assert reverse("petitions:attachment", args=[b.pk, scoped.files["b"].pk]) in text


def test_department_sees_no_notes(scoped, world, client_for):
    text = html(client_for(world.dept).get(reverse("petitions:detail", args=[scoped.a.pk])))
    assert "内部备注a号" not in text
    assert "内部备注a号" in html(client_for(world.rep).get(reverse("petitions:detail", args=[scoped.a.pk])))


# Every action on one item, as (url name, method, POST data).
ITEM_ACTIONS = [
    ("petitions:detail", "get", None),
    ("petitions:update", "get", None),
    ("petitions:update", "post", {"content": "改"}),
    ("petitions:receipt", "get", None),
    ("petitions:link", "post", {"tracking_number": "0000-00000000"}),
    ("petitions:reveal", "post", {"field": "petitioner_phone", "purpose": "contact"}),
    ("petitions:note_add", "post", {"text": "越权备注"}),
    ("petitions:follow_up", "post", {"on": "1"}),
    ("petitions:reply", "post", {"text": "越权答复"}),
    ("petitions:attachment_add", "post", {}),
]


def call(client, name, method, args, data):
    url = reverse(name, args=args)
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_every_action_outside_the_scope_is_404(scoped, world, client_for, account):
    client = client_for(getattr(world, account))
    for key in set(ITEMS) - set(SEES[account]):
        petition = item(scoped, key)
        for name, method, data in ITEM_ACTIONS:
            response = call(client, name, method, (petition.pk,), data)
            assert response.status_code == 404, (account, key, name, method)
        if key in FILES_ON:
            file_pk = scoped.files[key].pk
            for name, method in (("petitions:attachment", "get"), ("petitions:attachment_delete", "post")):
                response = call(client, name, method, (petition.pk, file_pk), {})
                assert response.status_code == 404, (account, key, name)
    # Nothing was written.
    assert not PetitionNote.objects.filter(text="越权备注").exists()
    assert PetitionAttachment.objects.count() == len(FILES_ON)
    assert not PetitionEvent.objects.filter(kind__in=["revealed", "replied", "edited", "linked"]).exists()


# -- the matrix: allowed (200/302), in scope but not permitted (403), outside (404) -----------

OK = "ok"
# Item a is in the scope of every account but office_k2 and nobody.
A_OUTSIDE = {"office_k2", "nobody"}


def expect(account, allowed: set[str]):
    if account in A_OUTSIDE:
        return 404
    return OK if account in allowed else 403


DESK = {"admin", "office", "office_t1", "staff"}  # add_petition / change_petition
# Changing item a: office_t1 reads it (an office below its owner, the district office, which runs S1)
# but changes nothing (`petitions.handling.policy.may_edit`).
EDIT_A = DESK - {"office_t1"}
ANNOTATORS = {"admin", "rep"}  # annotate_petition, reply_online_petition
EVERYONE = set(ACCOUNTS)

ITEM_MATRIX = [
    # (name, method, POST data, accounts allowed when the item is in scope)
    ("petitions:detail", "get", None, EVERYONE),
    ("petitions:receipt", "get", None, EVERYONE),
    ("petitions:update", "get", None, EDIT_A),
    ("petitions:update", "post", {"content": "改"}, EDIT_A),  # the form back with its errors
    ("petitions:link", "post", {"tracking_number": "0000-00000000"}, EDIT_A),
    ("petitions:attachment_add", "post", {}, EDIT_A),
    # Departments see petitioners masked and never reveal them (the QR form's notice).
    ("petitions:reveal", "post", {"field": "petitioner_name", "purpose": "contact"}, EVERYONE - {"dept"}),
    ("petitions:note_add", "post", {"text": "下周回访"}, ANNOTATORS),
    # Item a came in person: the permitted get the form back with its error (200); a superuser has the permission.
    ("petitions:reply", "post", {"text": "已收到"}, ANNOTATORS),
    ("petitions:follow_up", "post", {"on": "1"}, {"rep"}),  # a superuser is no representative on the item
]


@pytest.mark.parametrize("name, method, data, allowed", ITEM_MATRIX, ids=[f"{n}-{m}" for n, m, _, _ in ITEM_MATRIX])
@pytest.mark.parametrize("account", ACCOUNTS)
def test_item_action_matrix(scoped, world, client_for, account, name, method, data, allowed):
    response = call(client_for(getattr(world, account)), name, method, (scoped.a.pk,), data)
    wanted = expect(account, allowed)
    if wanted == OK:
        assert response.status_code in (200, 302), (account, name, response.status_code)
    else:
        assert response.status_code == wanted, (account, name)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_file_action_matrix(scoped, world, client_for, account):
    client = client_for(getattr(world, account))
    a, file_a = scoped.a, scoped.files["a"]
    view = client.get(reverse("petitions:attachment", args=[a.pk, file_a.pk]))
    assert view.status_code == (404 if account in A_OUTSIDE else 200)
    delete = client.post(reverse("petitions:attachment_delete", args=[a.pk, file_a.pk]))
    wanted = expect(account, EDIT_A)
    assert delete.status_code in ((200, 302) if wanted == OK else (wanted,)), account
    assert PetitionAttachment.objects.filter(pk=file_a.pk).exists() == (wanted != OK)


def test_department_may_not_reveal_a_confidential_petitioner(scoped, world, client_for):
    url = reverse("petitions:reveal", args=[scoped.b.pk])
    response = client_for(world.dept).post(url, {"field": "petitioner_phone", "purpose": "contact"})
    assert response.status_code == 403
    assert "13812340000" not in html(response)
    assert not PetitionEvent.objects.filter(petition=scoped.b, kind="revealed").exists()


@pytest.mark.parametrize("account", ["dept", "office", "rep", "staff"])
def test_receipt_shows_no_more_than_the_ledger(scoped, world, client_for, account):
    """The resident's slip: never a phone; the name only as the user may see it."""
    user = getattr(world, account)
    for key in SEES[account]:
        response = client_for(user).get(reverse("petitions:receipt", args=[item(scoped, key).pk]))
        assert response.status_code == 200
        text = html(response)
        assert PHONES[key] not in text and mask_phone(PHONES[key]) not in text, (account, key)
        if NAMES[key] and access(user, item(scoped, key)) is Access.HIDDEN:
            assert mask_name(NAMES[key]) not in text, (account, key)


def test_reveal_is_logged(scoped, world, client_for):
    url = reverse("petitions:reveal", args=[scoped.a.pk])
    response = client_for(world.rep).post(url, {"field": "petitioner_phone", "purpose": "contact"})
    assert response.status_code == 200 and "13812345678" in html(response)
    assert PetitionEvent.objects.filter(petition=scoped.a, kind="revealed", actor=world.rep).count() == 1


# Pages that are not about one item.
PAGE_MATRIX = [
    ("petitions:ledger", EVERYONE),
    ("petitions:export", EVERYONE),
    ("petitions:create", DESK | {"office_k2", "nobody"}),
    ("petitions:similar", DESK | {"office_k2", "nobody"}),
]


@pytest.mark.parametrize("name, allowed", PAGE_MATRIX, ids=[n for n, _ in PAGE_MATRIX])
@pytest.mark.parametrize("account", ACCOUNTS)
def test_page_matrix(scoped, world, client_for, account, name, allowed):
    response = client_for(getattr(world, account)).get(reverse(name))
    if account in allowed:
        assert response.status_code in (200, 302), (account, name, response.status_code)
    else:
        assert response.status_code == 403, (account, name)


@pytest.mark.parametrize("name", ["petitions:ledger", "petitions:export", "petitions:create", "petitions:similar"])
def test_pages_need_a_sign_in(scoped, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_items_need_a_sign_in(scoped, client):
    for name, method, data in ITEM_ACTIONS:
        response = call(client, name, method, (scoped.a.pk,), data)
        assert response.status_code == 302, name
        assert scoped.a.tracking_number not in html(response)


# -- links and similar items never reach outside the scope -------------------------------------


def test_link_to_a_foreign_tracking_number_is_refused(scoped, world, client_for):
    client = client_for(world.staff)
    response = client.post(reverse("petitions:link", args=[scoped.a.pk]), {"tracking_number": scoped.e.tracking_number})
    assert response.status_code == 200  # the form again, with its error
    scoped.a.refresh_from_db()
    assert scoped.a.linked_to is None
    assert not PetitionEvent.objects.filter(kind="linked").exists()
    # The same form links to an item in the scope.
    client.post(reverse("petitions:link", args=[scoped.a.pk]), {"tracking_number": scoped.c.tracking_number})
    scoped.a.refresh_from_db()
    assert scoped.a.linked_to == scoped.c


def test_linked_items_outside_the_scope_are_left_out(scoped, world, client_for):
    """c (no representative) is linked to a: the representative of a never learns c's number or content."""
    from petitions.ledger.services import petition_link

    petition_link(actor=world.staff, petition=scoped.c, target=scoped.a)
    text = html(client_for(world.rep).get(reverse("petitions:detail", args=[scoped.a.pk])))
    assert scoped.c.tracking_number not in text and scoped.c.content not in text
    assert "13700000000" not in text and "137****0000" not in text
    text = html(client_for(world.staff).get(reverse("petitions:detail", args=[scoped.a.pk])))
    assert scoped.c.tracking_number in text


def test_similar_items_stay_in_the_scope(scoped, world, client_for):
    params = {"content": "建国里社区加装电梯进度慢", "station": world.S3.pk, "community": world.j.C3.pk}
    foreign = client_for(world.staff).get(reverse("petitions:similar"), params)
    assert foreign.status_code == 200
    assert scoped.e.tracking_number not in html(foreign)
    own = client_for(world.office_k2).get(reverse("petitions:similar"), params)
    assert scoped.e.tracking_number in html(own)


# -- reading the Excel export (used here and in test_scope_export.py) --------------------------

KEYS = [c.key for c in COLUMNS]


def export_sheet(response) -> tuple[list[dict], str]:
    """The workbook's data rows (those whose tracking-number cell holds a number) and the text of every cell."""
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows, cells = [], []
    for values in sheet.iter_rows(values_only=True):
        cells += [str(v) for v in values if v is not None]
        row = dict(zip(KEYS, values, strict=False))
        if isinstance(row.get("tracking_number"), str) and TRACKING.fullmatch(row["tracking_number"]):
            rows.append(row)
    return rows, "\n".join(cells)


def export_numbers(response) -> set[str]:
    return {row["tracking_number"] for row in export_sheet(response)[0]}


# -- what surrounds the rows -------------------------------------------------------------------


def test_awaiting_block_holds_only_the_representatives_own_items(scoped, world, client_for):
    from tests.factories import make_petition

    mine = make_petition(station=world.S1, channel="qr", representatives=[world.R1], content="扫码反映噪声扰民")
    theirs = make_petition(station=world.S1, channel="qr", representatives=[world.R2], content="扫码反映路面积水")
    text = html(client_for(world.rep).get(reverse("petitions:ledger")))
    assert mine.tracking_number in text and "扫码反映噪声扰民" in text
    assert theirs.tracking_number not in text and "扫码反映路面积水" not in text
    # Staff of S1 see both in their ledger, as they see every item of their station.
    text = html(client_for(world.staff).get(reverse("petitions:ledger")))
    assert mine.tracking_number in text and theirs.tracking_number in text


def test_saved_filters_are_their_owners(scoped, world, client_for):
    from petitions.models import SavedFilter

    saved = SavedFilter.objects.create(owner=world.staff, name="我的筛选甲", query="q=路灯")
    other = client_for(world.office)
    assert "我的筛选甲" not in html(other.get(reverse("petitions:ledger")))
    assert other.post(reverse("petitions:filter_delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    assert "我的筛选甲" in html(client_for(world.staff).get(reverse("petitions:ledger")))


# The ledger's filter choices come from the same scope (a department's stations and
# representatives are those of its jurisdiction, by design: it filters its items by them).
CHOICES = {
    "staff": ({"H1", "S1", "P1"}, {"R1"}),
    "rep": ({"S1"}, {"R1"}),
    "office_t1": ({"H1", "S1", "P1"}, {"R1"}),
    "office_k2": ({"S3"}, {"R3"}),
    "nobody": (set(), set()),
}


@pytest.mark.parametrize("account", CHOICES)
def test_filter_choices_stay_in_scope(scoped, world, client_for, account):
    stations, reps = CHOICES[account]
    form = client_for(getattr(world, account)).get(reverse("petitions:ledger")).context["filter"]
    assert set(form.fields["station"].queryset) == {getattr(world, s) for s in stations}
    assert set(form.fields["representative"].queryset) == {getattr(world, r) for r in reps}
    assert world.D2 not in set(form.fields["department"].queryset) or account == "office_k2"


def test_department_filter_choices_are_its_own(scoped, world, client_for):
    form = client_for(world.dept).get(reverse("petitions:ledger")).context["filter"]
    assert set(form.fields["department"].queryset) == {world.D}
    assert world.S3 not in set(form.fields["station"].queryset)
    assert world.R3 not in set(form.fields["representative"].queryset)
