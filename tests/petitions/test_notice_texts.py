"""The texts of the supervision and suggestion notices (`petitions/supervision/notifications.py`,
`petitions/suggestions/notifications.py`), pinned word for word through the services that send
them: key, topic, subject, body, link and station of each, and that a text message carries the
subject or the short SMS text, never the free text (a requirement, an answer, a comment), behind the
signature (the deployment's here: no office in this world sets its own)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from liaison import workdays
from liaison.models import Channel, OutboxMessage
from petitions.handling.models import Suggestion
from petitions.models import Commitment, Outcome, Petition, Satisfaction, SupervisionNotice
from petitions.suggestions import services as sg
from petitions.supervision import services as sv
from tests.factories import make_petition


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def reachable(world):
    """The world's users get a mobile and an e-mail address, so each notice goes on every channel."""
    for n, user in enumerate((world.office, world.dept, world.staff, world.rep), start=1):
        user.phone, user.email = f"1380000000{n}", f"{user.username}@example.org"
        user.save(update_fields=["phone", "email"])


SIGN = "【人大代表联络站】"


def ymd(day) -> str:
    return day.strftime("%Y-%m-%d")


def told(key: str) -> dict:
    """The stored notice under `key`: channel -> (topic, subject, body, url, station pk)."""
    return {
        m.channel: (m.topic, m.subject, m.body, m.url, m.station_id)
        for m in OutboxMessage.objects.filter(key=key).order_by("channel")
    }


def assert_notice(key, *, topic, subject, body, url, station=None, sms=None):
    rows = told(key)
    assert set(rows) == {Channel.INBOX, Channel.EMAIL, Channel.SMS}, key
    station_id = station.pk if station else None
    assert rows[Channel.INBOX] == rows[Channel.EMAIL] == (topic, subject, body, url, station_id)
    assert rows[Channel.SMS] == (topic, subject, SIGN + (sms or subject), url, station_id)


# -- supervision notices and commitments -------------------------------------------------------------------


@pytest.fixture
def in_hand(world):
    from petitions.handling.services import petition_accept, petition_assign

    p = make_petition(station=world.S1, representatives=[world.R1], actor=world.staff, content="路灯不亮")
    petition_assign(
        actor=world.office,
        petition=p,
        department=world.D,
        due_on=workdays.add_working_days(timezone.localdate(), 20),
    )
    petition_accept(actor=world.dept, petition=p)
    return Petition.objects.get(pk=p.pk)


def test_supervision_notice_texts(world, in_hand):
    due = workdays.add_working_days(timezone.localdate(), 5)
    notice = sv.supervision_notice_issue(
        actor=world.office,
        department=world.D,
        subject="路灯维修进度",
        requirement="请加快办理并书面报告",
        due_on=due,
        petition=in_hand,
    )
    url = reverse("petitions:notice_detail", args=[notice.pk])
    assert_notice(
        f"notice:{notice.pk}:issued:user:{world.dept.pk}",
        topic="supervision_notice",
        subject=f"Supervision notice {notice.number}: answer by {ymd(due)}",
        body=f"The committee office issued supervision notice {notice.number} to 区住房和城乡建设委员会 on "
        f"“路灯维修进度”. Answer in writing by {ymd(due)}.",
        url=url,
        station=world.S1,
    )
    sv.supervision_notice_answer(actor=world.dept, notice=notice, response="已更换路灯")
    assert_notice(
        f"notice:{notice.pk}:answered:user:{world.office.pk}",
        topic="supervision_notice",
        subject=f"Supervision notice {notice.number} answered by 区住房和城乡建设委员会",
        body="已更换路灯",
        url=url,
    )


def test_a_late_answer_says_so(world):
    notice = sv.supervision_notice_issue(
        actor=world.office,
        department=world.D,
        subject="路灯维修进度",
        requirement="请书面报告",
        due_on=workdays.add_working_days(timezone.localdate(), 5),
    )
    assert told(f"notice:{notice.pk}:issued:user:{world.dept.pk}")[Channel.INBOX][4] is None  # a matter: no station
    SupervisionNotice.objects.filter(pk=notice.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    sv.supervision_notice_answer(actor=world.dept, notice=notice, response="已办结")
    subject = told(f"notice:{notice.pk}:answered:user:{world.office.pk}")[Channel.INBOX][1]
    assert subject == f"Supervision notice {notice.number} answered late by 区住房和城乡建设委员会"


def test_commitment_texts(world):
    held, due = timezone.localdate() - timedelta(days=2), workdays.add_working_days(timezone.localdate(), 10)
    c = sv.commitment_record(
        actor=world.office,
        source=Commitment.Source.VISIT,
        held_on=held,
        department=world.D,
        head_name="刘局长",
        text="年底前完成东关村路灯更换。",
        due_on=due,
        station=world.S1,
    )
    url = reverse("petitions:commitment_detail", args=[c.pk])
    assert_notice(
        f"commitment:{c.pk}:recorded:user:{world.dept.pk}",
        topic="commitment",
        subject=f"Commitment recorded for 区住房和城乡建设委员会, due {ymd(due)}",
        body=f"刘局长 committed on {ymd(held)}: 年底前完成东关村路灯更换。 Report how it was kept by {ymd(due)}.",
        url=url,
        station=world.S1,
    )
    sv.commitment_progress(actor=world.dept, commitment=c, progress="12盏路灯已全部更换", done=True)
    assert_notice(
        f"commitment:{c.pk}:done:user:{world.office.pk}",
        topic="commitment",
        subject="区住房和城乡建设委员会 reports a commitment kept",
        body="12盏路灯已全部更换",
        url=url,
    )
    sv.commitment_follow_up(
        actor=world.staff, commitment=c, visited_on=timezone.localdate(), note="路灯正常", satisfaction="basically"
    )
    assert_notice(
        f"commitment:{c.pk}:visited:user:{world.dept.pk}",
        topic="commitment",
        subject="Follow-up visit on your commitment: Basically satisfied",
        body="路灯正常",
        url=url,
        station=world.S1,
    )


# -- representative suggestions ------------------------------------------------------------------------------


def test_suggestion_texts(world, ledger):
    s = sg.suggestion_draft(
        actor=world.office,
        title="关于加快老旧小区改造的建议",
        content="案由……",
        lead_representative=world.R1,
        co_signers=[world.R4],
        petitions=[ledger.a],
    )
    url = reverse("petitions:suggestion_detail", args=[s.pk])
    s = sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    due = ymd(Suggestion.objects.get(pk=s.pk).due_on)
    assert_notice(
        f"suggestion:{s.pk}:assigned:user:{world.dept.pk}",
        topic="suggestion_assigned",
        subject=f"Representative suggestion {s.number} assigned to you, reply by {due}",
        body=f"The committee office assigned the representative suggestion {s.number} “关于加快老旧小区改造的建议” to "
        f"区住房和城乡建设委员会. Meet the lead representative before handling it and reply by {due}.",
        url=url,
        sms=f"Representative suggestion {s.number} assigned, reply by {due}.",
    )

    s = sg.suggestion_reply(actor=world.dept, suggestion=s, outcome=Outcome.PLANNED, text="列入明年计划。")
    for rep in (world.R1, world.R4):
        rows = told(f"suggestion:{s.pk}:replied:rep:{rep.pk}")
        assert rows[Channel.SMS] == (
            "suggestion_replied",
            f"Representative suggestion {s.number} has been answered",
            f"{SIGN}Suggestion {s.number} has been answered; please rate it.",
            url,
            None,
        )
    assert_notice(
        f"suggestion:{s.pk}:replied:rep:{world.R1.pk}",  # R1 has an account: inbox and e-mail too
        topic="suggestion_replied",
        subject=f"Representative suggestion {s.number} has been answered",
        body="区住房和城乡建设委员会 answered the suggestion “关于加快老旧小区改造的建议” (B: being solved or planned). "
        "The lead representative is asked to fill in the satisfaction form.",
        url=url,
        sms=f"Suggestion {s.number} has been answered; please rate it.",
    )
    a = Petition.objects.get(pk=ledger.a.pk)
    to_feed_back = (
        f"The representative suggestion {s.number} was answered. Feed the answer back to the resident of item "
        f"{a.tracking_number} and record how."
    )
    assert_notice(
        f"petition:{a.pk}:suggestion_replied:{a.round}:user:{world.staff.pk}",
        topic="petition_replied",
        subject=f"Item {a.tracking_number}: the suggestion it is part of was answered",
        body=to_feed_back,
        url=reverse("petitions:detail", args=[a.pk]),
        station=world.S1,
        sms=to_feed_back,  # no free text in it: the whole body goes by SMS
    )

    sg.suggestion_rate(
        actor=world.rep, suggestion=s, satisfaction=Satisfaction.DISSATISFIED, contacted_before_reply=False
    )
    assert_notice(
        f"suggestion:{s.pk}:rated:user:{world.office.pk}",
        topic="suggestion_rated",
        subject=f"Suggestion {s.number} rated “Dissatisfied”",
        body="No comment was given.",
        url=url,
    )


def test_a_rating_comment_never_goes_by_sms(world):
    s = sg.suggestion_draft(actor=world.office, title="关于路灯的建议", content="案由……", lead_representative=world.R1)
    s = sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    s = sg.suggestion_reply(actor=world.office, suggestion=s, outcome=Outcome.SOLVED, text="已修复。")
    sg.suggestion_rate(
        actor=world.rep,
        suggestion=s,
        satisfaction=Satisfaction.SATISFIED,
        contacted_before_reply=True,
        comment="办得好",
    )
    rows = told(f"suggestion:{s.pk}:rated:user:{world.office.pk}")
    assert rows[Channel.INBOX][2] == rows[Channel.EMAIL][2] == "办得好"
    assert rows[Channel.SMS][2] == f"{SIGN}Suggestion {s.number} rated “Satisfied”"
