"""The working-day calendar (the same for the whole deployment) is written only by the province-level
committee office or the system administrator, and no entry changes or disappears without a trace."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from liaison import calendar_services, workdays
from liaison.models import CalendarChange, CalendarDay, Role
from tests.factories import UserFactory

NEW_YEAR = date(2027, 1, 1)


@pytest.fixture
def province(world):
    return UserFactory(username="office_p", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.P)


@pytest.fixture(autouse=True)
def _fresh():
    workdays.forget()
    yield
    workdays.forget()


def test_a_township_or_county_office_gets_403_and_writes_nothing(world, client_for):
    entry = CalendarDay.objects.create(date=date(2026, 10, 9), is_working_day=False, name="调整")
    for office in (world.office_t1, world.office):  # township, county
        client = client_for(office)
        added = client.post(reverse("calendar:day_add", args=[2027]), {"day-date": "2027-01-01", "day-kind": "holiday"})
        imported = client.post(reverse("calendar:import", args=[2027]), {"bulk-lines": "2027-01-01 元旦 休"})
        deleted = client.post(reverse("calendar:day_delete", args=[entry.pk]))
        assert (added.status_code, imported.status_code, deleted.status_code) == (403, 403, 403), office
        with pytest.raises(PermissionDenied):  # the services check their actor too
            calendar_services.calendar_day_set(actor=office, date=NEW_YEAR, is_working_day=False)
        with pytest.raises(PermissionDenied):
            calendar_services.calendar_day_delete(actor=office, day=entry)
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2026, 10, 9)]
    assert not CalendarChange.objects.exists()


def test_the_province_office_and_the_administrator_write_it(world, province, client_for):
    assert calendar_services.may_write(province) and calendar_services.may_write(world.admin)
    assert not any(calendar_services.may_write(u) for u in (world.office, world.office_t1, world.staff, world.dept))
    response = client_for(province).post(
        reverse("calendar:day_add", args=[2027]), {"day-date": "2027-01-01", "day-kind": "holiday", "day-name": "元旦"}
    )
    assert response.status_code == 302 and not workdays.is_working_day(NEW_YEAR)


def test_every_change_and_deletion_is_recorded_with_before_and_after(world, province, client_for):
    calendar_services.calendar_day_set(actor=province, date=NEW_YEAR, is_working_day=False, name="元旦")
    calendar_services.calendar_day_set(actor=world.admin, date=NEW_YEAR, is_working_day=True, name="补班")
    calendar_services.calendar_day_set(actor=world.admin, date=NEW_YEAR, is_working_day=True, name="补班")  # no change
    calendar_services.calendar_days_import(actor=province, lines=["2027-05-01 劳动节 休"])
    response = client_for(province).post(
        reverse("calendar:day_delete", args=[CalendarDay.objects.get(date=NEW_YEAR).pk])
    )
    assert response.status_code == 302 and not CalendarDay.objects.filter(date=NEW_YEAR).exists()

    changes = list(CalendarChange.objects.order_by("pk").values_list("date", "action", "before", "after", "actor"))
    assert changes == [
        (NEW_YEAR, "set", None, {"is_working_day": False, "name": "元旦"}, province.pk),
        (
            NEW_YEAR,
            "set",
            {"is_working_day": False, "name": "元旦"},
            {"is_working_day": True, "name": "补班"},
            world.admin.pk,
        ),
        (date(2027, 5, 1), "set", None, {"is_working_day": False, "name": "劳动节"}, province.pk),
        (NEW_YEAR, "delete", {"is_working_day": True, "name": "补班"}, None, province.pk),
    ]
    # The trace is on the page for those who write the calendar.
    page = client_for(province).get(reverse("calendar:year", args=[2027])).content.decode()
    assert 'id="calendar-changes"' in page and page.count('<li data-date="2027-01-01">') == 3
    assert (
        'id="calendar-changes"'
        not in client_for(world.office).get(reverse("calendar:year", args=[2027])).content.decode()
    )
