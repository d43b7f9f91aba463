"""One petition's page: scope, masking and reveal, attachments, history, notes, follow-up marks
and the online reply."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import (
    PetitionDraft,
    petition_attach,
    petition_link,
    petition_update,
    staged_upload_store,
)
from petitions.models import Petition, PetitionAttachment, PetitionEvent, PetitionNote, PetitionRepresentative
from tests.factories import UserFactory, make_petition
from tests.petitions.test_ledger import EXPECTED

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def detail(petition):
    return reverse("petitions:detail", args=[petition.pk])


def png_upload(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def files(world, ledger):
    """A photo on items a, b (confidential) and d; a Word file on item a."""
    made = {}
    for key in "abd":
        petition = getattr(ledger, key)
        staged = staged_upload_store(owner_key="test", upload=png_upload(f"现场{key}.png"))
        made[key] = petition_attach(actor=world.staff, petition=petition, staged=[staged])[0]
    doc = PetitionAttachment(petition=ledger.a, original_name="情况说明.docx", content_type=DOCX, size=4)
    doc.file.save("file.docx", ContentFile(b"PK.."), save=True)
    made["doc"] = doc
    return made


# --------------------------------------------------------------------------- scope


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_detail_is_404_outside_the_scope(who, world, ledger, client_for):
    client = client_for(getattr(world, who))
    for key in "abcde":
        status = client.get(detail(getattr(ledger, key))).status_code
        assert status == (200 if key in EXPECTED[who] else 404), (who, key, status)


@pytest.mark.parametrize("who", ["staff", "office_k2", "dept", "rep"])
def test_actions_on_an_invisible_item_are_404(who, world, ledger, client_for):
    client = client_for(getattr(world, who))
    hidden = ledger.d  # none of these users sees item d
    assert client.post(reverse("petitions:reveal", args=[hidden.pk]), {"field": "petitioner_phone"}).status_code == 404
    assert client.post(reverse("petitions:note_add", args=[hidden.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("petitions:follow_up", args=[hidden.pk]), {"on": "1"}).status_code == 404
    assert client.post(reverse("petitions:reply", args=[hidden.pk]), {"text": "x"}).status_code == 404
    assert not PetitionEvent.objects.filter(petition=hidden, kind__in=["revealed", "note_added", "replied"]).exists()


def test_attachments_are_served_only_in_scope(world, ledger, files, client_for):
    url = reverse("petitions:attachment", args=[ledger.a.pk, files["a"].pk])
    response = client_for(world.staff).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"

    d_url = reverse("petitions:attachment", args=[ledger.d.pk, files["d"].pk])
    assert client_for(world.staff).get(d_url).status_code == 404
    assert client_for(world.office).get(d_url).status_code == 200
    # A file of another item under a visible item's URL is not found either.
    forged = reverse("petitions:attachment", args=[ledger.a.pk, files["d"].pk])
    assert client_for(world.staff).get(forged).status_code == 404


def test_documents_download_with_their_name(world, ledger, files, client_for):
    response = client_for(world.office).get(reverse("petitions:attachment", args=[ledger.a.pk, files["doc"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename" in response["Content-Disposition"]


def test_department_gets_no_attachments_of_a_confidential_item(world, ledger, files, client_for):
    dept = client_for(world.dept)
    url = reverse("petitions:attachment", args=[ledger.b.pk, files["b"].pk])
    assert dept.get(url).status_code == 404
    html = dept.get(detail(ledger.b)).content.decode()
    assert url not in html and "现场b" not in html
    # ...but those of an ordinary item assigned to it.
    assert dept.get(reverse("petitions:attachment", args=[ledger.a.pk, files["a"].pk])).status_code == 200
    assert client_for(world.staff).get(url).status_code == 200


def test_detail_lists_attachments_with_thumbnails(world, ledger, files, client_for):
    html = client_for(world.staff).get(detail(ledger.a)).content.decode()
    photo = reverse("petitions:attachment", args=[ledger.a.pk, files["a"].pk])
    assert f'<img src="{photo}"' in html
    assert "情况说明.docx" in html


# --------------------------------------------------------------------------- masking and reveal


def test_staff_see_the_petitioner_in_full(world, ledger, client_for):
    html = client_for(world.staff).get(detail(ledger.a)).content.decode()
    assert "13812345678" in html and "张三" in html and "东关村三巷5号" in html
    assert 'class="reveal-button' not in html  # nothing to reveal


@pytest.mark.parametrize("who", ["office", "rep", "dept"])
def test_others_see_masked_values_with_a_reveal_button(who, world, ledger, client_for):
    html = client_for(getattr(world, who)).get(detail(ledger.a)).content.decode()
    assert "138****5678" in html and "张*" in html
    assert "13812345678" not in html and "张三" not in html and "三巷5号" not in html
    # Departments see the values masked and never reveal them (the QR form's notice).
    assert html.count("reveal-button") == (0 if who == "dept" else 3)
    assert (reverse("petitions:reveal", args=[ledger.a.pk]) in html) is (who != "dept")


def test_department_never_sees_a_confidential_identity(world, ledger, client_for):
    html = client_for(world.dept).get(detail(ledger.b)).content.decode()
    assert escape(gettext("Confidential")) in html
    for raw in ("李四", "李*", "13812340000", "138****0000"):
        assert raw not in html
    assert "reveal-button" not in html


def test_department_sees_no_personal_changes_in_the_history_of_a_confidential_item(world, ledger, client_for):
    petition_update(
        actor=world.staff,
        petition=ledger.b,
        draft=_draft(ledger.b, petitioner_phone="13899998888", content="反映村干部作风问题，已补充"),
    )
    html = client_for(world.dept).get(detail(ledger.b)).content.decode()
    assert "138****8888" not in html and "138****0000" not in html
    assert "已补充" in html  # the content change is shown
    office = client_for(world.office).get(detail(ledger.b)).content.decode()
    assert "138****0000" in office and "138****8888" in office


def test_reveal_logs_an_event_and_returns_the_value(world, ledger, client_for):
    office = client_for(world.office)
    url = reverse("petitions:reveal", args=[ledger.a.pk])
    response = office.post(url, {"field": "petitioner_phone", "purpose": "contact"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "13812345678" in html and "<html" not in html  # the fragment only
    assert 'id="reveal-petitioner_phone"' in html
    assert response["Cache-Control"] == "private, no-store"
    event = PetitionEvent.objects.get(petition=ledger.a, kind=PetitionEventKind.REVEALED)
    assert event.actor == world.office and event.data == {"field": "petitioner_phone", "purpose": "contact"}
    assert "13812345678" not in str(event.data)


def test_reveal_without_htmx_renders_the_whole_page(world, ledger, client_for):
    response = client_for(world.rep).post(
        reverse("petitions:reveal", args=[ledger.a.pk]), {"field": "petitioner_name", "purpose": "contact"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "张三" in html
    assert "13812345678" not in html  # only the field asked for
    assert PetitionEvent.objects.filter(petition=ledger.a, kind="revealed", actor=world.rep).count() == 1


def test_department_cannot_reveal_a_petitioner(world, ledger, client_for):
    response = client_for(world.dept).post(
        reverse("petitions:reveal", args=[ledger.b.pk]), {"field": "petitioner_phone", "purpose": "contact"}
    )
    assert response.status_code == 403
    # An ordinary item assigned to the department: refused too (the QR form's notice promises it).
    response = client_for(world.dept).post(
        reverse("petitions:reveal", args=[ledger.a.pk]), {"field": "petitioner_phone", "purpose": "contact"}
    )
    assert response.status_code == 403 and "13812345678" not in response.content.decode()
    assert not PetitionEvent.objects.filter(kind="revealed").exists()


def test_reveal_refuses_other_fields_and_get(world, ledger, client_for):
    office = client_for(world.office)
    url = reverse("petitions:reveal", args=[ledger.a.pk])
    assert office.post(url, {"field": "id_number_masked", "purpose": "contact"}).status_code == 400
    assert office.post(url, {"field": "content", "purpose": "contact"}).status_code == 400
    assert office.get(url).status_code == 405
    assert not PetitionEvent.objects.filter(kind="revealed").exists()


# --------------------------------------------------------------------------- history


def _draft(petition, **changes):
    values = {
        "jurisdiction": petition.jurisdiction,
        "content": petition.content,
        "station": petition.station,
        "address": petition.address,
        "petitioner_name": petition.petitioner_name,
        "petitioner_phone": petition.petitioner_phone,
        "petitioner_address": petition.petitioner_address,
        "is_anonymous": petition.is_anonymous,
        "is_confidential": petition.is_confidential,
        "co_petitioners": petition.co_petitioners,
        "category": petition.category,
        "urgency": petition.urgency,
        "is_hard_problem": petition.is_hard_problem,
        "channel": petition.channel,
        "received_on": petition.received_on,
    }
    values.update(changes)
    return PetitionDraft(**values)


def test_timeline_shows_who_when_and_what_changed(world, ledger, client_for):
    petition_update(
        actor=world.staff, petition=ledger.a, draft=_draft(ledger.a, content="东关村路灯损坏已三周", urgency="urgent")
    )
    html = client_for(world.office).get(detail(ledger.a)).content.decode()
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    kinds = re.findall(r'data-kind="([a-z_]+)"', timeline)
    assert kinds == ["registered", "edited"]
    edited = timeline.split('data-kind="edited"', 1)[1]
    assert world.staff.display_name in edited
    content_label = escape(str(Petition._meta.get_field("content").verbose_name))
    urgency_label = escape(str(Petition._meta.get_field("urgency").verbose_name))
    assert f'<th scope="row">{content_label}</th>' in edited and f'<th scope="row">{urgency_label}</th>' in edited
    assert "东关村路灯损坏已三周" in edited
    assert escape(gettext("Urgent")) in edited  # choice values are shown by their labels


def test_timeline_of_a_resident_item_names_the_resident(world, ledger, client_for):
    from petitions.ledger.services import petition_register

    qr = petition_register(
        actor=None,
        actor_label="resident",
        draft=PetitionDraft(jurisdiction=world.j.C1, content="扫码反映", station=world.S1, channel="qr"),
    )
    html = client_for(world.staff).get(detail(qr)).content.decode()
    assert escape(gettext("Resident")) in html.split('id="timeline"', 1)[1]


def test_linked_items_are_shown_only_in_scope(world, ledger, client_for):
    twin = make_petition(station=world.S1, actor=world.staff, content="东关村路灯坏了")
    petition_link(actor=world.staff, petition=twin, target=ledger.a)
    html = client_for(world.staff).get(detail(ledger.a)).content.decode()
    assert twin.tracking_number in html.split('id="linked"', 1)[1]
    html = client_for(world.staff).get(detail(twin)).content.decode()
    assert ledger.a.tracking_number in html.split('id="linked"', 1)[1]

    stray = make_petition(station=world.S1, actor=world.staff, content="建国里社区电梯")
    petition_link(actor=world.admin, petition=stray, target=ledger.e)  # a link across districts (the administrator)
    html = client_for(world.staff).get(detail(stray)).content.decode()
    assert ledger.e.tracking_number not in html  # neither in the linked block nor in the history
    assert 'data-kind="linked"' in html
    html = client_for(world.office_k2).get(detail(ledger.e)).content.decode()
    assert stray.tracking_number not in html  # and the other way round


# --------------------------------------------------------------------------- notes and follow-up


def test_representative_adds_a_note(world, ledger, client_for):
    rep = client_for(world.rep)
    response = rep.post(reverse("petitions:note_add", args=[ledger.a.pk]), {"text": "已与村委会联系，下周复查。"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = PetitionNote.objects.get(petition=ledger.a)
    assert note.author == world.rep
    assert PetitionEvent.objects.filter(petition=ledger.a, kind="note_added", actor=world.rep).exists()
    assert "已与村委会联系" in rep.get(detail(ledger.a)).content.decode()
    assert "已与村委会联系" in client_for(world.office).get(detail(ledger.a)).content.decode()
    dept_html = client_for(world.dept).get(detail(ledger.a)).content.decode()
    assert "已与村委会联系" not in dept_html and 'id="notes"' not in dept_html


def test_an_empty_or_long_note_is_refused_and_kept(world, ledger, client_for):
    rep = client_for(world.rep)
    response = rep.post(reverse("petitions:note_add", args=[ledger.a.pk]), {"text": "   "})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    long_text = "很长的备注" * 500
    response = rep.post(reverse("petitions:note_add", args=[ledger.a.pk]), {"text": long_text})
    html = response.content.decode()
    assert response.status_code == 200 and long_text in html and "is-invalid" in html
    assert not PetitionNote.objects.exists()


def test_only_representatives_annotate(world, ledger, client_for):
    for who in ("staff", "office", "dept"):
        client = client_for(getattr(world, who))
        assert client.post(reverse("petitions:note_add", args=[ledger.a.pk]), {"text": "x"}).status_code == 403
        assert client.post(reverse("petitions:follow_up", args=[ledger.a.pk]), {"on": "1"}).status_code == 403
        assert 'id="note-form"' not in client.get(detail(ledger.a)).content.decode()


def test_follow_up_mark_toggles_and_is_recorded(world, ledger, client_for):
    rep = client_for(world.rep)
    url = reverse("petitions:follow_up", args=[ledger.a.pk])
    assert rep.post(url, {"on": "1"}).status_code == 302
    link = PetitionRepresentative.objects.get(petition=ledger.a, representative=world.R1)
    assert link.follow_up
    assert 'data-follow-up="1"' in rep.get(detail(ledger.a)).content.decode()
    response = rep.post(url, {"on": "0", "next": reverse("petitions:ledger") + "?follow_up=on"})
    assert response["Location"] == reverse("petitions:ledger") + "?follow_up=on"
    link.refresh_from_db()
    assert not link.follow_up
    kinds = list(PetitionEvent.objects.filter(petition=ledger.a).values_list("kind", flat=True))
    assert kinds[-2:] == ["follow_up_marked", "follow_up_cleared"]


def test_follow_up_ignores_a_foreign_next(world, ledger, client_for):
    response = client_for(world.rep).post(
        reverse("petitions:follow_up", args=[ledger.a.pk]), {"on": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == detail(ledger.a)


# --------------------------------------------------------------------------- online reply


@pytest.fixture
def online(world):
    return make_petition(station=world.S1, representatives=[world.R1], channel="qr", content="小区门口路灯不亮")


def test_representative_replies_to_an_online_item(world, online, client_for):
    rep = client_for(world.rep)
    html = rep.get(detail(online)).content.decode()
    assert 'id="reply-form"' in html and 'id="online-duty"' in html
    response = rep.post(reverse("petitions:reply", args=[online.pk]), {"text": "您好，已转交村委会，三天内答复。"})
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.first_replied_at is not None
    event = PetitionEvent.objects.get(petition=online, kind="replied")
    assert event.is_public and event.public_text == "您好，已转交村委会，三天内答复。" and event.actor == world.rep
    html = rep.get(detail(online)).content.decode()
    assert "alert-success" in html.split('id="online-duty"', 1)[0].rsplit("<div", 1)[1]
    assert "您好，已转交村委会" in html.split('id="timeline"', 1)[1]


def test_a_late_reply_is_shown_as_late(world, online, client_for):
    Petition.objects.filter(pk=online.pk).update(first_reply_due_at=timezone.now() - timezone.timedelta(hours=1))
    rep = client_for(world.rep)
    assert "alert-danger" in rep.get(detail(online)).content.decode()
    rep.post(reverse("petitions:reply", args=[online.pk]), {"text": "抱歉回复晚了。"})
    html = rep.get(detail(online)).content.decode()
    assert "alert-secondary" in html.split('id="online-duty"', 1)[0].rsplit("<div", 1)[1]


def test_an_empty_reply_is_refused(world, online, client_for):
    response = client_for(world.rep).post(reverse("petitions:reply", args=[online.pk]), {"text": ""})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not PetitionEvent.objects.filter(petition=online, kind="replied").exists()


def test_items_at_the_desk_get_no_online_reply(world, ledger, client_for):
    rep = client_for(world.rep)
    assert 'id="reply-form"' not in rep.get(detail(ledger.a)).content.decode()
    response = rep.post(reverse("petitions:reply", args=[ledger.a.pk]), {"text": "回复"})
    assert response.status_code == 200
    assert not PetitionEvent.objects.filter(petition=ledger.a, kind="replied").exists()


def test_only_representatives_reply(world, online, client_for):
    for who in ("staff", "office"):
        client = client_for(getattr(world, who))
        assert client.post(reverse("petitions:reply", args=[online.pk]), {"text": "x"}).status_code == 403
        assert 'id="reply-form"' not in client.get(detail(online)).content.decode()


def test_detail_actions_follow_permissions(world, ledger, client_for):
    staff_html = client_for(world.staff).get(detail(ledger.a)).content.decode()
    assert reverse("petitions:update", args=[ledger.a.pk]) in staff_html
    assert reverse("petitions:receipt", args=[ledger.a.pk]) in staff_html
    dept_html = client_for(world.dept).get(detail(ledger.a)).content.decode()
    assert reverse("petitions:update", args=[ledger.a.pk]) not in dept_html
    rep_html = client_for(world.rep).get(detail(ledger.a)).content.decode()
    assert 'id="follow-up-form"' in rep_html and 'id="note-form"' in rep_html


def test_detail_for_a_user_without_scope_is_404(world, ledger, client_for):
    plain = UserFactory(username="plain-admin-less", role="")
    assert client_for(plain).get(detail(ledger.a)).status_code == 404  # no scope at all: not found
