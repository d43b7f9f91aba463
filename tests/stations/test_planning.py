"""Reception rules and the annual plan: date expansion, generation, rosters, publishing, pages."""

from collections import Counter
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison import workdays
from liaison.jobs import job_run
from liaison.models import CalendarDay, Job
from liaison.workdays import WorkingCalendar
from stations.models import ReceptionEvent, ReceptionPlan, ReceptionRule, RosterEntry
from stations.reception.plans import generation, selectors
from stations.reception.plans import services as planning
from stations.reception.plans.forms import ReceptionRuleForm
from tests.factories import MembershipFactory, RepresentativeFactory, StationFactory

OFFICIAL = WorkingCalendar({})  # the package's calendar, no office entries


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workdays.forget()
    yield
    workdays.forget()


def rule(**fields) -> ReceptionRule:
    fields.setdefault("start_time", time(9))
    fields.setdefault("end_time", time(11, 30))
    return ReceptionRule(**fields)


# --------------------------------------------------------------------------- rule expansion (no database)


def test_the_15th_of_every_month_moves_off_weekends_and_holidays():
    days = planning.rule_dates(rule(pattern="monthly_day", day_of_month=15), 2026, OFFICIAL)
    assert len(days) == 12
    assert date(2026, 1, 15) in days and date(2026, 4, 15) in days  # working days stay
    assert date(2026, 8, 15).weekday() == 5 and date(2026, 8, 17) in days  # Saturday → Monday
    assert date(2026, 3, 16) in days and date(2026, 11, 16) in days  # Sundays → Monday
    assert date(2026, 2, 24) in days  # Sunday in the Spring Festival break (02-15..02-23)
    assert not {date(2026, 8, 15), date(2026, 2, 15)} & set(days)


def test_national_day_week_moves_to_october_8():
    days = planning.rule_dates(rule(pattern="monthly_day", day_of_month=1), 2026, OFFICIAL)
    assert date(2026, 10, 8) in days and date(2026, 10, 1) not in days
    assert date(2026, 1, 4) in days  # New Year's Day → the make-up Sunday 01-04


def test_keep_keeps_a_holiday():
    days = planning.rule_dates(rule(pattern="monthly_day", day_of_month=1, on_non_working_day="keep"), 2026, OFFICIAL)
    assert date(2026, 10, 1) in days and date(2026, 1, 1) in days and date(2026, 10, 8) not in days


def test_second_friday_and_last_friday():
    second = planning.rule_dates(rule(pattern="nth_weekday", week_of_month=2, weekday=4), 2026, OFFICIAL)
    assert second[:3] == [date(2026, 1, 9), date(2026, 2, 13), date(2026, 3, 13)]
    assert date(2026, 10, 9) in second and all(d.weekday() == 4 and 8 <= d.day <= 14 for d in second)
    last = planning.rule_dates(
        rule(pattern="nth_weekday", week_of_month=-1, weekday=4, on_non_working_day="keep"), 2026, OFFICIAL
    )
    assert last[0] == date(2026, 1, 30) and last[-1] == date(2026, 12, 25) and date(2026, 7, 31) in last
    assert all(d.weekday() == 4 and (d.day + 7) > 28 for d in last)


def test_weekly_moves_and_deduplicates():
    kept = planning.rule_dates(rule(pattern="weekly", weekday=3, on_non_working_day="keep"), 2026, OFFICIAL)
    assert len(kept) == 53 and all(d.weekday() == 3 for d in kept)  # 2026 begins on a Thursday
    moved = planning.rule_dates(rule(pattern="weekly", weekday=3), 2026, OFFICIAL)
    # Thursday 10-01 moves to Thursday 10-08, which the rule gives anyway: one event.
    assert moved.count(date(2026, 10, 8)) == 1 and date(2026, 10, 1) not in moved
    assert len(moved) == 52 and moved == sorted(set(moved))


def test_the_31st_in_short_months_is_the_last_day():
    days = planning.rule_dates(rule(pattern="monthly_day", day_of_month=31, on_non_working_day="keep"), 2026, OFFICIAL)
    assert [d.day for d in days] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    leap = planning.rule_dates(rule(pattern="monthly_day", day_of_month=31, on_non_working_day="keep"), 2028, OFFICIAL)
    assert leap[1] == date(2028, 2, 29)


def test_valid_from_and_until():
    days = planning.rule_dates(
        rule(
            pattern="monthly_day",
            day_of_month=15,
            on_non_working_day="keep",
            valid_from=date(2026, 3, 10),
            valid_until=date(2026, 6, 15),
        ),
        2026,
        OFFICIAL,
    )
    assert days == [date(2026, 3, 15), date(2026, 4, 15), date(2026, 5, 15), date(2026, 6, 15)]
    assert (
        planning.rule_dates(
            rule(pattern="monthly_day", day_of_month=15, valid_until=date(2025, 12, 31)), 2026, OFFICIAL
        )
        == []
    )


def test_a_move_past_the_year_end_goes_back_instead():
    # Saturday 2022-12-31: the next working day is in 2023, so the Friday before.
    days = planning.rule_dates(rule(pattern="monthly_day", day_of_month=31), 2022, OFFICIAL)
    assert days[-1] == date(2022, 12, 30)


def test_office_entries_win_for_a_year_the_package_lacks():
    calendar = WorkingCalendar({date(2027, 2, 15): (False, "春节"), date(2027, 2, 16): (False, "春节")})
    days = planning.rule_dates(rule(pattern="monthly_day", day_of_month=15), 2027, calendar)
    assert date(2027, 2, 17) in days and date(2027, 2, 15) not in days
    assert not calendar.year_is_known(2026 + 2)


# --------------------------------------------------------------------------- generation


@pytest.fixture
def rules(world):
    """S1: the 15th (two representatives wanted); S2: the second Friday. H1, P1, H2 have none."""
    world.rule_s1 = ReceptionRule.objects.create(
        station=world.S1,
        pattern="monthly_day",
        day_of_month=15,
        start_time=time(9),
        end_time=time(11, 30),
    )
    world.rule_s2 = ReceptionRule.objects.create(
        station=world.S2,
        pattern="nth_weekday",
        week_of_month=2,
        weekday=4,
        start_time=time(14),
        end_time=time(16),
        place="榆林堡村委会二层",
        representatives_per_event=1,
    )
    ReceptionRule.objects.create(  # other district: not in K's plan
        station=world.S3,
        pattern="monthly_day",
        day_of_month=15,
        start_time=time(9),
        end_time=time(11),
    )
    return world


def generate(world, year=2026, propose=True, actor=None, jurisdiction=None):
    return generation.plan_generate(
        jurisdiction=jurisdiction or world.j.K,
        year=year,
        actor=actor or world.office,
        propose_rosters=propose,
    )


def test_generation_creates_draft_events_and_is_idempotent(rules):
    plan = generate(rules, propose=False)
    events = ReceptionEvent.objects.filter(plan=plan)
    assert events.count() == 24 and plan.report.events_created == 24
    assert set(events.values_list("station_id", flat=True)) == {rules.S1.pk, rules.S2.pk}
    assert set(events.values_list("status", flat=True)) == {"draft"}
    s1 = events.get(station=rules.S1, date=date(2026, 8, 17))
    assert (s1.place, s1.open_slots, s1.rule, s1.kind) == (rules.S1.address, 2, rules.rule_s1, "reception")
    assert events.filter(station=rules.S2).first().place == "榆林堡村委会二层"
    plan.refresh_from_db()
    assert plan.generated_by == rules.office and plan.generated_at and plan.generation_seconds is not None

    again = generate(rules, propose=False)
    assert again.pk == plan.pk and again.report.events_created == 0 and again.report.events_existing == 24
    assert ReceptionEvent.objects.filter(plan=plan).count() == 24


def test_regenerating_keeps_an_event_moved_by_hand_and_adds_new_rules(rules):
    plan = generate(rules, propose=False)
    ReceptionEvent.objects.filter(rule=rules.rule_s1, date=date(2026, 6, 15)).update(date=date(2026, 6, 16))
    ReceptionRule.objects.create(station=rules.H1, pattern="weekly", weekday=4, start_time=time(9), end_time=time(10))
    again = generate(rules, propose=False)
    assert not ReceptionEvent.objects.filter(rule=rules.rule_s1, date=date(2026, 6, 15)).exists()
    assert ReceptionEvent.objects.filter(rule=rules.rule_s1).count() == 12
    assert again.report.events_created == ReceptionEvent.objects.filter(plan=plan, station=rules.H1).count() > 40


def test_a_township_plan_skips_what_the_county_plan_holds(rules):
    generate(rules, propose=False)
    township = generate(rules, propose=False, actor=rules.office_t1, jurisdiction=rules.j.T1)
    assert township.report.events_created == 0 and township.report.events_existing == 12


def test_a_local_holiday_moves_the_reception_days_under_its_office_only(rules):
    from liaison import calendar_services

    # 延庆镇 (S1's township) takes Tuesday 2026-09-15 off; 康庄镇 (S2's) has a rule on the 15th too.
    s2_15th = ReceptionRule.objects.create(
        station=rules.S2, pattern="monthly_day", day_of_month=15, start_time=time(9), end_time=time(10)
    )
    calendar_services.calendar_day_set(actor=rules.office_t1, date=date(2026, 9, 15), is_working_day=False, name="镇庆")
    assert date(2026, 9, 16) in planning.rule_dates(rules.rule_s1, 2026)
    assert date(2026, 9, 15) not in planning.rule_dates(rules.rule_s1, 2026)
    assert date(2026, 9, 15) in planning.rule_dates(s2_15th, 2026)
    # The plan of the district: the same schedule expands at each station's place.
    plan = generate(rules, propose=False)
    events = ReceptionEvent.objects.filter(plan=plan, date__in=[date(2026, 9, 15), date(2026, 9, 16)])
    assert set(events.values_list("station_id", "date")) == {
        (rules.S1.pk, date(2026, 9, 16)),
        (rules.S2.pk, date(2026, 9, 15)),
    }
    assert selectors.plan_off_days(plan) == []
    # Holidays entered after generation: the township's leaves one event off a working day, the district's two.
    calendar_services.calendar_day_set(actor=rules.office_t1, date=date(2026, 6, 15), is_working_day=False, name="镇庆")
    calendar_services.calendar_day_set(actor=rules.office, date=date(2026, 7, 15), is_working_day=False, name="区庆")
    assert selectors.plan_off_days(plan) == [(date(2026, 6, 15), 1), (date(2026, 7, 15), 2)]


def test_generation_queries_do_not_grow_with_events(rules, django_assert_max_num_queries):
    for n in range(20):
        station = StationFactory(jurisdiction=rules.j.C1, parent=rules.S1, kind="contact_point")
        ReceptionRule.objects.create(
            station=station, pattern="weekly", weekday=n % 5, start_time=time(9), end_time=time(10)
        )
        MembershipFactory(station=station, representative=RepresentativeFactory(jurisdiction=rules.j.K))
    with django_assert_max_num_queries(30):
        plan = generate(rules)
    assert plan.report.events_created > 20 * 50 and plan.report.roster_entries_created > 20 * 2


def test_proposed_rosters_respect_quotas_and_never_double_book(rules, settings):
    settings.LIAISON_RECEPTION_QUOTAS = {**settings.LIAISON_RECEPTION_QUOTAS, "county": 4, "national": 2}
    # S2 also follows the 15th, so R1 (member of both) could be booked twice on one day.
    ReceptionRule.objects.filter(pk=rules.rule_s2.pk).update(
        pattern="monthly_day", day_of_month=15, week_of_month=None, weekday=None, representatives_per_event=2
    )
    MembershipFactory(station=rules.S2, representative=rules.R1)
    national = RepresentativeFactory(level="national", jurisdiction=rules.j.K)
    MembershipFactory(station=rules.S1, representative=national)
    MembershipFactory(station=rules.S1, representative=rules.R4)
    retired = RepresentativeFactory(level="county", jurisdiction=rules.j.K, is_active=False)
    MembershipFactory(station=rules.S1, representative=retired)
    # R1 already receives twice in 2026 outside the plan; a cancelled event does not count.
    for day, status in ((date(2026, 3, 3), "held"), (date(2026, 9, 9), "scheduled"), (date(2026, 5, 5), "cancelled")):
        other = ReceptionEvent.objects.create(
            station=rules.S1, date=day, start_time=time(9), end_time=time(10), place="x", status=status
        )
        RosterEntry.objects.create(event=other, representative=rules.R1)

    plan = generate(rules)
    entries = RosterEntry.objects.filter(event__plan=plan)
    assert entries.count() == plan.report.roster_entries_created > 0
    assert set(entries.values_list("source", flat=True)) == {"plan"}
    per_rep = Counter(entries.values_list("representative_id", flat=True))
    assert per_rep[rules.R1.pk] == 2  # 4 - 2 already (the cancelled one does not count)
    assert per_rep[national.pk] == 2 and per_rep[rules.R4.pk] == 3 and per_rep[rules.R2.pk] == 3
    assert retired.pk not in per_rep
    all_year = RosterEntry.objects.filter(representative=rules.R1).exclude(event__status="cancelled")
    days = list(all_year.values_list("event__date", flat=True))
    assert len(days) == len(set(days))  # never twice on one day
    assert all(e.event.station_id in (rules.S1.pk, rules.S2.pk) for e in entries.select_related("event"))
    # No event is over-filled, and the rotation reaches the second half of the year.
    for event in ReceptionEvent.objects.filter(plan=plan).prefetch_related("roster"):
        assert len(event.roster.all()) <= event.open_slots
    months = {d.month for d in entries.filter(representative=rules.R4).values_list("event__date", flat=True)}
    assert min(months) <= 4 and max(months) >= 9

    again = generate(rules)  # quotas are full: nothing more
    assert again.report.roster_entries_created == 0


def test_publish_schedules_the_events_and_refuses_to_regenerate(rules, django_capture_on_commit_callbacks):
    plan = generate(rules)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scheduled = planning.plan_publish(plan=plan, actor=rules.office)
    assert len(callbacks) >= 1  # the notice task is queued after commit
    assert scheduled == 24
    plan.refresh_from_db()
    assert plan.status == "published" and plan.published_by == rules.office and plan.published_at
    assert set(ReceptionEvent.objects.filter(plan=plan).values_list("status", flat=True)) == {"scheduled"}
    with pytest.raises(ValidationError, match="2026"):  # "the 2026 plan of 延庆区 is published"
        generate(rules)
    with pytest.raises(ValidationError):
        planning.plan_publish(plan=plan, actor=rules.office)


def test_services_check_the_actor(rules):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        generate(rules, actor=rules.office_k2)
    with pytest.raises(PermissionDenied):
        generate(rules, actor=rules.staff)
    plan = generate(rules, propose=False)
    with pytest.raises(PermissionDenied):
        planning.plan_publish(plan=plan, actor=rules.office_t1)  # T1 sits below K


def test_review_selectors(rules):
    plan = generate(rules)
    counts = selectors.plan_event_counts(plan)
    assert counts["total"] == 24 and all(row.total == 2 for row in counts["rows"])
    assert {s.code for s in selectors.plan_stations_without_rules(plan)} == {"H-1", "P-1", "H-2"}
    MembershipFactory(station=rules.S2, representative=rules.R4)  # joined after generation
    below = {r.pk: (r.year_count, r.quota) for r in selectors.plan_representatives_below_quota(plan)}
    assert below == {rules.R4.pk: (0, 3)}
    ReceptionEvent.objects.filter(plan=plan, date=date(2026, 8, 17)).update(date=date(2026, 8, 15))
    assert selectors.plan_off_days(plan, workdays.Calendars({})) == [(date(2026, 8, 15), 1)]


# --------------------------------------------------------------------------- rule writes


def rule_form(station, instance=None, **data):
    values = {
        "pattern": "monthly_day",
        "day_of_month": "8",
        "start_time": "09:00",
        "end_time": "11:30",
        "on_non_working_day": "next",
        "representatives_per_event": "2",
        "is_active": "on",
    }
    values.update(data)
    return ReceptionRuleForm(values, instance=instance, station=station)


def test_changing_a_rule_drops_its_untouched_draft_events_only(rules):
    plan = generate(rules)
    rostered = ReceptionEvent.objects.filter(plan=plan, rule=rules.rule_s1, roster__isnull=False).distinct()
    kept = set(rostered.values_list("pk", flat=True))
    retitled = ReceptionEvent.objects.filter(plan=plan, rule=rules.rule_s1).exclude(pk__in=kept).first()
    retitled.title = "代表接待日（扩大）"
    retitled.save()
    kept.add(retitled.pk)
    untouched = ReceptionEvent.objects.filter(plan=plan, rule=rules.rule_s1).count() - len(kept)
    assert untouched > 0

    form = rule_form(rules.S1, instance=rules.rule_s1, day_of_month="8")
    assert form.is_valid(), form.errors
    saved, removed = planning.rule_save(form=form, actor=rules.office)
    assert removed == untouched and saved.day_of_month == 8
    assert set(ReceptionEvent.objects.filter(rule=rules.rule_s1).values_list("pk", flat=True)) == kept

    generate(rules, propose=False)
    eighths = ReceptionEvent.objects.filter(rule=rules.rule_s1, date__day__in=[8, 9, 10, 11, 12])
    assert eighths.count() > 0

    # Changing only the number of representatives wanted also counts as a change; an unchanged save removes nothing.
    form = rule_form(rules.S1, instance=ReceptionRule.objects.get(pk=rules.rule_s1.pk), day_of_month="8")
    assert form.is_valid() and planning.rule_save(form=form, actor=rules.office)[1] == 0


def test_deleting_a_rule_keeps_scheduled_events(rules):
    plan = generate(rules, propose=False)
    planning.plan_publish(plan=plan, actor=rules.office)
    draft = generate(rules, year=2027, propose=False)
    removed = planning.rule_delete(rule=rules.rule_s1, actor=rules.office)
    assert removed == 12  # the 2027 draft events; the published 2026 ones stay
    assert ReceptionEvent.objects.filter(plan=plan, station=rules.S1, rule=None).count() == 12
    assert not ReceptionEvent.objects.filter(plan=draft, station=rules.S1).exists()


def test_rule_form_drops_fields_the_pattern_does_not_use_and_validates(db):
    from stations.models import Station

    station = Station(address="测试路1号")
    form = rule_form(station, pattern="weekly", weekday="4", day_of_month="15", week_of_month="2")
    assert form.is_valid(), form.errors
    assert (form.instance.day_of_month, form.instance.week_of_month, form.instance.weekday) == (None, None, 4)
    bad = rule_form(station, pattern="nth_weekday", week_of_month="", weekday="", end_time="08:00")
    assert not bad.is_valid()
    assert {"week_of_month", "weekday", "end_time"} <= set(bad.errors)


# --------------------------------------------------------------------------- pages


@pytest.fixture
def plan_k(rules):
    """The world with K's 2026 draft plan (world.plan)."""
    rules.plan = generate(rules, propose=False)
    return rules


def _status(client, method, url, data=None):
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


PLAN_MATRIX = {
    # user: (list, K's plan detail, publish K's plan)
    "admin": (200, 200, 302),
    "office": (200, 200, 302),
    "office_t1": (200, 404, 404),
    "office_k2": (200, 404, 404),
    "staff": (403, 403, 403),
    "rep": (403, 403, 403),
    "dept": (403, 403, 403),
}


@pytest.mark.parametrize("username", list(PLAN_MATRIX))
def test_plan_pages_role_matrix(plan_k, client_for, username, django_capture_on_commit_callbacks):
    client = client_for(getattr(plan_k, username))
    expected = PLAN_MATRIX[username]
    plan = ReceptionPlan.objects.get()
    assert _status(client, "get", reverse("plans:plan_list")) == expected[0]
    assert _status(client, "get", reverse("plans:plan_detail", args=[plan.pk])) == expected[1]
    assert _status(client, "post", reverse("plans:plan_regenerate", args=[plan.pk])) == expected[2]
    with django_capture_on_commit_callbacks(execute=True):
        assert _status(client, "post", reverse("plans:plan_publish", args=[plan.pk])) == expected[2]
    plan.refresh_from_db()
    assert (plan.status == "published") == (expected[2] == 302)


def test_anonymous_users_sign_in_first(plan_k, client):
    plan = ReceptionPlan.objects.get()
    for url in (
        reverse("plans:plan_list"),
        reverse("plans:plan_detail", args=[plan.pk]),
        reverse("plans:rule_create", args=[plan_k.S1.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


RULE_MATRIX = {
    # user: (S1's rules, S3's rules)
    "admin": (200, 200),
    "office": (200, 404),
    "office_k2": (404, 200),
    "staff": (200, 404),
    "rep": (403, 403),
    "dept": (403, 403),
    "nobody": (404, 404),  # staff of no station
}


@pytest.mark.parametrize("username", list(RULE_MATRIX))
def test_rule_pages_role_matrix(rules, client_for, username):
    client = client_for(getattr(rules, username))
    s3_rule = ReceptionRule.objects.get(station=rules.S3)
    for station, rule_obj, expected in (
        (rules.S1, rules.rule_s1, RULE_MATRIX[username][0]),
        (rules.S3, s3_rule, RULE_MATRIX[username][1]),
    ):
        assert _status(client, "get", reverse("plans:rule_create", args=[station.pk])) == expected
        assert _status(client, "get", reverse("plans:rule_update", args=[rule_obj.pk])) == expected
        deleted = _status(client, "post", reverse("plans:rule_delete", args=[rule_obj.pk]))
        assert deleted == (302 if expected == 200 else expected)
        assert ReceptionRule.objects.filter(pk=rule_obj.pk).exists() == (expected != 200)


def test_staff_adds_a_rule_and_the_form_keeps_input_on_error(rules, client_for):
    client = client_for(rules.staff)
    url = reverse("plans:rule_create", args=[rules.P1.pk])
    data = {
        "pattern": "nth_weekday",
        "week_of_month": "",
        "weekday": "4",
        "start_time": "15:00",
        "end_time": "14:00",
        "place": "东关村党群服务中心",
        "on_non_working_day": "keep",
        "representatives_per_event": "3",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "东关村党群服务中心" in html
    assert 'id="id_week_of_month"' in html and "is-invalid" in html
    assert not ReceptionRule.objects.filter(station=rules.P1).exists()
    response = client.post(url, {**data, "week_of_month": "-1", "end_time": "17:00"})
    assert response.status_code == 302 and response["Location"].endswith(f"/network/stations/{rules.P1.pk}/#reception")
    created = ReceptionRule.objects.get(station=rules.P1)
    assert (created.week_of_month, created.weekday, created.on_non_working_day) == (-1, 4, "keep")


def test_station_page_shows_rules_and_next_events(rules, client_for):
    plan = generate(rules, year=date.today().year + 1, propose=False)
    planning.plan_publish(plan=plan, actor=rules.office)
    html = client_for(rules.staff).get(reverse("stations:station_detail", args=[rules.S1.pk])).content.decode()
    assert 'id="reception"' in html and reverse("plans:rule_update", args=[rules.rule_s1.pk]) in html
    assert html.count(f"{date.today().year + 1}-") >= 5  # the next five reception days
    nearest = ReceptionEvent.objects.filter(station=rules.S1).order_by("date").first()
    assert reverse("reception:event_detail", args=[nearest.pk]) in html
    assert reverse("reception:event_list") + f"?station={rules.S1.pk}" in html
    rep_html = client_for(rules.rep).get(reverse("stations:station_detail", args=[rules.S1.pk])).content.decode()
    assert (
        'id="reception-rules"' not in rep_html and reverse("plans:rule_update", args=[rules.rule_s1.pk]) not in rep_html
    )
    assert 'id="reception"' in rep_html


def test_generate_form_runs_the_job_and_opens_the_plan(rules, client_for, django_capture_on_commit_callbacks):
    year = max(workdays.OFFICIAL_YEARS) + 1  # not in the package yet (2027 when written)
    client = client_for(rules.office)
    page = client.get(reverse("plans:plan_list") + f"?year={year}").content.decode()
    assert (
        'id="calendar-warning"' in page and 'id="calendar-warning" class="alert alert-warning py-2" hidden' not in page
    )
    assert f"/calendar/{year}/" in page
    known = client.get(reverse("plans:plan_list") + f"?year={year - 1}").content.decode()
    assert 'id="calendar-warning" class="alert alert-warning py-2" hidden' in known
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:plan_generate"), {"year": str(year), "jurisdiction": rules.j.K.pk, "propose_rosters": "on"}
        )
    job = Job.objects.get(owner=rules.office)
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == "succeeded", job.message
    plan = ReceptionPlan.objects.get(jurisdiction=rules.j.K, year=year)
    assert job.result_url == reverse("plans:plan_detail", args=[plan.pk]) and "24" in job.message
    assert plan.events.count() == 24 and RosterEntry.objects.filter(event__plan=plan).exists()
    assert job.progress_done == job.progress_total == 5  # H1, S1, P1, H2, S2
    detail = client.get(job.result_url).content.decode()
    assert 'id="publish-plan"' in detail and 'id="calendar-warning"' in detail and "H-1" in detail
    first = plan.events.order_by("date", "start_time", "station__code").first()
    assert reverse("reception:event_detail", args=[first.pk]) in detail


def test_generate_form_rejects_other_jurisdictions_and_published_plans(rules, client_for):
    client = client_for(rules.office)
    response = client.post(reverse("plans:plan_generate"), {"year": "2026", "jurisdiction": rules.j.K2.pk})
    assert response.status_code == 400 and not Job.objects.exists()
    plan = generate(rules, propose=False)
    planning.plan_publish(plan=plan, actor=rules.office)
    response = client.post(reverse("plans:plan_generate"), {"year": "2026", "jurisdiction": rules.j.K.pk})
    assert response.status_code == 400 and not Job.objects.exists()
    assert "2026" in response.content.decode() and 'value="2026"' in response.content.decode()
    response = client.post(reverse("plans:plan_regenerate", args=[plan.pk]))
    assert response.status_code == 302 and not Job.objects.exists()


def test_job_refuses_when_the_owner_lost_the_jurisdiction(rules):
    job = Job.objects.create(
        owner=rules.office_k2, kind=planning.PLAN_JOB, title="x", params={"jurisdiction": rules.j.K.pk, "year": 2026}
    )
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not ReceptionPlan.objects.exists()


def test_plan_detail_filters_events(plan_k, client_for):
    plan = ReceptionPlan.objects.get()
    client = client_for(plan_k.office)
    url = reverse("plans:plan_detail", args=[plan.pk])
    page = client.get(url, {"month": "8", "station": "榆林堡"})
    events = list(page.context["events"])
    assert [(e.station_id, e.date) for e in events] == [(plan_k.S2.pk, date(2026, 8, 14))]
    assert page.context["counts"]["total"] == 24
    everything = client.get(url)
    assert everything.context["page_obj"].paginator.count == 24


def test_calendar_office_entries_change_the_generated_dates(rules):
    CalendarDay.objects.create(date=date(2027, 3, 15), is_working_day=False, name="测试假日")
    plan = generate(rules, year=2027, propose=False)
    s1 = set(ReceptionEvent.objects.filter(plan=plan, station=rules.S1).values_list("date", flat=True))
    assert date(2027, 3, 15) not in s1 and date(2027, 3, 16) in s1


def test_insert_skips_rows_that_exist_already(rules):
    plan = generate(rules, propose=False)
    event = ReceptionEvent.objects.filter(plan=plan).order_by("date").first()
    row = (event.station_id, "reception", time(8), time(9), "别处", "draft", plan.pk, event.rule_id, 5, rules.office.pk)
    generation._insert_ignoring_conflicts(
        ReceptionEvent, generation._EVENT_COLUMNS, [(*row, event.date), (*row, date(2026, 12, 31))]
    )
    assert ReceptionEvent.objects.filter(rule=event.rule, date=event.date).get().place == event.place  # untouched
    added = ReceptionEvent.objects.get(rule=event.rule, date=date(2026, 12, 31))
    assert (added.place, added.open_slots, added.title, added.schedule_revision) == ("别处", 5, "", 0)
    assert added.created_at and added.updated_at and added.created_by == rules.office


def test_plan_detail_queries_are_bounded(plan_k, client_for, django_assert_max_num_queries):
    generate(plan_k)  # rosters on the events shown
    client = client_for(plan_k.office)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("plans:plan_detail", args=[plan_k.plan.pk]))
    assert response.status_code == 200 and len(response.context["events"]) == 24
