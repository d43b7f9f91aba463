"""The reveal rule and the QR form's notice agree (PIPL art. 17): the notice names who sees a
resident's name and phone, how long they are kept and whom to ask; a reveal states a purpose,
is limited per hour per user and is recorded with its purpose."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from petitions.ledger.events import PetitionEventKind
from petitions.ledger.privacy import Access, access, may_reveal
from petitions.models import PetitionEvent

PHONE = "13812345678"  # item a's petitioner (conftest `ledger`)


def _notice(client, station) -> str:
    html = client.get(reverse("public:station_petition", args=[station.public_code])).content.decode()
    start = html.index('id="privacy-notice"')
    return html[start : html.index("</div>", start)]


def reveal(client, petition, htmx=False, **data):
    data = {"field": "petitioner_phone", "purpose": "contact", **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("petitions:reveal", args=[petition.pk]), data, headers=headers)


def revealed(petition):
    return list(PetitionEvent.objects.filter(petition=petition, kind=PetitionEventKind.REVEALED))


# -- the notice --------------------------------------------------------------------------------


def test_the_notice_states_recipients_retention_and_a_contact(client, world, settings):
    settings.LIAISON_RETENTION_CLOSED_PERSONAL_DAYS = 412
    settings.LIAISON_PRIVACY_CONTACT = "延庆区人大常委会办公室 010-69100000"
    world.S1.phone = "010-69101234"
    world.S1.save()
    notice = _notice(client, world.S1)
    for words in ("本联络站的工作人员", "人大代表", "人大常委会办公室", "承办部门", "原因记录在案"):
        assert words in notice, words  # who sees it, and that a full look is recorded
    assert "412天" in notice  # retention, from the setting the retention task uses
    assert "010-69101234" in notice and world.S1.name in notice  # whom to ask
    assert "延庆区人大常委会办公室 010-69100000" in notice


def test_the_rule_matches_the_notice(world, ledger):
    """Staff in full; representatives and the office masked with a reveal; departments masked, never revealed."""
    a = ledger.a
    assert access(world.staff, a) is Access.FULL
    assert [may_reveal(getattr(world, who), a) for who in ("rep", "office", "office_t1")] == [True] * 3
    assert access(world.dept, a) is Access.MASKED and not may_reveal(world.dept, a)
    assert access(world.dept, ledger.b) is Access.HIDDEN  # confidential


def test_a_department_user_cannot_reveal(world, ledger, client_for):
    client = client_for(world.dept)
    page = client.get(reverse("petitions:detail", args=[ledger.a.pk])).content.decode()
    assert "138****5678" in page and PHONE not in page and "reveal-button" not in page
    for field in ("petitioner_name", "petitioner_phone", "petitioner_address"):
        response = reveal(client, ledger.a, field=field)
        assert response.status_code == 403 and PHONE not in response.content.decode()
    assert revealed(ledger.a) == []


# -- a purpose ---------------------------------------------------------------------------------


def test_the_reveal_form_asks_for_a_purpose(world, ledger, client_for):
    page = client_for(world.office).get(reverse("petitions:detail", args=[ledger.a.pk])).content.decode()
    assert page.count('name="purpose"') == 3 and 'value="contact"' in page


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("data", [{"purpose": ""}, {"purpose": "curiosity"}, {"purpose": "other", "note": "  "}])
def test_no_purpose_no_reveal(world, ledger, client_for, htmx, data):
    response = reveal(client_for(world.office), ledger.a, htmx=htmx, **data)
    assert response.status_code == (200 if htmx else 400)  # htmx swaps only 2xx: the error shows in place
    text = response.content.decode()
    assert PHONE not in text and "138****5678" in text
    assert 'class="invalid-feedback d-block reveal-error"' in text or "alert" in text
    assert revealed(ledger.a) == []


def test_the_purpose_is_recorded_and_shown_in_the_history(world, ledger, client_for):
    client = client_for(world.rep)
    response = reveal(client, ledger.a, htmx=True, purpose="other", note="核对来电人身份")
    assert response.status_code == 200 and PHONE in response.content.decode()
    [event] = revealed(ledger.a)
    assert event.actor == world.rep
    assert event.data == {"field": "petitioner_phone", "purpose": "other", "note": "核对来电人身份"}
    history = client_for(world.office).get(reverse("petitions:detail", args=[ledger.a.pk])).content.decode()
    assert "用途：其他原因（请填写）" in history and "核对来电人身份" in history


# -- the hourly limit --------------------------------------------------------------------------


def test_reveals_are_limited_per_hour_per_user(world, ledger, client_for, settings):
    settings.LIAISON_REVEALS_PER_HOUR = 3
    office = client_for(world.office)
    fields = ["petitioner_phone", "petitioner_name", "petitioner_address"]
    assert [reveal(office, ledger.a, field=f).status_code for f in fields] == [200, 200, 200]

    refused = reveal(office, ledger.a)  # the fourth in the hour
    assert refused.status_code == 429
    text = refused.content.decode()
    assert PHONE not in text
    assert escape("您在过去一小时内已查看3项完整信息，已达上限，请稍后再试。") in text
    in_place = reveal(office, ledger.a, htmx=True)
    assert in_place.status_code == 200 and PHONE not in in_place.content.decode()
    assert "已达上限" in in_place.content.decode()
    assert len(revealed(ledger.a)) == 3  # refused reveals are not shown, so not recorded

    # Another user has their own count.
    assert reveal(client_for(world.rep), ledger.a).status_code == 200
    # An hour later the office may reveal again.
    PetitionEvent.objects.filter(actor=world.office, kind=PetitionEventKind.REVEALED).update(
        at=timezone.now() - timedelta(minutes=61)
    )
    assert reveal(office, ledger.a).status_code == 200
