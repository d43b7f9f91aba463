"""Open311 lookups without a key share the public tracking page's per-address limit."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from petitions.models import ApiClient

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(world):
    client = ApiClient(name="hotline", jurisdiction=world.j.K, default_station=world.S1)
    raw = client.set_new_key()
    client.save()
    return raw


def lookup(path, ip="10.5.0.1", **params):
    return Client().get(f"{BASE}{path}", params, REMOTE_ADDR=ip)


def test_keyless_lookups_are_limited_per_address_like_track(world, ledger, key, settings):
    settings.LIAISON_RATE_TRACK_IP = "6/600"
    number = ledger.c.tracking_number
    statuses = []
    for i in range(4):
        statuses.append(lookup(f"requests/{number}.json").status_code)
        statuses.append(lookup(f"tokens/guess-{i}.json").status_code)
    assert statuses[:6].count(429) == 0 and statuses[6:] == [429, 429], statuses
    limited = lookup(f"requests/{number}.xml")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert b"<code>429</code>" in limited.content
    # The same budget as the tracking page: that address is limited there too.
    assert Client().get(reverse("tracking:detail", args=[number]), REMOTE_ADDR="10.5.0.1").status_code == 429
    # Another address, and a client with its key, are not limited.
    assert lookup(f"requests/{number}.json", ip="10.5.0.2").status_code == 200
    assert lookup(f"requests/{number}.json", api_key=key).status_code == 200


def test_the_tracking_pages_budget_counts_open311_lookups(world, ledger, settings):
    settings.LIAISON_RATE_TRACK_IP = "3/600"
    number = ledger.c.tracking_number
    for _ in range(3):
        assert Client().get(reverse("tracking:detail", args=[number]), REMOTE_ADDR="10.5.1.1").status_code == 200
    assert lookup(f"requests/{number}.json", ip="10.5.1.1").status_code == 429
