"""Demo reception days for the Yanqing district: rules, a published annual plan, a campaign,
department-head visits and the records of the days already past.

Built on top of `demo.seed_demo_district()`. The plan itself comes from the
product's own generator (`stations.reception.plans.generation.plan_generate`, then `services.plan_publish`),
so the demo shows what the office would get. Everything else is inserted in
bulk. Each part is keyed on something unique (a station's rules, the
jurisdiction's plan for the year, the campaign's name and dates, a visit's
station and date), so building again adds nothing; records are written only
for the events this run created, never over what someone recorded.

No notice or outbox row is written here: the periodic notice task finds the
scheduled events and writes them.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from liaison.jurisdictions import under_q
from liaison.models import Jurisdiction, User
from liaison.workdays import WorkingCalendar
from petitions.models import Department
from stations.demo.network import DISTRICT_CODE, HOUSING_DEPARTMENT, YANQING_TOWN_CODE
from stations.demo.rows import BATCH_SIZE
from stations.models import (
    Campaign,
    EventKind,
    Membership,
    ReceptionEvent,
    ReceptionPlan,
    ReceptionRule,
    RosterEntry,
    Station,
    StationKind,
    Weekday,
)
from stations.reception.plans.generation import plan_generate
from stations.reception.plans.services import plan_publish

Status = ReceptionEvent.Status
OFFICE_USERNAME, REP_USERNAME = "office", "rep"

MORNING = (time(9), time(11, 30))
AFTERNOON = (time(14, 30), time(16, 30))
MONTHLY_DAY, HOME_DAY = 15, 8
# The homes of these townships receive on the 8th; the other homes and all stations on the 15th.
TOWNSHIPS_ON_THE_8TH = ("110119002000", "110119101000", "110119104000", "110119107000", "110119110000", "110119202000")
# The specialist room with Friday hours receives every Friday morning.
WEEKLY_ROOM_HINT = "周五"

CAMPAIGN_NAME = "集中联系选民月"
CAMPAIGN_START, CAMPAIGN_END = (11, 6), (12, 6)
CAMPAIGN_DESCRIPTION = (
    "组织各级人大代表进家、站、点，通过选民见面会、入户走访、集中接待等形式，"
    "面对面听取选民意见建议，集中反映群众急难愁盼问题。"
)
CAMPAIGN_MEETINGS, CAMPAIGN_ACTIVITIES = 6, 12
ACTIVITY_TITLES = ("代表集中接待选民", "代表进村入户听民意", "代表向选民报告履职情况", "代表走访困难群众")

# (department name, head, duties, topics, home's township code, month, day)
VISITS = [
    (
        HOUSING_DEPARTMENT,
        "刘建华 主任",
        "负责全区住房保障、房地产市场监管、老旧小区综合整治和建设工程质量安全监管。",
        "老旧小区加装电梯进展；物业服务质量和收费；保障性住房申请条件和流程",
        YANQING_TOWN_CODE,
        11,
        27,
    ),
    (
        "区城市管理委员会",
        "陈志刚 主任",
        "负责全区市容环境卫生、生活垃圾分类、市政设施、居住区停车和供热燃气行业监管。",
        "冬季供暖保障；生活垃圾分类和清运；居住区停车难",
        "110119101000",
        12,
        10,
    ),
]

TOPICS = (
    "老旧小区改造",
    "居住区停车",
    "物业服务",
    "养老助餐",
    "电动自行车充电",
    "道路修缮",
    "农村人居环境",
    "就业帮扶",
    "基层医疗服务",
    "子女入学",
    "冬季供暖",
    "垃圾分类",
    "农产品销售",
    "民宿经营规范",
)
SUMMARIES = {
    EventKind.RECEPTION: "接待群众{r}人次，收集意见建议{o}条，主要涉及{t1}、{t2}等方面。{k}件简单问题当场答复，"
    "其余已登记入台账，按期分类交办。",
    EventKind.VOTER_MEETING: "代表向选民报告履职情况，{r}名选民参加，现场提出意见建议{o}条，主要涉及{t1}、{t2}。"
    "代表逐一作了回应，需部门办理的已登记交办。",
    EventKind.CAMPAIGN: "开展“集中联系选民月”活动，走访接待群众{r}人次，收集意见建议{o}条，主要涉及{t1}、{t2}。"
    "{k}件当场答复，其余登记入台账跟踪督办。",
    EventKind.DEPARTMENT_VISIT: "部门负责同志与代表一起接待群众{r}人次，现场答复问题{k}件，收集意见建议{o}条，"
    "主要涉及{t1}、{t2}，并对办理时限作出承诺。",
}
# About one rostered representative in ten misses a day.
ABSENT_SHARE = 0.1
RESIDENTS = (5, 40)
# The demo representative has at least this many coming days within this many days.
REP_COMING_DAYS, REP_WINDOW_DAYS = 3, 28


def seed_demo_reception(report: Counter, *, today: date | None = None) -> None:
    """Rules, this year's published plan, the campaign, visits and past records for 延庆区.

    Needs the demo district (`seed_demo_district`) first. `today` (default: the
    local date) decides the plan's year and which events are already past.
    """
    today = today or timezone.localdate()
    district = Jurisdiction.objects.get(code=DISTRICT_CODE)
    office = User.objects.get(username=OFFICE_USERNAME)
    calendar = WorkingCalendar.load()
    stations = list(
        Station.objects.filter(under_q(DISTRICT_CODE[:6], "jurisdiction__code"), is_active=True)
        .only("pk", "code", "name", "kind", "address", "opening_hours")
        .order_by("code")
    )
    _save_rules(stations, report)

    plan = ReceptionPlan.objects.filter(jurisdiction=district, year=today.year).first()
    new_plan = plan is None or plan.status == ReceptionPlan.Status.DRAFT
    if new_plan:
        plan = _generate_and_publish(district, office, today, report)

    with transaction.atomic():
        members = _members({s.pk for s in stations})
        created = _save_campaign(district, plan, office, stations, members, calendar, today, report)
        created += _save_visits(district, plan, office, stations, members, calendar, today, report)
        if created:
            _record_past(ReceptionEvent.objects.filter(pk__in=created), office, today, report)
    if new_plan or created:
        _give_rep_coming_days(office, today, report)


def _generate_and_publish(district, office, today: date, report: Counter) -> ReceptionPlan:
    """The year's plan from the product's own generator, published. Days already past are
    recorded before publishing, so they go from draft straight to held and no notice is due for them."""
    existed = ReceptionPlan.objects.filter(jurisdiction=district, year=today.year).exists()
    events, entries = ReceptionEvent.objects.count(), RosterEntry.objects.count()
    plan = plan_generate(jurisdiction=district, year=today.year, actor=office, propose_rosters=True)
    report["receptionplan"] += not existed
    report["receptionevent"] += ReceptionEvent.objects.count() - events
    report["rosterentry"] += RosterEntry.objects.count() - entries
    with transaction.atomic():
        _record_past(ReceptionEvent.objects.filter(plan=plan, status=Status.DRAFT), office, today, report)
    plan_publish(plan=plan, actor=office)
    return plan


# ---------------------------------------------------------------- rules


def _save_rules(stations: list[Station], report: Counter) -> None:
    """Monthly rules for homes and stations, a weekly one for a specialist room; stations with rules keep them."""
    have = set(ReceptionRule.objects.filter(station__in=stations).values_list("station_id", flat=True))
    on_the_8th = {f"YQ-{code[:9]}-H" for code in TOWNSHIPS_ON_THE_8TH}
    start, end = MORNING
    rows = []
    for station in stations:
        if station.pk in have or station.kind not in (StationKind.HOME, StationKind.STATION):
            continue
        rows.append(
            ReceptionRule(
                station=station,
                pattern=ReceptionRule.Pattern.MONTHLY_DAY,
                day_of_month=HOME_DAY if station.code in on_the_8th else MONTHLY_DAY,
                start_time=start,
                end_time=end,
                on_non_working_day=ReceptionRule.NonWorkingDay.NEXT_WORKING_DAY,
                representatives_per_event=3 if station.kind == StationKind.HOME else 2,
            )
        )
    rooms = [s for s in stations if s.kind == StationKind.SPECIALIST]
    room = next((s for s in rooms if WEEKLY_ROOM_HINT in s.opening_hours), rooms[0] if rooms else None)
    if room is not None and room.pk not in have:
        rows.append(
            ReceptionRule(
                station=room,
                pattern=ReceptionRule.Pattern.WEEKLY,
                weekday=Weekday.FRIDAY,
                start_time=start,
                end_time=end,
                on_non_working_day=ReceptionRule.NonWorkingDay.NEXT_WORKING_DAY,
                representatives_per_event=2,
            )
        )
    ReceptionRule.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    report["receptionrule"] += len(rows)


def _members(station_ids: set[int]) -> dict[int, list[int]]:
    """station pk → its serving representatives' pks, head first."""
    members: dict[int, list[int]] = {}
    rows = (
        Membership.objects.filter(station_id__in=station_ids, representative__is_active=True)
        .order_by("station_id", "role", "representative_id")
        .values_list("station_id", "representative_id")
    )
    for station_id, rep_id in rows:
        members.setdefault(station_id, []).append(rep_id)
    return members


def _working_days(calendar: WorkingCalendar, start: date, end: date) -> list[date]:
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in days if calendar.is_working_day(day)]


def _insert_events(events: list[ReceptionEvent], rosters: list[list[int]], report: Counter) -> list[int]:
    """Insert events and their rosters (rep pks per event, same order); return the new events' pks."""
    ReceptionEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    entries = [
        RosterEntry(event=event, representative_id=rep, source=RosterEntry.Source.ASSIGNED)
        for event, reps in zip(events, rosters, strict=True)
        for rep in reps
    ]
    RosterEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    report["receptionevent"] += len(events)
    report["rosterentry"] += len(entries)
    return [event.pk for event in events]


# ---------------------------------------------------------------- campaign


def _save_campaign(district, plan, office, stations, members, calendar, today, report) -> list[int]:
    """集中联系选民月: voter meetings at some homes and activities at some stations, spread over its working days."""
    start, end = date(today.year, *CAMPAIGN_START), date(today.year, *CAMPAIGN_END)
    campaign, made = Campaign.objects.get_or_create(
        name=CAMPAIGN_NAME,
        jurisdiction=district,
        start_date=start,
        defaults={"end_date": end, "description": CAMPAIGN_DESCRIPTION, "created_by": office},
    )
    report["campaign"] += made
    if campaign.events.exists():
        return []
    rng = random.Random(f"{CAMPAIGN_NAME}/{today.year}")
    days = _working_days(calendar, campaign.start_date, campaign.end_date)
    if not days:
        return []
    homes = [s for s in stations if s.kind == StationKind.HOME and members.get(s.pk)]
    town_home = next((s for s in homes if s.code.startswith(f"YQ-{YANQING_TOWN_CODE[:9]}")), None)
    chosen_homes = homes[:: max(1, len(homes) // CAMPAIGN_MEETINGS)][:CAMPAIGN_MEETINGS]
    if town_home and town_home not in chosen_homes:
        chosen_homes[-1:] = [town_home]
    places = [s for s in stations if s.kind == StationKind.STATION and members.get(s.pk)]
    chosen_places = rng.sample(places, min(CAMPAIGN_ACTIVITIES, len(places)))
    # The demo representative's home meets its voters soon after "today", so their page shows it.
    soon = [d for d in days if d > today + timedelta(days=3)]
    events, rosters = [], []
    for i, home in enumerate(chosen_homes):
        day = soon[0] if home is town_home and soon else days[(i * len(days)) // len(chosen_homes)]
        reps = members[home.pk][:4]
        events.append(
            ReceptionEvent(
                station=home,
                kind=EventKind.VOTER_MEETING,
                date=day,
                start_time=AFTERNOON[0],
                end_time=AFTERNOON[1],
                place=f"{home.name}会议室",
                status=Status.SCHEDULED,
                plan=plan,
                campaign=campaign,
                open_slots=len(reps),
                public_note="欢迎本选区选民参加，代表将报告履职情况并听取意见建议。",
                created_by=office,
            )
        )
        rosters.append(reps)
    for i, station in enumerate(chosen_places):
        day = days[(i * len(days)) // len(chosen_places)]
        start_time, end_time = MORNING if i % 2 == 0 else AFTERNOON
        reps = members[station.pk][:3]
        events.append(
            ReceptionEvent(
                station=station,
                kind=EventKind.CAMPAIGN,
                title=ACTIVITY_TITLES[i % len(ACTIVITY_TITLES)],
                date=day,
                start_time=start_time,
                end_time=end_time,
                place=station.address,
                status=Status.SCHEDULED,
                plan=plan,
                campaign=campaign,
                open_slots=len(reps),
                created_by=office,
            )
        )
        rosters.append(reps)
    return _insert_events(events, rosters, report)


# ---------------------------------------------------------------- department-head visits


def _save_visits(district, plan, office, stations, members, calendar, today, report) -> list[int]:
    """Two bureau heads come to township homes (局长进站), each on a working day of late November or December."""
    departments = dict(Department.objects.filter(jurisdiction=district).values_list("name", "pk"))
    homes = {s.code: s for s in stations if s.kind == StationKind.HOME}
    events, rosters = [], []
    for name, head, duties, topics, township, month, day in VISITS:
        home = homes.get(f"YQ-{township[:9]}-H")
        if home is None or name not in departments:
            continue
        when = calendar.next_working_day(date(today.year, month, day))
        if ReceptionEvent.objects.filter(station=home, kind=EventKind.DEPARTMENT_VISIT, date=when).exists():
            continue
        reps = members.get(home.pk, [])[:3]
        events.append(
            ReceptionEvent(
                station=home,
                kind=EventKind.DEPARTMENT_VISIT,
                date=when,
                start_time=MORNING[0],
                end_time=MORNING[1],
                place=f"{home.name}接待室",
                status=Status.SCHEDULED,
                plan=plan,
                department_id=departments[name],
                department_head=head,
                department_duties=duties,
                topics=topics,
                open_slots=len(reps),
                public_note="部门主要负责同志现场接待，请提前准备好相关材料。",
                created_by=office,
            )
        )
        rosters.append(reps)
    return _insert_events(events, rosters, report)


# ---------------------------------------------------------------- the record of past days


def _record_past(candidates, office, today: date, report: Counter) -> None:
    """Mark the past ones of `candidates` (a queryset of this run's events) held, with residents,
    opinions, a summary and attendance."""
    candidates = candidates.filter(date__lt=today, status__in=[Status.DRAFT, Status.SCHEDULED])
    past = list(candidates.values_list("pk", "station__code", "date", "kind", "start_time", "end_time"))
    tz = timezone.get_current_timezone()
    roster: dict[int, list[int]] = {}
    for entry_id, event_id in RosterEntry.objects.filter(event__in=candidates).values_list("pk", "event_id"):
        roster.setdefault(event_id, []).append(entry_id)
    events, entries = [], []
    for pk, code, day, kind, start, end in past:
        rng = random.Random(f"{code}/{day}/{kind}")
        residents = rng.randint(*RESIDENTS)
        opinions = max(1, round(residents * rng.uniform(0.2, 0.6)))
        first, second = rng.sample(TOPICS, 2)
        summary = SUMMARIES.get(kind, SUMMARIES[EventKind.RECEPTION]).format(
            r=residents, o=opinions, t1=first, t2=second, k=rng.randint(1, max(1, opinions // 2))
        )
        recorded_at = timezone.make_aware(datetime.combine(day, end), tz)
        events.append((pk, Status.HELD, residents, opinions, summary, office.pk, recorded_at))
        checked_in = timezone.make_aware(datetime.combine(day, start) - timedelta(minutes=rng.randint(5, 20)), tz)
        for entry_id in roster.get(pk, []):
            came = rng.random() >= ABSENT_SHARE
            entries.append((entry_id, came, checked_in if came else None))
    record = ["status", "residents_received", "opinions_collected", "summary", "recorded_by", "recorded_at"]
    _update_rows(ReceptionEvent, record, events)
    _update_rows(RosterEntry, ["attended", "checked_in_at"], entries)
    report["held"] += len(events)


def _update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Write `fields` of many rows, given as (pk, *values), with one prepared UPDATE (executemany).

    `bulk_update()` builds model instances and a CASE expression per field and
    row in Python, which takes seconds for the ~5,000 past days of the demo
    year; this takes milliseconds. Values go through each field's
    `get_db_prep_save`, as `save()` would (time zones, booleans).
    """
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in columns), quote(meta.pk.column)
    )
    params = [
        [f.get_db_prep_save(value, connection) for f, value in zip(columns, values, strict=True)] + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# ---------------------------------------------------------------- the demo representative


def _give_rep_coming_days(office, today: date, report: Counter) -> None:
    """Put the demo representative on the next scheduled days of their stations until they have
    REP_COMING_DAYS within REP_WINDOW_DAYS, so their page shows coming days."""
    rep = getattr(User.objects.filter(username=REP_USERNAME).first(), "representative", None)
    if rep is None:
        return
    window = (today, today + timedelta(days=REP_WINDOW_DAYS))
    scheduled = ReceptionEvent.objects.filter(status=Status.SCHEDULED, date__range=window)
    have = scheduled.filter(roster__representative=rep).count()
    if have >= REP_COMING_DAYS:
        return
    candidates = list(
        scheduled.filter(station__memberships__representative=rep)
        .exclude(roster__representative=rep)
        .order_by("date", "start_time", "pk")[: REP_COMING_DAYS - have]
    )
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(event=event, representative=rep, source=RosterEntry.Source.ASSIGNED, added_by=office)
            for event in candidates
        ]
    )
    report["rosterentry"] += len(candidates)
