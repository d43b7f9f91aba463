"""The registration desk: register, defaults from today's event, errors that keep what was
typed and uploaded, "save and register the next", similar items, linking, editing, files,
the receipt slip, and who may do what (200/302, 403 in scope, 404 outside)."""

import io
import re
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from petitions.intake.desk import query_bigrams
from petitions.intake.fields import clean_id_number, clean_mobile
from petitions.ledger.events import PetitionEventKind
from petitions.models import Category, Petition, PetitionAttachment, PetitionEvent, StagedUpload, Status
from stations.models import Membership, ReceptionEvent, RosterEntry
from tests.factories import RepresentativeFactory, make_petition

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the GB 11643 example: its check character is X


def png_bytes(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 27.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 60)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def make_event(station, day=None, start=time(9), **extra):
    extra.setdefault("status", ReceptionEvent.Status.SCHEDULED)
    return ReceptionEvent.objects.create(
        station=station,
        date=day or timezone.localdate(),
        start_time=start,
        end_time=time(start.hour + 2),
        place=station.address,
        **extra,
    )


def form_data(world, **overrides):
    data = {
        "station": world.S1.pk,
        "received_on": timezone.localdate().isoformat(),
        "channel": "on_site",
        "community": world.j.C1.pk,
        "representatives": [world.R1.pk],
        "petitioner_name": "王小明",
        "petitioner_phone": "13812345678",
        "petitioner_address": "东关村二巷3号",
        "content": "东关村西口路灯坏了一个月，晚上出行很危险",
        "urgency": "normal",
        "co_petitioners": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff(world, client_for):
    return client_for(world.staff)


# --------------------------------------------------------------------------- register


def test_register_saves_every_field_history_representatives_and_files(world, staff):
    event = make_event(world.S1)
    category = Category.objects.get(name="道路设施")
    data = form_data(
        world,
        event=event.pk,
        id_number=VALID_ID,
        is_confidential="on",
        co_petitioners="3",
        category=category.pk,
        address="东关村西口",
        latitude="40.465512",
        longitude="115.985301",
        urgency="urgent",
        is_hard_problem="on",
        save="1",
    )
    data["files"] = [
        SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg"),
        SimpleUploadedFile("图纸.png", png_bytes(), content_type="image/png"),
    ]
    response = staff.post(reverse("petitions:create"), data)

    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:detail", args=[petition.pk])
    assert re.fullmatch(r"\d{4}-[0-9A-HJKMNP-TV-Z]{8}", petition.tracking_number)
    assert (petition.station, petition.event, petition.jurisdiction) == (world.S1, event, world.j.C1)
    assert petition.petitioner_name == "王小明" and petition.petitioner_phone == "13812345678"
    assert petition.id_number_masked == "1101**********002X"
    assert petition.is_confidential and not petition.is_anonymous and petition.co_petitioners == 3
    assert petition.category == category and petition.urgency == "urgent" and petition.is_hard_problem
    assert str(petition.latitude) == "40.465512" and petition.address == "东关村西口"
    assert petition.registered_by == world.staff and petition.status == Status.REGISTERED
    assert list(petition.representatives.all()) == [world.R1]
    registered = PetitionEvent.objects.get(petition=petition, kind=PetitionEventKind.REGISTERED)
    assert registered.actor == world.staff and VALID_ID not in str(registered.data)

    attachments = list(petition.attachments.order_by("pk"))
    assert [a.original_name for a in attachments] == ["现场.jpg", "图纸.jpg"]
    with attachments[0].file.open("rb") as handle, Image.open(handle) as img:
        exif = img.getexif()
        assert not exif.get(0x010F) and not exif.get_ifd(0x8825)
    assert StagedUpload.objects.count() == 0


def test_register_message_shows_number_and_receipt_link(world, staff):
    response = staff.post(reverse("petitions:create"), form_data(world, save_next="1"), follow=True)
    petition = Petition.objects.get()
    html = response.content.decode()
    assert petition.tracking_number in html
    assert f'href="{reverse("petitions:receipt", args=[petition.pk])}"' in html


def test_defaults_come_from_todays_event(world, staff):
    sun = RepresentativeFactory(name="孙明", code="R-SUN", level="township", jurisdiction=world.j.T1)
    absent = RepresentativeFactory(name="钱程", code="R-QC", level="township", jurisdiction=world.j.T1)
    Membership.objects.create(representative=sun, station=world.S1)
    Membership.objects.create(representative=absent, station=world.S1)
    event = make_event(world.S1, start=time(9))
    RosterEntry.objects.create(event=event, representative=sun, attended=True)
    RosterEntry.objects.create(event=event, representative=absent, attended=False)
    make_event(world.S1, day=timezone.localdate() + timedelta(days=1))  # tomorrow: not today's

    response = staff.get(reverse("petitions:create"))

    form = response.context["form"]
    assert form.initial["station"] == world.S1 and form.initial["event"] == event
    assert form.initial["representatives"] == [sun.pk]  # present ones only, once attendance is recorded
    assert form.initial["community"] == world.j.C1 and form.initial["received_on"] == timezone.localdate()
    assert list(form.fields["event"].queryset) == [event]
    # The station's members are offered, the rostered ones first.
    assert [pk for pk, _label in form.fields["representatives"].choices][:2] == [sun.pk, world.R1.pk]
    assert "autofocus" in form.fields["petitioner_name"].widget.attrs


def test_several_events_today_are_offered_and_the_station_follows(world, staff):
    early = make_event(world.S1, start=time(8))
    later = make_event(world.P1, start=time(14))
    make_event(world.S2, start=time(7))  # not staff's station: never offered

    response = staff.get(reverse("petitions:create"))
    form = response.context["form"]
    assert form.initial["event"] == early and form.initial["station"] == world.S1
    assert list(form.fields["event"].queryset) == [early, later]
    assert f'value="{later.pk}" data-station="{world.P1.pk}"' in response.content.decode()

    # Picking the contact point reloads the station's part with its own day.
    block = staff.get(
        reverse("petitions:create"),
        {"block": "station", "changed": "station", "station": world.P1.pk, "event": early.pk},
        headers={"HX-Request": "true"},
    )
    html = block.content.decode()
    assert block.status_code == 200 and 'id="station-block"' in html and "<html" not in html
    assert block.context["form"].initial["event"].station == world.P1


def test_another_station_brings_its_own_community_and_members(world, client_for):
    office = client_for(world.office)
    block = office.get(
        reverse("petitions:create"),
        {
            "block": "station",
            "changed": "station",
            "station": world.S2.pk,
            "community": world.j.C1.pk,
            "representatives": [world.R1.pk],
        },
        headers={"HX-Request": "true"},
    )
    form = block.context["form"]
    assert form.initial["community"] == world.j.C2
    assert [pk for pk, _label in form.fields["representatives"].choices] == [world.R2.pk]
    assert f'value="{world.R1.pk}"' not in block.content.decode()


def test_without_an_event_today_the_users_station_is_still_preset(world, staff):
    response = staff.get(reverse("petitions:create"))
    form = response.context["form"]
    assert form.initial["station"] == world.H1  # the one station staff belongs to
    assert form.initial["event"] is None and form.initial["representatives"] == []
    assert world.S3.pk not in [s.pk for s in form.fields["station"].queryset]


def test_community_choices_stay_in_scope(world, client_for):
    office = client_for(world.office)
    response = office.get(reverse("petitions:create"), {"station": world.S1.pk})
    form = response.context["form"]
    offered = set(form.fields["community"].queryset.values_list("code", flat=True))
    assert {world.j.C1.code, world.j.C2.code} <= offered  # the station's county, in the office's area
    assert world.j.C3.code not in offered
    response = office.post(reverse("petitions:create"), form_data(world, community=world.j.C3.pk))
    assert "community" in response.context["form"].errors
    assert not Petition.objects.exists()


# --------------------------------------------------------------------------- errors keep everything


def test_errors_keep_typed_values_and_good_files(world, staff):
    data = form_data(world, petitioner_phone="1381234", id_number="110105194912310021", content="  ")
    data["petitioner_name"] = "赵大妈"
    data["files"] = [
        SimpleUploadedFile("fake.jpg", b"this is plain text, not a photo", content_type="image/jpeg"),
        SimpleUploadedFile("good.png", png_bytes(), content_type="image/png"),
    ]
    response = staff.post(reverse("petitions:create"), data)

    assert response.status_code == 200 and not Petition.objects.exists()
    form, stage = response.context["form"], response.context["stage"]
    assert set(form.errors) >= {"petitioner_phone", "id_number", "content"}
    assert "请输入11位手机号码。" in form.errors["petitioner_phone"]
    assert len(stage.errors) == 1 and stage.errors[0].startswith("fake.jpg")
    assert [s.original_name for s in stage.staged] == ["good.jpg"]
    html = response.content.decode()
    assert 'value="赵大妈"' in html and 'value="1381234"' in html
    assert f'name="staged" value="{stage.staged[0].token}"' in html
    assert 'data-testid="file-errors"' in html

    # The next POST carries the token instead of the file: the PNG is attached.
    data = form_data(world, staged=stage.staged[0].token)
    response = staff.post(reverse("petitions:create"), data)
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert [a.original_name for a in petition.attachments.all()] == ["good.jpg"]
    assert StagedUpload.objects.count() == 0


def test_a_bad_file_alone_stops_the_save_and_an_unstaged_file_is_dropped(world, staff, settings):
    settings.LIAISON_PETITION_MAX_FILE_BYTES = 1000
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * 2000, content_type="image/png")
    response = staff.post(reverse("petitions:create"), {**form_data(world), "files": [big]})
    assert response.status_code == 200 and not Petition.objects.exists()
    assert "big.png" in response.context["stage"].errors[0]

    settings.LIAISON_PETITION_MAX_FILE_BYTES = 10 * 1024 * 1024
    response = staff.post(
        reverse("petitions:create"),
        {**form_data(world, content=""), "files": [SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")]},
    )
    token = response.context["stage"].staged[0].token
    response = staff.post(reverse("petitions:create"), form_data(world, staged=token, unstage=token))
    assert response.status_code == 302
    assert not PetitionAttachment.objects.exists()


def test_a_named_petitioner_needs_a_name_or_phone_unless_anonymous(world, staff):
    response = staff.post(reverse("petitions:create"), form_data(world, petitioner_name="", petitioner_phone=""))
    assert "petitioner_name" in response.context["form"].errors
    response = staff.post(
        reverse("petitions:create"), form_data(world, petitioner_name="", petitioner_phone="", is_anonymous="on")
    )
    assert response.status_code == 302
    assert Petition.objects.get().is_anonymous


def test_received_date_and_coordinates_are_checked(world, staff):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = staff.post(reverse("petitions:create"), form_data(world, received_on=tomorrow, latitude="40.1"))
    errors = response.context["form"].errors
    assert "received_on" in errors and "latitude" in errors


def test_an_event_of_another_station_is_refused(world, staff):
    other = make_event(world.P1)
    response = staff.post(reverse("petitions:create"), form_data(world, event=other.pk))
    assert "event" in response.context["form"].errors


def test_id_numbers_and_phones_are_checked_and_normalised():
    for raw in (VALID_ID, "11010519491231002x", " 110105194912310 02X"):
        assert clean_id_number(raw) == VALID_ID
    assert clean_id_number("110105491231002") == "110105491231002" and clean_id_number("") == ""
    for raw in ("110105194912310021", "1101051949123100", "11010519491231002Y", "ABCDEFGHIJKLMNOPQR"):
        with pytest.raises(ValidationError):
            clean_id_number(raw)
    for raw in ("138 1234 5678", "+86 138-1234-5678", "8613812345678"):
        assert clean_mobile(raw) == "13812345678"
    for raw in ("12812345678", "1381234567", "010-69101234"):
        with pytest.raises(ValidationError):
            clean_mobile(raw)


# --------------------------------------------------------------------------- save and register the next


def test_save_and_next_keeps_station_event_representatives_channel_and_date(world, staff):
    yesterday = timezone.localdate() - timedelta(days=1)
    event = make_event(world.S1, day=yesterday, status=ReceptionEvent.Status.HELD)  # typed in the day after
    data = form_data(world, event=event.pk, channel="forum", received_on=yesterday.isoformat(), save_next="1")
    response = staff.post(reverse("petitions:create"), data)

    assert response.status_code == 302 and response["Location"].startswith(reverse("petitions:create") + "?")
    page = staff.get(response["Location"])
    form = page.context["form"]
    assert form.initial["station"] == world.S1 and form.initial["event"] == event
    assert form.initial["channel"] == "forum"
    assert str(form.initial["received_on"]) == yesterday.isoformat()
    assert [int(pk) for pk in form.initial["representatives"]] == [world.R1.pk]
    assert form["petitioner_name"].value() in (None, "") and form["content"].value() in (None, "")
    messages = [str(m) for m in page.context["messages"]]
    assert any(Petition.objects.get().tracking_number in m for m in messages)


# --------------------------------------------------------------------------- similar items and links


def test_similar_lists_only_open_items_in_scope(world, ledger, staff):
    url = reverse("petitions:similar")
    # Item a (S1) matches; item d (S2, same words) is outside staff's scope.
    make_petition(station=world.S2, content="东关村路灯损坏，夜间出行不便")
    closed = make_petition(station=world.S1, content="东关村路灯损坏已经修好了，夜间出行")
    Petition.objects.filter(pk=closed.pk).update(status=Status.CLOSED)

    response = staff.get(url, {"content": "路灯损坏，晚上出行不便", "station": world.S1.pk, "community": world.j.C1.pk})

    numbers = [s.petition.tracking_number for s in response.context["items"]]
    assert numbers == [ledger.a.tracking_number]
    assert f'data-link-to="{ledger.a.pk}"' in response.content.decode()


def test_similar_ranks_by_shared_words_and_keeps_five(world, staff):
    for i in range(6):
        make_petition(station=world.S1, content=f"第{i}号楼电梯经常故障")
    best = make_petition(station=world.S1, content="三号楼电梯经常故障，老人上下楼困难")
    response = staff.get(
        reverse("petitions:similar"), {"content": "三号楼的电梯经常故障，老人出门困难", "station": world.S1.pk}
    )
    items = response.context["items"]
    assert len(items) == 5 and items[0].petition == best
    assert not {"希望", "解决", "小区", "问题"} & set(query_bigrams("希望解决小区问题"))  # words every item uses


def test_similar_ignores_a_forged_station(world, ledger, staff):
    response = staff.get(reverse("petitions:similar"), {"content": "建国里社区加装电梯进度慢", "station": world.S3.pk})
    assert response.context["items"] == []
    assert ledger.e.tracking_number not in response.content.decode()


def test_similar_is_for_desk_users_only(world, ledger, client_for):
    assert client_for(world.dept).get(reverse("petitions:similar"), {"content": "路灯"}).status_code == 403
    assert client_for(world.rep).get(reverse("petitions:similar"), {"content": "路灯"}).status_code == 403


def test_register_linked_to_a_similar_item(world, ledger, staff):
    response = staff.post(reverse("petitions:create"), form_data(world, linked_to=ledger.a.pk))
    assert response.status_code == 302
    petition = Petition.objects.exclude(pk__in=[p.pk for p in vars(ledger).values()]).get()
    assert petition.status == Status.LINKED and petition.linked_to == ledger.a
    assert ledger.a.events.filter(kind=PetitionEventKind.LINKED).exists()


def test_register_refuses_a_link_outside_scope(world, ledger, staff):
    response = staff.post(reverse("petitions:create"), form_data(world, linked_to=ledger.e.pk))
    assert response.status_code == 200 and "linked_to" in response.context["form"].errors


def test_a_linked_banner_survives_a_form_error(world, ledger, staff):
    response = staff.post(reverse("petitions:create"), form_data(world, linked_to=ledger.a.pk, content=""))
    assert response.context["linked_target"] == ledger.a
    html = response.content.decode()
    assert f'value="{ledger.a.pk}"' in html and ledger.a.tracking_number in html


def test_link_an_existing_item_by_tracking_number(world, ledger, staff):
    response = staff.post(
        reverse("petitions:link", args=[ledger.b.pk]), {"tracking_number": ledger.a.tracking_number.lower()}
    )
    assert response.status_code == 302
    ledger.b.refresh_from_db()
    assert ledger.b.status == Status.LINKED and ledger.b.linked_to == ledger.a

    # Another station's number is unknown here, and an item never links to itself.
    for pk, number in ((ledger.a.pk, ledger.e.tracking_number), (ledger.c.pk, ledger.c.tracking_number)):
        response = staff.post(reverse("petitions:link", args=[pk]), {"tracking_number": number})
        assert response.status_code == 200 and "tracking_number" in response.context["link_form"].errors


# --------------------------------------------------------------------------- edit


def test_edit_records_changes_with_the_phone_masked(world, ledger, staff):
    url = reverse("petitions:update", args=[ledger.a.pk])
    page = staff.get(url)
    form = page.context["form"]
    assert form["content"].value() == ledger.a.content and form["id_number"].value() in (None, "")

    data = form_data(
        world,
        content=ledger.a.content,
        petitioner_name="张三",
        petitioner_phone="13900001111",
        petitioner_address="东关村三巷5号",
        id_number=VALID_ID,
    )
    response = staff.post(url, data)
    assert response.status_code == 302

    edited = PetitionEvent.objects.get(petition=ledger.a, kind=PetitionEventKind.EDITED)
    changes = edited.data["changes"]
    assert changes["petitioner_phone"] == ["138****5678", "139****1111"]
    assert "13900001111" not in str(edited.data) and "13812345678" not in str(edited.data)
    assert changes["id_number_masked"] == ["", "1101**********002X"]
    assert edited.actor == world.staff

    # An empty ID field keeps the stored one; the help shows it masked.
    page = staff.get(url)
    assert "1101**********002X" in page.content.decode()
    staff.post(url, data | {"id_number": ""})
    ledger.a.refresh_from_db()
    assert ledger.a.id_number_masked == "1101**********002X"


def test_office_edits_the_matter_but_never_sees_or_changes_the_petitioner(world, ledger, client_for):
    """The office sees petitioners masked in the ledger; its edit form shows them masked too,
    and whatever it posts for them, the stored identity stays."""
    office = client_for(world.office)
    url = reverse("petitions:update", args=[ledger.a.pk])
    html = office.get(url).content.decode()
    assert "13812345678" not in html and "张三" not in html and "东关村三巷5号" not in html
    assert "138****5678" in html

    data = form_data(
        world,
        content="东关村路灯损坏，已影响三个村民小组",
        petitioner_name="改掉",
        petitioner_phone="13900001111",
        petitioner_address="别处",
    )
    assert office.post(url, data).status_code == 302
    ledger.a.refresh_from_db()
    assert ledger.a.content == "东关村路灯损坏，已影响三个村民小组"
    assert (ledger.a.petitioner_name, ledger.a.petitioner_phone, ledger.a.petitioner_address) == (
        "张三",
        "13812345678",
        "东关村三巷5号",
    )
    changes = PetitionEvent.objects.get(petition=ledger.a, kind=PetitionEventKind.EDITED).data["changes"]
    assert set(changes) == {"content"}


def test_edit_adds_a_representative_and_keeps_the_old_ones(world, ledger, staff):
    helper = RepresentativeFactory(name="孙明", code="R-SUN", level="township", jurisdiction=world.j.T1)
    Membership.objects.create(representative=helper, station=world.S1)
    url = reverse("petitions:update", args=[ledger.a.pk])
    html = staff.get(url).content.decode()
    assert re.search(rf'value="{world.R1.pk}"[^>]*disabled', html)  # already on the item: locked
    response = staff.post(url, form_data(world, content=ledger.a.content, representatives=[helper.pk]))
    assert response.status_code == 302
    assert set(ledger.a.representatives.all()) == {world.R1, helper}
    assert ledger.a.events.filter(kind=PetitionEventKind.REPRESENTATIVE_ADDED).count() == 1


# --------------------------------------------------------------------------- files


def test_files_are_added_and_removed_on_an_existing_item(world, ledger, staff):
    url = reverse("petitions:attachment_add", args=[ledger.a.pk])
    response = staff.post(
        url,
        {
            "files": [
                SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
                SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"),
            ]
        },
        follow=True,
    )
    assert [a.original_name for a in ledger.a.attachments.all()] == ["p.jpg"]
    assert any("x.jpg" in str(m) for m in response.context["messages"])
    attachment = ledger.a.attachments.get()

    response = staff.post(reverse("petitions:attachment_delete", args=[ledger.a.pk, attachment.pk]))
    assert response.status_code == 302 and not ledger.a.attachments.exists()
    kinds = list(ledger.a.events.values_list("kind", flat=True))
    assert PetitionEventKind.ATTACHMENT_ADDED in kinds and PetitionEventKind.ATTACHMENT_REMOVED in kinds


# --------------------------------------------------------------------------- receipt


def test_receipt_has_no_phone_no_id_and_a_masked_name(world, ledger, staff, client_for):
    Petition.objects.filter(pk=ledger.a.pk).update(id_number_masked="1101**********002X")
    world.S1.phone = "010-69101234"
    world.S1.save()
    for client in (staff, client_for(world.rep), client_for(world.office)):
        response = client.get(reverse("petitions:receipt", args=[ledger.a.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert ledger.a.tracking_number in html and world.S1.name in html and "010-69101234" in html
        assert "13812345678" not in html and "138****5678" not in html and "002X" not in html
        assert "张三" not in html and "张*" in html
        assert "data:image/svg+xml" in html
        assert f"/track/{ledger.a.tracking_number}/" in html
        assert "东关村三巷5号" not in html


# --------------------------------------------------------------------------- who may do what


def test_desk_pages_answer_by_role_and_scope(world, ledger, client_for):
    a, d = ledger.a, ledger.d
    gets = {
        "create": reverse("petitions:create"),
        "update_a": reverse("petitions:update", args=[a.pk]),
        "update_d": reverse("petitions:update", args=[d.pk]),
        "receipt_a": reverse("petitions:receipt", args=[a.pk]),
        "receipt_d": reverse("petitions:receipt", args=[d.pk]),
    }
    expected = {
        # create, edit own, edit other station's, receipt own, receipt other's
        "staff": (200, 200, 404, 200, 404),
        "office": (200, 200, 200, 200, 200),
        "office_k2": (200, 404, 404, 404, 404),
        "rep": (403, 403, 404, 200, 404),
        "dept": (403, 403, 404, 200, 404),
        "admin": (200, 200, 200, 200, 200),
    }
    for username, codes in expected.items():
        client = client_for(getattr(world, username))
        got = tuple(client.get(url).status_code for url in gets.values())
        assert got == codes, username

    for name, url in gets.items():
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_desk_posts_answer_by_role_and_scope(world, ledger, client_for):
    a, e = ledger.a, ledger.e
    posts = [
        reverse("petitions:link", args=[a.pk]),
        reverse("petitions:attachment_add", args=[a.pk]),
        reverse("petitions:attachment_delete", args=[a.pk, 999999]),
    ]
    for url in posts:
        assert client_for(world.rep).post(url, {"tracking_number": "X"}).status_code == 403
        assert client_for(world.dept).post(url, {"tracking_number": "X"}).status_code == 403
        assert client_for(world.staff).get(url).status_code == 405
    for url in [u.replace(f"/{a.pk}/", f"/{e.pk}/", 1) for u in posts]:
        assert client_for(world.staff).post(url, {"tracking_number": "X"}).status_code == 404
    assert client_for(world.rep).post(reverse("petitions:create"), form_data(world)).status_code == 403
    assert client_for(world.staff).post(reverse("petitions:update", args=[e.pk]), form_data(world)).status_code == 404
    assert not Petition.objects.filter(registered_by=world.rep).exists()


def test_the_form_page_queries_stay_bounded(world, staff, django_assert_max_num_queries):
    event = make_event(world.S1)
    for i in range(8):
        rep = RepresentativeFactory(code=f"R-X{i}", jurisdiction=world.j.T1)
        Membership.objects.create(representative=rep, station=world.S1)
        RosterEntry.objects.create(event=event, representative=rep)
    with django_assert_max_num_queries(35):
        assert staff.get(reverse("petitions:create")).status_code == 200


def test_receipt_hides_a_confidential_name_from_a_department(world, ledger, client_for):
    html = client_for(world.dept).get(reverse("petitions:receipt", args=[ledger.b.pk])).content.decode()
    assert "李*" not in html and "李四" not in html and "13812340000" not in html
    html = client_for(world.staff).get(reverse("petitions:receipt", args=[ledger.b.pk])).content.decode()
    assert "李*" in html


def test_an_edit_made_on_a_stale_page_is_refused_and_keeps_what_was_typed(world, ledger, staff, client_for):
    """Two people on one item: the edit form carries the version it was built from."""
    from petitions.handling import services as handling

    url = reverse("petitions:update", args=[ledger.a.pk])
    page = staff.get(url)
    loaded = ledger.a.version
    assert f'name="version" value="{loaded}"' in page.content.decode()
    handling.petition_triage(actor=world.office, petition=ledger.a)  # the office acts meanwhile
    data = form_data(
        world,
        content="东关村路灯损坏，补充：共3盏",
        petitioner_name="张三",
        petitioner_phone="13812345678",
        petitioner_address="东关村三巷5号",
    ) | {"version": loaded}
    refused = staff.post(url, data)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "东关村路灯损坏，补充：共3盏" in html and 'data-testid="form-errors"' in html
    ledger.a.refresh_from_db()
    assert ledger.a.content != "东关村路灯损坏，补充：共3盏" and ledger.a.status == "triaged"
    assert f'name="version" value="{ledger.a.version}"' in html  # sending again acts on what is there now
    assert staff.post(url, data | {"version": ledger.a.version}).status_code == 302
    ledger.a.refresh_from_db()
    assert ledger.a.content == "东关村路灯损坏，补充：共3盏" and ledger.a.version == loaded + 2
