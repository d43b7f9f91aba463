"""The ledger's services: registration, edits and their history, links, the representatives'
notes, follow-up marks and online replies, reveals, and files.

Runs on SQLite and on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h_scope ./dev test tests/petitions/test_services.py
"""

import io
import json
import os
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils import timezone
from PIL import ExifTags, Image

from liaison.models import Notification, OutboxMessage
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.notifications import notify_online_item
from petitions.ledger.search import search_text_for
from petitions.ledger.services import (
    RESIDENT,
    PetitionDraft,
    PetitionError,
    petition_attach,
    petition_link,
    petition_mark_follow_up,
    petition_note_add,
    petition_register,
    petition_reply_online,
    petition_reveal,
    petition_update,
    staged_upload_store,
    staged_uploads,
)
from petitions.models import TRACKING_ALPHABET, Petition, PetitionAttachment, PetitionEvent, StagedUpload, Status
from tests.factories import UserFactory, make_petition

pytestmark = pytest.mark.django_db

FULL_ID = "110101199001011234"
TRACKING = re.compile(rf"^\d{{4}}-[{TRACKING_ALPHABET}]{{8}}$")


def draft_for(world, **fields):
    values = {"jurisdiction": world.j.C1, "station": world.S1, "content": "东关村路灯损坏，夜间出行不便"}
    values.update(fields)
    return PetitionDraft(**values)


def register(world, *, actor=None, representatives=(), **fields):
    draft = draft_for(world, **fields)
    return petition_register(actor=actor or world.staff, draft=draft, representatives=representatives)


def events(petition, kind=None):
    qs = PetitionEvent.objects.filter(petition=petition)
    return list(qs.filter(kind=kind) if kind else qs)


# -- registration ------------------------------------------------------------------------------


def test_tracking_number_format_month_and_uniqueness(world):
    petitions = [register(world) for _ in range(25)]
    assert len({p.tracking_number for p in petitions}) == 25
    for petition in petitions:
        number = petition.tracking_number
        assert TRACKING.match(number), number
        assert number.startswith(f"{timezone.localtime(petition.registered_at):%y%m}-")
        assert not set(number[5:]) & set("ILOU")  # Crockford: nothing a resident can misread


def test_tracking_number_collision_draws_again(world, monkeypatch):
    first = register(world)
    draws = iter([first.tracking_number, first.tracking_number, "2501-ZZZZZZZZ"])
    monkeypatch.setattr("petitions.ledger.services.new_tracking_number", lambda when: next(draws))
    second = register(world)
    assert second.tracking_number == "2501-ZZZZZZZZ"
    assert Petition.objects.count() == 2


def test_register_stores_scope_keys_and_search_text(world):
    # The problem lies in 榆林堡村 though it was brought to S1: the office scope follows the place.
    petition = register(world, jurisdiction=world.j.C2, address="榆林堡村西口")
    petition.refresh_from_db()
    assert petition.area_code == world.j.C2.code
    assert petition.station == world.S1
    assert petition.status == Status.REGISTERED
    assert petition.search_text == search_text_for(petition)
    assert "路灯" in petition.search_text and "西口" in petition.search_text


def test_register_requires_a_community(world):
    with pytest.raises(PetitionError):
        register(world, jurisdiction=None)
    assert not Petition.objects.exists()


def test_id_number_stored_masked_only(world):
    petition = register(world, petitioner_name="张三", id_number=FULL_ID)
    petition_update(actor=world.staff, petition=petition, draft=draft_for(world, id_number="11010119851231567X"))
    petition.refresh_from_db()
    assert petition.id_number_masked == "1101**********567X"
    row = json.dumps(model_to_dict(Petition.objects.get(pk=petition.pk)), default=str, ensure_ascii=False)
    assert FULL_ID not in row and "11010119851231567X" not in row
    for event in events(petition):
        dumped = json.dumps(event.data, ensure_ascii=False)
        assert FULL_ID not in dumped and "19900101" not in dumped and "19851231" not in dumped
    edited = events(petition, PetitionEventKind.EDITED)[0]
    assert edited.data["changes"]["id_number_masked"] == ["1101**********1234", "1101**********567X"]


@pytest.mark.parametrize("channel", ["qr", "wechat"])
def test_online_item_owes_a_first_reply_in_24_hours(world, settings, channel):
    settings.LIAISON_ONLINE_REPLY_HOURS = 24
    petition = register(world, channel=channel)
    assert petition.first_reply_due_at == petition.registered_at + timedelta(hours=24)
    assert petition.awaits_first_reply
    assert Petition.objects.awaiting_first_reply().filter(pk=petition.pk).exists()


@pytest.mark.parametrize("channel", ["on_site", "phone", "letter", "home_visit", "forum"])
def test_desk_item_owes_no_first_reply(world, channel):
    petition = register(world, channel=channel)
    assert petition.first_reply_due_at is None
    assert not Petition.objects.awaiting_first_reply().exists()


def test_register_linked_to_an_existing_item(world):
    primary = register(world)
    duplicate = register(world, linked_to=primary, co_petitioners=2)
    assert duplicate.status == Status.LINKED and duplicate.linked_to == primary
    mine = events(duplicate, PetitionEventKind.LINKED)
    theirs = events(primary, PetitionEventKind.LINKED)
    assert len(mine) == 1 and mine[0].data["target"] == primary.tracking_number and mine[0].is_public
    # The public line never names the other item: its number would open another resident's page.
    assert primary.tracking_number not in mine[0].public_text
    assert len(theirs) == 1 and theirs[0].data == {"linked": duplicate.tracking_number, "co_petitioners": 3}
    assert not theirs[0].is_public


def test_register_links_representatives_once(world):
    earlier = timezone.localdate() - timedelta(days=3)
    petition = register(world, representatives=[world.R1, world.R2, world.R1], received_on=earlier)
    links = list(petition.representative_links.order_by("representative__code"))
    assert [link.representative for link in links] == [world.R1, world.R2]
    assert all(link.received_on == petition.received_on for link in links)
    assert all(link.role == "received" and not link.follow_up for link in links)


def test_registered_event_by_staff(world):
    petition = register(world, representatives=[world.R1])
    [event] = events(petition)
    assert event.kind == PetitionEventKind.REGISTERED
    assert event.actor == world.staff and event.actor_label == ""
    assert event.to_status == Status.REGISTERED
    assert event.data == {"channel": "on_site", "representatives": [world.R1.name]}
    assert event.is_public and event.public_text
    assert petition.registered_by == world.staff


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_registered_event_by_a_resident(world, actor):
    petition = petition_register(actor=actor, draft=draft_for(world, channel="qr"), actor_label=RESIDENT)
    [event] = events(petition)
    assert event.actor is None and event.actor_label == RESIDENT
    assert petition.registered_by is None


# -- edits -------------------------------------------------------------------------------------


def test_update_records_old_and_new_values(world):
    petition = register(world, petitioner_name="张三", petitioner_phone="13812345678", urgency="normal")
    draft = draft_for(
        world,
        content="东关村路灯全部损坏",
        petitioner_name="张三丰",
        petitioner_phone="13900001111",
        urgency="urgent",
        category=None,
        jurisdiction=world.j.C2,
    )
    petition_update(actor=world.office, petition=petition, draft=draft)
    [edited] = events(petition, PetitionEventKind.EDITED)
    changes = edited.data["changes"]
    assert edited.actor == world.office
    assert changes["content"] == ["东关村路灯损坏，夜间出行不便", "东关村路灯全部损坏"]
    assert changes["urgency"] == ["normal", "urgent"]
    assert changes["jurisdiction"] == [str(world.j.C1), str(world.j.C2)]
    # Personal data goes into the history masked, old and new.
    assert changes["petitioner_phone"] == ["138****5678", "139****1111"]
    assert changes["petitioner_name"] == ["张*", "张**"]
    assert "13812345678" not in json.dumps(edited.data) and "13900001111" not in json.dumps(edited.data)
    assert set(changes) == {"content", "urgency", "jurisdiction", "petitioner_phone", "petitioner_name"}
    petition.refresh_from_db()
    assert petition.area_code == world.j.C2.code
    assert "全部" in petition.search_text


def test_update_without_changes_writes_no_event(world):
    petition = register(world, petitioner_name="张三", id_number=FULL_ID)
    # An empty ID field keeps what was stored; it is not a change.
    petition_update(actor=world.staff, petition=petition, draft=draft_for(world, petitioner_name="张三"))
    assert events(petition, PetitionEventKind.EDITED) == []
    petition.refresh_from_db()
    assert petition.id_number_masked == "1101**********1234"


def test_update_moves_the_representatives_ledger_date(world):
    petition = register(world, representatives=[world.R1])
    earlier = timezone.localdate() - timedelta(days=10)
    petition_update(actor=world.staff, petition=petition, draft=draft_for(world, received_on=earlier))
    assert petition.representative_links.get().received_on == earlier


# -- links -------------------------------------------------------------------------------------


def test_link_not_to_itself(world):
    a = register(world)
    with pytest.raises(PetitionError):
        petition_link(actor=world.staff, petition=a, target=a)
    b = register(world, linked_to=a)
    with pytest.raises(PetitionError):  # a → b while b → a would be a loop
        petition_link(actor=world.staff, petition=a, target=b)
    a.refresh_from_db()
    assert a.status == Status.REGISTERED and a.linked_to is None


def test_link_to_a_linked_item_goes_to_its_primary(world):
    primary = register(world)
    follower = register(world, linked_to=primary)
    newcomer = register(world)
    petition_link(actor=world.office, petition=newcomer, target=follower)
    newcomer.refresh_from_db()
    assert newcomer.linked_to == primary and newcomer.status == Status.LINKED
    [event] = events(newcomer, PetitionEventKind.LINKED)
    assert event.from_status == Status.REGISTERED and event.to_status == Status.LINKED
    assert event.actor == world.office and event.data["target"] == primary.tracking_number
    assert len(events(primary, PetitionEventKind.LINKED)) == 2
    assert events(follower, PetitionEventKind.LINKED)[0].data["target"] == primary.tracking_number


# -- notes, follow-up, online replies ----------------------------------------------------------


@pytest.fixture
def rep2(world):
    """An account for R2, a representative who is not on S1's items."""
    user = UserFactory(username="rep2", role="representative")
    world.R2.user = user
    world.R2.save()
    return user


def test_note_add(world):
    petition = register(world, representatives=[world.R1])
    note = petition_note_add(actor=world.rep, petition=petition, text="  下周回访  ")
    assert note.text == "下周回访" and note.author == world.rep
    [event] = events(petition, PetitionEventKind.NOTE_ADDED)
    assert event.data == {"note": note.pk} and not event.is_public
    with pytest.raises(PetitionError):
        petition_note_add(actor=world.rep, petition=petition, text="   ")


def test_follow_up_only_for_a_representative_on_the_item(world, rep2):
    petition = register(world, representatives=[world.R1])
    link = petition_mark_follow_up(actor=world.rep, petition=petition, on=True)
    assert link.follow_up
    petition_mark_follow_up(actor=world.rep, petition=petition, on=True)  # already marked: no second event
    assert len(events(petition, PetitionEventKind.FOLLOW_UP_MARKED)) == 1
    petition_mark_follow_up(actor=world.rep, petition=petition, on=False)
    assert len(events(petition, PetitionEventKind.FOLLOW_UP_CLEARED)) == 1
    with pytest.raises(PetitionError):
        petition_mark_follow_up(actor=rep2, petition=petition, on=True)
    with pytest.raises(PermissionDenied):
        petition_mark_follow_up(actor=world.staff, petition=petition, on=True)


def test_online_reply_first_one_counts_once(world, rep2):
    petition = register(world, channel="qr", representatives=[world.R1])
    petition_reply_online(actor=world.rep, petition=petition, text="已收到，本周内联系社区处理。")
    petition.refresh_from_db()
    first = petition.first_replied_at
    assert first is not None and not petition.awaits_first_reply
    assert not Petition.objects.awaiting_first_reply().filter(pk=petition.pk).exists()
    petition_reply_online(actor=world.rep, petition=petition, text="社区已派人查看。")
    petition.refresh_from_db()
    assert petition.first_replied_at == first
    replies = events(petition, PetitionEventKind.REPLIED)
    assert [r.public_text for r in replies] == ["已收到，本周内联系社区处理。", "社区已派人查看。"]
    assert all(r.is_public and r.actor == world.rep for r in replies)


def test_online_reply_refused(world, rep2):
    petition = register(world, channel="qr", representatives=[world.R1])
    with pytest.raises(PetitionError):
        petition_reply_online(actor=rep2, petition=petition, text="不是我的")
    with pytest.raises(PermissionDenied):
        petition_reply_online(actor=world.staff, petition=petition, text="工作人员")
    with pytest.raises(PetitionError):
        petition_reply_online(actor=world.rep, petition=petition, text="  ")
    petition.refresh_from_db()
    assert petition.first_replied_at is None
    assert events(petition, PetitionEventKind.REPLIED) == []


# -- reveal ------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["office", "rep", "staff", "admin"])
def test_reveal_returns_the_value_and_is_logged(ledger, world, account):
    user = getattr(world, account)
    assert petition_reveal(actor=user, petition=ledger.a, what="petitioner_phone", purpose="contact") == "13812345678"
    [event] = events(ledger.a, PetitionEventKind.REVEALED)
    assert event.actor == user and event.data == {"field": "petitioner_phone", "purpose": "contact"}
    assert not event.is_public


def test_department_cannot_reveal_a_petitioner(ledger, world):
    for item in (ledger.a, ledger.b):  # b is confidential; a is not, and is refused all the same
        for what in ("petitioner_name", "petitioner_phone", "petitioner_address"):
            with pytest.raises(PermissionDenied):
                petition_reveal(actor=world.dept, petition=item, what=what, purpose="contact")
        assert events(item, PetitionEventKind.REVEALED) == []


def test_reveal_refuses_other_fields_and_users_without_the_capability(ledger, world):
    with pytest.raises(PetitionError):
        petition_reveal(actor=world.office, petition=ledger.a, what="id_number_masked", purpose="contact")
    inactive = UserFactory(username="gone", role="committee_office", jurisdiction=world.j.K, is_active=False)
    with pytest.raises(PermissionDenied):
        petition_reveal(actor=inactive, petition=ledger.a, what="petitioner_name", purpose="contact")


# -- files -------------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 27.0, 55.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (115.0, 59.0, 7.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()


def test_staged_jpeg_loses_exif_and_gps(world):
    raw = jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as check:  # the fixture really carries GPS
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    staged = staged_upload_store(owner_key="session-a", upload=SimpleUploadedFile("IMG_0001.JPG", raw, "image/jpeg"))
    assert staged.content_type == "image/jpeg" and staged.original_name == "IMG_0001.JPG"
    with staged.file.open("rb") as handle:
        stored = handle.read()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "IMG_0001" not in staged.file.name  # generated names only


def test_staged_png_becomes_a_jpeg(world):
    staged = staged_upload_store(owner_key="session-a", upload=SimpleUploadedFile("map.png", png_bytes(), "image/png"))
    assert staged.content_type == "image/jpeg" and staged.original_name == "map.jpg"


@pytest.mark.parametrize(
    "name, data",
    [
        ("photo.jpg", b"this is not an image at all"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),  # JPEG magic, no image behind it
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_fake_files_rejected(world, name, data):
    with pytest.raises(ValidationError):
        staged_upload_store(owner_key="session-a", upload=SimpleUploadedFile(name, data, "image/jpeg"))
    assert not StagedUpload.objects.exists()


def test_staged_upload_needs_a_session(world):
    with pytest.raises(ValidationError):
        staged_upload_store(owner_key="", upload=SimpleUploadedFile("a.png", png_bytes(), "image/png"))


def test_another_sessions_token_is_not_claimable(world):
    mine = staged_upload_store(owner_key="session-a", upload=SimpleUploadedFile("a.png", png_bytes(), "image/png"))
    assert staged_uploads(owner_key="session-b", tokens=[mine.token]) == []
    assert staged_uploads(owner_key="", tokens=[mine.token]) == []
    assert staged_uploads(owner_key="session-a", tokens=[mine.token, "", "forged"]) == [mine]


def test_register_claims_staged_files(world, django_capture_on_commit_callbacks):
    staged = [
        staged_upload_store(owner_key="s", upload=SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg")),
        staged_upload_store(owner_key="s", upload=SimpleUploadedFile("b.png", png_bytes(), "image/png")),
    ]
    staged_paths = [s.file.path for s in staged]
    # The staged files are removed once the registration has committed (a rollback keeps them).
    with django_capture_on_commit_callbacks(execute=True):
        petition = petition_register(actor=world.staff, draft=draft_for(world), staged=staged)
    attachments = list(petition.attachments.all())
    assert [a.original_name for a in attachments] == ["a.jpg", "b.jpg"]
    assert all(a.uploaded_by == world.staff and a.is_image for a in attachments)
    assert not StagedUpload.objects.exists()
    assert not any(os.path.exists(p) for p in staged_paths)
    with attachments[0].file.open("rb") as handle:
        assert b"Exif" not in handle.read()


def test_attach_writes_one_event(world):
    petition = register(world)
    staged = [staged_upload_store(owner_key="s", upload=SimpleUploadedFile("a.png", png_bytes(), "image/png"))]
    added = petition_attach(actor=world.staff, petition=petition, staged=staged)
    assert PetitionAttachment.objects.filter(petition=petition).count() == 1 == len(added)
    [event] = events(petition, PetitionEventKind.ATTACHMENT_ADDED)
    assert event.data == {"files": ["a.jpg"]}
    assert petition_attach(actor=world.staff, petition=petition, staged=[]) == []
    assert len(events(petition, PetitionEventKind.ATTACHMENT_ADDED)) == 1


# -- telling representatives about online items ------------------------------------------------


def test_online_item_tells_each_representative_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = register(world, channel="qr", representatives=[world.R1, world.R2, world.R1])
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == {f"petition:{petition.pk}:online:rep:{rep.pk}" for rep in (world.R1, world.R2)}
    r1_rows = OutboxMessage.objects.filter(key__endswith=f":rep:{world.R1.pk}")
    # R1 has an account (inbox) and a private mobile (SMS): one row per channel, never two of one.
    assert sorted(r1_rows.values_list("channel", flat=True)) == ["inbox", "sms"]
    assert all(petition.tracking_number in row.subject for row in r1_rows)
    sms = r1_rows.get(channel="sms")
    assert sms.address == world.R1.private_phone and petition.tracking_number in sms.body
    r2_rows = OutboxMessage.objects.filter(key__endswith=f":rep:{world.R2.pk}")
    assert list(r2_rows.values_list("channel", flat=True)) == ["sms"]  # no account: SMS only
    # Delivered after commit (the eager worker): one inbox notice for rep.
    assert Notification.objects.filter(recipient=world.rep).count() == 1
    assert not OutboxMessage.objects.filter(status="pending").exists()

    # Telling again (a retry) stores nothing new and sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        notify_online_item(petition, [world.R1, world.R2])
    assert OutboxMessage.objects.count() == 3
    assert Notification.objects.filter(recipient=world.rep).count() == 1


def test_online_item_without_representatives_tells_the_station_staff(world, django_capture_on_commit_callbacks):
    world.S1.staff.add(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        petition = register(world, channel="qr", representatives=[])
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == {f"petition:{petition.pk}:online:user:{world.staff.pk}"}
    assert Notification.objects.filter(recipient=world.staff).count() == 1


def test_online_item_at_a_contact_point_tells_the_staff_above(world, django_capture_on_commit_callbacks):
    """P1 has no staff of its own; `staff` works at H1, two levels up, and sees P1's items."""
    other = UserFactory(username="other_staff", role="station_staff")
    world.S3.staff.add(other)
    with django_capture_on_commit_callbacks(execute=True):
        petition = make_petition(station=world.P1, channel="qr")
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == {f"petition:{petition.pk}:online:user:{world.staff.pk}"}


def test_desk_item_tells_nobody(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(world, representatives=[world.R1, world.R2])
    assert not OutboxMessage.objects.exists()


def test_ledger_fixture_made_through_the_services(ledger):
    """make_petition (used by every scope test) is the real service: events and search text exist."""
    for petition in vars(ledger).values():
        assert events(petition, PetitionEventKind.REGISTERED)
        assert petition.search_text and petition.area_code


def test_overdue_means_past_the_deadline_without_a_reply(world):
    """A department that replied is no longer overdue, whatever the deadline said."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    late = make_petition(station=world.S1)
    answered = make_petition(station=world.S1)
    Petition.objects.filter(pk__in=[late.pk, answered.pk]).update(due_on=today - timedelta(days=2), status="assigned")
    Petition.objects.filter(pk=answered.pk).update(status="replied")
    assert set(Petition.objects.overdue(today).values_list("pk", flat=True)) == {late.pk}
    late.refresh_from_db()
    answered.refresh_from_db()
    assert late.is_overdue(today) and not answered.is_overdue(today)
