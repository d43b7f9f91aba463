"""Pressing the lead department for progress (催办, `Move.URGE`): whoever answers to the resident
(the representatives on the item, the station's staff, the office) presses the lead department of
an item in hand, at most once a day; the department is told at once, the item does not move and its
version stays, the history names the department and the words, the public timeline says that it was.

The table's cases (who, from where) are in test_workflow.py with every other move. This move was
added by the recipe of ARCHITECTURE.md ("A new move"): workflow, policy, its service, its form and
page, its event, its Chinese.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.models import OutboxMessage
from petitions.handling import services as handling
from petitions.handling.workflow import InvalidTransition
from petitions.intake.tracking import public_timeline
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.selectors import timeline
from petitions.ledger.services import PetitionError
from petitions.models import Petition, PetitionEvent, Status
from tests.petitions.test_workflow import make_cast, reach

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return make_cast(world)


def fresh(p) -> Petition:
    return Petition.objects.get(pk=p.pk)


def act_url(p):
    return reverse("petitions:act", args=[p.pk, "urge"])


def test_the_lead_department_is_told_at_once_and_the_item_does_not_move(world, cast):
    p = reach(cast, Status.ACCEPTED)  # lead D (world.dept), co-handler D3 (cast.co)
    before = fresh(p)
    handling.petition_urge(actor=world.rep, petition=p, version=before.version, text="群众还在等，请加快。")

    after = fresh(p)
    assert (after.status, after.version, after.due_on) == (before.status, before.version, before.due_on)
    rows = OutboxMessage.objects.filter(topic="petition_urge")
    assert set(rows.values_list("user__username", flat=True)) == {world.dept.username}  # the lead only
    inbox = rows.get(channel="inbox")
    assert p.tracking_number in inbox.subject and "已催办" in inbox.subject
    assert "群众还在等，请加快。" in inbox.body and cast.D.name in inbox.body
    # A text message carries the subject only: the words never go by SMS.
    for sms in rows.filter(channel="sms"):
        assert "群众还在等" not in sms.body


def test_once_a_day(world, cast, client_for):
    p = reach(cast, Status.IN_PROGRESS)
    handling.petition_urge(actor=world.staff, petition=p)
    with pytest.raises(PetitionError, match="今天已催办"):
        handling.petition_urge(actor=world.rep, petition=p)
    assert p.events.filter(kind=PetitionEventKind.URGED).count() == 1
    detail = client_for(world.rep).get(reverse("petitions:detail", args=[p.pk])).content.decode()
    assert 'data-move="urge"' not in detail

    # Yesterday's press does not count today.
    PetitionEvent.objects.filter(petition=p, kind=PetitionEventKind.URGED).update(at=timezone.now() - timedelta(days=1))
    handling.petition_urge(actor=world.rep, petition=p)
    assert p.events.filter(kind=PetitionEventKind.URGED).count() == 2


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.REPLIED, Status.SUSPENDED, Status.CLOSED])
def test_only_an_item_in_hand_is_pressed(world, cast, status):
    p = reach(cast, status)
    with pytest.raises(InvalidTransition):
        handling.petition_urge(actor=world.office, petition=p)
    assert not OutboxMessage.objects.filter(topic="petition_urge").exists()


def test_the_history_and_the_public_timeline(world, cast):
    p = reach(cast, Status.ASSIGNED)
    handling.petition_urge(actor=world.rep, petition=p, text="路灯还没修。")

    entry = next(e for e in timeline(fresh(p), user=world.office) if e.kind == PetitionEventKind.URGED)
    assert str(entry.label) == "已催办"
    assert "路灯还没修。" in entry.details and any(cast.D.name in line for line in entry.details)
    public = [e.text for e in public_timeline(p.pk)]
    assert "已向承办部门催办。" in public and not any("路灯还没修" in text for text in public)


def test_through_the_page_the_department_keeps_its_open_form(world, cast, client_for):
    p = reach(cast, Status.ACCEPTED)
    rep = client_for(world.rep)
    detail = rep.get(reverse("petitions:detail", args=[p.pk])).content.decode()
    assert 'data-move="urge"' in detail
    assert rep.get(act_url(p)).status_code == 200
    version = fresh(p).version  # the department opened its reply form on this version

    response = rep.post(act_url(p), {"version": version, "text": "请尽快答复。"})
    assert response.status_code == 302
    assert fresh(p).events.filter(kind=PetitionEventKind.URGED).exists()

    handling.petition_reply(actor=world.dept, petition=p, version=version, outcome="A", text="已修复。")
    assert fresh(p).status == Status.REPLIED


def test_who_may_press(world, cast, client_for):
    p = reach(cast, Status.ACCEPTED)
    assert client_for(world.dept).get(act_url(p)).status_code == 403  # in scope, the department's own item
    assert client_for(world.office_k2).get(act_url(p)).status_code == 404  # another district
    too_long = client_for(world.office).post(act_url(p), {"version": fresh(p).version, "text": "长" * 501})
    assert too_long.status_code == 400 and "500" in too_long.content.decode()
    assert not p.events.filter(kind=PetitionEventKind.URGED).exists()
