"""Supervision: traffic lights (working days, holidays), counts per role and scope, the department
summary, the Excel export, supervision notices (督办单) and commitments: services, refusals, pages."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from liaison import workdays
from liaison.models import CalendarDay, OutboxMessage
from petitions.handling.services import petition_accept, petition_assign, petition_request_extension
from petitions.handling.workflow import InvalidTransition
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError
from petitions.models import Category, Commitment, Petition, PetitionEvent, Status, SupervisionNotice
from petitions.supervision import selectors
from petitions.supervision import services as sv
from tests.factories import DepartmentFactory, UserFactory, make_petition

SUPERVISION = reverse("petitions:supervision")
EXPORT = reverse("petitions:supervision_export")
NOTICES = reverse("petitions:notice_list")
NOTICE_NEW = reverse("petitions:notice_create")
COMMITMENTS = reverse("petitions:commitment_list")
COMMITMENT_NEW = reverse("petitions:commitment_create")


# -- helpers -------------------------------------------------------------------------------------


def today():
    return timezone.localdate()


def put_in_hand(
    world,
    *,
    station=None,
    representatives=(),
    department=None,
    office=None,
    accept=True,
    due_on=None,
    content="小区路灯不亮，夜间出行不便",
    **fields,
):
    """An item registered, assigned and (for D) accepted through the real services; then its
    deadline moved to `due_on` (the services refuse a past deadline, the tests need one)."""
    station = station or world.S1
    department = department or world.D
    p = make_petition(station=station, representatives=representatives, actor=world.staff, content=content, **fields)
    petition_assign(
        actor=office or world.office, petition=p, department=department, due_on=workdays.add_working_days(today(), 20)
    )
    if accept and department == world.D:
        petition_accept(actor=world.dept, petition=p)
    if due_on is not None:
        Petition.objects.filter(pk=p.pk).update(due_on=due_on)
    return Petition.objects.get(pk=p.pk)


def future_working_day(n=5):
    return workdays.add_working_days(today(), n)


def future_non_working_day():
    day = today() + timedelta(days=1)
    while workdays.is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def hand(world):
    """In hand, by light as of the real today:
    red  – S1, received by R1, lead D, due yesterday
    amber – S1, lead D, due today, urgent
    green – S2, received by R2, lead D, due in 10 working days
    other – S3 (other district), lead D2, due yesterday (office_k2's)
    """
    w = world
    h = type("Hand", (), {})()
    h.red = put_in_hand(w, representatives=[w.R1], due_on=today() - timedelta(days=1))
    h.amber = put_in_hand(w, due_on=today(), urgency="urgent", content="垃圾清运不及时")
    h.green = put_in_hand(
        w, station=w.S2, representatives=[w.R2], due_on=future_working_day(10), content="道路坑洼需要修补"
    )
    h.other = put_in_hand(
        w,
        station=w.S3,
        representatives=[w.R3],
        department=w.D2,
        office=w.office_k2,
        due_on=today() - timedelta(days=1),
        content="加装电梯进度慢",
    )
    # Not in hand: registered only, and one already replied to.
    h.registered = make_petition(station=w.S1, representatives=[w.R1], actor=w.staff, content="刚登记的意见")
    h.replied = put_in_hand(w, due_on=today() - timedelta(days=3))
    Petition.objects.filter(pk=h.replied.pk).update(status=Status.REPLIED)
    return h


# -- the light: working days, weekends, holidays -------------------------------------------------------


def test_calendar_facts_the_light_tests_rely_on(db):
    # 2026 National Day: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 are make-up working days;
    # Friday 09-25 is the Mid-Autumn Festival.
    assert not any(workdays.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert workdays.is_working_day(date(2026, 10, 8))
    assert workdays.is_working_day(date(2026, 10, 10))
    assert not workdays.is_working_day(date(2026, 10, 11))
    assert workdays.is_working_day(date(2026, 9, 20))
    assert not workdays.is_working_day(date(2026, 9, 25))


def test_light_across_the_national_day_holiday(db):
    b = selectors.light_bounds(date(2026, 9, 30))  # Wednesday, the last working day before the holiday
    # Working days after 09-30: 10-08, 10-09, 10-10 (make-up Saturday), then 10-12.
    assert b.green_from == date(2026, 10, 12)
    assert b.classify(date(2026, 9, 29)) == selectors.Light.RED
    assert b.classify(date(2026, 9, 30)) == selectors.Light.AMBER  # due today
    assert b.classify(date(2026, 10, 5)) == selectors.Light.AMBER  # a holiday: 0 working days left
    assert b.classify(date(2026, 10, 10)) == selectors.Light.AMBER
    assert b.classify(date(2026, 10, 11)) == selectors.Light.AMBER  # Sunday after the 3rd working day
    assert b.classify(date(2026, 10, 12)) == selectors.Light.GREEN
    # Counted in calendar days it would have been green a week earlier.
    assert b.classify(date(2026, 10, 3)) == selectors.Light.AMBER


def test_light_counts_a_make_up_sunday_as_a_working_day(db):
    b = selectors.light_bounds(date(2026, 9, 18))  # Friday; Saturday 09-19 off, Sunday 09-20 worked
    assert b.green_from == date(2026, 9, 23)  # 09-20, 09-21, 09-22 are the three working days
    assert b.classify(date(2026, 9, 22)) == selectors.Light.AMBER
    assert b.classify(date(2026, 9, 23)) == selectors.Light.GREEN


def test_light_on_a_holiday_and_over_a_weekend(db):
    b = selectors.light_bounds(date(2026, 10, 3))  # inside the holiday
    assert b.green_from == date(2026, 10, 12)
    assert b.classify(date(2026, 10, 2)) == selectors.Light.RED
    assert b.classify(date(2026, 10, 9)) == selectors.Light.AMBER
    friday = selectors.light_bounds(date(2026, 11, 20))  # an ordinary Friday: Mon, Tue, Wed, then Thu is green
    assert friday.green_from == date(2026, 11, 26)
    assert friday.classify(date(2026, 11, 22)) == selectors.Light.AMBER  # Sunday
    assert friday.classify(date(2026, 11, 25)) == selectors.Light.AMBER
    assert friday.classify(date(2026, 11, 26)) == selectors.Light.GREEN


def test_an_office_calendar_entry_moves_the_boundary(db):
    before = selectors.light_bounds(date(2026, 11, 20))
    CalendarDay.objects.create(date=date(2026, 11, 23), is_working_day=False, name="调整")
    workdays.forget()
    after = selectors.light_bounds(date(2026, 11, 20))
    assert before.green_from == date(2026, 11, 26)
    assert after.green_from == date(2026, 11, 27)
    assert after.classify(date(2026, 11, 26)) == selectors.Light.AMBER


def test_counts_and_rows_in_sql_around_the_holiday(world):
    ps = {name: put_in_hand(world) for name in ("late", "today", "holiday", "sunday", "green")}
    dues = {
        "late": date(2026, 9, 29),
        "today": date(2026, 9, 30),
        "holiday": date(2026, 10, 5),
        "sunday": date(2026, 10, 11),
        "green": date(2026, 10, 12),
    }
    for name, due in dues.items():
        Petition.objects.filter(pk=ps[name].pk).update(due_on=due)
    bounds = selectors.light_bounds(date(2026, 9, 30))
    qs = selectors.items_in_hand(world.office)
    assert selectors.light_counts(qs, bounds) == {"red": 1, "amber": 3, "green": 1, "total": 5}
    assert set(qs.filter(bounds.q(selectors.Light.AMBER)).values_list("pk", flat=True)) == {
        ps["today"].pk,
        ps["holiday"].pk,
        ps["sunday"].pk,
    }
    rows = selectors.light_rows(qs, bounds)
    assert [r.petition.pk for r in rows] == [ps[n].pk for n in ("late", "today", "holiday", "sunday", "green")]
    assert [r.light for r in rows] == ["red", "amber", "amber", "amber", "green"]
    late, due_today, holiday, sunday, green = (r.deadline for r in rows)
    assert late.overdue_days == 1 and late.days_left is None
    assert due_today.due_today and due_today.days_left == 0
    assert holiday.days_left == 0 and not holiday.due_today
    assert sunday.days_left == 3
    assert green.days_left == 4


# -- the traffic-light page: per role and scope ---------------------------------------------------------


def counts_of(response):
    c = response.context["counts"]
    return c["red"], c["amber"], c["green"]


@pytest.mark.parametrize(
    "who, expected",
    [
        ("office", (1, 1, 1)),  # the district: S1 and S2
        ("office_t1", (1, 1, 0)),  # the township: S1 only
        ("office_k2", (1, 0, 0)),  # the other district
        ("dept", (1, 1, 1)),  # everything D leads
        ("rep", (1, 0, 0)),  # R1 received only the red one
        ("admin", (2, 1, 1)),
    ],
)
def test_counts_per_role_and_scope(world, hand, client_for, who, expected):
    response = client_for(getattr(world, who)).get(SUPERVISION)
    assert response.status_code == 200
    assert counts_of(response) == expected
    html = response.content.decode()
    assert f'id="count-red" data-count="{expected[0]}"' in html
    shown = {r.petition.pk for r in response.context["rows"]}
    assert hand.registered.pk not in shown and hand.replied.pk not in shown


def test_staff_and_strangers_may_not_see_the_page(world, hand, client_for):
    assert client_for(world.staff).get(SUPERVISION).status_code == 403
    assert client_for(world.staff).get(EXPORT).status_code == 403
    response = client_for(world.nobody).get(SUPERVISION)
    assert response.status_code == 403
    anonymous = client_for(world.office).__class__().get(SUPERVISION)
    assert anonymous.status_code == 302


def test_table_sorted_by_deadline_with_links_and_lights(world, hand, client_for):
    response = client_for(world.office).get(SUPERVISION)
    rows = response.context["rows"]
    assert [r.petition.pk for r in rows] == [hand.red.pk, hand.amber.pk, hand.green.pk]
    html = response.content.decode()
    for p in (hand.red, hand.amber, hand.green):
        assert reverse("petitions:detail", args=[p.pk]) in html
    assert f'data-petition="{hand.red.pk}" data-tracking="{hand.red.tracking_number}" data-light="red"' in html
    assert f'data-petition="{hand.green.pk}" data-tracking="{hand.green.tracking_number}" data-light="green"' in html
    assert f"{NOTICE_NEW}?petition={hand.red.pk}" in html  # the office can supervise from the row


def test_filters_narrow_rows_but_counts_keep_every_light(world, hand, client_for):
    office = client_for(world.office)
    response = office.get(SUPERVISION, {"light": "red"})
    assert [r.petition.pk for r in response.context["rows"]] == [hand.red.pk]
    assert counts_of(response) == (1, 1, 1)
    response = office.get(SUPERVISION, {"station": world.H2.pk})  # a home: its stations below count
    assert [r.petition.pk for r in response.context["rows"]] == [hand.green.pk]
    assert counts_of(response) == (0, 0, 1)
    response = office.get(SUPERVISION, {"urgency": "urgent"})
    assert [r.petition.pk for r in response.context["rows"]] == [hand.amber.pk]
    response = office.get(SUPERVISION, {"department": world.D.pk, "light": "amber"})
    assert [r.petition.pk for r in response.context["rows"]] == [hand.amber.pk]


def test_a_department_outside_the_scope_is_an_invalid_filter(world, hand, client_for):
    response = client_for(world.office).get(SUPERVISION, {"department": world.D2.pk})
    assert response.context["filter"].errors
    assert response.context["rows"] == [] and counts_of(response) == (0, 0, 0)


def test_category_group_matches_its_children(world, client_for):
    group = Category.objects.create(name="督办测试大类")
    parking = Category.objects.create(name="督办测试小类", parent=group)
    other = Category.objects.create(name="督办测试其他")
    p1 = put_in_hand(world, category=parking, due_on=today())
    put_in_hand(world, category=other, due_on=today())
    response = client_for(world.office).get(SUPERVISION, {"category": group.pk})
    assert [r.petition.pk for r in response.context["rows"]] == [p1.pk]


def test_department_summary_for_the_office_only(world, hand, client_for):
    petition_request_extension(
        actor=world.dept, petition=hand.amber, requested_due_on=future_working_day(30), reason="需要协调施工单位"
    )
    response = client_for(world.office).get(SUPERVISION)
    summary = response.context["summary"]
    assert len(summary) == 1
    line = summary[0]
    assert (line.name, line.in_hand, line.amber, line.red, line.extensions_pending) == (world.D.name, 3, 1, 1, 1)
    assert 'id="department-summary"' in response.content.decode()
    for who in (world.dept, world.rep):
        response = client_for(who).get(SUPERVISION)
        assert response.context["summary"] is None
        assert 'id="department-summary"' not in response.content.decode()


def test_the_table_shows_the_most_urgent_and_links_to_the_ledger(world, hand, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "TABLE_LIMIT", 2)
    response = client_for(world.office).get(SUPERVISION, {"station": world.S1.pk})
    assert [r.petition.pk for r in response.context["rows"]] == [hand.red.pk, hand.amber.pk]
    response = client_for(world.office).get(SUPERVISION)
    assert len(response.context["rows"]) == 2 and response.context["is_capped"]
    html = response.content.decode()
    assert 'id="ledger-more"' in html and reverse("petitions:ledger") + "?sort=due" in html


def test_the_page_costs_the_same_queries_for_more_items(world, client_for):
    client = client_for(world.office)
    put_in_hand(world, due_on=today())
    client.get(SUPERVISION)  # warm the session and the calendar
    with CaptureQueriesContext(connection) as few:
        assert client.get(SUPERVISION).status_code == 200
    for i in range(6):
        put_in_hand(world, station=world.S2 if i % 2 else world.S1, due_on=today() + timedelta(days=i))
    with CaptureQueriesContext(connection) as many:
        response = client.get(SUPERVISION)
    assert len(response.context["rows"]) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


# -- Excel ------------------------------------------------------------------------------------------


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    return load_workbook(io.BytesIO(response.content)).active


def test_export_reads_back_the_filtered_view(world, hand, client_for):
    Petition.objects.filter(pk=hand.red.pk).update(content='=HYPERLINK("http://x")路灯')
    ws = workbook(client_for(world.office).get(EXPORT))
    assert ws.max_row == 3 + 3
    header = [c.value for c in ws[3]]
    assert len(header) == 13 and header[0]
    data = list(ws.iter_rows(min_row=4, values_only=True))
    assert [row[5] for row in data] == [
        hand.red.tracking_number,
        hand.amber.tracking_number,
        hand.green.tracking_number,
    ]
    labels = dict(selectors.Light.choices)
    assert [row[1] for row in data] == [str(labels["red"]), str(labels["amber"]), str(labels["green"])]
    assert data[0][2].date() == today() - timedelta(days=1)
    assert data[0][4] == 1 and data[1][3] == 0  # one day overdue; due today
    assert data[0][6] == world.D.name
    assert data[0][11].startswith("=HYPERLINK")  # text, not a formula
    assert ws.cell(row=4, column=12).data_type == "s"
    # The filter applies: the red light only.
    ws = workbook(client_for(world.office).get(EXPORT, {"light": "red"}))
    assert [row[5] for row in ws.iter_rows(min_row=4, values_only=True)] == [hand.red.tracking_number]
    # A representative exports their own items only.
    ws = workbook(client_for(world.rep).get(EXPORT))
    assert [row[5] for row in ws.iter_rows(min_row=4, values_only=True)] == [hand.red.tracking_number]


def test_export_is_capped_with_a_message(world, hand, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_LIMIT", 2)
    client = client_for(world.office)
    response = client.get(EXPORT)
    ws = workbook(response)
    assert response["X-Export-Capped"] == "1"
    assert [row[5] for row in ws.iter_rows(min_row=4, values_only=True)] == [
        hand.red.tracking_number,
        hand.amber.tracking_number,
    ]
    assert "2" in ws["A2"].value
    page = client.get(SUPERVISION).content.decode()
    assert "2" in page and "alert" in page  # the capped message is shown on the next page
    monkeypatch.setattr(selectors, "EXPORT_LIMIT", 3)
    assert client.get(EXPORT)["X-Export-Capped"] == "0"


# -- supervision notices: the services -------------------------------------------------------------------


def issue(world, petition=None, **kwargs):
    values = {
        "actor": world.office,
        "department": world.D,
        "subject": "路灯维修进度",
        "requirement": "请加快办理并书面报告",
        "due_on": future_working_day(5),
        "petition": petition,
    }
    values.update(kwargs)
    return sv.supervision_notice_issue(**values)


def test_issue_on_an_item_in_hand(world, hand):
    before = Petition.objects.get(pk=hand.red.pk)
    notice = issue(world, hand.red)
    year = today().year
    assert notice.number == f"督〔{year}〕1号"
    assert notice.jurisdiction == world.j.K and notice.issued_by == world.office
    assert notice.state == SupervisionNotice.State.OPEN
    event = PetitionEvent.objects.get(petition=hand.red, kind=PetitionEventKind.SUPERVISED)
    assert event.actor == world.office and not event.is_public
    assert event.data["number"] == notice.number and event.data["subject"] == "路灯维修进度"
    assert event.data["due_on"] == str(notice.due_on)
    after = Petition.objects.get(pk=hand.red.pk)
    assert (after.status, after.version, after.due_on) == (before.status, before.version, before.due_on)
    messages = OutboxMessage.objects.filter(key=f"notice:{notice.pk}:issued:user:{world.dept.pk}")
    assert messages.count() == 1 and messages.get().topic == "supervision_notice"
    assert notice.number in messages.get().subject
    assert issue(world, hand.amber).number == f"督〔{year}〕2号"


def test_numbers_follow_the_highest_of_the_year(world, hand):
    first = issue(world)
    year = today().year
    SupervisionNotice.objects.filter(pk=first.pk).update(number=f"督〔{year}〕9号")
    second = issue(world)
    assert second.number == f"督〔{year}〕10号"
    third = issue(world)
    assert third.number == f"督〔{year}〕11号"  # "10" sorts before "9" as text; the length decides first
    SupervisionNotice.objects.filter(pk=third.pk).update(number=f"督〔{year - 1}〕99号")
    assert sv.notice_next_number(year) == f"督〔{year}〕11号"
    assert sv.notice_next_number(year - 1) == f"督〔{year - 1}〕100号"


@pytest.mark.django_db(transaction=True)
def test_offices_numbering_at_once_get_distinct_numbers(world):
    """PostgreSQL: the unique number makes one insert wait and fail; the loser takes the next number."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL")
    import threading

    from django.db import connections

    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            numbers.append(issue(world).number)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    year = today().year
    assert sorted(numbers) == sorted(f"督〔{year}〕{n}号" for n in range(1, 5))


def test_issue_without_an_item_to_a_department_of_the_jurisdiction(world):
    notice = issue(world, petition=None)
    assert notice.petition is None
    assert PetitionEvent.objects.filter(kind=PetitionEventKind.SUPERVISED).count() == 0
    with pytest.raises(PetitionError):
        issue(world, department=world.D2)  # another district's department


def test_issue_refusals(world, hand):
    with pytest.raises(PermissionDenied):
        issue(world, hand.red, actor=world.staff)
    with pytest.raises(PermissionDenied):
        issue(world, hand.red, actor=world.rep)
    with pytest.raises(PermissionDenied):
        issue(world, hand.red, actor=world.dept)
    with pytest.raises(Http404):  # outside its district: not found, as for a missing item
        issue(world, hand.red, actor=world.office_k2, department=world.D2)
    with pytest.raises(InvalidTransition):
        issue(world, hand.registered)
    with pytest.raises(InvalidTransition):
        issue(world, hand.replied)
    other = DepartmentFactory(name="区交通局", jurisdiction=world.j.K)
    with pytest.raises(PetitionError, match=other.name):
        issue(world, hand.red, department=other)  # not handling the item
    with pytest.raises(PetitionError):
        issue(world, hand.red, due_on=today() - timedelta(days=1))
    with pytest.raises(PetitionError):
        issue(world, hand.red, due_on=future_non_working_day())
    with pytest.raises(PetitionError):
        issue(world, hand.red, subject="  ")
    with pytest.raises(PetitionError):
        issue(world, hand.red, requirement="")
    assert SupervisionNotice.objects.count() == 0
    assert PetitionEvent.objects.filter(kind=PetitionEventKind.SUPERVISED).count() == 0


def test_answer_by_the_department_tells_the_issuer_once(world, hand):
    notice = issue(world, hand.red)
    answered = sv.supervision_notice_answer(actor=world.dept, notice=notice, response="已更换路灯，群众满意")
    assert answered.state == SupervisionNotice.State.ANSWERED
    assert answered.responded_by == world.dept and answered.responded_at is not None
    told = OutboxMessage.objects.filter(key=f"notice:{notice.pk}:answered:user:{world.office.pk}")
    assert told.count() == 1
    with pytest.raises(PetitionError):
        sv.supervision_notice_answer(actor=world.dept, notice=notice, response="再次答复")
    assert SupervisionNotice.objects.get(pk=notice.pk).response == "已更换路灯，群众满意"


def test_answer_refusals(world, hand):
    notice = issue(world, hand.red)
    with pytest.raises(PermissionDenied):
        sv.supervision_notice_answer(actor=world.office, notice=notice, response="代答")
    with pytest.raises(PermissionDenied):
        sv.supervision_notice_answer(actor=world.rep, notice=notice, response="代答")
    stranger = UserFactory(username="dept2", role="department")
    world.D2.members.add(stranger)
    with pytest.raises(Http404):  # another district's department: out of scope
        sv.supervision_notice_answer(actor=stranger, notice=notice, response="不是我们的")
    with pytest.raises(PetitionError):
        sv.supervision_notice_answer(actor=world.dept, notice=notice, response="   ")
    assert SupervisionNotice.objects.get(pk=notice.pk).state == SupervisionNotice.State.OPEN


def test_who_sees_which_notice(world, hand):
    on_red = issue(world, hand.red)  # R1 received it
    on_amber = issue(world, hand.amber)  # no representative
    loose = issue(world)
    k2 = issue(world, hand.other, actor=world.office_k2, department=world.D2)

    def seen(user):
        return set(SupervisionNotice.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(world.office) == {on_red.pk, on_amber.pk, loose.pk}
    assert seen(world.office_k2) == {k2.pk}
    assert seen(world.dept) == {on_red.pk, on_amber.pk, loose.pk}
    assert seen(world.rep) == {on_red.pk}
    assert seen(world.staff) == set()
    assert seen(world.admin) == {on_red.pk, on_amber.pk, loose.pk, k2.pk}
    # The item page reads the same scope under the selector's name.
    assert set(selectors.notices_visible_to(world.rep).values_list("pk", flat=True)) == {on_red.pk}


# -- supervision notices: the pages --------------------------------------------------------------------


def test_notice_list_per_role(world, hand, client_for):
    notice = issue(world, hand.red)
    issue(world, hand.amber, subject="垃圾清运督办")
    response = client_for(world.office).get(NOTICES)
    assert response.status_code == 200
    assert len(response.context["notices"]) == 2
    response = client_for(world.rep).get(NOTICES)
    assert [n.pk for n in response.context["notices"]] == [notice.pk]
    assert client_for(world.office_k2).get(NOTICES).context["notices"].__len__() == 0
    assert client_for(world.staff).get(NOTICES).status_code == 403
    response = client_for(world.office).get(NOTICES, {"state": "answered"})
    assert len(response.context["notices"]) == 0


def test_notice_list_overdue_filter(world, hand, client_for):
    late = issue(world, hand.red)
    issue(world, hand.amber)
    SupervisionNotice.objects.filter(pk=late.pk).update(due_on=today() - timedelta(days=2))
    response = client_for(world.office).get(NOTICES, {"overdue": "on"})
    assert [n.pk for n in response.context["notices"]] == [late.pk]


def test_create_form_is_prefilled_from_the_item(world, hand, client_for):
    response = client_for(world.office).get(NOTICE_NEW, {"petition": hand.red.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["department"] == world.D.pk
    assert hand.red.tracking_number in form.initial["subject"]
    assert form.initial["petition"] == hand.red.pk
    assert workdays.is_working_day(form.initial["due_on"])
    html = response.content.decode()
    assert hand.red.tracking_number in html


def test_create_form_scope_and_permission(world, hand, client_for):
    assert client_for(world.office_k2).get(NOTICE_NEW, {"petition": hand.red.pk}).status_code == 404
    assert client_for(world.dept).get(NOTICE_NEW).status_code == 403
    assert client_for(world.rep).get(NOTICE_NEW, {"petition": hand.red.pk}).status_code == 403


def test_create_posts_a_notice_and_keeps_input_on_refusal(world, hand, client_for):
    client = client_for(world.office)
    due = future_working_day(4)
    data = {
        "petition": hand.red.pk,
        "department": world.D.pk,
        "subject": "路灯督办",
        "requirement": "五日内修复",
        "due_on": due.isoformat(),
    }
    response = client.post(NOTICE_NEW, data)
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("petitions:notice_detail", args=[notice.pk])
    assert notice.petition == hand.red and notice.due_on == due
    # A holiday date: the form comes back with the error and what was typed.
    data.update(due_on=future_non_working_day().isoformat(), subject="第二次督办：路灯")
    response = client.post(NOTICE_NEW, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "第二次督办：路灯" in response.content.decode()
    # An item no longer in hand.
    data.update(petition=hand.registered.pk, due_on=due.isoformat())
    response = client.post(NOTICE_NEW + f"?petition={hand.registered.pk}", data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert SupervisionNotice.objects.count() == 1


def test_detail_answer_and_print(world, hand, client_for):
    notice = issue(world, hand.red)
    detail = reverse("petitions:notice_detail", args=[notice.pk])
    answer = reverse("petitions:notice_answer", args=[notice.pk])
    printed = reverse("petitions:notice_print", args=[notice.pk])
    dept = client_for(world.dept)
    response = dept.get(detail)
    assert response.status_code == 200 and response.context["can_answer"]
    assert 'id="notice-answer-form"' in response.content.decode()
    office_page = client_for(world.office).get(detail)
    assert not office_page.context["can_answer"]
    assert 'id="notice-answer-form"' not in office_page.content.decode()
    # The print view: the official sheet with a blank handling box.
    sheet = client_for(world.office).get(printed)
    assert sheet.status_code == 200
    html = sheet.content.decode()
    assert notice.number in html and world.D.name in html and "路灯维修进度" in html
    assert "@page { size: A4" in html and world.office.display_name in html
    assert '<div class="dbd-answer-text" data-testid="notice-answer"></div>' in html
    # Outside the scope: 404 for detail, print and answer.
    for url in (detail, printed):
        assert client_for(world.office_k2).get(url).status_code == 404
        assert client_for(world.staff).get(url).status_code == 404
    assert client_for(world.office_k2).post(answer, {"response": "x"}).status_code == 404
    # Inside the scope but not the department: 403.
    assert client_for(world.office).post(answer, {"response": "代答"}).status_code == 403
    # An empty answer keeps the page with the error.
    response = dept.post(answer, {"response": ""})
    assert response.status_code == 200 and response.context["answer_form"].errors
    response = dept.post(answer, {"response": "已修复东关村路灯12盏"})
    assert response.status_code == 302 and response["Location"] == detail
    html = client_for(world.office).get(printed).content.decode()
    assert "已修复东关村路灯12盏" in html
    # A representative whose item it is sees it too, and may print it.
    assert client_for(world.rep).get(printed).status_code == 200


# -- commitments ---------------------------------------------------------------------------------


def record(world, **kwargs):
    values = {
        "actor": world.office,
        "source": Commitment.Source.VISIT,
        "held_on": today() - timedelta(days=2),
        "department": world.D,
        "head_name": "刘局长",
        "head_title": "局长",
        "station": world.S1,
        "text": "年底前完成东关村路灯更换",
        "due_on": future_working_day(10),
    }
    values.update(kwargs)
    return sv.commitment_record(**values)


def test_record_a_commitment_tells_the_department(world):
    c = record(world)
    assert c.state == Commitment.State.OPEN and c.jurisdiction == world.j.K and c.created_by == world.office
    assert OutboxMessage.objects.filter(key=f"commitment:{c.pk}:recorded:user:{world.dept.pk}").count() == 1


def test_record_takes_the_station_from_the_item(world, hand):
    c = record(world, station=None, petition=hand.green)
    assert c.station == world.S2 and c.petition == hand.green


def test_record_refusals(world, hand):
    for actor in (world.staff, world.rep, world.dept):
        with pytest.raises(PermissionDenied):
            record(world, actor=actor)
    with pytest.raises(PetitionError):
        record(world, department=world.D2)
    with pytest.raises(PetitionError):
        record(world, station=world.S3)
    with pytest.raises(PetitionError):
        record(world, petition=hand.other)
    with pytest.raises(PetitionError):
        record(world, due_on=today() - timedelta(days=5))
    with pytest.raises(PetitionError):
        record(world, held_on=today() + timedelta(days=1))
    with pytest.raises(PetitionError):
        record(world, text=" ")
    with pytest.raises(PetitionError):
        record(world, source="party")
    assert Commitment.objects.count() == 0


def test_progress_then_kept_then_follow_up(world):
    c = record(world)
    c = sv.commitment_progress(actor=world.dept, commitment=c, progress="已采购灯具", done=False)
    assert c.state == Commitment.State.OPEN and c.progress == "已采购灯具"
    assert not OutboxMessage.objects.filter(key__startswith=f"commitment:{c.pk}:done").exists()
    with pytest.raises(PetitionError):
        sv.commitment_follow_up(
            actor=world.staff, commitment=c, visited_on=today(), note="未完成", satisfaction="dissatisfied"
        )
    c = sv.commitment_progress(actor=world.dept, commitment=c, progress="12盏路灯已全部更换", done=True)
    assert c.state == Commitment.State.DONE and c.done_at is not None
    assert OutboxMessage.objects.filter(key=f"commitment:{c.pk}:done:user:{world.office.pk}").count() == 1
    with pytest.raises(PetitionError):
        sv.commitment_progress(actor=world.dept, commitment=c, progress="再报", done=True)
    c = sv.commitment_follow_up(
        actor=world.staff, commitment=c, visited_on=today(), note="路灯正常，群众认可", satisfaction="satisfied"
    )
    assert c.state == Commitment.State.VISITED
    assert (c.follow_up_on, c.follow_up_satisfaction) == (today(), "satisfied")
    assert OutboxMessage.objects.filter(key=f"commitment:{c.pk}:visited:user:{world.dept.pk}").count() == 1
    with pytest.raises(PetitionError):
        sv.commitment_follow_up(
            actor=world.rep, commitment=c, visited_on=today(), note="再访", satisfaction="satisfied"
        )


def test_progress_and_follow_up_refusals(world):
    c = record(world)
    with pytest.raises(PermissionDenied):
        sv.commitment_progress(actor=world.rep, commitment=c, progress="代报", done=True)
    with pytest.raises(PermissionDenied):
        sv.commitment_progress(actor=world.staff, commitment=c, progress="代报", done=True)
    with pytest.raises(Http404):  # another district's office: out of scope
        sv.commitment_progress(actor=world.office_k2, commitment=c, progress="代报", done=True)
    with pytest.raises(PetitionError):
        sv.commitment_progress(actor=world.dept, commitment=c, progress="", done=True)
    c = sv.commitment_progress(actor=world.office, commitment=c, progress="办公室核实已完成", done=True)
    assert c.state == Commitment.State.DONE
    # The office marked it: it is not told about its own action.
    assert not OutboxMessage.objects.filter(key__startswith=f"commitment:{c.pk}:done").exists()
    with pytest.raises(PermissionDenied):
        sv.commitment_follow_up(
            actor=world.dept, commitment=c, visited_on=today(), note="自评", satisfaction="satisfied"
        )
    rep2 = UserFactory(username="rep2", role="representative")
    world.R2.user = rep2
    world.R2.save()
    with pytest.raises(Http404):  # R2 is on S2, the commitment was made at S1: out of scope
        sv.commitment_follow_up(actor=rep2, commitment=c, visited_on=today(), note="回访", satisfaction="satisfied")
    with pytest.raises(PetitionError):
        sv.commitment_follow_up(
            actor=world.rep, commitment=c, visited_on=today() + timedelta(days=1), note="回访", satisfaction="satisfied"
        )
    with pytest.raises(PetitionError):
        sv.commitment_follow_up(actor=world.rep, commitment=c, visited_on=today(), note="回访", satisfaction="great")
    c = sv.commitment_follow_up(
        actor=world.rep, commitment=c, visited_on=today(), note="群众基本满意", satisfaction="basically"
    )
    assert c.state == Commitment.State.VISITED


def test_who_sees_which_commitment(world):
    at_s1 = record(world)
    at_s2 = record(world, station=world.S2)
    loose = record(world, station=None)
    k2 = record(world, actor=world.office_k2, department=world.D2, station=world.S3)

    def seen(user):
        return set(Commitment.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(world.office) == {at_s1.pk, at_s2.pk, loose.pk}
    assert seen(world.office_t1) == {at_s1.pk}  # made at a station of the township
    assert seen(world.office_k2) == {k2.pk}
    assert seen(world.dept) == {at_s1.pk, at_s2.pk, loose.pk}
    assert seen(world.staff) == {at_s1.pk}  # H1 and the stations below it
    assert seen(world.rep) == {at_s1.pk}
    assert seen(world.nobody) == set()
    # The item page reads the same scope under the selector's name.
    assert set(selectors.commitments_visible_to(world.staff).values_list("pk", flat=True)) == {at_s1.pk}


def test_another_district_finds_no_notice_or_commitment_by_page_or_by_service(world, hand, client_for):
    """`access_supervision_notice`, `access_commitment`: to another district's office and
    department a notice or commitment of K does not exist, for the pages and the services alike,
    the same 404 as for a number never issued; nothing is written."""
    notice = issue(world, hand.red)
    commitment = record(world)
    dept_k2 = UserFactory(username="dept_k2", role="department")
    world.D2.members.add(dept_k2)
    for user in (world.office_k2, dept_k2):
        client = client_for(user)
        for pk in (notice.pk, notice.pk + 1000):
            assert client.get(reverse("petitions:notice_detail", args=[pk])).status_code == 404
            assert client.get(reverse("petitions:notice_print", args=[pk])).status_code == 404
            assert client.post(reverse("petitions:notice_answer", args=[pk]), {"response": "x"}).status_code == 404
            with pytest.raises(Http404):
                sv.supervision_notice_answer(actor=user, notice=SupervisionNotice(pk=pk), response="x")
        for pk in (commitment.pk, commitment.pk + 1000):
            assert client.get(reverse("petitions:commitment_detail", args=[pk])).status_code == 404
            progress = reverse("petitions:commitment_progress", args=[pk])
            assert client.post(progress, {"progress": "x", "done": "on"}).status_code == 404
            follow_up = reverse("petitions:commitment_follow_up", args=[pk])
            visit = {"visited_on": today().isoformat(), "note": "x", "satisfaction": "satisfied"}
            assert client.post(follow_up, visit).status_code == 404
            with pytest.raises(Http404):
                sv.commitment_progress(actor=user, commitment=pk, progress="x", done=True)
            with pytest.raises(Http404):
                sv.commitment_follow_up(
                    actor=user, commitment=pk, visited_on=today(), note="x", satisfaction="satisfied"
                )
    # Pressing a department about an item: another district's item and a missing one look alike.
    for pk in (hand.red.pk, hand.red.pk + 1000):
        with pytest.raises(Http404):
            issue(world, pk, actor=world.office_k2, department=world.D2)
    assert SupervisionNotice.objects.get(pk=notice.pk).state == SupervisionNotice.State.OPEN
    assert SupervisionNotice.objects.count() == 1
    assert (Commitment.objects.get(pk=commitment.pk).state, Commitment.objects.get(pk=commitment.pk).progress) == (
        Commitment.State.OPEN,
        "",
    )


def test_commitment_pages(world, client_for):
    c = record(world)
    late = record(world, due_on=today() - timedelta(days=1), held_on=today() - timedelta(days=3))
    detail = reverse("petitions:commitment_detail", args=[c.pk])
    for who in ("office", "dept", "staff", "rep"):
        response = client_for(getattr(world, who)).get(COMMITMENTS)
        assert response.status_code == 200, who
    response = client_for(world.office).get(COMMITMENTS)
    assert [r["commitment"].pk for r in response.context["rows"]] == [late.pk, c.pk]
    assert response.context["rows"][0]["deadline"].light == "red"
    assert response.context["counts"]["red"] == 1
    assert [
        r["commitment"].pk for r in client_for(world.office).get(COMMITMENTS, {"overdue": "on"}).context["rows"]
    ] == [late.pk]
    assert [
        r["commitment"].pk for r in client_for(world.office).get(COMMITMENTS, {"light": "green"}).context["rows"]
    ] == [c.pk]
    assert client_for(world.office).get(COMMITMENTS, {"state": "visited"}).context["rows"] == []
    assert client_for(world.office_k2).get(COMMITMENTS).context["rows"] == []
    # Detail: who gets which form.
    page = client_for(world.dept).get(detail)
    assert page.status_code == 200 and page.context["can_progress"] and not page.context["can_follow_up"]
    page = client_for(world.staff).get(detail)
    assert not page.context["can_progress"] and not page.context["can_follow_up"]  # not kept yet
    assert client_for(world.office_k2).get(detail).status_code == 404
    assert client_for(world.dept).get(COMMITMENT_NEW).status_code == 403
    # Progress through the page: an empty text keeps the form; then kept.
    progress = reverse("petitions:commitment_progress", args=[c.pk])
    assert client_for(world.staff).post(progress, {"progress": "x", "done": "on"}).status_code == 403
    response = client_for(world.dept).post(progress, {"progress": "", "done": "on"})
    assert response.status_code == 200 and response.context["progress_form"].errors
    response = client_for(world.dept).post(progress, {"progress": "路灯已更换", "done": "on"})
    assert response.status_code == 302
    assert Commitment.objects.get(pk=c.pk).state == Commitment.State.DONE
    # The follow-up visit by the station's staff.
    follow = reverse("petitions:commitment_follow_up", args=[c.pk])
    page = client_for(world.staff).get(detail)
    assert page.context["can_follow_up"]
    assert (
        client_for(world.dept)
        .post(follow, {"visited_on": today().isoformat(), "satisfaction": "satisfied", "note": "x"})
        .status_code
        == 403
    )
    response = client_for(world.staff).post(
        follow, {"visited_on": today().isoformat(), "satisfaction": "satisfied", "note": ""}
    )
    assert response.status_code == 200 and response.context["follow_up_form"].errors
    response = client_for(world.staff).post(
        follow, {"visited_on": today().isoformat(), "satisfaction": "satisfied", "note": "群众满意"}
    )
    assert response.status_code == 302
    assert Commitment.objects.get(pk=c.pk).state == Commitment.State.VISITED
    assert "群众满意" in client_for(world.office).get(detail).content.decode()


def test_commitment_create_form(world, hand, client_for):
    client = client_for(world.office)
    response = client.get(COMMITMENT_NEW, {"petition": hand.red.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["petition"] == hand.red.tracking_number
    data = {
        "source": "meeting",
        "held_on": today().isoformat(),
        "department": world.D.pk,
        "head_name": "王主任",
        "head_title": "",
        "station": world.S1.pk,
        "petition": "NOPE-12345678",
        "text": "一个月内解决停车问题",
        "due_on": future_working_day(20).isoformat(),
    }
    response = client.post(COMMITMENT_NEW, data)
    assert response.status_code == 200 and "petition" in response.context["form"].errors
    assert "一个月内解决停车问题" in response.content.decode()
    data["petition"] = hand.red.tracking_number.lower()
    response = client.post(COMMITMENT_NEW, data)
    c = Commitment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("petitions:commitment_detail", args=[c.pk])
    assert c.petition == hand.red and c.source == "meeting"
    data["due_on"] = (today() - timedelta(days=1)).isoformat()
    response = client.post(COMMITMENT_NEW, data)
    assert response.status_code == 200 and "due_on" in response.context["form"].errors
