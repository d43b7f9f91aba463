"""Settings per office, inherited downward (issue 15, "Who sets what"): the rule in
`liaison.office_settings`, every place that uses it, and the page 本级设置.

The world (tests/conftest.py): 延庆区 K (office OK) → 延庆镇 T1 (office OT1) → 东关村 C1 (station S1);
K → 康庄镇 T2 (no office) → 榆林堡村 C2 (S2); 朝阳区 K2 (office OK2) → 建外街道 → 建国里社区 (S3).
Deployment defaults (liaison/settings/base.py): quotas 2/2/3/3/3, notices 5 working days and 10 days,
first reply 24 hours, signature 人大代表联络站.
"""

import json
import urllib.request
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from liaison import office_settings
from liaison.models import AuditEntry, OfficeSettings, OutboxMessage
from liaison.office_settings import Book, office_settings_save
from liaison.outbox import Recipient, outbox_write
from liaison.sms import HttpSmsBackend, signature_of
from petitions.models import Department, Petition
from stations.models import EventKind, ReceptionEvent, RosterEntry
from stations.performance import services as performance
from stations.reception.events import notices
from stations.reception.events.selectors import roster_rows
from stations.reception.plans.selectors import plan_representatives_below_quota
from stations.reception.reports.selectors import attendance_rows
from tests.factories import RepresentativeFactory, make_petition

pytestmark = pytest.mark.django_db

DEFAULT_SIGN = "人大代表联络站"


def setting(world, office, **values):
    """The office's own values, set through the service as the office itself."""
    actor = {world.OK.pk: world.office, world.OT1.pk: world.office_t1, world.OK2.pk: world.office_k2}[office.pk]
    return office_settings_save(office=office, actor=actor, values=values)


def event_at(station, day, kind=EventKind.RECEPTION):
    visit = kind == EventKind.DEPARTMENT_VISIT
    return ReceptionEvent.objects.create(
        station=station,
        kind=kind,
        department=Department.objects.order_by("pk").first() if visit else None,
        date=day,
        start_time=time(9),
        end_time=time(11, 30),
        place="会议室",
        status=ReceptionEvent.Status.SCHEDULED,
    )


# --------------------------------------------------------------------------- the rule


def test_a_district_quota_is_inherited_below_until_a_township_sets_its_own(world):
    j = world.j
    setting(world, world.OK, quota_county=5)
    book = Book.load()
    # The district, a township with an office below it, a village below that, a township without an office.
    for place in (j.K, j.T1, j.C1, j.T2, j.C2):
        found = book.effective("quota_county", place.code)
        assert (found.value, found.office) == (5, world.OK), place.name
    # A sibling district keeps the deployment default, and says so.
    found = book.effective("quota_county", j.K2.code)
    assert (found.value, found.office) == (3, None)
    assert found.source == "系统默认值"
    assert book.quota("township", j.C1.code) == 3  # a level the district left alone: the default

    setting(world, world.OT1, quota_county=2)
    book = Book.load()
    assert book.effective("quota_county", j.C1.code).office == world.OT1
    assert book.quota("county", j.C1.code) == 2
    assert book.quota("county", j.C2.code) == 5  # the other township still follows the district
    assert book.quota("county", j.K.code) == 5  # a township's setting never reaches up
    assert book.quota("county", j.C3.code) == 3

    # Cleared: the township follows the district again.
    setting(world, world.OT1, quota_county=None)
    assert office_settings.quota("county", j.C1.code) == 5


def test_one_place_is_one_query_and_a_loaded_book_none(world, django_assert_num_queries):
    setting(world, world.OK, online_reply_hours=12)
    with django_assert_num_queries(1):
        assert office_settings.online_reply_hours(world.j.C1.code) == 12
    book = Book.load()
    with django_assert_num_queries(0):
        assert [book.value("online_reply_hours", p.code) for p in (world.j.C1, world.j.C3)] == [12, 24]
    assert office_settings.online_reply_hours("") == 24  # nowhere: the default


def test_the_sql_quota_agrees_with_the_rule(world):
    setting(world, world.OK, quota_county=5, quota_city=1)
    setting(world, world.OT1, quota_township=7)
    extra = RepresentativeFactory(level="township", jurisdiction=world.j.T1)
    other = RepresentativeFactory(level="township", jurisdiction=world.j.T2)
    rows = {r.pk: r.quota for r in attendance_rows(world.admin, 2026)}
    book = Book.load()
    for rep in (world.R1, world.R2, world.R3, world.R4, extra, other):
        assert rows[rep.pk] == book.quota(rep.level, rep.jurisdiction.code), rep.name
    assert (rows[world.R1.pk], rows[world.R3.pk], rows[world.R4.pk]) == (5, 3, 1)
    assert (rows[extra.pk], rows[other.pk]) == (7, 3)


def test_the_database_refuses_values_out_of_range(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeSettings.objects.create(office=world.OK, online_reply_hours=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeSettings.objects.create(office=world.OK, quota_city=51)


# --------------------------------------------------------------------------- every place that uses it


def test_an_online_item_gets_the_first_reply_hours_of_its_place(world, django_capture_on_commit_callbacks):
    setting(world, world.OK, online_reply_hours=12)
    with django_capture_on_commit_callbacks(execute=True):
        township = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
        chaoyang = make_petition(station=world.S3, channel="qr", representatives=[world.R3])
    assert township.first_reply_due_at - township.registered_at == timedelta(hours=12)
    assert chaoyang.first_reply_due_at - chaoyang.registered_at == timedelta(hours=24)
    told = OutboxMessage.objects.get(key=f"petition:{township.pk}:online:rep:{world.R1.pk}", channel="inbox")
    assert "12 小时" in told.body
    # What the item was promised stays when the office changes its hours later.
    setting(world, world.OK, online_reply_hours=48)
    assert Petition.objects.get(pk=township.pk).first_reply_hours == 12


def test_the_item_page_and_the_late_reminder_speak_of_the_item_s_own_hours(world, client_for):
    from petitions.handling.reminders import reminders_queue, reminders_send
    from petitions.ledger.services import petition_reply_online

    setting(world, world.OK, online_reply_hours=12)
    answered = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
    petition_reply_online(actor=world.rep, petition=answered, text="已收到，本周内联系社区处理。")
    html = client_for(world.office).get(reverse("petitions:detail", args=[answered.pk])).content.decode()
    assert "未超过 12 小时时限" in html
    late = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
    later = late.first_reply_due_at + timedelta(hours=1)
    reminders_queue(now=later)
    reminders_send(now=later)
    sms = OutboxMessage.objects.get(key__startswith=f"online-late:p{late.pk}:", channel="sms")
    assert "超过12小时" in sms.body and sms.body.startswith(f"【{DEFAULT_SIGN}】")


def test_the_public_pages_promise_the_hours_of_the_place(world, client):
    setting(world, world.OK, online_reply_hours=12)
    form = client.get(reverse("public:station_petition", args=[world.S1.public_code])).content.decode()
    assert "12 小时" in form
    item = make_petition(station=world.S1, channel="qr")
    setting(world, world.OK, online_reply_hours=6)  # later: the item keeps its own promise
    page = client.get(reverse("tracking:detail", args=[item.tracking_number])).content.decode()
    assert 'id="track-awaiting"' in page and "12 小时" in page


def test_reception_and_visit_notices_follow_the_station_s_office(world):
    setting(world, world.OK, reception_notice_working_days=3, visit_notice_days=14)
    # 2026-10-20 (Tue): three working days back is 10-15 (Thu); five is 10-13 (Tue).
    assert notices.notice_date(event_at(world.S1, date(2026, 10, 20))) == date(2026, 10, 15)
    assert notices.notice_date(event_at(world.S3, date(2026, 10, 20))) == date(2026, 10, 13)
    # A visit on 2026-12-18 (Fri): 14 days back is 12-04 (Fri); 10 days back 12-08 (Tue).
    visit = event_at(world.S1, date(2026, 12, 18), kind=EventKind.DEPARTMENT_VISIT)
    assert notices.notice_date(visit) == date(2026, 12, 4)
    assert notices.notice_date(event_at(world.S3, date(2026, 12, 18), kind=EventKind.DEPARTMENT_VISIT)) == date(
        2026, 12, 8
    )
    # The hourly run writes the notice on that day, not before.
    RosterEntry.objects.create(event=visit, representative=world.R1)
    assert notices.queue_due_notices(today=date(2026, 12, 3)) == 0
    assert notices.queue_due_notices(today=date(2026, 12, 4)) > 0


def test_a_notice_more_than_a_month_ahead_is_still_written(world):
    setting(world, world.OK, reception_notice_working_days=30)
    event = event_at(world.S1, date(2026, 12, 31))
    RosterEntry.objects.create(event=event, representative=world.R1)
    due = notices.notice_date(event)
    assert (event.date - due).days > 40
    assert notices.queue_due_notices(today=due) > 0


def test_an_sms_about_yanqing_is_signed_by_its_office_and_one_about_chaoyang_keeps_the_default(world):
    setting(world, world.OK, sms_sign_name="延庆区人大常委会")
    for station, rep in ((world.S1, world.R1), (world.S3, world.R3)):
        RosterEntry.objects.create(event=event_at(station, date(2026, 10, 20)), representative=rep)
    notices.queue_due_notices(today=date(2026, 10, 13))
    yanqing = OutboxMessage.objects.get(channel="sms", station=world.S1)
    chaoyang = OutboxMessage.objects.get(channel="sms", station=world.S3)
    assert yanqing.body.startswith("【延庆区人大常委会】") and world.S1.name in yanqing.body
    assert chaoyang.body.startswith(f"【{DEFAULT_SIGN}】") and world.S3.name in chaoyang.body
    # Only the text message is signed.
    assert not OutboxMessage.objects.get(channel="inbox", station=world.S1).body.startswith("【")


def test_the_signature_of_the_nearest_office_that_has_one(world, ledger):
    setting(world, world.OK, sms_sign_name="延庆区人大常委会")
    setting(world, world.OT1, sms_sign_name="延庆镇人大主席团")

    def signed(**where):
        with transaction.atomic():
            outbox_write(
                key=f"test:{where}", topic="test", recipient=Recipient(name="居民", phone="13700000000"), subject="s",
                body="b", sms_text="短信", **where,
            )  # fmt: skip
        return OutboxMessage.objects.get(key=f"test:{where}").body

    assert signed(station=world.S1) == "【延庆镇人大主席团】短信"  # S1 lies in 延庆镇
    assert signed(station=world.S2) == "【延庆区人大常委会】短信"  # 康庄镇 has no office: the district's
    assert signed(place=world.j.K2.code) == f"【{DEFAULT_SIGN}】短信"
    assert signed(place="") == f"【{DEFAULT_SIGN}】短信"  # about no place: the default


def test_the_rating_code_sms_of_an_item_is_signed_for_its_place(world, ledger):
    from petitions.handling.notifications import send_rating_code

    setting(world, world.OK, sms_sign_name="延庆区人大常委会")
    for item in (ledger.a, ledger.e):
        item.rating_code = "123456"
        send_rating_code(item)
    assert OutboxMessage.objects.get(key__startswith=f"petition:{ledger.a.pk}:rating-code").body.startswith(
        "【延庆区人大常委会】"
    )
    assert OutboxMessage.objects.get(key__startswith=f"petition:{ledger.e.pk}:rating-code").body.startswith(
        f"【{DEFAULT_SIGN}】"
    )


def test_the_gateway_gets_the_signature_the_text_carries(world, settings, monkeypatch):
    """The HTTP gateway is outside our system: its request is what we check."""
    settings.LIAISON_SMS_GATEWAY_URL = "http://gateway.invalid/send"
    sent = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n):
            return b'{"id": "g-1"}'

    def urlopen(request, timeout):
        sent.append(json.loads(request.data))
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    assert HttpSmsBackend().send(phone="13700000000", text="【延庆区人大常委会】通知", key="k1") == "g-1"
    assert sent == [
        {"phone": "13700000000", "text": "【延庆区人大常委会】通知", "sign": "延庆区人大常委会", "out_id": "k1"}
    ]
    assert signature_of("没有签名") == DEFAULT_SIGN


def test_quotas_in_the_performance_record_the_roster_and_a_plan_s_review(world):
    setting(world, world.OK, quota_county=5)
    assert performance.record_for(world.R1, 2026).figures.quota == 5
    assert performance.record_for(world.R3, 2026).figures.quota == 3
    ranked = {row.representative.pk: row.figures.quota for row in performance.ranking(world.admin, 2026)}
    assert (ranked[world.R1.pk], ranked[world.R3.pk]) == (5, 3)
    event = event_at(world.S1, date(2026, 10, 20))
    RosterEntry.objects.create(event=event, representative=world.R1)
    assert [row.quota for row in roster_rows(event)] == [5]


def test_a_plan_s_review_counts_against_the_office_s_quota(world):
    from stations.models import ReceptionPlan

    plan = ReceptionPlan.objects.create(jurisdiction=world.j.K, year=2026)
    below = set(plan_representatives_below_quota(plan).values_list("pk", flat=True))
    assert world.R1.pk in below  # county quota 3, no events
    setting(world, world.OK, quota_county=0)
    below = set(plan_representatives_below_quota(plan).values_list("pk", flat=True))
    assert world.R1.pk not in below


# --------------------------------------------------------------------------- the page


def page_url(office):
    return reverse("office_settings", args=[office.pk])


def test_who_opens_which_settings_page(world, client_for, client):
    assert client.get(page_url(world.OK)).status_code == 302  # to sign-in
    office = client_for(world.office)
    assert office.get(page_url(world.OK)).status_code == 200
    assert office.get(page_url(world.OK2)).status_code == 404  # another district
    assert office.get(page_url(world.OT1)).status_code == 404  # the township below sets its own
    assert client_for(world.office_t1).get(page_url(world.OK)).status_code == 404  # nor the one above
    for user in (world.staff, world.rep, world.dept):
        assert client_for(user).get(page_url(world.OK)).status_code == 403
        assert client_for(user).post(page_url(world.OK), {"quota_county": "9"}).status_code == 403
    admin = client_for(world.admin)
    assert admin.get(page_url(world.OK2)).status_code == 200
    assert admin.get(reverse("office_settings", args=[99999])).status_code == 404
    # The menu entry: an office goes to its own page, the administrator chooses.
    response = office.get(reverse("office_settings_home"))
    assert response.status_code == 302 and response.url == page_url(world.OK)
    choose = admin.get(reverse("office_settings_home"))
    assert choose.status_code == 200 and world.OK2.name in choose.content.decode()
    assert admin.get(reverse("office_settings_home"), {"office": world.OK2.pk}).url == page_url(world.OK2)
    assert admin.get(reverse("office_settings_home"), {"office": "x"}).status_code == 404
    assert not OfficeSettings.objects.exists()


def test_the_service_refuses_another_office(world):
    with pytest.raises(PermissionDenied):
        office_settings_save(office=world.OK, actor=world.office_t1, values={"quota_county": 4})
    with pytest.raises(PermissionDenied):
        office_settings_save(office=world.OK, actor=world.staff, values={"quota_county": 4})
    assert office_settings_save(office=world.OK, actor=world.admin, values={"quota_county": 4})
    assert office_settings.quota("county", world.j.K.code) == 4


def test_the_page_shows_what_applies_and_where_it_comes_from(world, client_for):
    setting(world, world.OK, online_reply_hours=12, sms_sign_name="延庆区人大常委会")
    html = client_for(world.office_t1).get(page_url(world.OT1)).content.decode()
    row = html.split('data-setting="online_reply_hours"')[1].split("data-setting=")[0]
    assert "12" in row and "延庆区人大常委会" in row  # inherited from the district
    assert 'placeholder="12"' in row and 'value="' not in row  # blank: follows the district
    row = html.split('data-setting="visit_notice_days"')[1].split("data-setting=")[0]
    assert "10" in row and "系统默认值" in row
    html = client_for(world.office).get(page_url(world.OK)).content.decode()
    row = html.split('data-setting="online_reply_hours"')[1].split("data-setting=")[0]
    assert 'value="12"' in row and "本机关设置" in row
    assert "【延庆区人大常委会】" in html


def test_saving_sets_clears_and_audits_before_and_after(world, client_for):
    setting(world, world.OK, quota_city=4)
    client = client_for(world.office)
    response = client.post(
        page_url(world.OK),
        {"quota_city": "", "quota_county": "6", "online_reply_hours": "12", "sms_sign_name": "【延庆区人大常委会】"},
    )
    assert response.status_code == 302
    own = OfficeSettings.objects.get(office=world.OK)
    assert (own.quota_city, own.quota_county, own.online_reply_hours) == (None, 6, 12)
    assert own.sms_sign_name == "延庆区人大常委会"  # stored without the brackets
    assert own.updated_by == world.office
    line = AuditEntry.objects.filter(action=AuditEntry.Action.NETWORK, object_pk=str(world.OK.pk)).latest("pk")
    assert line.user == world.office and line.area_code == world.j.K.code
    assert line.detail["before"] == {
        "quota_city": 4,
        "quota_county": None,
        "online_reply_hours": None,
        "sms_sign_name": "",
    }
    assert line.detail["after"] == {
        "quota_city": None,
        "quota_county": 6,
        "online_reply_hours": 12,
        "sms_sign_name": "延庆区人大常委会",
    }
    # The same values again change nothing and write no line.
    count = AuditEntry.objects.count()
    client.post(
        page_url(world.OK), {"quota_county": "6", "online_reply_hours": "12", "sms_sign_name": "延庆区人大常委会"}
    )
    assert AuditEntry.objects.count() == count


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("quota_county", "51", "请输入0到50之间的整数"),
        ("quota_county", "-1", "请输入0到50之间的整数"),
        ("quota_county", "三", "请输入0到50之间的整数"),
        ("reception_notice_working_days", "0", "请输入1到30之间的整数"),
        ("visit_notice_days", "31", "请输入1到30之间的整数"),
        ("online_reply_hours", "169", "请输入1到168之间的整数"),
        ("sms_sign_name", "延", "签名为2至20个字"),
        ("sms_sign_name", "延庆区人大常委会延庆区人大常委会延庆区人大", "签名为2至20个字"),
        ("sms_sign_name", "延庆 区", "不要有空格或括号"),
        ("sms_sign_name", "【延庆】区】", "不要有空格或括号"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_keeps_what_was_typed(world, client_for, field, typed, message):
    data = {"quota_city": "4", field: typed}
    response = client_for(world.office).post(page_url(world.OK), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html and 'value="4"' in html  # both fields as typed
    assert "is-invalid" in html.split(f'data-setting="{field}"')[1].split("data-setting=")[0]
    assert not OfficeSettings.objects.exists() and not AuditEntry.objects.filter(action="network").exists()
