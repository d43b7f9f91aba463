"""The history's constructors and renderers (petitions/ledger/events.py) agree kind by kind."""

from datetime import date

import pytest
from django.utils import translation

from petitions.ledger import events
from petitions.ledger.events import PetitionEventKind

K = PetitionEventKind
CTX = events.RenderContext(frozenset({"2601-AAAA1111"}))


def test_every_kind_has_a_renderer():
    missing = [k for k in K.values if k not in events.RENDERERS]
    assert not missing, f"write a renderer for these kinds in petitions/ledger/events.py: {missing}"


RATING = events.rating_data(rater="resident", representative="", satisfaction="satisfied", comment="很好", round_=1)

# (fact, words its staff timeline must show)
CASES = [
    (events.registered(channel="visit", representatives=["张三", "李四"]), ["张三、李四"]),
    (events.linked(target_number="2601-AAAA1111"), ["2601-AAAA1111"]),
    (events.linked(target_number="2601-ZZZZ9999"), ["outside your ledger"]),
    (events.link_received(linked_number="2601-AAAA1111", co_petitioners=2), ["2601-AAAA1111"]),
    (events.attachments_added(names=["a.jpg", "b.pdf"]), ["a.jpg、b.pdf"]),
    (events.attachments_removed(names=["a.jpg"]), ["a.jpg"]),
    (events.representative_linked(representative="王五", role="received", received=True), ["王五"]),
    (events.follow_up(representative="王五", on=True), ["王五"]),
    (events.replied_online(representative="王五", text="已联系社区"), ["王五"]),
    (events.revealed(field_name="petitioner_phone"), ["Field:"]),
    (events.triaged(route="direct", changes={}, note="请尽快", public_text="x"), ["请尽快"]),
    (
        events.assigned(
            department="住建委",
            co_departments=["交通局"],
            due_on=date(2026, 12, 21),
            co_due_on=date(2026, 12, 14),
            responsible_leader="赵局长",
            note="",
            public_text="x",
        ),
        ["住建委", "交通局", "赵局长", "2026-12-21", "2026-12-14"],
    ),
    (events.answered_at_triage(K.CONSULTED, text="已答复", department="住建委", public_text="x"), ["已答复", "住建委"]),
    (events.to_suggestion(number="建〔2026〕1号", title="路灯", public_text="x"), ["建〔2026〕1号"]),
    (events.suggestion_replied(number="建〔2026〕1号", outcome="A", public_text="x"), ["建〔2026〕1号"]),
    (events.accepted(department="住建委"), ["住建委"]),
    (events.progress(department="住建委", text="已勘察", public=True, public_text="x"), ["已勘察"]),
    (events.contributed(department="交通局", text="已配合"), ["已配合"]),
    (
        events.department_replied(department="住建委", outcome="A", reply_id=1, on_time=True, public_text="x"),
        ["住建委"],
    ),
    (
        events.extension_requested(
            department="住建委", request_id=1, due_on=date(2026, 12, 1), requested=date(2026, 12, 20), reason="施工"
        ),
        ["2026-12-01", "2026-12-20", "施工"],
    ),
    (
        events.extension_approved(
            department="住建委",
            request_id=1,
            due_on=date(2026, 12, 1),
            new_due_on=date(2026, 12, 20),
            note="同意",
            public_text="x",
        ),
        ["2026-12-20", "住建委", "同意"],
    ),
    (
        events.extension_refused(department="住建委", request_id=1, due_on=date(2026, 12, 1), note="理由不足"),
        ["2026-12-01", "住建委", "理由不足"],
    ),
    (events.returned(department="住建委", reason="不属本单位"), ["不属本单位"]),
    (events.fed_back(method="phone", text="已电话告知", public_text="x"), ["已电话告知"]),
    (events.rated(rating=RATING, public_text="x"), ["很好"]),
    (events.reopened(rating=RATING, new_round=2, due_on=date(2027, 1, 5), public_text="x"), ["2027-01-05", "2"]),
    (events.closed(note="办结", public=False, public_text=""), ["办结"]),
    (
        events.suspended(reason="等待法院判决", until=date(2027, 1, 8), due_on=date(2026, 12, 21), public_text="x"),
        ["等待法院判决", "2027-01-08", "2026-12-21"],
    ),
    (
        events.resumed(
            days=4,
            automatic=True,
            note="判决已出",
            due_on=date(2026, 12, 21),
            new_due_on=date(2026, 12, 25),
            public_text="x",
        ),
        ["2026-12-21 → 2026-12-25", "4 working days", "resume date", "判决已出"],
    ),
    (
        events.supervised(
            number="督〔2026〕3号", subject="路灯", due_on=date(2026, 12, 9), department="住建委", notice_id=1
        ),
        ["督〔2026〕3号", "住建委"],
    ),
    (events.supervision_answered(number="督〔2026〕3号", subject="路灯", text="已整改"), ["已整改"]),
    (
        events.commitment_recorded(department="住建委", due_on=date(2026, 12, 31), head_name="王局长", text="年底完工"),
        ["王局长: 年底完工"],
    ),
]


@pytest.mark.parametrize(("fact", "words"), CASES, ids=[f"{c[0].kind}-{i}" for i, c in enumerate(CASES)])
def test_the_renderer_reads_what_the_constructor_records(fact, words):
    with translation.override("en"):
        text = "\n".join(events.details(fact.kind, fact.data, CTX))
    for word in words:
        assert word in text, (fact.kind, word, text)


def test_edits_and_notes_add_no_detail_lines():
    assert events.details(K.EDITED, events.edited(changes={"content": ["a", "b"]}).data, CTX) == []
    assert events.details(K.NOTE_ADDED, events.note_added(note_id=7).data, CTX) == []


@pytest.mark.django_db
def test_record_writes_one_row_public_only_with_a_public_text(world):
    from tests.factories import make_petition

    petition = make_petition(station=world.S1)
    before = petition.events.count()
    quiet = events.record(petition, events.accepted(department="住建委"), actor=world.office)
    loud = events.record(petition, events.fed_back(method="phone", text="t", public_text="已告知"), actor=world.office)
    assert petition.events.count() == before + 2
    assert (quiet.is_public, loud.is_public) == (False, True)
    assert loud.public_text == "已告知" and quiet.data == {"department": "住建委"}
