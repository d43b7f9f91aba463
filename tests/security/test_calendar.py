"""Who writes which entries of the working-day calendar (issue 15, "who sets what").

The deployment's entries (official holidays and make-up days) are written by the province-level
committee office and the system administrator alone; any other office writes local entries that
apply only inside its jurisdiction, and changes or deletes only its own; the administrator may
delete any. Nobody changes or deletes another owner's entry, on the page or through the services,
and no entry changes or disappears without a trace (`CalendarChange`, with its owner). The
migration gives the entries of the single calendar of old their owners.
"""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from liaison import calendar_services, workdays
from liaison.calendar_services import writer
from liaison.models import AuditEntry, CalendarChange, CalendarDay, Office, Role, User
from tests.factories import UserFactory

NEW_YEAR = date(2027, 1, 1)
C1, C2 = "110119100201", "110119101201"  # 东关村 (延庆镇, office_t1's), 榆林堡村 (康庄镇, next door)

migration = importlib.import_module("liaison.migrations.0009_calendar_local")


@pytest.fixture
def province(world):
    return UserFactory(username="office_p", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.P)


@pytest.fixture
def office_t2(world):
    """The office of 康庄镇, the township next to office_t1's."""
    return UserFactory(username="office_t2", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.T2)


def delete(client, day):
    return client.post(reverse("calendar:day_delete", args=[day.pk]))


def snapshot():
    """Every entry and every recorded change, to show that a refusal changed nothing."""
    return (
        sorted(CalendarDay.objects.values_list("pk", "date", "office", "is_working_day", "name")),
        sorted(CalendarChange.objects.values_list("pk", "date", "office", "action", "before", "after")),
    )


def test_who_writes_whose_entries(world, province):
    assert writer(province).is_deployment and writer(world.admin).is_deployment
    assert writer(world.office).office == world.OK and writer(world.office_t1).office == world.OT1
    assert writer(world.office_k2).office == world.OK2
    assert all(writer(u) is None for u in (world.staff, world.rep, world.dept, world.nobody))
    assert not any(calendar_services.may_write(u) for u in (world.staff, world.rep, world.dept, world.nobody))


def test_the_province_office_and_the_administrator_write_the_deployment_entries(world, province, client_for):
    response = client_for(province).post(
        reverse("calendar:day_add", args=[2027]), {"day-date": "2027-01-01", "day-kind": "holiday", "day-name": "元旦"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get().office is None
    assert not any(workdays.is_working_day(NEW_YEAR, place=p) for p in (None, C1, C2, "110105001001"))
    calendar_services.calendar_day_set(actor=world.admin, date=date(2027, 2, 20), is_working_day=True, name="补班")
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).office is None


def test_a_township_office_enters_a_local_entry_never_one_for_the_whole_deployment(world, client_for):
    # The issue: township account office_yqz "added a holiday for the whole deployment".
    response = client_for(world.office_t1).post(
        reverse("calendar:day_add", args=[2027]), {"day-date": "2027-01-04", "day-kind": "holiday", "day-name": "镇庆"}
    )
    assert response.status_code == 302
    entry = CalendarDay.objects.get()
    assert (entry.office, entry.created_by) == (world.OT1, world.office_t1)
    monday = date(2027, 1, 4)
    assert not workdays.is_working_day(monday, place=C1)
    assert workdays.is_working_day(monday, place=C2) and workdays.is_working_day(monday)
    change = CalendarChange.objects.get()
    assert (change.office, change.action, change.after) == (world.OT1, "set", {"is_working_day": False, "name": "镇庆"})
    line = AuditEntry.objects.get(action="calendar")
    assert line.area_code == world.j.T1.code and line.detail["office"] == world.j.T1.code


def test_the_township_office_cannot_change_or_delete_the_deployment_or_the_district_entry(
    world, province, office_t2, client_for
):
    deployment = calendar_services.calendar_day_set(actor=province, date=NEW_YEAR, is_working_day=False, name="元旦")
    district = calendar_services.calendar_day_set(
        actor=world.office, date=date(2027, 1, 5), is_working_day=False, name="区庆"
    )
    next_door = calendar_services.calendar_day_set(
        actor=office_t2, date=date(2027, 1, 6), is_working_day=False, name="康庄镇庆"
    )
    before = snapshot()
    client = client_for(world.office_t1)
    # The page: the entries above are seen but not its own (403); the next township's is not seen (404).
    assert (delete(client, deployment).status_code, delete(client, district).status_code) == (403, 403)
    assert delete(client, next_door).status_code == 404
    # The service refuses the same, whatever the caller holds.
    for day in (deployment, district, next_door):
        with pytest.raises(PermissionDenied):
            calendar_services.calendar_day_delete(actor=world.office_t1, day=day)
    assert snapshot() == before
    # The district office neither deletes the deployment's entry nor a township's below it.
    own = calendar_services.calendar_day_set(
        actor=world.office_t1, date=date(2027, 1, 7), is_working_day=False, name="镇庆"
    )
    before = snapshot()
    assert delete(client_for(world.office), deployment).status_code == 403
    assert delete(client_for(world.office), own).status_code == 404
    assert delete(client_for(province), own).status_code == 404  # the province is the deployment, not above it
    with pytest.raises(PermissionDenied):
        calendar_services.calendar_day_delete(actor=province, day=own)
    assert snapshot() == before
    # Its own entry the township office deletes, recorded under its office.
    assert delete(client, own).status_code == 302
    assert CalendarChange.objects.filter(office=world.OT1, action="delete", date=date(2027, 1, 7)).count() == 1


def test_entering_a_date_that_has_an_entry_above_adds_a_local_one_and_leaves_the_other(world, province):
    deployment = calendar_services.calendar_day_set(actor=province, date=NEW_YEAR, is_working_day=False, name="元旦")
    local = calendar_services.calendar_day_set(actor=world.office_t1, date=NEW_YEAR, is_working_day=True, name="镇补班")
    assert local.pk != deployment.pk and local.office == world.OT1
    deployment.refresh_from_db()
    assert (deployment.office, deployment.is_working_day, deployment.name) == (None, False, "元旦")
    assert workdays.is_working_day(NEW_YEAR, place=C1) and not workdays.is_working_day(NEW_YEAR, place=C2)
    # An import by the township office touches its own entries only.
    result = calendar_services.calendar_days_import(
        actor=world.office_t1, lines=["2027-01-01 镇补班 班", "2027-01-08 镇庆 休"]
    )
    assert (len(result.added), result.unchanged) == (1, 1) and result.added[0].office == world.OT1
    assert CalendarDay.objects.filter(office=None).count() == 1


def test_the_administrator_may_delete_an_offices_local_entry(world, client_for):
    own = calendar_services.calendar_day_set(
        actor=world.office_t1, date=date(2027, 1, 7), is_working_day=False, name="镇庆"
    )
    assert delete(client_for(world.admin), own).status_code == 302
    assert not CalendarDay.objects.exists()
    change = CalendarChange.objects.get(action="delete")
    assert (change.office, change.actor) == (world.OT1, world.admin)


def test_every_change_and_deletion_is_recorded_with_before_and_after(world, province, client_for):
    calendar_services.calendar_day_set(actor=province, date=NEW_YEAR, is_working_day=False, name="元旦")
    calendar_services.calendar_day_set(actor=world.admin, date=NEW_YEAR, is_working_day=True, name="补班")
    calendar_services.calendar_day_set(actor=world.admin, date=NEW_YEAR, is_working_day=True, name="补班")  # no change
    calendar_services.calendar_days_import(actor=province, lines=["2027-05-01 劳动节 休"])
    response = client_for(province).post(
        reverse("calendar:day_delete", args=[CalendarDay.objects.get(date=NEW_YEAR).pk])
    )
    assert response.status_code == 302 and not CalendarDay.objects.filter(date=NEW_YEAR).exists()

    changes = list(
        CalendarChange.objects.order_by("pk").values_list("date", "office", "action", "before", "after", "actor")
    )
    assert changes == [
        (NEW_YEAR, None, "set", None, {"is_working_day": False, "name": "元旦"}, province.pk),
        (
            NEW_YEAR,
            None,
            "set",
            {"is_working_day": False, "name": "元旦"},
            {"is_working_day": True, "name": "补班"},
            world.admin.pk,
        ),
        (date(2027, 5, 1), None, "set", None, {"is_working_day": False, "name": "劳动节"}, province.pk),
        (NEW_YEAR, None, "delete", {"is_working_day": True, "name": "补班"}, None, province.pk),
    ]
    # The trace is on the page for those who write the calendar: each writer its own calendar's.
    page = client_for(province).get(reverse("calendar:year", args=[2027])).content.decode()
    assert 'id="calendar-changes"' in page and page.count('<li data-date="2027-01-01">') == 3
    district = client_for(world.office).get(reverse("calendar:year", args=[2027])).content.decode()
    assert 'id="calendar-changes"' in district and '<li data-date="2027-01-01">' not in district
    assert (
        'id="calendar-changes"'
        not in client_for(world.staff).get(reverse("calendar:year", args=[2027])).content.decode()
    )


def test_the_migration_gives_each_entry_of_the_old_single_calendar_its_owner(world, province):
    # A township-level account whose jurisdiction has no office row (made before offices existed).
    orphan = UserFactory(username="office_t3", role=Role.STATION_STAFF)
    User.objects.filter(pk=orphan.pk).update(role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.T3)
    assert not Office.objects.filter(jurisdiction=world.j.T3).exists()
    entered = {
        "admin": world.admin,
        "province": province,
        "nobody": None,
        "district": world.office,
        "township": world.office_t1,  # office_yqz of the issue
        "orphan": User.objects.get(pk=orphan.pk),
        "staff": world.staff,
    }
    days = {
        who: CalendarDay.objects.create(date=date(2027, 1, 1 + i), is_working_day=False, name=who, created_by=user)
        for i, (who, user) in enumerate(entered.items())
    }
    offices_before = Office.objects.count()

    migration.owners_of_existing_entries(apps, None)

    owners = {who: CalendarDay.objects.get(pk=day.pk).office for who, day in days.items()}
    assert owners == {
        "admin": None,
        "province": None,
        "nobody": None,
        "district": world.OK,
        "township": world.OT1,
        "orphan": None,  # no office row: stays the deployment's, and none is made
        "staff": None,
    }
    assert Office.objects.count() == offices_before

    # Backwards: one calendar again; where a date has several owners the deployment's entry stays.
    CalendarDay.objects.create(date=date(2027, 1, 5), is_working_day=True, name="统一", created_by=None)
    migration.entries_back_to_the_deployment(apps, None)
    assert not CalendarDay.objects.filter(office__isnull=False).exists()
    assert CalendarDay.objects.get(date=date(2027, 1, 5)).name == "统一"
    assert CalendarDay.objects.get(date=date(2027, 1, 4)).name == "district"  # the only entry of its date
