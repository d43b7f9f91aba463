"""Petitions, their history, ratings and representatives are never hard-deleted; users are
disabled, not deleted, and the history keeps the actor's name; sign-in records stay."""

import importlib

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.apps import apps as django_apps
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from petitions.ledger import events
from petitions.ledger.selectors import timeline
from petitions.models import Petition, PetitionEvent, PetitionRepresentative, Rating
from stations.models import Membership, Representative
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_representative_with_ratings_and_items_cannot_be_deleted(world, ledger):
    Rating.objects.create(petition=ledger.a, rater="representative", representative=world.R1, satisfaction="satisfied")
    before = (Rating.objects.count(), PetitionRepresentative.objects.count(), Membership.objects.count())
    with pytest.raises(ProtectedError):
        world.R1.delete()
    assert (Rating.objects.count(), PetitionRepresentative.objects.count(), Membership.objects.count()) == before
    assert Representative.objects.filter(pk=world.R1.pk).exists()


def test_a_petition_with_its_history_cannot_be_deleted(ledger):
    events_before = PetitionEvent.objects.filter(petition=ledger.a).count()
    assert events_before >= 1
    with pytest.raises(ProtectedError):
        ledger.a.delete()
    assert Petition.objects.filter(pk=ledger.a.pk).exists()
    assert PetitionEvent.objects.filter(petition=ledger.a).count() == events_before


def test_the_admin_deletes_no_petition_representative_station_user_or_sign_in_record(world, ledger, client_for):
    log = AccessLog.objects.create(username="office", ip_address="10.0.0.1", attempt_time=timezone.now())
    failure = AccessFailureLog.objects.create(username="office", ip_address="10.0.0.1", attempt_time=timezone.now())
    admin = client_for(world.admin)
    logs = AccessLog.objects.count()
    targets = {
        "petitions_petition": ledger.a.pk,
        "stations_representative": world.R1.pk,
        "stations_station": world.S1.pk,
        "liaison_user": world.staff.pk,
        "axes_accesslog": log.pk,
        "axes_accessfailurelog": failure.pk,
        "liaison_auditentry": None,
    }
    for name, pk in targets.items():
        if pk is not None:
            assert admin.get(reverse(f"admin:{name}_delete", args=[pk])).status_code == 403, name
            assert admin.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403, name
        changelist = admin.get(reverse(f"admin:{name}_changelist"))
        assert changelist.status_code == 200, name
        assert "delete_selected" not in changelist.content.decode(), name
    assert Petition.objects.filter(pk=ledger.a.pk).exists() and AccessLog.objects.count() == logs


def test_the_history_keeps_who_acted_when_the_account_is_disabled_or_gone(world, ledger):
    clerk = UserFactory(username="clerk", full_name="王办事员")
    events.record(ledger.a, events.revealed(field_name="petitioner_phone"), actor=clerk)
    row = PetitionEvent.objects.get(petition=ledger.a, actor=clerk)
    assert row.actor_name == "王办事员"

    clerk.is_active = False  # the admin's way: disabled
    clerk.save(update_fields=["is_active"])
    assert "王办事员" in [entry.who for entry in timeline(ledger.a, user=world.office)]

    clerk.delete()  # outside the admin (a shell): the row loses its link, not its author
    row.refresh_from_db()
    assert row.actor_id is None and row.actor_name == "王办事员"
    assert "王办事员" in [entry.who for entry in timeline(ledger.a, user=world.office)]


def test_the_backfill_names_the_actors_of_existing_rows(world, ledger):
    PetitionEvent.objects.filter(petition=ledger.a).update(actor=world.staff, actor_name="")
    world.staff.full_name = "李站员"
    world.staff.save(update_fields=["full_name"])
    migration = importlib.import_module("petitions.migrations.0019_event_actor_name_backfill")
    migration.backfill(django_apps, None)
    names = set(PetitionEvent.objects.filter(petition=ledger.a).values_list("actor_name", flat=True))
    assert names == {"李站员"}
