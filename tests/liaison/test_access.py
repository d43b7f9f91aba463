"""`liaison.access.access_object` and its named wrappers: one object, "not found" for missing and
not-yours alike."""

from datetime import date, time

import pytest
from django.db import transaction
from django.http import Http404

from liaison.access import access_object
from petitions.ledger.querysets import access_petition
from petitions.models import Petition
from stations.models import ReceptionEvent, Station
from stations.network.querysets import access_reception_event, access_representative, access_station


def _missing_pk(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_access_object_answers_the_same_for_missing_and_not_yours(ledger, world):
    assert access_object(Petition, world.staff, ledger.a.pk) == ledger.a
    with pytest.raises(Http404):
        access_object(Petition, world.staff, ledger.e.pk)  # another district's item
    with pytest.raises(Http404):
        access_object(Petition, world.staff, _missing_pk(Petition))
    with pytest.raises(Http404):
        access_object(Petition, world.nobody, ledger.a.pk)  # staff of no station sees nothing


def test_access_object_scopes_a_given_queryset(ledger, world, django_assert_num_queries):
    world.admin.refresh_from_db()  # a fresh user object: the scope is computed (no query for an admin)
    queryset = Petition.objects.select_related("station")
    with django_assert_num_queries(1):
        found = access_object(queryset, world.admin, ledger.e.pk)
        assert found.station.code == "S-3"
    with pytest.raises(Http404):
        access_object(queryset, world.office_t1, ledger.e.pk)


def test_access_object_for_update_inside_a_transaction(ledger, world):
    # A test transaction, not transaction=True: flushing after it would drop the rows the
    # migrations seed (deadline and scoring defaults) for the tests after it on this worker.
    with transaction.atomic():
        assert (
            access_object(
                Petition.objects.select_related("station", "lead_department"),
                world.office,
                ledger.a.pk,
                for_update=True,
            )
            == ledger.a
        )
        with pytest.raises(Http404):
            access_object(Petition, world.office, ledger.e.pk, for_update=True)


def test_access_petition(ledger, world):
    assert access_petition(world.dept, ledger.a.pk) == ledger.a  # assigned to its department
    assert access_petition(world.rep, ledger.a.pk, queryset=Petition.objects.select_related("station")) == ledger.a
    for user, item in [(world.dept, ledger.d), (world.rep, ledger.d), (world.office_t1, ledger.d)]:
        with pytest.raises(Http404):
            access_petition(user, item.pk)


def test_access_station_and_representative(world):
    assert access_station(world.office, world.S1.pk) == world.S1
    assert access_station(world.staff, world.P1.pk) == world.P1  # below the staff member's home
    with pytest.raises(Http404):
        access_station(world.staff, world.S2.pk)
    with pytest.raises(Http404):
        access_station(world.office, _missing_pk(Station))
    assert access_representative(world.office, world.R4.pk) == world.R4  # elected in K, no station
    with pytest.raises(Http404):
        access_representative(world.office, world.R3.pk)  # the other district's


def test_access_reception_event(world):
    event = ReceptionEvent.objects.create(
        station=world.S1, date=date(2026, 3, 10), start_time=time(9), end_time=time(11), place="东关村联络站"
    )
    assert access_reception_event(world.staff, event.pk) == event
    with pytest.raises(Http404):
        access_reception_event(world.office_k2, event.pk)
