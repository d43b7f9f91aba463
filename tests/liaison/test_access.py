"""`liaison.access.access_object` and its named wrappers: one object, "not found" for missing and
not-yours alike."""

from datetime import date, time

import pytest
from django.db import transaction
from django.http import Http404

from liaison.access import access_object
from petitions.ledger.querysets import access_petition
from petitions.models import Commitment, Petition, Suggestion, SupervisionNotice
from petitions.suggestions.querysets import access_suggestion
from petitions.supervision.querysets import access_commitment, access_supervision_notice
from stations.models import EventPhoto, ReceptionEvent, Station
from stations.network.querysets import (
    access_event_photo,
    access_reception_event,
    access_representative,
    access_station,
)


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


def _rows_of_district_k(world):
    """A suggestion, a supervision notice, a commitment and an event photo of 延庆区 (K), each with
    a user of K other than the office who sees it."""
    suggestion = Suggestion.objects.create(
        number="建议〔2026〕001号",
        title="关于加快老旧小区改造的建议",
        content="案由",
        jurisdiction=world.j.K,
        lead_representative=world.R1,
        created_by=world.office,
    )
    notice = SupervisionNotice.objects.create(
        number="督〔2026〕1号",
        department=world.D,
        jurisdiction=world.j.K,
        subject="路灯维修进度",
        requirement="请书面报告",
        due_on=date(2026, 3, 20),
        issued_by=world.office,
    )
    commitment = Commitment.objects.create(
        source=Commitment.Source.MEETING,
        held_on=date(2026, 3, 2),
        department=world.D,
        head_name="王局长",
        station=world.S1,
        jurisdiction=world.j.K,
        text="三月底前修复路灯",
        due_on=date(2026, 3, 31),
        created_by=world.office,
    )
    event = ReceptionEvent.objects.create(
        station=world.S1, date=date(2026, 3, 10), start_time=time(9), end_time=time(11), place="东关村联络站"
    )
    photo = EventPhoto.objects.create(event=event, file="reception/photos/2026/03/x.jpg", size=1)
    return [
        (access_suggestion, suggestion, world.rep),  # the lead representative
        (access_supervision_notice, notice, world.dept),  # the department pressed
        (access_commitment, commitment, world.staff),  # made at the staff member's station
        (access_event_photo, photo, world.staff),  # of an event at the staff member's station
    ]


def test_access_suggestion_notice_commitment_and_event_photo(world):
    for access, row, insider in _rows_of_district_k(world):
        model = type(row)
        name = access.__name__
        assert access(world.office, row.pk) == row, name
        assert access(insider, row.pk) == row, name
        assert access(world.admin, row.pk, queryset=model.objects.all()) == row, name
        for outsider in (world.office_k2, world.nobody):
            with pytest.raises(Http404):  # another district's office, staff of no station
                access(outsider, row.pk)
        with pytest.raises(Http404):  # never there: the same answer
            access(world.office, _missing_pk(model))
        with transaction.atomic():
            assert access(world.office, row.pk, for_update=True) == row, name
            with pytest.raises(Http404):
                access(world.office_k2, row.pk, for_update=True)
