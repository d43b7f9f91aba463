"""Full-text search of Chinese content: the bigram index form, the tsquery, and the
results on the database in use (PostgreSQL: GIN index on the bigrams; SQLite:
`icontains`). Results that both must agree on run on both; index checks run on
PostgreSQL only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h_scope ./dev test tests/petitions/test_search.py
"""

import pytest
from django.db import connection

from petitions.ledger.search import _RUNS, bigrams, search_document, search_text_for, tsquery
from petitions.models import Petition
from tests.factories import make_petition

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text index only")

# -- the index form ----------------------------------------------------------------------------


def runs(indexed: str) -> list[list[str]]:
    """The runs of an indexed text as token lists; any token that is not a CJK or latin/digit
    word (the gap between runs) separates them."""
    out, current = [], []
    for token in indexed.split():
        if _RUNS.fullmatch(token):
            current.append(token)
        else:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        (None, []),
        ("楼", [["楼"]]),
        ("停车", [["停车"]]),
        ("停车位", [["停车", "车位"]]),
        (
            "小区停车位不足，晚上车辆乱停",
            [["小区", "区停", "停车", "车位", "位不", "不足"], ["晚上", "上车", "车辆", "辆乱", "乱停"]],
        ),
        ("WiFi信号差", [["wifi"], ["信号", "号差"]]),
        ("5号楼电梯", [["5"], ["号楼", "楼电", "电梯"]]),
        ("2501-ABCD1234", [["2501"], ["abcd1234"]]),
        ("！？。，", []),
    ],
)
def test_bigrams(text, expected):
    assert runs(bigrams(text)) == expected


def literal_runs(literal: str) -> list[list[str]]:
    """The runs of a tsvector literal ('路灯':1 '灯损':2 '幸福':4): a skipped position separates them."""
    out, last = [], None
    for item in literal.split():
        token, position = item.rsplit(":", 1)
        position = int(position)
        if last is None or position != last + 1:
            out.append([])
        out[-1].append(token.strip("'"))
        last = position
    return out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search only")
def test_a_tracking_number_that_reads_as_a_number_is_found(world):
    """PostgreSQL's parser reads 94e89xgw as the number 94e89 and the word xgw; the query
    must use the stored lexemes as they are."""
    item = make_petition(station=world.S1)
    Petition.objects.filter(pk=item.pk).update(tracking_number="2611-94E89XGW")
    item.refresh_from_db()
    Petition.objects.filter(pk=item.pk).update(search_text=search_text_for(item))
    assert list(Petition.objects.search("2611-94E89XGW").values_list("pk", flat=True)) == [item.pk]


def test_search_document_leaves_a_gap_between_runs():
    assert search_document("不要乱停车。车位已满") == "'不要':1 '要乱':2 '乱停':3 '停车':4 '车位':6 '位已':7 '已满':8"
    assert search_document("") == ""


def test_search_text_covers_tracking_number_content_and_address(world):
    item = make_petition(station=world.S1, content="路灯损坏", address="幸福路")
    indexed = literal_runs(search_text_for(item))
    number_head, number_tail = item.tracking_number.lower().split("-")
    assert indexed[:2] == [[number_head], [number_tail]]
    assert ["路灯", "灯损", "损坏"] in indexed and ["幸福", "福路"] in indexed
    assert item.search_text == search_text_for(item)


@pytest.mark.parametrize(
    "text, query",
    [
        ("停车", "('停车')"),
        ("停车位", "('停车' <-> '车位')"),
        ("  停车位  ", "('停车' <-> '车位')"),
        ("路灯 损坏", "('路灯') & ('损坏')"),
        ("路灯，损坏", "('路灯') & ('损坏')"),
        ("WiFi", "('wifi')"),
        ("5号楼", "('5') & ('号楼')"),
        ("2501-abcd1234", "('2501') & ('abcd1234')"),
        ("1234", "('1234')"),
    ],
)
def test_tsquery_phrases(text, query):
    assert tsquery(text) == query


@pytest.mark.parametrize("text", ["", "   ", "楼", "停车 楼", "，。！", "'&|!"])
def test_tsquery_none_when_nothing_is_indexed(text):
    """Single characters are not indexed (the search falls back to icontains); punctuation is dropped."""
    assert tsquery(text) is None


def test_tsquery_never_carries_operators_from_the_input():
    assert tsquery("停车 & 车位 | !路灯 <-> (x)") == "('停车') & ('车位') & ('路灯') & ('x')"


# -- results (both databases) ------------------------------------------------------------------


@pytest.fixture
def corpus(world):
    items = {
        "parking": "小区停车位不足，晚上车辆乱停",
        "scattered": "车位紧张，停车难",  # 停车 and 车位 both occur, never as 停车位
        "lift": "5号楼电梯故障，老人上下楼困难",
        "lamp": "东关村路灯损坏，夜间出行不便",
        "wifi": "社区WiFi信号差",
    }
    made = {key: make_petition(station=world.S1, content=text) for key, text in items.items()}
    made["address"] = make_petition(station=world.S1, content="井盖缺失", address="幸福路12号")
    return made


def found(corpus, text):
    ids = set(Petition.objects.search(text).values_list("pk", flat=True))
    return {key for key, item in corpus.items() if item.pk in ids}


@pytest.mark.parametrize(
    "text, keys",
    [
        ("路灯", {"lamp"}),  # two characters
        ("停车", {"parking", "scattered"}),
        ("停车位", {"parking"}),  # three characters: no match across non-adjacent bigrams
        ("车位不足", {"parking"}),
        ("电梯故障", {"lift"}),
        ("5号楼", {"lift"}),  # Chinese and digits
        ("5号楼电梯", {"lift"}),
        ("wifi", {"wifi"}),
        ("WIFI信号", {"wifi"}),
        ("幸福路", {"address"}),
        ("楼", {"lift"}),  # one character: icontains
        ("位不足停", set()),
        ("地铁", set()),
        ("", {"parking", "scattered", "lift", "lamp", "wifi", "address"}),
    ],
)
def test_search_results(corpus, text, keys):
    assert found(corpus, text) == keys


def test_search_by_tracking_number(corpus):
    number = corpus["lamp"].tracking_number
    assert found(corpus, number) == {"lamp"}
    assert found(corpus, number.lower()) == {"lamp"}
    assert found(corpus, f"  {number} ") == {"lamp"}


def test_search_follows_edits(world, corpus):
    from petitions.ledger.services import PetitionDraft, petition_update

    lamp = corpus["lamp"]
    draft = PetitionDraft(jurisdiction=lamp.jurisdiction, station=lamp.station, content="东关村井盖缺失")
    petition_update(actor=world.staff, petition=lamp, draft=draft)
    assert "lamp" not in found(corpus, "路灯")
    assert "lamp" in found(corpus, "井盖缺失")


def test_phrase_never_spans_punctuation(world):
    """The text holds 停车 and 车位 side by side but split by a full stop: 停车位 is not in it."""
    split = make_petition(station=world.S1, content="不要乱停车。车位已满")
    assert split.pk not in set(Petition.objects.search("停车位").values_list("pk", flat=True))


# -- PostgreSQL: the GIN index -----------------------------------------------------------------


@on_postgres
@pytest.mark.django_db
def test_gin_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'petition_search_gin'")
        row = cursor.fetchone()
    assert row is not None
    assert "gin" in row[0].lower() and "search_vector" in row[0]


@on_postgres
@pytest.mark.django_db
def test_gin_index_serves_the_search(world):
    """A few thousand rows, ANALYZE, and the planner picks the index for a selective phrase."""
    from django.utils import timezone

    words = ["停车难", "路灯坏", "垃圾多", "噪声大", "道路坑洼", "电梯故障", "供暖不足", "绿化差"]
    today = timezone.localdate()
    rows = []
    for i in range(3000):
        content = f"{words[i % len(words)]}，第{i}号反映"
        rows.append(
            Petition(
                tracking_number=f"9901-T{i:07d}",
                station=world.S1,
                jurisdiction=world.j.C1,
                area_code=world.j.C1.code,
                content=content,
                received_on=today,
                search_text=search_document(content),
            )
        )
    rare = make_petition(station=world.S1, content="独有的井盖缺失问题")
    Petition.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE petitions_petition")
    qs = Petition.objects.search("井盖缺失")
    assert list(qs.values_list("pk", flat=True)) == [rare.pk]
    # On a table this small a sequential scan of the stored vectors is cheaper; what
    # matters is that the index can serve the query.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = qs.explain()
    assert "petition_search_gin" in plan, plan
    assert "Seq Scan on petitions_petition" not in plan, plan
