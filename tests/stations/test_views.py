"""Network pages: forms keep what was typed and say what to fix; writes stay in scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from stations.models import Membership, Representative, Station, StationDocument

pytestmark = pytest.mark.django_db


def station_data(world, **overrides):
    data = {
        "code": "S-NEW",
        "name": "新建联络站",
        "kind": "station",
        "parent": world.H1.pk,
        "jurisdiction": world.j.C1.pk,
        "address": "东关村村委会",
        "latitude": "40.456",
        "longitude": "115.97",
        "opening_hours": "周一至周五",
        "phone": "010-69101111",
        "is_active": "on",
        "officers-TOTAL_FORMS": "1",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "20",
        "officers-0-name": "刘联络",
        "officers-0-position": "联络员",
        "officers-0-phone": "13812345678",
    }
    data.update(overrides)
    return data


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (40, 27, 0)}  # GPS IFD
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_office_creates_station_with_officer(world, client_for):
    response = client_for(world.office).post(reverse("stations:station_create"), station_data(world))
    station = Station.objects.get(code="S-NEW")
    assert response.status_code == 302 and response["Location"] == reverse("stations:station_detail", args=[station.pk])
    assert station.parent == world.H1 and list(station.officers.values_list("name", flat=True)) == ["刘联络"]


def test_bad_input_keeps_what_was_typed_and_explains_in_chinese(world, client_for):
    data = station_data(world, phone="12345", latitude="95", **{"officers-0-phone": "abc"})
    response = client_for(world.office).post(reverse("stations:station_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "新建联络站" in html and "东关村村委会" in html and "刘联络" in html  # nothing typed is lost
    assert "请输入手机号" in html  # plain Chinese: what to fix
    assert not Station.objects.filter(code="S-NEW").exists()


def test_station_kind_rules(world, client_for):
    data = station_data(world, kind="contact_point", parent="")
    response = client_for(world.office).post(reverse("stations:station_create"), data)
    assert response.status_code == 200 and "联系点必须隶属于" in response.content.decode()


def test_staff_cannot_place_a_station_outside_their_tree(world, client_for):
    client = client_for(world.staff)
    form = client.get(reverse("stations:station_create")).context["form"]
    assert set(form.fields["parent"].queryset) == {world.H1, world.S1}
    assert world.j.C2 not in set(form.fields["jurisdiction"].queryset)
    response = client.post(reverse("stations:station_create"), station_data(world, parent=world.H2.pk))
    assert response.status_code == 200 and not Station.objects.filter(code="S-NEW").exists()
    response = client.post(reverse("stations:station_create"), station_data(world, parent=""))
    assert response.status_code == 200 and not Station.objects.filter(code="S-NEW").exists()
    response = client.post(reverse("stations:station_create"), station_data(world))
    assert response.status_code == 302
    # The new station is in the staff member's scope straight away.
    assert client.get(response["Location"]).status_code == 200


def test_edit_station_updates_fields(world, client_for):
    data = station_data(world, code="S-1", name="东关村联络站（新址）")
    response = client_for(world.office).post(reverse("stations:station_update", args=[world.S1.pk]), data)
    assert response.status_code == 302
    world.S1.refresh_from_db()
    assert world.S1.name == "东关村联络站（新址）"


def test_station_photo_is_reencoded_without_exif(world, client_for):
    data = station_data(world)
    data["photo"] = SimpleUploadedFile("site.jpg", jpeg_with_gps(), content_type="image/jpeg")
    client_for(world.office).post(reverse("stations:station_create"), data)
    station = Station.objects.get(code="S-NEW")
    with Image.open(station.photo.open("rb")) as img:
        assert img.format == "JPEG" and not img.getexif()
    assert not station.photo.name.endswith("site.jpg")  # generated name
    assert client_for(world.office).get(reverse("stations:station_photo", args=[station.pk])).status_code == 200
    assert client_for(world.office_k2).get(reverse("stations:station_photo", args=[station.pk])).status_code == 404


def test_fake_image_is_refused_with_a_message(world, client_for):
    data = station_data(world)
    data["photo"] = SimpleUploadedFile("site.jpg", b"not really a jpeg", content_type="image/jpeg")
    response = client_for(world.office).post(reverse("stations:station_create"), data)
    assert response.status_code == 200 and "新建联络站" in response.content.decode()
    assert not Station.objects.filter(code="S-NEW").exists()


def test_membership_add_role_and_remove(world, client_for):
    client = client_for(world.office)
    url = reverse("stations:membership_add", args=[world.S1.pk])
    response = client.post(url, {"representative": "R-4", "role": "member"})
    assert response.status_code == 302
    membership = Membership.objects.get(station=world.S1, representative=world.R4)
    # Making R4 head demotes the current head (R1): one head per station.
    client.post(reverse("stations:membership_set_role", args=[world.S1.pk, membership.pk]), {"role": "head"})
    roles = dict(Membership.objects.filter(station=world.S1).values_list("representative__code", "role"))
    assert roles == {"R-1": "member", "R-4": "head"}
    client.post(reverse("stations:membership_remove", args=[world.S1.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_membership_add_refuses_representatives_outside_scope(world, client_for):
    response = client_for(world.office_t1).post(
        reverse("stations:membership_add", args=[world.S1.pk]), {"representative": "R-3", "role": "member"}
    )
    assert response.status_code == 400
    assert "辖区内没有" in response.content.decode() and 'value="R-3"' in response.content.decode()
    assert not Membership.objects.filter(station=world.S1, representative=world.R3).exists()


def test_membership_second_head_is_refused(world, client_for):
    response = client_for(world.office).post(
        reverse("stations:membership_add", args=[world.S1.pk]), {"representative": "R-4", "role": "head"}
    )
    assert response.status_code == 400 and not Membership.objects.filter(representative=world.R4).exists()


def test_membership_actions_out_of_scope_are_404(world, client_for):
    membership = Membership.objects.get(station=world.S2)
    client = client_for(world.staff)
    assert (
        client.post(reverse("stations:membership_add", args=[world.S2.pk]), {"representative": "R-1"}).status_code
        == 404
    )
    assert client.post(reverse("stations:membership_remove", args=[world.S2.pk, membership.pk])).status_code == 404
    # A membership of another station through an in-scope station id: still 404.
    assert client.post(reverse("stations:membership_remove", args=[world.S1.pk, membership.pk])).status_code == 404
    assert (
        client_for(world.rep).post(reverse("stations:membership_remove", args=[world.S1.pk, membership.pk])).status_code
        == 403
    )


def test_documents_upload_download_delete_scoped(world, client_for):
    client = client_for(world.staff)
    pdf = SimpleUploadedFile("制度.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(
        reverse("stations:document_add", args=[world.S1.pk]),
        {"kind": "rules", "title": "工作制度", "year": "2026", "file": pdf},
    )
    assert response.status_code == 302
    document = StationDocument.objects.get(station=world.S1)
    assert document.content_type == "application/pdf" and document.original_name == "制度.pdf"
    download = reverse("stations:document_download", args=[document.pk])
    assert client.get(download).status_code == 200
    assert client_for(world.office_k2).get(download).status_code == 404
    assert client_for(world.dept).get(download).status_code == 404
    assert client_for(world.office_k2).post(reverse("stations:document_delete", args=[document.pk])).status_code == 404
    assert client.post(reverse("stations:document_delete", args=[document.pk])).status_code == 302
    assert not StationDocument.objects.exists()


def test_document_type_is_checked_by_content(world, client_for):
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = client_for(world.office).post(
        reverse("stations:document_add", args=[world.S1.pk]), {"kind": "plan", "title": "年度计划", "file": fake}
    )
    assert response.status_code == 400 and "不接受" in response.content.decode()
    assert 'value="年度计划"' in response.content.decode()
    assert not StationDocument.objects.exists()


def test_six_haves_follow_the_record(world):
    haves = {str(k): v for k, v in world.S1.six_haves()}
    assert not any(haves.values())
    world.S1.area_m2, world.S1.annual_budget, world.S1.work_rules = 60, 20000, "每月15日接待"
    world.S1.save()
    assert sum(v for _, v in world.S1.six_haves()) == 3


def test_staff_registers_a_representative_into_their_station(world, client_for):
    data = {
        "code": "R-NEW",
        "name": "孙明",
        "level": "township",
        "jurisdiction": world.j.T1.pk,
        "first_station": world.S1.pk,
        "private_phone": "13700001111",
        "is_active": "on",
    }
    client = client_for(world.staff)
    response = client.post(reverse("stations:representative_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rep = Representative.objects.get(code="R-NEW")
    assert rep.memberships.get().station == world.S1
    assert client.get(response["Location"]).status_code == 200


def test_staff_must_choose_one_of_their_stations(world, client_for):
    data = {
        "code": "R-NEW",
        "name": "孙明",
        "level": "township",
        "jurisdiction": world.j.T1.pk,
        "first_station": world.S2.pk,
    }
    response = client_for(world.staff).post(reverse("stations:representative_create"), data)
    assert response.status_code == 200 and not Representative.objects.filter(code="R-NEW").exists()
    assert 'value="孙明"' in response.content.decode()


def test_list_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    from tests.factories import MembershipFactory, RepresentativeFactory, StationFactory

    for _i in range(30):
        station = StationFactory(jurisdiction=world.j.C1, parent=world.H1)
        MembershipFactory(station=station, representative=RepresentativeFactory(jurisdiction=world.j.K))
    client = client_for(world.office)
    # 13: the page (12) plus the inbox badge's unread count.
    with django_assert_max_num_queries(13):
        assert client.get(reverse("stations:station_list")).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(reverse("stations:representative_list")).status_code == 200


def test_sorting_and_filters(world, client_for):
    client = client_for(world.office)
    rows = list(client.get(reverse("stations:station_list"), {"sort": "-code"}).context["object_list"])
    assert [s.code for s in rows] == sorted([s.code for s in rows], reverse=True)
    rows = client.get(reverse("stations:station_list"), {"kind": "home"}).context["object_list"]
    assert {s.code for s in rows} == {"H-1", "H-2"}
    rows = client.get(reverse("stations:station_list"), {"area": world.j.T2.pk}).context["object_list"]
    assert {s.code for s in rows} == {"H-2", "S-2"}
    rows = client.get(reverse("stations:representative_list"), {"level": "township"}).context["object_list"]
    assert {r.code for r in rows} == {"R-2"}
    rows = client.get(reverse("stations:representative_list"), {"station": world.S1.pk}).context["object_list"]
    assert {r.code for r in rows} == {"R-1"}
