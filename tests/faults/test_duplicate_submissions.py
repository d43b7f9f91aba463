"""A retried POST (lost answer, double tap, a browser resending) stores nothing twice.

The desk form and the QR form carry an idempotency token; the second POST with it answers
the item the first one stored, with the same redirect and confirmation.
"""

import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from petitions.models import Petition, PetitionEvent
from tests.petitions.test_desk import form_data


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The QR form's rate limits count in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


TOKEN = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')


def _token(page) -> str:
    match = TOKEN.search(page.content.decode())
    assert match, "the form carries no idempotency token"
    return match.group(1)


def _qr_data(token, **extra):
    return {
        "content": "村东头路灯坏了一个星期，晚上出行很不方便。",
        "category": "",
        "representative": "",
        "name": "周小梅",
        "phone": "13812345678",
        "website": "",
        "submission_token": token,
        **extra,
    }


@pytest.mark.django_db
def test_the_desk_answers_a_retried_post_with_the_first_item(world, client_for):
    staff = client_for(world.staff)
    token = _token(staff.get(reverse("petitions:create")))
    assert token != _token(staff.get(reverse("petitions:create")))  # a new form, a new token
    data = form_data(world, submission_token=token)

    first = staff.post(reverse("petitions:create"), data)
    second = staff.post(reverse("petitions:create"), data)
    assert first.status_code == second.status_code == 302
    petition = Petition.objects.get()
    assert first["Location"] == second["Location"] == reverse("petitions:detail", args=[petition.pk])
    assert PetitionEvent.objects.filter(petition=petition).count() == 1
    # "Save and register the next" answers the same way too.
    data = form_data(world, submission_token=_token(staff.get(reverse("petitions:create"))), save_next="1")
    assert (
        staff.post(reverse("petitions:create"), data)["Location"]
        == (staff.post(reverse("petitions:create"), data)["Location"])
    )
    assert Petition.objects.count() == 2
    # Without a token (an old page) each POST still registers, as before.
    del data["submission_token"]
    staff.post(reverse("petitions:create"), data)
    staff.post(reverse("petitions:create"), data)
    assert Petition.objects.count() == 4


@pytest.mark.django_db
def test_the_qr_form_answers_a_retried_post_with_the_first_item(world):
    url = reverse("public:station_petition", args=[world.S1.public_code])
    done = reverse("tracking:done", args=[world.S1.public_code])
    resident = Client()
    token = _token(resident.get(url))
    first = resident.post(url, _qr_data(token))
    # The answer was lost; the phone resends the same form (even from a fresh session).
    again = Client().post(url, _qr_data(token))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == done
    petition = Petition.objects.get()
    page = resident.get(done)
    assert petition.tracking_number in page.content.decode()
    assert Petition.objects.filter(content=petition.content).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (two POSTs at the same moment)")
def test_two_posts_of_one_form_at_the_same_moment_store_one_item(world):
    url = reverse("public:station_petition", args=[world.S1.public_code])
    token = _token(Client().get(url))
    barrier, answers = threading.Barrier(4), []

    def send():
        barrier.wait()
        try:
            answers.append(Client().post(url, _qr_data(token)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [302] * 4
    assert Petition.objects.count() == 1
