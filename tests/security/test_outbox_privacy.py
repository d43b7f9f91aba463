"""The outbox page (PIPL): addresses and residents' names masked for everyone but the system
administrator; rating codes never on a page, for anyone."""

import re

import pytest
from django.urls import reverse

from liaison.models import OutboxMessage
from liaison.outbox import Recipient, outbox_for_display, outbox_write
from petitions.handling.notifications import send_rating_code

CODE = "482913"
OUTBOX = reverse("notices:outbox")


@pytest.fixture
def sent(world, ledger):
    """The rating-code SMS to 张三 (13812345678) about item a at S1, and an email to an account."""
    ledger.a.rating_code = CODE
    send_rating_code(ledger.a)
    world.staff.email = "liu.staff@example.cn"
    world.staff.save()
    outbox_write(
        key="test:staff",
        topic="test",
        recipient=Recipient.for_user(world.staff),
        subject="接待日通知",
        body="居民13899990000来电，请回电",
        station=world.S1,
    )
    sms = OutboxMessage.objects.get(topic="petition_rating_code")
    assert CODE in sms.body and sms.address == "13812345678"  # stored in full: the gateway needs it
    return sms


def _page(client_for, user, **query):
    response = client_for(user).get(OUTBOX, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("account", ["admin", "office", "staff"])
def test_rating_codes_appear_on_no_outbox_page(world, sent, client_for, account):
    page = _page(client_for, getattr(world, account))
    assert "tracking" in page or "评价码" in page  # the body is on the page...
    assert CODE not in page  # ...without the code
    assert "******" in page


@pytest.mark.parametrize("account", ["office", "staff"])
def test_offices_and_staff_see_addresses_and_resident_names_masked(world, sent, client_for, account):
    page = _page(client_for, getattr(world, account))
    assert "13812345678" not in page and "138****5678" in page
    assert "13899990000" not in page and "138****0000" in page  # a number inside a message body
    assert "liu.staff@example.cn" not in page and "l***@example.cn" in page
    assert "张三" not in page and "张*" in page


def test_the_system_administrator_sees_addresses_in_full_but_not_the_code(world, sent, client_for):
    page = _page(client_for, world.admin)
    assert "13812345678" in page and "liu.staff@example.cn" in page and "张三" in page
    assert CODE not in page


def test_others_cannot_find_a_number_digit_by_digit(world, sent, client_for):
    def keys(user, q):
        response = client_for(user).get(OUTBOX, {"q": q})
        return {m.key for m in response.context["rows"]}

    rating_key = sent.key
    assert rating_key not in keys(world.office, "1381234")  # a partial number finds nothing
    assert rating_key in keys(world.office, "13812345678")  # the whole number (already known) does
    assert rating_key in keys(world.admin, "1381234")


def test_an_error_text_is_masked_and_the_resend_message_names_no_resident(world, sent, client_for):
    sent.status, sent.last_error = "failed", "GatewayError: 13812345678 refused"
    sent.save()
    page = _page(client_for, world.office)
    assert "13812345678" not in page and "138****5678 refused" in page
    response = client_for(world.office).post(reverse("notices:outbox_retry", args=[sent.pk]), follow=True)
    text = response.content.decode()
    assert "张三" not in text and "张*" in text


def test_display_helper_masks_nothing_in_storage(world, sent):
    (row,) = outbox_for_display([sent], viewer=world.office)
    assert row.shown_address == "138****5678" and re.search(r"\*{6}", row.shown_body)
    sent.refresh_from_db()
    assert sent.address == "13812345678" and CODE in sent.body
