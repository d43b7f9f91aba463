"""Demo petitions of `seed_demo` and the bulk `--petitions N` (bulk_create on SQLite, COPY on PostgreSQL)."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from liaison.models import User
from petitions import demo_bulk
from petitions.models import ONLINE_CHANNELS, Petition, PetitionEvent, PetitionRepresentative, Status
from petitions.search import search_text_for
from stations.models import Membership, ReceptionEvent

pytestmark = pytest.mark.django_db(transaction=False)

TRACKING = re.compile(r"^\d{4}-[0-9A-HJKMNP-TV-Z]{8}$")


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def assert_consistent(petitions):
    """Every item: one `registered` event, its search text, a well-formed unique number."""
    numbers = list(petitions.values_list("tracking_number", flat=True))
    assert len(numbers) == len(set(numbers)) and all(TRACKING.match(n) for n in numbers)
    registered = petitions.annotate(n=Count("events", filter=Q(events__kind=PetitionEvent.Kind.REGISTERED)))
    assert set(registered.values_list("n", flat=True)) == {1}
    assert all(p.search_text == search_text_for(p) for p in petitions.iterator())


def test_seed_demo_writes_realistic_petitions_once():
    out = seed()
    today = timezone.localdate()
    petitions = Petition.objects.all()
    total = petitions.count()
    assert total == 600 and "600 petitions" in out
    assert_consistent(petitions)

    # Nothing is dated after the moment the demo was made, whatever the hour it runs.
    now = timezone.now()
    assert not petitions.filter(registered_at__gt=now).exists()
    assert not petitions.filter(first_replied_at__gt=now).exists()
    assert not PetitionEvent.objects.filter(at__gt=now).exists()

    statuses = set(petitions.values_list("status", flat=True))
    assert {Status.REGISTERED, Status.ASSIGNED, Status.REPLIED, Status.CLOSED} <= statuses
    assert petitions.filter(received_on__gte=today.replace(year=today.year - 1)).count() == total
    assert 0.02 * total <= petitions.filter(is_confidential=True).count() <= 0.09 * total
    assert 0 < petitions.filter(is_anonymous=True, petitioner_name="").count() <= 0.06 * total
    assert petitions.filter(is_hard_problem=True).exists() and petitions.filter(urgency="urgent").exists()
    assert 0 < petitions.overdue(today).count() <= 0.08 * total  # a few overdue
    answered = petitions.filter(status__in=[Status.REPLIED, Status.CLOSED])
    assert not answered.filter(handling_summary="").exists()
    assert not petitions.filter(status=Status.CLOSED, satisfaction="").exists()
    assert not petitions.filter(lead_department__isnull=False, due_on__isnull=True).exists()

    # On-site items of a held day carry the day; their representatives serve the station.
    with_event = petitions.filter(event__isnull=False).select_related("event")
    assert with_event.count() > 50
    assert all(p.received_on == p.event.date and p.event.status == ReceptionEvent.Status.HELD for p in with_event)
    links = PetitionRepresentative.objects.filter(petition__event__isnull=True)
    members = set(Membership.objects.values_list("station_id", "representative_id"))
    pairs = set(links.values_list("petition__station_id", "representative_id"))
    assert pairs and pairs <= members
    assert PetitionRepresentative.objects.count() >= total * 0.9

    # Online items owe a first reply within 24 hours; most were answered, the demo representative owes two.
    online = petitions.filter(channel__in=ONLINE_CHANNELS)
    assert online.exists() and not online.filter(first_reply_due_at__isnull=True).exists()
    assert online.filter(first_replied_at__isnull=False).count() > online.count() / 2
    rep = User.objects.get(username="rep")
    assert Petition.objects.visible_to(rep).awaiting_first_reply().count() >= 2

    # Every demo account has a ledger; the content reads like the seeds.
    for username in ("office", "staff", "rep", "dept"):
        assert Petition.objects.visible_to(User.objects.get(username=username)).count() >= 20, username
    assert petitions.filter(content__contains="停车").exists() and petitions.filter(content__contains="电梯").exists()
    assert petitions.values("content").distinct().count() > 500

    assert "none added" in seed() and Petition.objects.count() == total  # nothing added the second time


def test_petitions_option_adds_that_many_in_bulk():
    seed()
    before = set(Petition.objects.values_list("pk", flat=True))
    out = seed(petitions=2000)
    assert "petitions: 2,000 of 2,000" in out
    added = Petition.objects.exclude(pk__in=before)
    assert added.count() == 2000
    assert_consistent(added)
    assert PetitionRepresentative.objects.filter(petition__in=added).count() >= 2000
    today = timezone.localdate()
    assert added.filter(received_on__lt=today.replace(year=today.year - 2)).exists()  # spread over 3 years
    assert set(added.values_list("status", flat=True)) >= {Status.REGISTERED, Status.CLOSED}
    seed(petitions=10)
    assert Petition.objects.count() == len(before) + 2010  # every run adds N more


def test_a_negative_count_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        seed(petitions=-1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path runs on PostgreSQL (DATABASE_URL)")
def test_copy_path_on_postgresql_rebuilds_the_indexes(monkeypatch):
    seed()
    monkeypatch.setattr(demo_bulk, "REBUILD_INDEXES_FROM", 1000)
    monkeypatch.setattr(demo_bulk, "_rows_now", lambda: 0)

    def index_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'petitions_petition%%'")
            return {row[0] for row in cursor.fetchall()}

    indexes = index_names()
    before = Petition.objects.count()
    out = seed(petitions=2500)
    assert "indexes dropped for the load" in out and "indexes built again" in out
    assert index_names() == indexes and "petition_search_gin" in indexes
    added = Petition.objects.order_by("-pk")[:2500]
    assert Petition.objects.count() == before + 2500
    assert_consistent(Petition.objects.filter(pk__in=[p.pk for p in added]))
    assert Petition.objects.search("停车").exists()  # the full-text index answers
