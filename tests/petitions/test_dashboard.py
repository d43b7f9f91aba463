"""The dashboard, the monthly report and the department evaluation against counts made here.

A seeded random world of items in every state; the expected figures are computed in
Python from the rows themselves (local dates, the deadline, the scope), never through
the dashboard's own conditions. Every figure's link opens the ledger with exactly as
many rows as the figure says.
"""

import io
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from django.utils import timezone

from liaison import workdays
from petitions.handling.workflow import AWAITING_REPLY as AWAITING_REPLY_STATUSES
from petitions.models import (
    Assignment,
    Category,
    Channel,
    Commitment,
    ExtensionRequest,
    Petition,
    Satisfaction,
    Status,
)
from petitions.reports import dashboard as dash
from petitions.reports import measures
from petitions.reports.evaluation import evaluate
from stations.models import Campaign, EventKind, ReceptionEvent
from tests.factories import DepartmentFactory, make_petition

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)
PERIOD = measures.Period(date(2026, 1, 1), TODAY)
ANSWERED = [Status.REPLIED, Status.FED_BACK, Status.RATED, Status.CLOSED]
IN_HAND = [Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS]
AT_TRIAGE = [Status.CONSULTED, Status.ON_THE_SPOT, Status.ESCALATED, Status.CANNOT_HANDLE]


def _local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)), timezone.get_current_timezone())


@pytest.fixture
def generated(world):
    """About 90 items over S1, P1, S2 (延庆区) and S3 (朝阳区), in 2025 and 2026, in every state."""
    w = world
    rng = random.Random(20261206)
    top = [Category.objects.create(name=f"类别{i}", position=i) for i in range(2)]
    children = [Category.objects.create(name=f"子类{i}", parent=top[i % 2]) for i in range(3)]
    w.D_town = DepartmentFactory(name="延庆镇人民政府", jurisdiction=w.j.T1)
    stations = [(w.S1, [w.R1]), (w.P1, []), (w.S2, [w.R2]), (w.S3, [w.R3])]
    items = []
    for n in range(90):
        station, reps = rng.choice(stations)
        received = date(2025, 11, 1) + timedelta(days=rng.randrange(0, 398))
        p = make_petition(
            station=station,
            representatives=reps,
            content=f"第{n}件：路灯不亮，道路坑洼",
            channel=rng.choice([Channel.ON_SITE, Channel.QR, Channel.PHONE]),
            category=rng.choice([None, *top, *children]),
        )
        status = rng.choice(
            [Status.REGISTERED, Status.TRIAGED, *IN_HAND, *ANSWERED, *ANSWERED, *AT_TRIAGE, Status.LINKED]
        )
        values = {"received_on": received, "status": status}
        if status in IN_HAND + ANSWERED:
            department = w.D2 if station == w.S3 else rng.choice([w.D, w.D, w.D_town])
            due = received + timedelta(days=rng.choice([5, 15, 21]))
            values.update(lead_department=department, due_on=due, assigned_at=_local(received, 10))
            if status in ANSWERED:
                # Around the deadline, including the morning after it (late in Beijing, the same day in UTC).
                day = due + timedelta(days=rng.choice([-9, -3, 0, 1, 1, 4]))
                values.update(
                    replied_at=_local(max(day, received), rng.choice([7, 9, 16])),
                    reply_working_days=rng.randrange(0, 20),
                    outcome=rng.choice("ABCD"),
                )
            if status in (Status.RATED, Status.CLOSED):
                values["satisfaction"] = rng.choice(Satisfaction.values)
        if status in AT_TRIAGE:
            values["replied_at"] = _local(received, 15)
        Petition.objects.filter(pk=p.pk).update(**values)
        items.append(Petition.objects.get(pk=p.pk))
    return items


def expected(items, *, period=PERIOD, today=TODAY, area=None, stations=None, key=lambda p: None):
    """The figures of the items in scope, counted row by row, grouped by `key`."""
    out = defaultdict(Counter)
    days = defaultdict(list)
    for p in items:
        if not (period.start <= p.received_on <= period.end):
            continue
        if area and not p.area_code.startswith(area):
            continue
        if stations is not None and p.station_id not in stations:
            continue
        c = out[key(p)]
        assigned = p.lead_department_id is not None
        replied = assigned and p.replied_at is not None
        overdue = p.status in AWAITING_REPLY_STATUSES and p.due_on is not None and p.due_on < today
        on_time = replied and p.due_on is not None and timezone.localdate(p.replied_at) <= p.due_on
        late = (replied and p.due_on is not None and timezone.localdate(p.replied_at) > p.due_on) or (
            assigned and overdue
        )
        c["received"] += 1
        c["triaged"] += p.status != Status.REGISTERED
        c["assigned"] += assigned
        c["replied"] += replied
        c["answered"] += p.status in AT_TRIAGE
        c["closed"] += p.status == Status.CLOSED
        c["on_time"] += on_time
        c["late"] += late
        c["due"] += on_time or late
        c["rated"] += p.satisfaction != ""
        c["satisfied"] += p.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
        c["dissatisfied"] += p.satisfaction == Satisfaction.DISSATISFIED
        c["overdue"] += overdue
        if replied:
            days[key(p)].append(p.reply_working_days)
    return out, days


def counts(figures) -> dict:
    return {k: v for k, v in figures.counts.items() if v}


def test_the_totals_equal_the_rows_counted_one_by_one(world, generated):
    board = dash.build(world.office, PERIOD, today=TODAY)
    want, days = expected(generated, area="110119")
    assert counts(board.total) == +want[None]
    assert board.total.avg_days == pytest.approx(sum(days[None]) / len(days[None]))
    assert board.total.reply_rate == want[None]["replied"] / want[None]["assigned"]
    assert board.total.on_time_rate == want[None]["on_time"] / want[None]["due"]
    assert board.total.satisfaction_rate == want[None]["satisfied"] / want[None]["rated"]
    # The other district's items never count; some of them lie in the period.
    assert expected(generated, area="110105")[0][None]["received"] > 0


def test_a_jurisdiction_and_a_period_narrow_the_cohort(world, generated):
    period = measures.Period(date(2026, 3, 1), date(2026, 8, 31))
    board = dash.build(world.office, period, world.j.T1, today=TODAY)
    want, _days = expected(generated, period=period, area="110119100")
    assert counts(board.total) == +want[None]
    assert board.base_params == {"received_from": "2026-03-01", "received_to": "2026-08-31", "area": world.j.T1.code}


def test_station_staff_count_their_stations_only(world, generated):
    board = dash.build(world.staff, PERIOD, today=TODAY)
    want, _days = expected(generated, stations={world.H1.pk, world.S1.pk, world.P1.pk})
    assert counts(board.total) == +want[None]


def test_every_breakdown_adds_up_group_by_group(world, generated):
    board = dash.build(world.office, PERIOD, today=TODAY)
    groups = {c.pk: (c.parent_id or c.pk) for c in Category.objects.all()}
    by_category, _ = expected(generated, area="110119", key=lambda p: groups.get(p.category_id))
    assert {f.key: counts(f) for f in board.categories} == {k: +v for k, v in by_category.items()}
    by_station, _ = expected(generated, area="110119", key=lambda p: p.station_id)
    assert {f.key: counts(f) for f in board.stations} == {k: +v for k, v in by_station.items()}
    by_department, _ = expected(generated, area="110119", key=lambda p: p.lead_department_id)
    by_department.pop(None, None)
    assert {f.key: counts(f) for f in board.departments} == {k: +v for k, v in by_department.items()}
    by_channel, _ = expected(generated, area="110119", key=lambda p: p.channel)
    assert {f.key: counts(f) for f in board.channels} == {k: +v for k, v in by_channel.items()}
    by_month, _ = expected(generated, area="110119", key=lambda p: p.received_on.replace(day=1))
    assert {f.key: counts(f) for f in board.months if f.received} == {k: +v for k, v in by_month.items()}
    assert [f.key for f in board.months] == [date(2026, m, 1) for m in range(1, 13)]
    # Representatives: every item a representative received or follows, in the office's area.
    links = defaultdict(list)
    for p in generated:
        for rep_id in p.representative_links.values_list("representative_id", flat=True):
            links[rep_id].append(p)
    want = {rep: +expected(ps, area="110119")[0][None] for rep, ps in links.items()}
    assert {f.key: counts(f) for f in board.representatives} == {k: v for k, v in want.items() if v}


@pytest.mark.parametrize("measure", list(measures.MEASURES))
def test_each_figure_links_to_the_ledger_rows_behind_it(world, generated, client_for, measure, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    board = dash.build(world.office, PERIOD, world.j.K, today=TODAY)
    client = client_for(world.office)
    response = client.get(board.total.links[measure])
    assert response.status_code == 200
    assert response.context["total"] == board.total.counts[measure]
    # A group's figure too: the busiest station's.
    station = board.stations[0]
    response = client.get(station.links[measure])
    assert response.context["total"] == station.counts[measure]
    assert "ledger-figure" in response.content.decode()


def test_the_ledger_ignores_a_jurisdiction_outside_the_users_scope(world, generated, client_for):
    response = client_for(world.office).get("/petitions/", {"area": world.j.K2.code})
    assert response.context["total"] == 0  # an invalid choice lists nothing, never another district


def test_reply_working_days_are_fixed_when_the_department_replies(world, monkeypatch):
    from petitions.handling.services import petition_accept, petition_reply
    from tests.petitions.test_workflow import make_cast, reach

    cast = make_cast(world)
    p = reach(cast, Status.ACCEPTED)
    # Assigned on the eve of National Day 2026, answered on Monday 12 October: 8, 9 and
    # Saturday 10 October (a make-up working day) and the 12th are working days.
    Petition.objects.filter(pk=p.pk).update(assigned_at=_local(date(2026, 9, 30), 10))
    answered = _local(date(2026, 10, 12), 9)
    monkeypatch.setattr(timezone, "now", lambda: answered)
    petition_reply(actor=cast.dept, petition=Petition.objects.get(pk=p.pk), outcome="A", text="已修复")
    assert (
        Petition.objects.get(pk=p.pk).reply_working_days
        == 4
        == workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 12))
    )
    assert petition_accept  # the service the item went through before


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "who,code", [("office", 200), ("staff", 200), ("admin", 200), ("rep", 403), ("dept", 403), ("nobody", 200)]
)
def test_who_sees_the_dashboard(world, client_for, who, code):
    assert client_for(getattr(world, who)).get("/reports/").status_code == code
    assert client_for(getattr(world, who)).get("/reports/departments/").status_code == code
    assert client_for(getattr(world, who)).get("/reports/monthly/").status_code == code


@pytest.mark.parametrize("path", ["/reports/", "/reports/export/", "/reports/monthly/", "/reports/departments/"])
def test_signed_out_goes_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_the_figures_and_a_bounded_number_of_queries(
    world, generated, client_for, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    client = client_for(world.office)
    with django_assert_max_num_queries(30):
        response = client.get(
            "/reports/", {"period": "custom", "start": "2026-01-01", "end": "2026-12-04", "part": "body"}
        )
    html = response.content.decode()
    want = expected(generated, area="110119")[0][None]
    assert f'id="fig-received"><div class="stat-value">{want["received"]}<' in html
    assert f'id="fig-overdue"><div class="stat-value">{want["overdue"]}<' in html
    assert "办复率" in html and "按时" in html  # the rates with their definitions, in Chinese
    assert "<svg" in html and "<script" not in html.split("<main")[1].split("</main>")[0]


def test_the_figures_follow_the_page_and_are_kept_for_a_while(world, generated, client_for, settings, monkeypatch):
    """Cold: the page shows a progress bar and fetches the figures (htmx); then they are kept
    for LIAISON_DASHBOARD_CACHE_SECONDS, until "count again"."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    settings.LIAISON_DASHBOARD_CACHE_SECONDS = 600
    params = {"period": "custom", "start": "2026-01-01", "end": "2026-12-04"}
    key = dash.cache_key(world.office, PERIOD, None, limit=30)
    from django.core.cache import cache

    cache.delete(key)
    client = client_for(world.office)
    try:
        html = client.get("/reports/", params).content.decode()
        assert 'id="dash-loading"' in html and 'class="progress"' in html and "part=body" in html
        assert 'id="fig-received"' not in html
        part = client.get("/reports/", {**params, "part": "body"}, headers={"HX-Request": "true"}).content.decode()
        want = expected(generated, area="110119")[0][None]["received"]
        assert part.lstrip().startswith('<div id="dash-body">') and "<html" not in part
        assert f'id="fig-received"><div class="stat-value">{want}<' in part
        make_petition(station=world.S1, received_on=date(2026, 6, 1))
        html = client.get("/reports/", params).content.decode()
        assert f'id="fig-received"><div class="stat-value">{want}<' in html  # kept: no recount
        assert 'id="dash-refresh"' in html
        html = client.get("/reports/", {**params, "part": "body", "refresh": "1"}).content.decode()
        assert f'id="fig-received"><div class="stat-value">{want + 1}<' in html
    finally:
        cache.delete(key)


def test_a_wrong_period_says_what_to_fix_and_keeps_the_dates(world, client_for):
    response = client_for(world.office).get(
        "/reports/", {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "结束日期早于开始日期" in html
    assert 'value="2026-05-01"' in html and 'value="2026-04-01"' in html


def test_the_excel_file_has_the_same_tables(world, generated, client_for, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    response = client_for(world.office).get(
        "/reports/export/", {"period": "custom", "start": "2026-01-01", "end": "2026-12-04"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) >= 7
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    want = expected(generated, area="110119")[0][None]
    assert summary[str(measures.MEASURES["received"])] == want["received"]
    assert summary[str(measures.MEASURES["overdue"])] == want["overdue"]
    categories = list(book.worksheets[1].iter_rows(values_only=True))
    assert categories[-1][1] == want["received"]  # the total row


def test_the_monthly_report_prints_the_months_figures(world, generated, client_for, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    response = client_for(world.office).get("/reports/monthly/", {"month": "2026-06"})
    html = response.content.decode()
    period = measures.Period(date(2026, 6, 1), date(2026, 6, 30))
    want = expected(generated, period=period, area="110119")[0][None]
    summary = html.split('id="report-summary"')[1].split("</p>")[0]
    assert f"收到群众意见{want['received']}件" in summary.replace(" ", "")
    assert "2026年6月" in html
    assert "@page" in open("static/css/liaison.css").read()
    response = client_for(world.office).get("/reports/monthly/", {"month": "2026-06", "format": "xlsx"})
    assert openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]["B4"].value == want["received"]


def test_a_future_month_is_refused_in_plain_chinese(world, client_for):
    response = client_for(world.office).get("/reports/monthly/", {"month": "2099-01"})
    assert "请选择已经开始的月份" in response.content.decode()


# --------------------------------------------------------------------------- department evaluation


def test_the_department_evaluation_counts_each_department(world, generated, client_for, monkeypatch):
    w = world
    items = [
        p
        for p in generated
        if p.area_code.startswith("110119")
        and p.lead_department_id == w.D.pk
        and PERIOD.start <= p.received_on <= PERIOD.end
    ]
    share_of = {}
    for p in items[:4]:
        share_of[p.pk] = Assignment.objects.create(
            petition=p, department=w.D, due_on=TODAY, assigned_by=w.office, state=Assignment.State.RETURNED
        )
    for p in items[:3]:
        ExtensionRequest.objects.create(
            petition=p,
            assignment=share_of[p.pk],
            requested_by=w.dept,
            reason="需要协调",
            current_due_on=TODAY,
            requested_due_on=TODAY + timedelta(days=10),
            state=ExtensionRequest.State.APPROVED if p is items[0] else ExtensionRequest.State.REFUSED,
        )
    for i, rating in enumerate([Satisfaction.SATISFIED] * 3 + [Satisfaction.BASICALLY]):
        Commitment.objects.create(
            source=Commitment.Source.VISIT,
            held_on=date(2026, 5, 10 + i),
            department=w.D,
            head_name="王局长",
            station=w.S1,
            jurisdiction=w.j.C1,
            text="年底前修好路灯",
            due_on=date(2026, 6, 30),
            state=Commitment.State.VISITED,
            follow_up_satisfaction=rating,
            created_by=w.office,
        )
    ReceptionEvent.objects.create(
        station=w.S1,
        kind=EventKind.DEPARTMENT_VISIT,
        date=date(2026, 5, 10),
        place="站内",
        start_time=time(9),
        end_time=time(11),
        status=ReceptionEvent.Status.HELD,
        department=w.D,
        department_head="王局长",
    )

    evaluation = evaluate(w.office, PERIOD, today=TODAY)
    row = next(r for r in evaluation.rows if r.department == w.D)
    want = expected(generated, area="110119", key=lambda p: p.lead_department_id)[0][w.D.pk]
    assert counts(row.figures) == +want
    assert row.returns == 4 and row.extensions == 3 and row.extensions_approved == 1
    assert row.outcomes == Counter(p.outcome for p in items if p.replied_at) | {
        o: 0 for o in "ABCD" if o not in {p.outcome for p in items if p.replied_at}
    }
    assert row.ratings[Satisfaction.DISSATISFIED] == sum(p.satisfaction == Satisfaction.DISSATISFIED for p in items)
    assert row.visits == 1 and row.commitments == 4 and row.commitments_kept == 4
    assert row.follow_ups == {Satisfaction.SATISFIED: 3, Satisfaction.BASICALLY: 1, Satisfaction.DISSATISFIED: 0}
    assert evaluation.total.figures.assigned == sum(r.figures.assigned for r in evaluation.rows)
    # The other district's department is not in 延庆区's evaluation.
    assert w.D2 not in [r.department for r in evaluation.rows]

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    client = client_for(w.office)
    html = client.get(
        "/reports/departments/", {"period": "custom", "start": "2026-01-01", "end": "2026-12-04"}
    ).content.decode()
    assert f'data-department="{w.D.pk}"' in html and "4 次回访" not in html
    response = client.get(
        "/reports/departments/", {"period": "custom", "start": "2026-01-01", "end": "2026-12-04", "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows[w.D.name][1] == want["assigned"] and rows[w.D.name][9] == 4  # items led, returned


def test_campaign_totals_on_the_dashboard(world, generated):
    w = world
    campaign = Campaign.objects.create(
        name="集中联系选民月", jurisdiction=w.j.K, start_date=date(2026, 11, 6), end_date=date(2026, 12, 6)
    )
    event = ReceptionEvent.objects.create(
        station=w.S1,
        kind=EventKind.CAMPAIGN,
        date=date(2026, 11, 20),
        place="站内",
        start_time=time(9),
        end_time=time(11),
        status=ReceptionEvent.Status.HELD,
        campaign=campaign,
        residents_received=40,
        opinions_collected=12,
    )
    event.roster.create(representative=w.R1, attended=True)
    p = make_petition(station=w.S1, event=event)
    Petition.objects.filter(pk=p.pk).update(status=Status.CLOSED, replied_at=timezone.now())
    make_petition(station=w.S1, event=event)
    board = dash.build(w.office, measures.Period(date(2026, 11, 1), date(2026, 11, 30)), today=TODAY)
    row = board.campaigns[0]
    assert (row.representatives, row.events, row.residents, row.opinions, row.registered, row.resolved) == (
        1,
        1,
        40,
        12,
        2,
        1,
    )
    assert dash.build(w.office_k2, PERIOD, today=TODAY).campaigns == []


def test_a_large_dashboard_export_runs_as_a_job_with_a_progress_bar(
    world, generated, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from liaison.models import Job
    from petitions.reports import views as views_reports

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    monkeypatch.setattr(views_reports, "EXPORT_SYNC_ITEMS", 10)
    client = client_for(world.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/reports/export/", {"period": "custom", "start": "2026-01-01", "end": "2026-12-04"})
    job = Job.objects.get(owner=world.office)
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.kind == "dashboard_export" and job.status == Job.Status.SUCCEEDED, job.message
    assert job.progress_total == job.progress_done == 2
    with job.result_file.open("rb") as fh:
        summary = {row[0]: row[1] for row in openpyxl.load_workbook(fh).worksheets[0].iter_rows(values_only=True)}
    assert summary[str(measures.MEASURES["received"])] == expected(generated, area="110119")[0][None]["received"]
    assert 'class="progress' in client.get(reverse("job_detail", args=[job.pk])).content.decode()
