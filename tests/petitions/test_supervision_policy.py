"""Who may answer a supervision notice, report on a commitment or record its follow-up visit
(`petitions/supervision/policy.py`): the one answer the buttons, the views and the services share."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from petitions.models import Commitment, SupervisionNotice
from petitions.supervision import policy
from petitions.supervision import services as sv


@pytest.fixture
def notice(world):
    return sv.supervision_notice_issue(
        actor=world.office,
        department=world.D,
        subject="路灯维修进度",
        requirement="请书面报告",
        due_on=workdays.add_working_days(timezone.localdate(), 5),
    )


@pytest.fixture
def commitment(world):
    return sv.commitment_record(
        actor=world.office,
        source=Commitment.Source.VISIT,
        held_on=timezone.localdate() - timedelta(days=1),
        department=world.D,
        head_name="刘局长",
        text="年底前完成路灯更换",
        due_on=workdays.add_working_days(timezone.localdate(), 10),
        station=world.S1,
    )


def test_only_the_department_answers_a_notice(world, notice):
    assert [who for who in ("office", "dept", "staff", "rep") if policy.may_answer(getattr(world, who), notice)] == [
        "dept"
    ]
    assert policy.can_answer(world.dept, notice) and not policy.can_answer(AnonymousUser(), notice)
    SupervisionNotice.objects.filter(pk=notice.pk).update(state=SupervisionNotice.State.ANSWERED)
    notice.refresh_from_db()
    assert policy.may_answer(world.dept, notice) and not policy.can_answer(world.dept, notice)


def test_progress_and_follow_up(world, commitment):
    users = ("office", "dept", "staff", "rep")
    assert [u for u in users if policy.may_progress(getattr(world, u), commitment)] == ["office", "dept"]
    assert [u for u in users if policy.may_follow_up(getattr(world, u))] == ["office", "staff", "rep"]
    assert policy.can_progress(world.dept, commitment) and not policy.can_follow_up(world.staff, commitment)
    Commitment.objects.filter(pk=commitment.pk).update(state=Commitment.State.DONE)
    commitment.refresh_from_db()
    assert not policy.can_progress(world.dept, commitment) and policy.can_follow_up(world.staff, commitment)
    assert not policy.can_progress(AnonymousUser(), commitment)


def test_the_views_and_the_services_refuse_alike(world, commitment, client_for):
    """Station staff see the commitment made at their station but may not report on it: by page or by service."""
    url = reverse("petitions:commitment_progress", args=[commitment.pk])
    assert client_for(world.staff).post(url, {"progress": "代报", "done": "on"}).status_code == 403
    with pytest.raises(PermissionDenied):
        sv.commitment_progress(actor=world.staff, commitment=commitment, progress="代报", done=True)
    assert client_for(world.dept).post(url, {"progress": "已完成", "done": "on"}).status_code == 302
