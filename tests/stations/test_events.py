"""Event pages: the role × view matrix, create and edit, the day's record, photos, the export."""

import io
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from stations.models import EventKind, EventPhoto, ReceptionEvent, ReceptionPlan, RosterEntry
from stations.reception.events import services

pytestmark = pytest.mark.django_db

ACCOUNTS = ["admin", "office", "office_k2", "staff", "nobody", "rep", "dept"]
# Who sees an event at S1 (東关村, district K); the rest get 404.
SEES_S1 = {"admin", "office", "staff", "rep"}
RUNS_EVENTS = {"admin", "office", "staff"}  # add/change events, rosters, the record


def today():
    return timezone.localdate()


def make_event(station, day=None, *, start=time(9), end=time(11, 30), status=ReceptionEvent.Status.SCHEDULED, **extra):
    extra.setdefault("place", station.address)
    return ReceptionEvent.objects.create(
        station=station,
        date=day or today() + timedelta(days=20),
        start_time=start,
        end_time=end,
        status=status,
        **extra,
    )


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {2: (40, 27, 0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def event_data(world, **overrides):
    data = {
        "station": world.S1.pk,
        "kind": "reception",
        "title": "",
        "date": (today() + timedelta(days=30)).isoformat(),
        "start_time": "09:00",
        "end_time": "11:30",
        "place": "东关村村委会二楼",
        "open_slots": "2",
        "campaign": "",
        "department": "",
        "department_head": "",
        "department_duties": "",
        "topics": "",
        "public_note": "",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- role matrix


@pytest.mark.parametrize("account", ACCOUNTS)
def test_event_pages_matrix(world, client_for, account):
    user = getattr(world, account)
    client = client_for(user)
    event = make_event(world.S1)
    past = make_event(world.S1, today() - timedelta(days=1))
    photo = EventPhoto.objects.create(event=past, file=SimpleUploadedFile("p.jpg", jpeg_with_gps()), size=1)

    sees = account in SEES_S1
    runs = account in RUNS_EVENTS
    expected_detail = 200 if sees else 404
    expected_run = (200 if runs else 403) if sees else 404

    assert client.get(reverse("reception:event_list")).status_code == 200
    assert client.get(reverse("reception:event_list") + "?format=xlsx").status_code == 200
    assert client.get(reverse("reception:event_detail", args=[event.pk])).status_code == expected_detail
    assert client.get(reverse("reception:event_update", args=[event.pk])).status_code == expected_run
    assert client.get(reverse("reception:event_create")).status_code == (
        200 if account in RUNS_EVENTS | {"office_k2", "nobody"} else 403
    )
    assert client.get(reverse("reception:roster_candidates", args=[event.pk])).status_code == expected_run
    assert client.get(reverse("reception:photo", args=[photo.pk])).status_code == expected_detail

    my_days = client.get(reverse("reception:my_days"))
    if account == "rep":
        assert my_days.status_code == 200
    else:
        assert my_days.status_code == 302 and my_days["Location"] == reverse("reception:event_list")

    # Writes: 404 outside the scope, 403 without the capability, else done (redirect).
    post_run = 302 if runs else (403 if sees else 404)
    response = client.post(reverse("reception:roster_add", args=[event.pk]), {"representative": world.R1.pk})
    assert response.status_code == post_run
    assert RosterEntry.objects.filter(event=event, representative=world.R1).exists() == runs
    response = client.post(reverse("reception:event_record", args=[past.pk]), {"residents_received": "12"})
    assert response.status_code == post_run
    past.refresh_from_db()
    assert (past.status == ReceptionEvent.Status.HELD) == runs
    response = client.post(reverse("reception:event_cancel", args=[event.pk]), {"reason": "场地维修"})
    assert response.status_code == post_run
    response = client.post(reverse("reception:volunteer", args=[event.pk]))
    # admin has every permission but no representative: told so, no 403.
    assert response.status_code == (404 if not sees else (302 if account in ("rep", "admin") else 403))


def test_department_sees_its_visit_but_not_other_events(world, client_for):
    visit = make_event(world.S2, kind=EventKind.DEPARTMENT_VISIT, department=world.D)
    other = make_event(world.S2)
    client = client_for(world.dept)
    assert client.get(reverse("reception:event_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("reception:event_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("reception:event_update", args=[visit.pk])).status_code == 403
    listed = client.get(reverse("reception:event_list")).context["object_list"]
    assert [e.pk for e in listed] == [visit.pk]


def test_list_is_scoped_filtered_and_starts_today(world, client_for):
    coming = make_event(world.S1, today() + timedelta(days=3))
    old = make_event(world.S1, today() - timedelta(days=40), status=ReceptionEvent.Status.HELD)
    other_district = make_event(world.S3, today() + timedelta(days=3))
    RosterEntry.objects.create(event=coming, representative=world.R4)
    client = client_for(world.office)

    listed = client.get(reverse("reception:event_list")).context["object_list"]
    assert [e.pk for e in listed] == [coming.pk]  # from today on, only the office's district
    history = client.get(reverse("reception:event_list") + f"?station={world.S1.pk}").context["object_list"]
    assert [e.pk for e in history] == [old.pk, coming.pk]  # a station's history: every date
    by_rep = client.get(reverse("reception:event_list") + "?representative=赵丽华").context["object_list"]
    assert [e.pk for e in by_rep] == [coming.pk]
    held = client.get(reverse("reception:event_list") + "?status=held&date_from=").context["object_list"]
    assert [e.pk for e in held] == [old.pk]
    # Another district's station is not even a choice.
    response = client.get(reverse("reception:event_list") + f"?station={world.S3.pk}")
    assert other_district.pk not in [e.pk for e in response.context["object_list"]]
    assert not response.context["filter"].form.is_valid()


def test_export_contains_only_visible_events(world, client_for):
    mine = make_event(world.S1, today() + timedelta(days=3), place='=HYPERLINK("http://x")')
    RosterEntry.objects.create(event=mine, representative=world.R1)
    make_event(world.S3, today() + timedelta(days=3), place="建国里社区")
    response = client_for(world.staff).get(reverse("reception:event_list") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet["E2"].data_type == "s"  # a place starting with "=" stays text, never a formula
    assert len(rows) == 2  # the header and the one event staff of H1 can see
    assert rows[1][2] == world.S1.name and rows[1][5] == "张建国" and rows[1][1] == "09:00–11:30"
    assert all("建国里" not in str(v) for row in rows for v in row)


def test_export_refuses_too_many_rows(world, client_for, monkeypatch):
    from stations.reception.events import views as views_events

    monkeypatch.setattr(views_events, "EXPORT_MAX_ROWS", 1)
    make_event(world.S1, today() + timedelta(days=3))
    make_event(world.S1, today() + timedelta(days=4))
    response = client_for(world.office).get(reverse("reception:event_list") + "?format=xlsx&kind=reception")
    assert (
        response.status_code == 302
        and "format" not in response["Location"]
        and "kind=reception" in response["Location"]
    )


# --------------------------------------------------------------------------- create and edit


def test_create_event_with_station_from_query(world, client_for):
    client = client_for(world.staff)
    form = client.get(reverse("reception:event_create") + f"?station={world.S1.pk}").context["form"]
    assert form.initial["station"] == world.S1
    assert set(form.fields["station"].queryset) == {world.H1, world.S1, world.P1}
    response = client.post(reverse("reception:event_create"), event_data(world, place=""))
    event = ReceptionEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reception:event_detail", args=[event.pk])
    assert event.station == world.S1 and event.status == "scheduled" and event.created_by == world.staff
    assert event.place == world.S1.address  # empty place: the station's address


def test_form_errors_keep_what_was_typed(world, client_for):
    client = client_for(world.office)
    data = event_data(
        world,
        title="春季接待日",
        start_time="11:00",
        end_time="10:00",
        kind="department_visit",
        department_head="王局长",
        topics="老旧小区加装电梯",
    )
    response = client.post(reverse("reception:event_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "end_time" in form.errors and "department" in form.errors
    html = response.content.decode()
    assert 'value="春季接待日"' in html and "王局长" in html and "老旧小区加装电梯" in html
    assert not ReceptionEvent.objects.exists()


def test_station_outside_scope_is_refused(world, client_for):
    response = client_for(world.staff).post(reverse("reception:event_create"), event_data(world, station=world.S2.pk))
    assert response.status_code == 200 and "station" in response.context["form"].errors
    assert not ReceptionEvent.objects.exists()


def test_visit_needs_a_department_and_keeps_its_fields(world, client_for):
    client = client_for(world.office)
    response = client.post(
        reverse("reception:event_create"),
        event_data(
            world,
            kind="department_visit",
            department=world.D.pk,
            department_head="王局长",
            topics="停车难",
        ),
    )
    assert response.status_code == 302
    visit = ReceptionEvent.objects.get()
    assert visit.department == world.D and visit.topics == "停车难"
    # Switching to a reception day drops the visit details.
    data = event_data(world, kind="reception", department=world.D.pk, department_head="王局长", topics="停车难")
    del data["station"]
    client.post(reverse("reception:event_update", args=[visit.pk]), data)
    visit.refresh_from_db()
    assert visit.kind == "reception" and visit.department is None and visit.topics == ""
    with pytest.raises(ValidationError):
        services.event_update(actor=world.office, event=visit, data={"kind": EventKind.DEPARTMENT_VISIT})


def test_draft_events_are_the_office_s(world, client_for):
    plan = ReceptionPlan.objects.create(jurisdiction=world.j.K, year=today().year + 1)
    draft = make_event(world.S1, status=ReceptionEvent.Status.DRAFT, plan=plan)
    staff = client_for(world.staff)
    assert staff.get(reverse("reception:event_detail", args=[draft.pk])).context["can_edit"] is False
    assert staff.get(reverse("reception:event_update", args=[draft.pk])).status_code == 403
    assert (
        staff.post(reverse("reception:roster_add", args=[draft.pk]), {"representative": world.R1.pk}).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        services.event_update(actor=world.staff, event=draft, data={"place": "新址"})
    assert client_for(world.office).get(reverse("reception:event_update", args=[draft.pk])).status_code == 200
    services.event_update(actor=world.office, event=draft, data={"place": "新址"})
    draft.refresh_from_db()
    assert draft.place == "新址" and draft.status == "draft"


def test_held_event_cannot_be_rescheduled(world, client_for):
    held = make_event(world.S1, today() - timedelta(days=2), status=ReceptionEvent.Status.HELD)
    with pytest.raises(ValidationError, match="已举行"):
        services.event_update(actor=world.office, event=held, data={"date": today() + timedelta(days=1)})
    data = event_data(world, date=(today() + timedelta(days=1)).isoformat(), summary="")
    del data["station"]
    response = client_for(world.office).post(reverse("reception:event_update", args=[held.pk]), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert 'value="东关村村委会二楼"' in response.content.decode()  # kept what was typed
    held.refresh_from_db()
    assert held.date == today() - timedelta(days=2)
    # Other details can still be corrected.
    services.event_update(actor=world.office, event=held, data={"place": "村委会"})


def test_cancel_needs_a_reason_and_is_final(world, client_for):
    event = make_event(world.S1)
    client = client_for(world.staff)
    response = client.post(reverse("reception:event_cancel", args=[event.pk]), {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["cancel_form"].errors
    response = client.post(reverse("reception:event_cancel", args=[event.pk]), {"reason": "场地维修"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "cancelled" and event.public_note == "场地维修"
    response = client.get(reverse("reception:event_update", args=[event.pk]))
    assert response.status_code == 302  # a cancelled event is not edited
    with pytest.raises(ValidationError):
        services.event_cancel(actor=world.staff, event=event, reason="again")


# --------------------------------------------------------------------------- the day's record


def test_record_sets_held_and_attendance(world, client_for):
    event = make_event(world.S1, today())
    present = RosterEntry.objects.create(event=event, representative=world.R1)
    absent = RosterEntry.objects.create(event=event, representative=world.R4)
    response = client_for(world.staff).post(
        reverse("reception:event_record", args=[event.pk]),
        {
            "attended": [present.pk],
            "residents_received": "23",
            "opinions_collected": "7",
            "summary": "反映停车难问题",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    present.refresh_from_db()
    absent.refresh_from_db()
    assert event.status == "held" and event.residents_received == 23 and event.opinions_collected == 7
    assert event.recorded_by == world.staff and event.recorded_at is not None
    assert present.attended is True and present.checked_in_at is not None
    assert absent.attended is False and absent.checked_in_at is None
    # The office can see who came.
    html = client_for(world.office).get(reverse("reception:event_detail", args=[event.pk])).content.decode()
    assert "反映停车难问题" in html


def test_record_before_the_day_is_refused(world, client_for):
    event = make_event(world.S1, today() + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.event_record(
            actor=world.staff, event=event, attended_ids=[], residents_received=5, opinions_collected=1, summary=""
        )
    response = client_for(world.staff).post(
        reverse("reception:event_record", args=[event.pk]), {"residents_received": "5", "summary": "提前填写"}
    )
    assert response.status_code == 400
    assert "提前填写" in response.content.decode()
    event.refresh_from_db()
    assert event.status == "scheduled" and event.residents_received is None


def test_record_form_hidden_before_the_day(world, client_for):
    event = make_event(world.S1, today() + timedelta(days=1))
    context = client_for(world.staff).get(reverse("reception:event_detail", args=[event.pk])).context
    assert context["can_record"] is False and context["record_form"] is None


def test_record_rejects_entries_of_another_event(world):
    event = make_event(world.S1, today())
    other = make_event(world.S2, today())
    foreign = RosterEntry.objects.create(event=other, representative=world.R2)
    with pytest.raises(ValidationError):
        services.event_record(
            actor=world.staff,
            event=event,
            attended_ids=[foreign.pk],
            residents_received=1,
            opinions_collected=0,
            summary="",
        )


def test_photo_is_reencoded_and_served_in_scope_only(world, client_for):
    event = make_event(world.S1, today())
    staff = client_for(world.staff)
    upload = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = staff.post(reverse("reception:photo_add", args=[event.pk]), {"photo": upload, "caption": "接待现场"})
    assert response.status_code == 302
    photo = EventPhoto.objects.get(event=event)
    assert photo.caption == "接待现场" and photo.file.name.endswith(".jpg") and "现场" not in photo.file.name
    with photo.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG" and not image.getexif()
    served = staff.get(reverse("reception:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert client_for(world.office_k2).get(reverse("reception:photo", args=[photo.pk])).status_code == 404
    assert client_for(world.dept).get(reverse("reception:photo", args=[photo.pk])).status_code == 404

    bad = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    response = staff.post(reverse("reception:photo_add", args=[event.pk]), {"photo": bad, "caption": "坏文件"})
    assert response.status_code == 400 and "photo" in response.context["photo_form"].errors
    assert EventPhoto.objects.filter(event=event).count() == 1

    response = staff.post(reverse("reception:photo_delete", args=[photo.pk]))
    assert response.status_code == 302 and not EventPhoto.objects.exists()


def test_another_district_finds_no_photo_by_page_or_by_service(world, client_for):
    """`access_event_photo`: to another district's office a photo of an event in K does not
    exist, for the pages and the delete service alike, the same 404 as for a photo never taken;
    the photo stays."""
    event = make_event(world.S1, today())
    photo = services.event_photo_add(
        actor=world.staff, event=event, upload=SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    )
    outsider = client_for(world.office_k2)
    for pk in (photo.pk, photo.pk + 1000):
        assert outsider.get(reverse("reception:photo", args=[pk])).status_code == 404
        assert outsider.post(reverse("reception:photo_delete", args=[pk])).status_code == 404
        with pytest.raises(Http404):
            services.event_photo_delete(actor=world.office_k2, photo=pk)
    assert EventPhoto.objects.filter(pk=photo.pk).exists()
    # In scope but without the capability: 403, not 404.
    with pytest.raises(PermissionDenied):
        services.event_photo_delete(actor=world.rep, photo=photo.pk)
    services.event_photo_delete(actor=world.office, photo=photo)
    assert not EventPhoto.objects.exists()


def test_photo_before_the_day_is_refused(world):
    event = make_event(world.S1, today() + timedelta(days=2))
    with pytest.raises(ValidationError):
        services.event_photo_add(actor=world.staff, event=event, upload=SimpleUploadedFile("p.jpg", jpeg_with_gps()))


def test_public_links_when_scheduled(world, client_for):
    event = make_event(world.S1)
    context = client_for(world.staff).get(reverse("reception:event_detail", args=[event.pk])).context
    assert context["public_url"] == reverse("public:event", args=[world.S1.public_code, event.pk])
    assert context["print_url"] == reverse("public:event_print", args=[world.S1.public_code, event.pk])
    draft = make_event(world.S1, status=ReceptionEvent.Status.DRAFT)
    assert (
        client_for(world.office).get(reverse("reception:event_detail", args=[draft.pk])).context["public_url"] is None
    )


def test_detail_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    event = make_event(world.S1)
    for rep in (world.R1, world.R2, world.R4):
        RosterEntry.objects.create(event=event, representative=rep)
    client = client_for(world.office)
    client.get(reverse("reception:event_detail", args=[event.pk]))  # warm the session
    with django_assert_max_num_queries(20):  # 17 today, whatever the roster size
        client.get(reverse("reception:event_detail", args=[event.pk]))


def test_list_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    for i in range(15):
        event = make_event(world.S1, today() + timedelta(days=i + 1))
        RosterEntry.objects.create(event=event, representative=world.R1)
    client = client_for(world.office)
    client.get(reverse("reception:event_list"))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reception:event_list"))
    assert len(response.context["object_list"]) == 15


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    event = make_event(world.S1)
    for url in (
        reverse("reception:event_list"),
        reverse("reception:event_detail", args=[event.pk]),
        reverse("reception:event_update", args=[event.pk]),
        reverse("reception:event_create"),
        reverse("reception:my_days"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    response = client.post(reverse("reception:roster_add", args=[event.pk]), {"representative": world.R1.pk})
    assert response.status_code == 302 and not RosterEntry.objects.exists()
