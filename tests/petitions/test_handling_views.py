"""The handling pages: one page per move, the triage list, the department desk, the
rules, the feedback letter, the resident's rating and the public results."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from liaison.models import OutboxMessage, Role
from petitions.handling import deadlines
from petitions.handling import services as handling
from petitions.models import Assignment, DeadlineRule, Petition, PetitionEvent, Rating, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def act_url(p, move):
    return reverse("petitions:act", args=[p.pk, move])


def fresh(p):
    return Petition.objects.get(pk=p.pk)


def assign(world, p, **kw):
    return handling.petition_assign(actor=world.office, petition=p, department=world.D, **kw)


def to_replied(world, p):
    assign(world, p)
    handling.petition_accept(actor=world.dept, petition=p)
    return handling.petition_reply(actor=world.dept, petition=p, outcome="A", text="路灯已于本周更换完毕。")


def to_fed_back(world, p):
    to_replied(world, p)
    return handling.petition_feed_back(actor=world.staff, petition=p, method="phone", text="已电话告知，居民表示认可。")


def moves_on_page(client, p):
    html = client.get(reverse("petitions:detail", args=[p.pk])).content.decode()
    return {
        m
        for m in (
            "triage",
            "assign",
            "consult",
            "accept",
            "reply",
            "return",
            "feed_back",
            "rate",
            "close",
            "request_extension",
            "decide_extension",
            "progress",
            "cannot_handle",
            "escalate",
        )
        if f'data-move="{m}"' in html
    }


def test_office_sees_the_routes_of_a_new_item_and_the_department_sees_none(world, ledger, client_for):
    office_moves = moves_on_page(client_for(world.office), ledger.a)
    assert {"triage", "assign", "consult", "cannot_handle"} <= office_moves
    assert "close" not in office_moves and "accept" not in office_moves
    # Escalation needs an office above 延庆区's: none in this world until 北京市's has an account.
    assert "escalate" not in office_moves
    UserFactory(username="office_city", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.P)
    assert "escalate" in moves_on_page(client_for(world.office), ledger.a)
    assert not {"send_down", "take_over"} & office_moves  # only on an item escalated to the office
    assert moves_on_page(client_for(world.dept), ledger.a) == set()
    assert moves_on_page(client_for(world.rep), ledger.a) == set()


def test_assign_through_the_page_creates_the_share_and_tells_the_department(world, ledger, client_for):
    client = client_for(world.office)
    page = client.get(act_url(ledger.a, "assign"))
    assert page.status_code == 200
    due = workdays.add_working_days(timezone.localdate(), 15)
    assert due.strftime("%Y-%m-%d") in page.content.decode()  # the rule's default deadline is spelled out
    response = client.post(
        act_url(ledger.a, "assign"),
        {
            "version": fresh(ledger.a).version,
            "department": world.D.pk,
            "responsible_leader": "王副区长",
            "note": "请尽快核实",
        },
    )
    assert response.status_code == 302
    p = fresh(ledger.a)
    assert p.status == Status.ASSIGNED and p.lead_department == world.D and p.due_on == due
    assert p.responsible_leader == "王副区长"
    share = Assignment.objects.get(petition=p)
    assert share.role == "lead" and share.state == "pending"
    assert OutboxMessage.objects.filter(key__startswith=f"assignment:{share.pk}:new:user:{world.dept.pk}").exists()


def test_a_bad_deadline_keeps_what_was_typed(world, ledger, client_for):
    client = client_for(world.office)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        act_url(ledger.a, "assign"),
        {
            "version": fresh(ledger.a).version,
            "department": world.D.pk,
            "due_on": yesterday.isoformat(),
            "note": "请务必本周内答复居民",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请务必本周内答复居民" in html
    assert fresh(ledger.a).status == Status.REGISTERED


def test_a_stale_page_is_told_and_keeps_the_text_and_can_send_again(world, ledger, client_for):
    client = client_for(world.office)
    stale = fresh(ledger.a).version
    handling.petition_triage(actor=world.admin, petition=ledger.a)  # someone else acts first
    response = client.post(act_url(ledger.a, "consult"), {"version": stale, "text": "经咨询城管部门，答复如下……"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "经咨询城管部门，答复如下……" in html
    assert 'id="move-error"' in html
    assert f'name="version" value="{fresh(ledger.a).version}"' in html
    assert fresh(ledger.a).status == Status.TRIAGED
    again = client.post(
        act_url(ledger.a, "consult"), {"version": fresh(ledger.a).version, "text": "经咨询城管部门，答复如下……"}
    )
    assert again.status_code == 302
    assert fresh(ledger.a).status == Status.CONSULTED


def test_representatives_never_close(world, ledger, client_for):
    to_fed_back(world, ledger.a)
    client = client_for(world.rep)
    assert "close" not in moves_on_page(client, ledger.a)
    assert client.get(act_url(ledger.a, "close")).status_code == 403
    assert client.post(act_url(ledger.a, "close"), {"version": fresh(ledger.a).version}).status_code == 403
    assert fresh(ledger.a).status == Status.FED_BACK


def test_out_of_scope_is_404_and_unknown_moves_too(world, ledger, client_for):
    assert client_for(world.office_k2).get(act_url(ledger.a, "assign")).status_code == 404
    assert client_for(world.office).get(act_url(ledger.a, "fly")).status_code == 404
    assert client_for(world.staff).get(act_url(ledger.a, "assign")).status_code == 403


def test_a_move_that_does_not_start_here_sends_back_to_the_item(world, ledger, client_for):
    response = client_for(world.office).get(act_url(ledger.a, "close"))
    assert response.status_code == 302 and response["Location"] == reverse("petitions:detail", args=[ledger.a.pk])


def test_only_the_lead_department_replies_and_a_co_handler_gives_its_part(world, ledger, client_for):
    from tests.factories import DepartmentFactory, UserFactory

    co = DepartmentFactory(name="区城市管理委员会", jurisdiction=world.j.K)
    co_user = UserFactory(username="co_user", role="department")
    co.members.add(co_user)
    assign(world, ledger.a, co_departments=[co])
    co_client = client_for(co_user)
    assert {"accept", "reply", "return"}.isdisjoint(moves_on_page(co_client, ledger.a))
    assert 'data-move="contribute"' in co_client.get(reverse("petitions:detail", args=[ledger.a.pk])).content.decode()
    assert co_client.get(act_url(ledger.a, "accept")).status_code == 403
    response = co_client.post(
        act_url(ledger.a, "contribute"), {"version": fresh(ledger.a).version, "text": "已安排巡查。"}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(petition=ledger.a, department=co).state == "done"


def test_reply_with_a_file_and_an_error_keeps_the_file(world, ledger, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assign(world, ledger.a)
    handling.petition_accept(actor=world.dept, petition=ledger.a)
    client = client_for(world.dept)
    pdf = SimpleUploadedFile(
        "答复.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )
    first = client.post(
        act_url(ledger.a, "reply"), {"version": fresh(ledger.a).version, "text": "已解决", "files": pdf}
    )
    assert first.status_code == 400  # no outcome chosen
    html = first.content.decode()
    assert "答复.pdf" in html and 'name="staged"' in html
    token = html.split('name="staged" value="')[1].split('"')[0]
    second = client.post(
        act_url(ledger.a, "reply"),
        {"version": fresh(ledger.a).version, "text": "已解决", "outcome": "A", "staged": token},
    )
    assert second.status_code == 302
    p = fresh(ledger.a)
    assert p.status == Status.REPLIED and p.outcome == "A"
    assert p.attachments.filter(reply__isnull=False, original_name="答复.pdf").count() == 1


def test_extension_request_and_decision_through_the_pages(world, ledger, client_for):
    assign(world, ledger.a)
    handling.petition_accept(actor=world.dept, petition=ledger.a)
    due = fresh(ledger.a).due_on
    later = due + timedelta(days=14)
    dept = client_for(world.dept)
    assert (
        dept.post(
            act_url(ledger.a, "request_extension"),
            {"version": fresh(ledger.a).version, "requested_due_on": due.isoformat(), "reason": "需要协调"},
        ).status_code
        == 400
    )
    assert (
        dept.post(
            act_url(ledger.a, "request_extension"),
            {"version": fresh(ledger.a).version, "requested_due_on": later.isoformat(), "reason": "需协调供电公司"},
        ).status_code
        == 302
    )
    assert "request_extension" not in moves_on_page(dept, ledger.a)  # one request at a time
    office = client_for(world.office)
    assert "decide_extension" in moves_on_page(office, ledger.a)
    refused_without_reason = office.post(
        act_url(ledger.a, "decide_extension"), {"version": fresh(ledger.a).version, "approve": "0"}
    )
    assert refused_without_reason.status_code == 400
    assert (
        office.post(
            act_url(ledger.a, "decide_extension"),
            {"version": fresh(ledger.a).version, "approve": "1", "due_on": later.isoformat()},
        ).status_code
        == 302
    )
    assert fresh(ledger.a).due_on == later
    assert Assignment.objects.get(petition=ledger.a).due_on == later


def test_return_sends_the_item_back_to_the_triage_list(world, ledger, client_for):
    assign(world, ledger.a)
    response = client_for(world.dept).post(
        act_url(ledger.a, "return"), {"version": fresh(ledger.a).version, "reason": "不属于我委职责，建议交区城管委。"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("petitions:department")
    p = fresh(ledger.a)
    assert p.status == Status.TRIAGED and p.lead_department is None
    triage = client_for(world.office).get(reverse("petitions:triage")).content.decode()
    assert f'data-petition="{p.pk}"' in triage
    assert "不属于我委职责" in client_for(world.office).get(reverse("petitions:detail", args=[p.pk])).content.decode()


def test_triage_list_by_reception_day_with_its_deadline(world, ledger, client_for):
    response = client_for(world.office).get(reverse("petitions:triage"))
    assert response.status_code == 200
    html = response.content.decode()
    for p in (ledger.a, ledger.b, ledger.c, ledger.d):
        assert f'data-petition="{p.pk}"' in html
    assert f'data-petition="{ledger.e.pk}"' not in html  # other district
    assert client_for(world.dept).get(reverse("petitions:triage")).status_code == 403
    assert client_for(world.rep).get(reverse("petitions:triage")).status_code == 403


def test_department_desk_tabs(world, ledger, client_for):
    assign(world, ledger.a)
    assign(world, ledger.b, due_on=timezone.localdate())
    client = client_for(world.dept)
    html = client.get(reverse("petitions:department")).content.decode()
    assert f'data-petition="{ledger.a.pk}"' in html and f'data-petition="{ledger.b.pk}"' in html
    assert 'id="count-new">2<' in html
    assert 'id="count-amber">1<' in html  # due today
    handling.petition_accept(actor=world.dept, petition=ledger.a)
    in_hand = client.get(reverse("petitions:department") + "?tab=in_hand").content.decode()
    assert f'data-petition="{ledger.a.pk}"' in in_hand and f'data-petition="{ledger.b.pk}"' not in in_hand
    assert client_for(world.office).get(reverse("petitions:department")).status_code == 403


def _rules_post(rows, **changes):
    """The rules form as posted: every row as shown, then `changes` by field name."""
    data = {}
    for route, urgency, own, days, co_days in rows:
        prefix = f"{route}-{urgency}"
        if own:
            data[f"{prefix}-own"] = "on"
        data[f"{prefix}-working_days"] = days
        data[f"{prefix}-co_working_days"] = co_days
    data.update(changes)
    return data


DEFAULT_RULES = [
    (r, u, False, d, c)
    for r, u, d, c in [
        ("consultation", "urgent", 2, 1),
        ("consultation", "normal", 5, 3),
        ("direct", "urgent", 3, 2),
        ("direct", "normal", 15, 10),
        ("on_the_spot", "urgent", 1, 1),
        ("on_the_spot", "normal", 3, 2),
    ]
]


def test_an_office_sets_its_own_deadline_rules_for_its_jurisdiction(world, ledger, client_for):
    office = client_for(world.office)  # 延庆区
    page = office.get(reverse("petitions:rules"))
    assert page.status_code == 200 and 'data-rule="direct-normal"' in page.content.decode()
    bad = _rules_post(
        DEFAULT_RULES,
        **{"direct-normal-own": "on", "direct-normal-working_days": 10, "direct-normal-co_working_days": 12},
    )
    assert office.post(reverse("petitions:rules"), bad).status_code == 200  # co-handlers longer than the lead
    assert not DeadlineRule.objects.filter(jurisdiction__isnull=False).exists()
    # Other numbers on an inherited row are this jurisdiction's own, ticked or not.
    good = _rules_post(DEFAULT_RULES, **{"direct-normal-working_days": 10, "direct-normal-co_working_days": 7})
    assert office.post(reverse("petitions:rules"), good).status_code == 302
    own = DeadlineRule.objects.get(jurisdiction=world.j.K, route="direct", urgency="normal")
    assert (own.working_days, own.co_working_days, own.updated_by) == (10, 7, world.office)
    assert DeadlineRule.objects.get(jurisdiction__isnull=True, route="direct", urgency="normal").working_days == 15
    today = timezone.localdate()
    # Items in 延庆区 follow its rule; the other district keeps the default.
    assert deadlines.deadline_for(route="direct", urgency="normal", area_code=ledger.a.area_code)[
        0
    ] == workdays.add_working_days(today, 10)
    assert deadlines.deadline_for(route="direct", urgency="normal", area_code=ledger.e.area_code)[
        0
    ] == workdays.add_working_days(today, 15)
    assign(world, ledger.a)
    assert fresh(ledger.a).due_on == workdays.add_working_days(today, 10)
    # A township below it inherits 延庆区's rule and may set its own.
    township = client_for(world.office_t1)
    html = township.get(reverse("petitions:rules")).content.decode()
    assert world.j.K.name in html
    # Unticking "own rule" follows the rule above again, whatever numbers the row still shows.
    shown = [
        (r, u, False, 10 if (r, u) == ("direct", "normal") else d, 7 if (r, u) == ("direct", "normal") else c)
        for r, u, _own, d, c in DEFAULT_RULES
    ]
    assert office.post(reverse("petitions:rules"), _rules_post(shown)).status_code == 302
    assert not DeadlineRule.objects.filter(jurisdiction=world.j.K).exists()
    assert client_for(world.staff).get(reverse("petitions:rules")).status_code == 403


def test_the_administrator_sets_the_defaults(world, client_for):
    admin = client_for(world.admin)
    changed = _rules_post(DEFAULT_RULES, **{"direct-urgent-working_days": 4})
    assert admin.post(reverse("petitions:rules"), changed).status_code == 302
    assert DeadlineRule.objects.get(jurisdiction__isnull=True, route="direct", urgency="urgent").working_days == 4
    assert DeadlineRule.objects.filter(jurisdiction__isnull=False).count() == 0


def test_feedback_letter(world, ledger, client_for):
    staff = client_for(world.staff)
    assert staff.get(reverse("petitions:letter", args=[ledger.a.pk])).status_code == 302  # not answered yet
    to_replied(world, ledger.a)
    html = staff.get(reverse("petitions:letter", args=[ledger.a.pk])).content.decode()
    assert "路灯已于本周更换完毕。" in html and "张三" in html and world.D.name in html
    assert "13812345678" not in html
    office_html = client_for(world.office).get(reverse("petitions:letter", args=[ledger.a.pk])).content.decode()
    assert "张三" not in office_html  # masked for the office: a blank to write the name in


def test_resident_rates_on_the_tracking_page_once(world, ledger, client):
    to_fed_back(world, ledger.a)
    url = reverse("tracking:detail", args=[ledger.a.tracking_number])
    assert 'id="rate-form"' in client.get(url).content.decode()
    rate_url = reverse("tracking:rate", args=[ledger.a.tracking_number])
    code = fresh(ledger.a).rating_code
    assert len(code) == 6 and code.isdigit()
    sms = OutboxMessage.objects.get(key=f"petition:{ledger.a.pk}:rating-code:1", channel="sms")
    assert sms.address == "13812345678" and code in sms.body
    assert client.post(rate_url, {"comment": "很好", "code": code}).status_code == 400
    # Knowing the tracking number is not enough: departments and representatives know it too.
    wrong = client.post(rate_url, {"satisfaction": "satisfied", "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and Rating.objects.count() == 0
    assert "满意" in wrong.content.decode()  # what was chosen is still there
    response = client.post(
        rate_url, {"satisfaction": "satisfied", "comment": "很及时", "code": f" {code[:3]} {code[3:]} "}
    )
    assert response.status_code == 302
    assert Rating.objects.get(petition=ledger.a, rater="resident").satisfaction == "satisfied"
    assert fresh(ledger.a).status == Status.RATED
    event = PetitionEvent.objects.filter(petition=ledger.a, kind="rated").get()
    assert event.actor is None and event.actor_label == "resident"
    assert 'id="rate-form"' not in client.get(url).content.decode()
    assert client.post(rate_url, {"satisfaction": "dissatisfied", "code": code}).status_code == 400
    assert Rating.objects.filter(petition=ledger.a).count() == 1


def test_dissatisfied_resident_reopens_the_item(world, ledger, client):
    to_fed_back(world, ledger.a)
    client.post(
        reverse("tracking:rate", args=[ledger.a.tracking_number]),
        {"satisfaction": "dissatisfied", "comment": "路灯还是不亮", "code": fresh(ledger.a).rating_code},
    )
    p = fresh(ledger.a)
    assert p.status == Status.ASSIGNED and p.round == 2
    assert Assignment.objects.filter(petition=p, round=2, role="lead", state="pending", department=world.D).exists()
    assert (p.satisfaction, p.feedback_method, p.rating_code) == ("", "", "")  # round 2 starts clean


def test_closed_results_on_the_station_public_page(world, ledger, client, client_for):
    to_fed_back(world, ledger.a)
    office = client_for(world.office)
    response = office.post(
        act_url(ledger.a, "close"),
        {"version": fresh(ledger.a).version, "public_result": "东关村三巷路灯已全部更换，夜间照明恢复。"},
    )
    assert response.status_code == 302
    assert fresh(ledger.a).status == Status.CLOSED
    page = client.get(reverse("public:station", args=[world.S1.public_code])).content.decode()
    assert "东关村三巷路灯已全部更换" in page
    assert "张三" not in page


def _workbook(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def test_desk_and_triage_lists_export_to_excel(world, ledger, client_for):
    assign(world, ledger.a)
    sheet = _workbook(client_for(world.dept).get(reverse("petitions:department") + "?tab=new&export=xlsx")).active
    numbers = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [ledger.a.tracking_number]
    triage = _workbook(client_for(world.office).get(reverse("petitions:triage") + "?export=xlsx")).active
    numbers = {row[1] for row in triage.iter_rows(min_row=2, values_only=True)}
    assert numbers == {ledger.b.tracking_number, ledger.c.tracking_number, ledger.d.tracking_number}
    assert "张三" not in str(list(triage.values))


def test_a_linked_item_sees_the_answer_without_the_other_petitioner(world, ledger, client):
    from petitions.ledger.services import petition_link

    petition_link(actor=world.staff, petition=ledger.c, target=ledger.a)
    assign(world, ledger.a)
    handling.petition_accept(actor=world.dept, petition=ledger.a)
    handling.petition_reply(
        actor=world.dept, petition=ledger.a, outcome="A", text="张三反映的路灯已修复，如有问题请拨13812345678联系。"
    )
    handling.petition_feed_back(actor=world.staff, petition=ledger.a, method="phone", text="已告知张三本人")
    html = client.get(reverse("tracking:detail", args=[ledger.c.tracking_number])).content.decode()
    assert "路灯已修复" in html
    assert "张三" not in html and "13812345678" not in html
    assert "已告知张三本人" not in html
    own = client.get(reverse("tracking:detail", args=[ledger.a.tracking_number])).content.decode()
    assert "张三反映的路灯已修复" in own
