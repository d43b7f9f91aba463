"""The working-day calendar: official holidays and make-up days from chinesecalendar,
the weekday rule for years the package lacks, and office entries that win over both."""

from datetime import date

import pytest

from liaison import workdays
from liaison.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The calendar is cached per process; a test's rolled-back entries must not leak.
    workdays.forget()
    yield
    workdays.forget()


# 2026 National Day: 10-01..10-07 off, Saturday 10-10 worked, Sunday 10-11 off.


def test_national_day_week_2026_is_off_and_saturday_10_10_is_worked():
    for day in range(1, 8):
        assert not workdays.is_working_day(date(2026, 10, day)), f"2026-10-0{day} is a holiday"
    assert workdays.is_working_day(date(2026, 10, 8))
    assert workdays.is_working_day(date(2026, 10, 9))
    assert workdays.is_working_day(date(2026, 10, 10))  # Saturday, make-up working day
    assert not workdays.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert workdays.is_working_day(date(2026, 9, 30))


def test_five_working_days_before_a_reception_day_after_national_day():
    # Back from Monday 10-12: Sat 10-10, Fri 10-09, Thu 10-08, then across the
    # holiday week and the weekend to Wed 09-30 and Tue 09-29.
    assert workdays.working_days_before(date(2026, 10, 12), 5) == date(2026, 9, 29)
    assert workdays.add_working_days(date(2026, 10, 12), -5) == date(2026, 9, 29)
    assert workdays.add_working_days(date(2026, 10, 12), -3) == date(2026, 10, 8)
    # Forwards from the last working day before the holiday.
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert workdays.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_day_info_names_the_holiday_and_its_source():
    info = workdays.current().info(date(2026, 10, 3))
    assert (info.is_working_day, info.source) == (False, "official")
    assert info.name  # the package names the holiday
    makeup = workdays.current().info(date(2026, 10, 10))
    assert (makeup.is_working_day, makeup.source) == (True, "official") and makeup.name


# Spring Festival 2026: 02-15..02-23 off; Saturdays 02-14 and 02-28 worked.


def test_spring_festival_make_up_saturdays_are_working_days():
    assert date(2026, 2, 14).weekday() == 5 and date(2026, 2, 28).weekday() == 5
    assert workdays.is_working_day(date(2026, 2, 14))
    assert workdays.is_working_day(date(2026, 2, 28))
    assert not workdays.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    for day in range(15, 24):
        assert not workdays.is_working_day(date(2026, 2, day))


def test_add_working_days_across_spring_festival_forwards_and_backwards():
    # Friday 02-13 → Saturday 02-14 (make-up) → Tuesday 02-24, the first day back.
    assert workdays.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert workdays.add_working_days(date(2026, 2, 14), 5) == date(2026, 2, 28)  # 24,25,26,27, Sat 28
    assert workdays.add_working_days(date(2026, 2, 14), 6) == date(2026, 3, 2)
    # Backwards from the first day back.
    assert workdays.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert workdays.add_working_days(date(2026, 3, 2), -5) == date(2026, 2, 24)
    assert workdays.add_working_days(date(2026, 2, 20), 0) == date(2026, 2, 20)


def test_next_and_previous_working_day_skip_the_holiday():
    assert workdays.next_working_day(date(2026, 2, 15)) == date(2026, 2, 24)
    assert workdays.next_working_day(date(2026, 2, 14)) == date(2026, 2, 14)
    assert workdays.next_working_day(date(2026, 2, 14), include_today=False) == date(2026, 2, 24)
    assert workdays.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 14)


def test_working_days_between():
    # After 02-13 up to and including 02-24: 02-14 and 02-24.
    assert workdays.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert workdays.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert workdays.working_days_between(date(2026, 10, 1), date(2026, 10, 1)) == 0
    # October 2026: 22 weekdays, 5 of them in the holiday, plus Saturday 10-10.
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 31)) == 18
    # A make-up Saturday counts: Friday 02-13 to Saturday 02-14 is one working day.
    assert workdays.working_days_between(date(2026, 2, 13), date(2026, 2, 14)) == 1


# A year the package does not know yet.


def test_2027_falls_back_to_weekdays_and_is_not_known():
    assert 2027 not in workdays.OFFICIAL_YEARS
    assert workdays.year_is_known(2026)
    assert not workdays.year_is_known(2027)
    assert not workdays.is_working_day(date(2027, 1, 2))  # Saturday
    assert workdays.is_working_day(date(2027, 1, 1))  # a Friday: only a guess until the office says otherwise
    assert workdays.current().info(date(2027, 1, 1)).source == "weekday rule"
    assert workdays.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)


def test_office_entries_publish_2027():
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    CalendarDay.objects.create(date=date(2027, 2, 20), is_working_day=True, name="春节")  # a Saturday worked

    assert workdays.year_is_known(2027)
    assert not workdays.is_working_day(date(2027, 1, 1))
    assert workdays.is_working_day(date(2027, 2, 20))
    info = workdays.current().info(date(2027, 1, 1))
    assert (info.name, info.source, info.is_working_day) == ("元旦", "office", False)
    # Thursday 12-31 + 1 working day skips the office's holiday and the weekend.
    assert workdays.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert workdays.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)
    assert not workdays.year_is_known(2028)


def test_an_office_entry_wins_over_the_official_calendar():
    assert workdays.is_working_day(date(2026, 10, 9))
    CalendarDay.objects.create(date=date(2026, 10, 9), is_working_day=False, name="本地调整")
    assert not workdays.is_working_day(date(2026, 10, 9))
    assert workdays.current().info(date(2026, 10, 9)).source == "office"
    # 10-10, 10-08, 09-30, 09-29, 09-28: one day further back than the official calendar says.
    assert workdays.working_days_before(date(2026, 10, 12), 5) == date(2026, 9, 28)
    CalendarDay.objects.create(date=date(2026, 10, 7), is_working_day=True, name="值班")
    assert workdays.is_working_day(date(2026, 10, 7))
    assert workdays.year_is_known(2026)
    # 10-10, 10-08, 10-07 (now worked), 09-30, 09-29.
    assert workdays.working_days_before(date(2026, 10, 12), 5) == date(2026, 9, 29)


def test_saving_or_deleting_an_entry_drops_the_cache():
    before = workdays.current()
    assert workdays.current() is before  # cached
    assert workdays.is_working_day(date(2027, 3, 1))
    entry = CalendarDay.objects.create(date=date(2027, 3, 1), is_working_day=False, name="")
    assert workdays.current() is not before
    assert not workdays.is_working_day(date(2027, 3, 1))
    entry.is_working_day = True
    entry.save()
    assert workdays.is_working_day(date(2027, 3, 1)) and workdays.year_is_known(2027)
    entry.delete()
    assert not workdays.year_is_known(2027)


def test_bulk_load_is_one_query(django_assert_num_queries):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    with django_assert_num_queries(1):
        calendar = workdays.WorkingCalendar.load()
    with django_assert_num_queries(0):
        assert calendar.between(date(2027, 1, 1), date(2027, 12, 31)) > 200


# Local entries (issue 15): an office's holiday or make-up day applies only inside its jurisdiction.

C1, C2, C3 = "110119100201", "110119101201", "110105001001"  # 东关村 (延庆镇), 榆林堡村 (康庄镇), 建国里 (朝阳区)
LOCAL_DAY = date(2027, 3, 3)  # a Wednesday


def test_a_local_holiday_applies_only_inside_the_office_jurisdiction(world):
    CalendarDay.objects.create(date=LOCAL_DAY, office=world.OT1, is_working_day=False, name="镇庆")
    assert not workdays.is_working_day(LOCAL_DAY, place=C1)
    assert not workdays.is_working_day(LOCAL_DAY, place=world.j.T1.code)  # the township itself
    assert workdays.is_working_day(LOCAL_DAY, place=C2)  # the next township
    assert workdays.is_working_day(LOCAL_DAY, place=world.j.K.code)  # the district above it
    assert workdays.is_working_day(LOCAL_DAY)  # the deployment's calendar
    # Tuesday + 1 working day: Thursday in 东关村, Wednesday next door.
    assert workdays.add_working_days(date(2027, 3, 2), 1, place=C1) == date(2027, 3, 4)
    assert workdays.add_working_days(date(2027, 3, 2), 1, place=C2) == LOCAL_DAY
    assert workdays.working_days_between(date(2027, 3, 1), date(2027, 3, 5), place=C1) == 3
    assert workdays.working_days_between(date(2027, 3, 1), date(2027, 3, 5), place=C2) == 4
    info = workdays.current(C1).info(LOCAL_DAY)
    assert (info.source, info.office, info.name, info.is_working_day) == ("local", "延庆镇人大主席团", "镇庆", False)


def test_the_deployment_entry_applies_under_every_office_and_the_nearest_local_entry_wins(world):
    CalendarDay.objects.create(date=LOCAL_DAY, is_working_day=False, name="统一调休")
    CalendarDay.objects.create(date=LOCAL_DAY, office=world.OK, is_working_day=True, name="区补班")
    CalendarDay.objects.create(date=LOCAL_DAY, office=world.OT1, is_working_day=False, name="镇庆")
    assert not workdays.is_working_day(LOCAL_DAY)  # the deployment's
    assert not workdays.is_working_day(LOCAL_DAY, place=C3)  # another district: the deployment's
    assert workdays.is_working_day(LOCAL_DAY, place=C2)  # 康庄镇: the district's make-up day
    assert not workdays.is_working_day(LOCAL_DAY, place=C1)  # 东关村: its township's holiday, nearer
    assert workdays.current(C2).info(LOCAL_DAY).office == "延庆区人大常委会"


def test_local_entries_publish_no_year(world):
    CalendarDay.objects.create(date=LOCAL_DAY, office=world.OT1, is_working_day=False, name="镇庆")
    assert not workdays.year_is_known(2027)
    assert not workdays.current(C1).year_is_known(2027)
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    assert workdays.year_is_known(2027) and workdays.current(C1).year_is_known(2027)


def test_one_calendar_per_set_of_offices_with_entries_and_one_query(world, django_assert_num_queries):
    CalendarDay.objects.create(date=LOCAL_DAY, office=world.OT1, is_working_day=False, name="镇庆")
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    with django_assert_num_queries(1):
        calendars = workdays.snapshot()
    with django_assert_num_queries(0):
        # Places under no office with entries share the deployment's calendar; 东关村 and its
        # township share theirs.
        assert calendars.at(C2) is calendars.at(C3) is calendars.at(None) is calendars.at("")
        assert calendars.at(C1) is calendars.at(world.j.T1.code) is not calendars.at(None)
        assert calendars.at(C1).offices == (world.j.T1.code,)
        assert workdays.current(C1) is calendars.at(C1)
        assert [c.offices for c in calendars.every_calendar()] == [(), (world.j.T1.code,)]
    # Writing an entry drops every place's calendar at once.
    CalendarDay.objects.create(date=date(2027, 3, 4), office=world.OK, is_working_day=False, name="区庆")
    assert workdays.snapshot() is not calendars
    assert not workdays.is_working_day(date(2027, 3, 4), place=C2)
    with django_assert_num_queries(1):
        assert workdays.WorkingCalendar.load(C1).offices == (world.j.K.code, world.j.T1.code)
