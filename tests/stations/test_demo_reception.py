"""Demo reception days: rules, the published plan, the campaign, visits, past records, idempotence."""

import io
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse

from liaison.models import Jurisdiction, Notification, OutboxMessage, User
from liaison.workdays import WorkingCalendar
from stations.demo import network as demo
from stations.demo import reception as demo_reception
from stations.models import (
    Campaign,
    EventKind,
    ReceptionEvent,
    ReceptionPlan,
    ReceptionRule,
    RosterEntry,
    Station,
    StationKind,
)
from stations.public.selectors import coming_events

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)
S = ReceptionEvent.Status


@pytest.fixture
def district():
    demo.seed_demo_district(Counter())
    return Jurisdiction.objects.get(code=demo.DISTRICT_CODE)


def seed(today=TODAY) -> Counter:
    report = Counter()
    demo_reception.seed_demo_reception(report, today=today)
    return report


def state() -> dict:
    return {
        "rules": set(ReceptionRule.objects.values_list("station__code", "pattern", "day_of_month", "weekday")),
        "plans": set(ReceptionPlan.objects.values_list("year", "status")),
        "campaigns": set(Campaign.objects.values_list("name", "start_date", "end_date")),
        "events": set(
            ReceptionEvent.objects.values_list(
                "pk",
                "station_id",
                "kind",
                "date",
                "status",
                "residents_received",
                "opinions_collected",
                "summary",
            )
        ),
        "roster": set(RosterEntry.objects.values_list("pk", "event_id", "representative_id", "attended")),
    }


def check_rules(report):
    stations = Station.objects.filter(jurisdiction__code__startswith="110119")
    ruled = set(ReceptionRule.objects.values_list("station_id", flat=True))
    assert set(stations.filter(kind__in=[StationKind.HOME, StationKind.STATION]).values_list("pk", flat=True)) <= ruled
    monthly = ReceptionRule.objects.filter(pattern=ReceptionRule.Pattern.MONTHLY_DAY)
    days = Counter(monthly.values_list("day_of_month", flat=True))
    assert set(days) == {8, 15} and days[15] > 10 * days[8] > 0
    assert not monthly.filter(day_of_month=8).exclude(station__kind=StationKind.HOME).exists()
    assert not monthly.exclude(start_time="09:00", end_time="11:30").exists()
    assert not monthly.exclude(on_non_working_day=ReceptionRule.NonWorkingDay.NEXT_WORKING_DAY).exists()
    weekly = ReceptionRule.objects.get(pattern=ReceptionRule.Pattern.WEEKLY)
    assert weekly.station.kind == StationKind.SPECIALIST and weekly.weekday == 4  # Friday
    assert report["receptionrule"] == ReceptionRule.objects.count()


def check_plan(district):
    plan = ReceptionPlan.objects.get(jurisdiction=district, year=2026)
    assert plan.status == ReceptionPlan.Status.PUBLISHED and plan.published_by.username == "office"
    assert plan.generated_at is not None  # made by planning.plan_generate, not by hand
    events = plan.events.filter(rule__isnull=False)
    assert events.count() > 4000
    assert not plan.events.filter(status=S.DRAFT).exists()
    calendar = WorkingCalendar.load()
    assert all(calendar.is_working_day(d) for d in events.values_list("date", flat=True).distinct())
    # The 15th moved to the next working day: 2026-03-15 is a Sunday.
    assert events.filter(rule__day_of_month=15, date=date(2026, 3, 16)).exists()
    assert not events.filter(date=date(2026, 3, 15)).exists()
    # The Friday room receives weekly.
    assert events.filter(rule__pattern=ReceptionRule.Pattern.WEEKLY).count() >= 48
    assert RosterEntry.objects.filter(event__plan=plan, source=RosterEntry.Source.PLAN).count() > 1000


def check_campaign(district):
    campaign = Campaign.objects.get(name="集中联系选民月", jurisdiction=district)
    assert (campaign.start_date, campaign.end_date) == (date(2026, 11, 6), date(2026, 12, 6))
    events = campaign.events.all()
    kinds = Counter(events.values_list("kind", flat=True))
    assert kinds[EventKind.VOTER_MEETING] >= 1 and kinds[EventKind.CAMPAIGN] >= 5
    assert events.values("station").distinct().count() >= 10
    assert not events.exclude(date__range=(campaign.start_date, campaign.end_date)).exists()
    assert not events.annotate(n=Count("roster")).filter(n=0).exists()
    assert (
        events.filter(date__lt=TODAY, status=S.HELD).exists()
        and events.filter(date__gte=TODAY, status=S.SCHEDULED).exists()
    )


def check_records():
    past = ReceptionEvent.objects.filter(date__lt=TODAY)
    assert past.count() > 4000
    assert not past.exclude(status=S.HELD).exists()
    assert not past.filter(
        Q(residents_received__lt=5) | Q(residents_received__gt=40) | Q(residents_received__isnull=True)
    ).exists()
    assert not past.filter(
        Q(opinions_collected__isnull=True) | Q(opinions_collected__lt=1) | Q(summary="") | Q(recorded_at__isnull=True)
    ).exists()
    assert "意见建议" in past.first().summary
    attendance = Counter(RosterEntry.objects.filter(event__in=past).values_list("attended", flat=True))
    assert None not in attendance
    assert attendance[True] > 5 * attendance[False] > 0
    assert not RosterEntry.objects.filter(event__in=past, attended=True, checked_in_at__isnull=True).exists()

    coming = ReceptionEvent.objects.filter(date__gte=TODAY)
    assert coming.count() > 300
    assert not coming.exclude(status=S.SCHEDULED).exists()
    assert not coming.filter(Q(residents_received__isnull=False) | ~Q(summary="")).exists()
    assert not RosterEntry.objects.filter(event__in=coming, attended__isnull=False).exists()


def check_visits(district):
    visits = ReceptionEvent.objects.filter(kind=EventKind.DEPARTMENT_VISIT).select_related("department", "station")
    assert len(visits) == 2
    for visit in visits:
        assert visit.department.jurisdiction_id == district.pk
        assert visit.department_head and visit.department_duties and visit.topics
        assert visit.station.kind == StationKind.HOME
        assert date(2026, 11, 21) <= visit.date <= date(2026, 12, 31) and visit.status == S.SCHEDULED
        assert visit.roster.exists()
    # The demo department account sees its visit.
    dept = User.objects.get(username="dept")
    assert ReceptionEvent.objects.visible_to(dept).filter(kind=EventKind.DEPARTMENT_VISIT).exists()


def check_rep_days():
    rep = User.objects.get(username="rep").representative
    coming = ReceptionEvent.objects.filter(
        roster__representative=rep, status=S.SCHEDULED, date__range=(TODAY, TODAY + timedelta(days=28))
    )
    assert coming.count() >= 3


def check_public_pages(client):
    home = Station.objects.get(code=f"YQ-{demo.YANQING_TOWN_CODE[:9]}-H")
    event, others = coming_events(home, today=TODAY)
    assert event.kind == EventKind.RECEPTION and event.date >= TODAY
    assert {e.kind for e in others} >= {EventKind.VOTER_MEETING, EventKind.DEPARTMENT_VISIT}
    for name in ("event", "event_print"):
        for shown in (event, *others):
            assert client.get(reverse(f"public:{name}", args=[home.public_code, shown.pk])).status_code == 200
    assert client.get(reverse("public:station", args=[home.public_code])).status_code == 200


def test_demo_reception_days(client, district):
    """One build (it takes seconds), checked part by part."""
    report = seed()
    assert report["receptionplan"] == 1 and report["campaign"] == 1 and report["held"] > 4000
    check_rules(report)
    check_plan(district)
    check_campaign(district)
    check_records()
    check_visits(district)
    check_rep_days()
    check_public_pages(client)
    # Notices are the notice task's job, not the demo's.
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()

    # A second run adds nothing and rewrites nothing.
    before = state()
    assert +seed() == Counter()
    assert state() == before


def test_seed_demo_command_loads_reception_days_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Reception days of 延庆区" in out.getvalue() and "1 annual plans" in out.getvalue()
    assert ReceptionPlan.objects.filter(status=ReceptionPlan.Status.PUBLISHED).count() == 1
    before = state()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue().count("nothing to add") == 3  # 延庆区, 丰台区 with the offices, the reception days
    assert state() == before
