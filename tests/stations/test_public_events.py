"""Public announcements of reception days: the event page, the printable notice, the station page's next day."""

from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stations.models import Campaign, EventKind, ReceptionEvent, ReceptionPlan, RosterEntry
from tests.factories import MembershipFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
S = ReceptionEvent.Status


@pytest.fixture(autouse=True)
def _english(client):
    """Assertions read the English source strings, whatever the catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def today():
    return timezone.localdate()


def make_event(station, *, days=7, kind=EventKind.RECEPTION, status=S.SCHEDULED, reps=(), **fields):
    fields.setdefault("place", station.address)
    event = ReceptionEvent.objects.create(
        station=station,
        kind=kind,
        status=status,
        date=today() + timedelta(days=days),
        start_time=time(9),
        end_time=time(11, 30),
        **fields,
    )
    RosterEntry.objects.bulk_create([RosterEntry(event=event, representative=rep) for rep in reps])
    return event


def event_url(event, name="event", public_code=None):
    return reverse(f"public:{name}", kwargs={"public_code": public_code or event.station.public_code, "pk": event.pk})


@pytest.fixture
def reception(world):
    world.R1.work_unit, world.R1.position, world.R1.public_phone = "延庆区第一中学", "校长", "010-69105678"
    world.R1.save()
    world.R5 = RepresentativeFactory(
        name="孙志强",
        level="township",
        jurisdiction=world.j.T1,
        work_unit="东关村村民委员会",
        public_phone="13700001111",
        private_phone="13912345678",
    )
    MembershipFactory(representative=world.R5, station=world.S1)
    world.event = make_event(
        world.S1, reps=[world.R1, world.R5], place="东关村村委会二层会议室", public_note="请从村委会东门进入。"
    )
    return world


# --- the announcement ----------------------------------------------------------


def test_announcement_shows_when_where_and_who_with_public_phones_only(client, reception):
    w = reception
    response = client.get(event_url(w.event))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Representatives&#x27; reception day" in html or "Representatives' reception day" in html
    # Date with weekday, time, place, the station's address and phone.
    assert w.event.date.strftime("%A") in html
    assert "09:00–11:30" in html
    assert "东关村村委会二层会议室" in html and w.S1.address in html and w.S1.phone in html
    assert "请从村委会东门进入。" in html
    # The rostered representatives with level, work unit and public phone ...
    for text in ("张建国", "延庆区第一中学", "010-69105678", "孙志强", "东关村村民委员会", "13700001111", "Township"):
        assert text in html, text
    # ... never their private phones or numbers.
    for secret in (w.R1.private_phone, w.R5.private_phone, w.R1.code, w.R5.code, w.S1.code):
        assert secret not in html, secret
    # The station's QR code and the printable notice.
    assert reverse("public:station_qr", args=[w.S1.public_code]) in html
    assert event_url(w.event, "event_print") in html
    assert "is cancelled" not in html


def test_retired_representative_is_not_announced(client, reception):
    reception.R5.is_active = False
    reception.R5.save()
    html = client.get(event_url(reception.event)).content.decode()
    assert "张建国" in html and "孙志强" not in html


def test_photo_of_a_rostered_representative_is_shown_and_served(client, reception):
    w = reception
    visitor = RepresentativeFactory(name="外站代表", jurisdiction=w.j.K)  # on the roster, member of no station
    visitor.photo = SimpleUploadedFile("face.png", PNG, content_type="image/png")
    visitor.save()
    photo_url = reverse("public:representative_photo", kwargs={"pk": visitor.pk})
    assert client.get(photo_url).status_code == 404
    RosterEntry.objects.create(event=w.event, representative=visitor)

    assert photo_url in client.get(event_url(w.event)).content.decode()
    assert client.get(photo_url).status_code == 200
    # Only while the event is public.
    w.event.status = S.DRAFT
    w.event.save()
    assert client.get(photo_url).status_code == 404


def test_draft_events_and_events_of_a_draft_plan_are_404(client, reception):
    w = reception
    draft = make_event(w.S1, status=S.DRAFT, reps=[w.R1])
    assert client.get(event_url(draft)).status_code == 404
    assert client.get(event_url(draft, "event_print")).status_code == 404
    plan = ReceptionPlan.objects.create(jurisdiction=w.j.K, year=today().year)
    w.event.plan = plan
    w.event.save()
    for status in (S.SCHEDULED, S.CANCELLED):
        w.event.status = status
        w.event.save()
        assert client.get(event_url(w.event)).status_code == 404, status
    plan.status = ReceptionPlan.Status.PUBLISHED
    plan.save()
    assert client.get(event_url(w.event)).status_code == 200


def test_other_station_unknown_and_closed_stations_are_404(client, reception):
    w = reception
    assert client.get(event_url(w.event, public_code=w.S2.public_code)).status_code == 404
    assert client.get(event_url(w.event, "event_print", public_code=w.S2.public_code)).status_code == 404
    assert client.get(event_url(w.event, public_code="ZZZZZZZZ")).status_code == 404
    assert (
        client.get(reverse("public:event", kwargs={"public_code": w.S1.public_code, "pk": 999999})).status_code == 404
    )
    w.S1.is_active = False
    w.S1.save()
    assert client.get(event_url(w.event)).status_code == 404
    assert client.get(event_url(w.event, "event_print")).status_code == 404


def test_cancelled_event_shows_a_banner(client, reception):
    w = reception
    w.event.status = S.CANCELLED
    w.event.save()
    for name in ("event", "event_print"):
        response = client.get(event_url(w.event, name))
        assert response.status_code == 200
        html = response.content.decode()
        assert "This reception day is cancelled." in html
        assert 'id="event-cancelled"' in html
    visit = make_event(w.S1, kind=EventKind.DEPARTMENT_VISIT, department=w.D, status=S.CANCELLED)
    assert "This event is cancelled." in client.get(event_url(visit)).content.decode()


def test_held_event_says_so_without_its_internal_record(client, reception):
    w = reception
    w.event.status, w.event.date = S.HELD, today() - timedelta(days=3)
    w.event.residents_received, w.event.opinions_collected, w.event.summary = 23, 9, "内部小结"
    w.event.save()
    RosterEntry.objects.filter(event=w.event, representative=w.R5).update(attended=False)
    html = client.get(event_url(w.event)).content.decode()
    assert "This event has taken place." in html
    # The record (figures, summary, who came) is the office's; the page shows the announcement as it was.
    assert "内部小结" not in html and "residents were received" not in html
    assert "张建国" in html and "孙志强" in html


def test_department_visit_names_department_head_duties_and_topics(client, reception):
    w = reception
    visit = make_event(
        w.S1,
        kind=EventKind.DEPARTMENT_VISIT,
        department=w.D,
        department_head="刘建华",
        department_duties="负责全区住房保障和房地产市场监管。",
        topics="老旧小区加装电梯；物业管理",
        reps=[w.R1],
    )
    for name in ("event", "event_print"):
        html = client.get(event_url(visit, name)).content.decode()
        for text in (
            "区住房和城乡建设委员会",
            "刘建华",
            "负责全区住房保障和房地产市场监管。",
            "老旧小区加装电梯",
            "张建国",
        ):
            assert text in html, (name, text)
        assert "Department-head visit" in html or "department-head visit" in html


def test_campaign_activity_and_voter_meeting_are_named(client, reception):
    w = reception
    campaign = Campaign.objects.create(
        name="集中联系选民月", jurisdiction=w.j.K, start_date=today(), end_date=today() + timedelta(days=30)
    )
    activity = make_event(w.S1, kind=EventKind.CAMPAIGN, campaign=campaign)
    meeting = make_event(w.S1, kind=EventKind.VOTER_MEETING, days=9)
    html = client.get(event_url(activity)).content.decode()
    assert "集中联系选民月 activity" in html
    assert "集中联系选民月" in client.get(event_url(activity, "event_print")).content.decode()
    assert "Voter meeting" in client.get(event_url(meeting)).content.decode()
    assert "meet their voters" in client.get(event_url(meeting, "event_print")).content.decode()


def test_announcement_query_count_is_bounded(client, reception, django_assert_max_num_queries):
    w = reception
    for i in range(10):
        RosterEntry.objects.create(
            event=w.event, representative=RepresentativeFactory(name=f"值班代表{i}", jurisdiction=w.j.K)
        )
    with django_assert_max_num_queries(2):
        assert client.get(event_url(w.event)).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(event_url(w.event, "event_print")).status_code == 200


# --- the printable notice -----------------------------------------------------------


def test_print_notice(client, reception, settings):
    settings.SITE_URL = "https://rd.example.gov.cn"
    w = reception
    response = client.get(event_url(w.event, "event_print"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Notice of the representatives&#x27; reception day" in html
    assert "@page" in html and "A4" in html and 'data-action="print"' in html
    for text in (
        "张建国",
        "延庆区第一中学",
        "010-69105678",
        "孙志强",
        "13700001111",
        "东关村村委会二层会议室",
        w.S1.address,
        w.S1.name,
        "What to bring",
        "How to reach the station",
    ):
        assert text in html, text
    for secret in (w.R1.private_phone, w.R5.private_phone, w.R1.code):
        assert secret not in html, secret
    assert reverse("public:station_qr", args=[w.S1.public_code]) in html
    assert f"https://rd.example.gov.cn/s/{w.S1.public_code}/petition/" in html
    assert response.context["issued_on"] == today()


def test_print_notice_keeps_to_a_page_with_many_representatives(client, reception):
    for _i in range(14):
        RosterEntry.objects.create(
            event=reception.event, representative=RepresentativeFactory(jurisdiction=reception.j.K)
        )
    response = client.get(event_url(reception.event, "event_print"))
    assert len(response.context["roster"]) == 8
    assert response.context["more_roster"] == 8  # 16 in all
    html = response.content.decode()
    assert "notice-many" in html and "and 8 more representatives" in html


# --- the station page ---------------------------------------------------------------


def test_station_page_shows_the_next_reception_day(client, reception):
    w = reception
    past = make_event(w.S1, days=-5, status=S.HELD)
    later = make_event(w.S1, days=40, reps=[w.R1])
    cancelled = make_event(w.S1, days=2, status=S.CANCELLED)
    draft = make_event(w.S1, days=1, status=S.DRAFT)
    elsewhere = make_event(w.S2, days=1)
    visit = make_event(w.S1, days=12, kind=EventKind.DEPARTMENT_VISIT, department=w.D)
    meeting = make_event(w.S1, days=50, kind=EventKind.VOTER_MEETING)

    response = client.get(reverse("public:station", args=[w.S1.public_code]))
    html = response.content.decode()
    assert response.context["next_reception"] == w.event
    assert [e.pk for e in response.context["other_events"]] == [visit.pk, meeting.pk]
    assert 'id="next-reception"' in html and "Next reception day" in html
    assert event_url(w.event) in html and event_url(visit) in html and event_url(meeting) in html
    for hidden in (past, later, cancelled, draft, elsewhere):
        assert event_url(hidden) not in html
    section = html[html.index('id="next-reception"') : html.index('id="coming-events"')]
    assert "张建国" in section and "孙志强" in section and "09:00–11:30" in section
    assert w.event.date.strftime("%A") in section
    assert w.R5.private_phone not in html


def test_todays_reception_day_is_still_the_next_one(client, reception):
    w = reception
    w.event.date = today()
    w.event.save()
    assert client.get(reverse("public:station", args=[w.S1.public_code])).context["next_reception"] == w.event


def test_station_page_without_events_has_no_event_sections(client, world):
    html = client.get(reverse("public:station", args=[world.S1.public_code])).content.decode()
    assert 'id="next-reception"' not in html and 'id="coming-events"' not in html


def test_station_page_lists_other_events_without_a_reception_day(client, world):
    visits = [make_event(world.S1, days=d, kind=EventKind.VOTER_MEETING) for d in (3, 4, 5, 6)]
    response = client.get(reverse("public:station", args=[world.S1.public_code]))
    assert response.context["next_reception"] is None
    assert [e.pk for e in response.context["other_events"]] == [e.pk for e in visits[:3]]


def test_station_page_query_count_with_events(client, reception, django_assert_max_num_queries):
    w = reception
    for d in range(10, 20):
        make_event(
            w.S1,
            days=d,
            kind=EventKind.VOTER_MEETING,
            reps=[RepresentativeFactory(jurisdiction=w.j.K) for _ in range(3)],
        )
    for _i in range(10):
        MembershipFactory(representative=RepresentativeFactory(jurisdiction=w.j.K), station=w.S1)
    # Station, next events, their rosters, members, officers, closed items' public results.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("public:station", args=[w.S1.public_code])).status_code == 200
