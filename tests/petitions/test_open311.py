"""The Open311 GeoReport v2 API: every endpoint in JSON and XML, the filters, the status
mapping, keys, errors, scope, privacy, and that a filed item reaches the office's triage list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h2 REDIS_URL=redis://127.0.0.1:6379/8 \\
        ./dev test tests/petitions/test_open311.py
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from petitions.handling.services import petition_consult, petition_progress
from petitions.ledger.events import PetitionEventKind
from petitions.models import ApiClient, ApiSubmission, Category, Channel, Petition, PetitionEvent, Status
from petitions.open311.selectors import CLOSED_STATUSES, open311_status

BASE = "/open311/v2/"
PERSONAL = (
    "张三",
    "13812345678",
    "东关村三巷5号",
    "李四",
    "13812340000",
    "王五",
    "13811112222",
    "赵六",
    "13833334444",
    "13700000000",
    "钱七",
    "13598765432",
    "alice@example.com",
    "1101**********123X",
)


@pytest.fixture
def keys(world):
    """Two clients in 延庆区 (one with the default station S1, one for 延庆镇 only), one in 朝阳区, one inactive."""
    w, made = world, {}
    for name, jurisdiction, station, active in (
        ("k", w.j.K, w.S1, True),
        ("t1", w.j.T1, None, True),
        ("k2", w.j.K2, None, True),
        ("off", w.j.K, None, False),
    ):
        client = ApiClient(name=f"12345-{name}", jurisdiction=jurisdiction, default_station=station, is_active=active)
        raw = client.set_new_key()
        client.full_clean()
        client.save()
        made[name] = (client, raw)
    return made


@pytest.fixture
def service():
    return Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent").order_by("pk").first()


def get(path, fmt="json", **params):
    return Client().get(f"{BASE}{path}.{fmt}", params)


def post(fmt="json", **data):
    return Client().post(f"{BASE}requests.{fmt}", data)


def body(response):
    if response["Content-Type"].startswith("text/xml"):
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return ET.fromstring(response.content)
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def new_item(keys, service, key="k", fmt="json", **extra):
    data = {
        "api_key": keys[key][1],
        "service_code": service.pk,
        "description": "东关村北口路灯不亮，晚上很黑",
        "lat": "40.465512",
        "long": "115.985301",
        **extra,
    }
    response = post(fmt, **data)
    assert response.status_code == 200, response.content
    return response


def assert_error(response, code, fmt="json"):
    assert response.status_code == code
    doc = body(response)
    if fmt == "xml":
        assert doc.tag == "errors"
        assert doc.find("error/code").text == str(code)
        assert doc.find("error/description").text
    else:
        assert doc[0]["code"] == code and doc[0]["description"]


# -- discovery and services ---------------------------------------------------------------------------


def test_discovery_json_and_xml(db):
    doc = body(get("discovery"))
    assert doc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert doc["endpoints"][0]["url"].endswith("/open311/v2/")
    assert set(doc["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    root = body(get("discovery", "xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.find("key_service").text


def test_services_are_the_categories_grouped_by_parent(db, service):
    services = body(get("services"))
    by_code = {s["service_code"]: s for s in services}
    mine = by_code[str(service.pk)]
    assert mine["service_name"] == service.name
    assert mine["group"] == service.parent.name
    assert mine["metadata"] is True and mine["type"] == "realtime"
    assert len(services) == Category.objects.filter(is_active=True).count()
    root = body(get("services", "xml"))
    assert root.tag == "services"
    element = next(s for s in root.findall("service") if s.find("service_code").text == str(service.pk))
    assert element.find("group").text == service.parent.name
    assert element.find("metadata").text == "true"


def test_inactive_category_is_no_service(db, service):
    Category.objects.filter(pk=service.pk).update(is_active=False)
    assert str(service.pk) not in {s["service_code"] for s in body(get("services"))}
    assert_error(get(f"services/{service.pk}"), 404)


def test_service_definition_json_and_xml(db, service):
    doc = body(get(f"services/{service.pk}"))
    assert doc["service_code"] == str(service.pk)
    codes = [a["code"] for a in doc["attributes"]]
    assert codes == ["urgency", "confidential", "co_petitioners"]
    assert {v["key"] for v in doc["attributes"][0]["values"]} == {"normal", "urgent"}
    root = body(get(f"services/{service.pk}", "xml"))
    assert root.tag == "service_definition"
    assert [a.find("code").text for a in root.findall("attributes/attribute")] == codes
    assert [v.find("key").text for v in root.findall("attributes/attribute")[0].findall("values/value")] == [
        "normal",
        "urgent",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["999999", "abc", "0"])
def test_unknown_service_is_404(db, fmt, code):
    assert_error(get(f"services/{code}", fmt), 404, fmt)


# -- POST requests ------------------------------------------------------------------------------------


def test_post_registers_through_the_registration_service(world, keys, service, django_capture_on_commit_callbacks):
    client = keys["k"][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = new_item(
            keys,
            service,
            first_name="七",
            last_name="钱",
            phone="+86 135-9876-5432",
            email="alice@example.com",
            account_id="acc-1",
            device_id="dev-1",
            media_url="https://example.com/photo.jpg",
            **{"attribute[urgency]": "urgent", "attribute[co_petitioners]": "3"},
        )
    record = body(response)[0]
    petition = Petition.objects.get(tracking_number=record["service_request_id"])
    assert record["token"] == petition.api_submission.token
    assert record["account_id"] == "acc-1"
    assert petition.status == Status.REGISTERED
    assert petition.channel == Channel.API == "api"
    assert petition.jurisdiction == world.j.K and petition.area_code == world.j.K.code
    assert petition.station == world.S1  # the client's default station
    assert petition.category == service
    assert (petition.petitioner_name, petition.petitioner_phone) == ("钱七", "13598765432")
    assert petition.urgency == "urgent" and petition.co_petitioners == 3
    assert str(petition.latitude) == "40.465512"
    assert petition.registered_by is None
    events = list(PetitionEvent.objects.filter(petition=petition))
    assert [(e.kind, e.to_status, e.actor_label) for e in events] == [
        (PetitionEventKind.REGISTERED, Status.REGISTERED, client.name)
    ]
    submission = ApiSubmission.objects.get(petition=petition)
    assert (submission.client, submission.device_id, submission.media_url) == (
        client,
        "dev-1",
        "https://example.com/photo.jpg",
    )
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_post_xml_answer(world, keys, service):
    root = body(new_item(keys, service, fmt="xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert Petition.objects.filter(tracking_number=request.find("service_request_id").text).exists()
    assert len(request.find("token").text) == 32
    assert request.find("account_id").text is None


def test_post_accepts_the_key_in_the_query_string(world, keys, service):
    response = Client().post(
        f"{BASE}requests.json?api_key={keys['k'][1]}",
        {"service_code": service.pk, "description": "路面塌陷", "address_string": "妫水北街"},
    )
    assert response.status_code == 200
    assert Petition.objects.get().address == "妫水北街"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "wrong-key", "off"])
def test_post_needs_a_valid_active_key(world, keys, service, fmt, key):
    data = {"service_code": service.pk, "description": "路灯不亮", "lat": "40.1", "long": "115.9"}
    if key:
        data["api_key"] = keys[key][1] if key in keys else key
    assert_error(post(fmt, **data), 403, fmt)
    assert not Petition.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "change",
    [
        {"service_code": ""},
        {"description": ""},
        {"lat": "", "long": ""},
        {"lat": "91", "long": "115"},
        {"lat": "abc", "long": "115"},
        {"long": ""},
        {"phone": "010-1234"},
        {"media_url": "javascript:alert(1)"},
        {"attribute[urgency]": "asap"},
        {"attribute[confidential]": "maybe"},
        {"attribute[co_petitioners]": "-1"},
        {"description": "长" * 5001},
        {"address_id": "123"},
        {"jurisdiction_id": "110105001001"},  # 建国里社区: another district
    ],
)
def test_post_400_on_missing_or_malformed_fields(world, keys, service, fmt, change):
    data = {
        "api_key": keys["k"][1],
        "service_code": service.pk,
        "description": "路灯不亮",
        "lat": "40.1",
        "long": "115.9",
        **change,
    }
    assert_error(post(fmt, **data), 400, fmt)
    assert not Petition.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_unknown_service_is_404(world, keys, fmt):
    assert_error(
        post(fmt, api_key=keys["k"][1], service_code="999999", description="x", lat="40", long="115"), 404, fmt
    )


def test_post_names_a_community_below_the_clients_jurisdiction(world, keys, service):
    # 榆林堡村 lies in 延庆区 but outside the default station's area: no station, the office routes it.
    record = body(new_item(keys, service, address_id=world.j.C2.code, lat="", long=""))[0]
    petition = Petition.objects.get(tracking_number=record["service_request_id"])
    assert petition.jurisdiction == world.j.C2 and petition.station is None
    # 东关村 lies in S1's area: the default station stays.
    record = body(new_item(keys, service, jurisdiction_id=world.j.C1.code))[0]
    assert Petition.objects.get(tracking_number=record["service_request_id"]).station == world.S1


def test_a_client_never_files_outside_its_jurisdiction(world, keys, service):
    for code in (world.j.C3.code, world.j.K2.code, world.j.C.code):
        assert_error(post(api_key=keys["t1"][1], service_code=service.pk, description="x", address_id=code), 400)
    assert_error(post(api_key=keys["t1"][1], service_code=service.pk, description="x", address_id=world.j.C2.code), 400)
    assert not Petition.objects.exists()
    record = body(new_item(keys, service, key="t1"))[0]
    assert Petition.objects.get(tracking_number=record["service_request_id"]).jurisdiction == world.j.T1


def test_posted_item_waits_in_the_offices_triage_list(world, keys, service, client_for):
    with_station = body(new_item(keys, service))[0]["service_request_id"]
    without_station = body(new_item(keys, service, key="t1"))[0]["service_request_id"]
    page = client_for(world.office).get(reverse("petitions:triage"))
    assert page.status_code == 200
    html = page.content.decode()
    # The station's item is the district office's (it runs S1); what was filed in the township
    # without a station belongs to the nearest office above it, the township's, and waits there.
    assert with_station in html and without_station not in html
    html = client_for(world.office_t1).get(reverse("petitions:triage")).content.decode()
    assert without_station in html and with_station not in html
    # The item page opens too, station or not.
    petition = Petition.objects.get(tracking_number=without_station)
    assert client_for(world.office).get(reverse("petitions:detail", args=[petition.pk])).status_code == 200
    # Another district's office does not see it.
    assert without_station not in client_for(world.office_k2).get(reverse("petitions:triage")).content.decode()


# -- GET requests -------------------------------------------------------------------------------------


def numbers(doc):
    if isinstance(doc, list):
        return {r["service_request_id"] for r in doc}
    return {r.find("service_request_id").text for r in doc.findall("request")}


def test_get_requests_json_and_xml_within_scope(ledger, keys):
    L, key = ledger, keys["k"][1]
    inside = {p.tracking_number for p in (L.a, L.b, L.c, L.d)}
    assert numbers(body(get("requests", api_key=key))) == inside
    root = body(get("requests", "xml", api_key=key))
    assert root.tag == "service_requests"
    assert numbers(root) == inside
    request = root.find("request")
    for tag in (
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ):
        assert request.find(tag) is not None, tag
    assert numbers(body(get("requests", api_key=keys["t1"][1]))) == {
        L.a.tracking_number,
        L.b.tracking_number,
        L.c.tracking_number,
    }
    assert numbers(body(get("requests", api_key=keys["k2"][1]))) == {L.e.tracking_number}


def test_request_fields(ledger, keys, world):
    L = ledger
    due = timezone.localdate() + timedelta(days=10)
    Petition.objects.filter(pk=L.a.pk).update(due_on=due, address="东关村北口")
    record = body(get(f"requests/{L.a.tracking_number}", api_key=keys["k"][1]))[0]
    assert record["service_request_id"] == L.a.tracking_number
    assert record["status"] == "open"
    assert record["agency_responsible"] == world.D.name
    assert record["expected_datetime"] == f"{due:%Y-%m-%d}T23:59:59+08:00"
    assert record["requested_datetime"] == timezone.localtime(L.a.registered_at).isoformat(timespec="seconds")
    assert record["address"] == "东关村北口"
    assert record["address_id"] == world.j.C1.code
    assert record["status_notes"]  # the public text of the registration
    root = body(get(f"requests/{L.a.tracking_number}", "xml", api_key=keys["k"][1]))
    assert root.tag == "service_requests" and numbers(root) == {L.a.tracking_number}
    assert root.find("request/agency_responsible").text == world.D.name


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_out_of_scope_request_is_404(ledger, keys, fmt):
    assert_error(get("requests/2612-ZZZZZZZZ", fmt, api_key=keys["k"][1]), 404, fmt)
    assert_error(get(f"requests/{ledger.e.tracking_number}", fmt, api_key=keys["k"][1]), 404, fmt)
    assert_error(get(f"requests/{ledger.d.tracking_number}", fmt, api_key=keys["t1"][1]), 404, fmt)


def test_filter_by_service_request_id_overrides_the_others(ledger, keys):
    L, key = ledger, keys["k"][1]
    ids = f"{L.a.tracking_number},{L.d.tracking_number},{L.e.tracking_number},nonsense"
    old = timezone.now() - timedelta(days=400)
    Petition.objects.filter(pk=L.a.pk).update(registered_at=old)
    assert numbers(body(get("requests", api_key=key, service_request_id=ids, status="closed"))) == {
        L.a.tracking_number,
        L.d.tracking_number,
    }


def test_filter_by_service_code(ledger, keys, service):
    L, key = ledger, keys["k"][1]
    other = (
        Category.objects.filter(parent=service.parent).exclude(pk=service.pk).first()
        or Category.objects.exclude(pk=service.pk).exclude(pk=service.parent_id).first()
    )
    Petition.objects.filter(pk=L.a.pk).update(category=service)
    Petition.objects.filter(pk=L.c.pk).update(category=other)
    assert numbers(body(get("requests", api_key=key, service_code=str(service.pk)))) == {L.a.tracking_number}
    assert numbers(body(get("requests", api_key=key, service_code=f"{service.pk},{other.pk}"))) == {
        L.a.tracking_number,
        L.c.tracking_number,
    }
    # A group's code includes its services.
    assert L.a.tracking_number in numbers(body(get("requests", api_key=key, service_code=str(service.parent_id))))
    assert_error(get("requests", api_key=key, service_code="abc"), 400)


def test_filter_by_dates_and_the_default_90_days(ledger, keys):
    L, key = ledger, keys["k"][1]
    now = timezone.now()
    Petition.objects.filter(pk=L.a.pk).update(registered_at=now - timedelta(days=100))
    Petition.objects.filter(pk=L.b.pk).update(registered_at=now - timedelta(days=30))
    recent = {L.b.tracking_number, L.c.tracking_number, L.d.tracking_number}
    assert numbers(body(get("requests", api_key=key))) == recent
    start = (now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=5)).astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")
    assert numbers(body(get("requests", api_key=key, start_date=start, end_date=end))) == {
        L.a.tracking_number,
        L.b.tracking_number,
    }
    assert numbers(body(get("requests", api_key=key, start_date=start))) == recent | {L.a.tracking_number}
    # end_date alone: the 90 days before it.
    assert numbers(body(get("requests", api_key=key, end_date=end))) == {L.b.tracking_number}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "0001-01-01T00:00:00+05:00"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
        {"status": "pending"},
        {"jurisdiction_id": "110105000000"},
    ],
)
def test_bad_arguments_are_400(ledger, keys, fmt, params):
    assert_error(get("requests", fmt, api_key=keys["k"][1], **params), 400, fmt)
    if "status" not in params:  # the updates take no status
        assert_error(get("servicerequestupdates", fmt, api_key=keys["k"][1], **params), 400, fmt)


def test_nul_characters_are_400_and_xml_drops_control_characters(ledger, keys, service):
    assert_error(get("requests", api_key=keys["k"][1], service_request_id="2612-\x00"), 400)
    assert_error(Client().get(f"{BASE}tokens/ab%00cd.json"), 400)
    assert_error(post(api_key=keys["k"][1], service_code=service.pk, description="路灯\x00", lat="40", long="115"), 400)
    number = body(new_item(keys, service, description="路灯\x0b不亮\x1b"))[0]["service_request_id"]
    root = body(get(f"requests/{number}", "xml", api_key=keys["k"][1]))
    assert root.find("request/description").text == "路灯 不亮"


def test_filter_by_status_and_jurisdiction(ledger, keys):
    L, key = ledger, keys["k"][1]
    Petition.objects.filter(pk=L.b.pk).update(status=Status.CONSULTED)
    Petition.objects.filter(pk=L.c.pk).update(status=Status.FED_BACK)
    assert numbers(body(get("requests", api_key=key, status="closed"))) == {L.b.tracking_number}
    assert numbers(body(get("requests", api_key=key, status="open"))) == {
        L.a.tracking_number,
        L.c.tracking_number,
        L.d.tracking_number,
    }
    assert len(body(get("requests", api_key=key, status="open,closed"))) == 4
    assert numbers(body(get("requests", api_key=key, jurisdiction_id=ledger.d.jurisdiction.code))) == {
        L.d.tracking_number
    }


@pytest.mark.parametrize("status", list(Status))
def test_status_mapping(ledger, keys, status):
    closed = {
        Status.CLOSED,
        Status.CONSULTED,
        Status.ON_THE_SPOT,
        Status.ESCALATED,
        Status.CANNOT_HANDLE,
        Status.LINKED,
    }
    assert closed == CLOSED_STATUSES
    Petition.objects.filter(pk=ledger.a.pk).update(status=status)
    expected = "closed" if status in closed else "open"
    assert open311_status(status) == expected
    assert body(get(f"requests/{ledger.a.tracking_number}", api_key=keys["k"][1]))[0]["status"] == expected
    root = body(get(f"requests/{ledger.a.tracking_number}", "xml", api_key=keys["k"][1]))
    assert root.find("request/status").text == expected


def test_at_most_1000_results(world, keys, service):
    from petitions.ledger.services import PetitionDraft, petition_register

    first = petition_register(
        actor=None, draft=PetitionDraft(jurisdiction=world.j.C1, content="路灯", station=world.S1)
    )
    rows = []
    for n in range(1005):
        clone = Petition(
            **{f.attname: getattr(first, f.attname) for f in Petition._meta.concrete_fields if not f.primary_key}
        )
        clone.tracking_number = f"2612-{n:08d}"
        rows.append(clone)
    Petition.objects.bulk_create(rows)
    assert len(body(get("requests", api_key=keys["k"][1]))) == 1000


# -- tokens ---------------------------------------------------------------------------------------------


def test_tokens_json_and_xml(world, keys, service):
    record = body(new_item(keys, service))[0]
    doc = body(get(f"tokens/{record['token']}", api_key=keys["k"][1]))
    assert doc == [{"service_request_id": record["service_request_id"], "token": record["token"]}]
    root = body(get(f"tokens/{record['token']}", "xml"))
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == record["service_request_id"]
    assert_error(get("tokens/00000000000000000000000000000000", api_key=keys["k"][1]), 404)
    assert_error(get(f"tokens/{record['token']}", "xml", api_key=keys["k2"][1]), 404, "xml")


# -- updates --------------------------------------------------------------------------------------------


def test_service_request_updates_json_and_xml(ledger, keys, world):
    L, key = ledger, keys["k"][1]
    petition_consult(actor=world.office, petition=L.d, text="已咨询区交通局，张三反映的道路年内修补，联系13812345678")
    updates = body(get("servicerequestupdates", api_key=key, service_request_id=L.d.tracking_number))
    assert [u["status"] for u in updates] == ["open", "closed"]
    assert updates[0]["update_id"] != updates[1]["update_id"]
    assert "年内修补" in updates[1]["description"]
    assert "13812345678" not in updates[1]["description"]  # scrubbed as on the tracking page
    assert all(u["service_request_id"] == L.d.tracking_number for u in updates)
    root = body(get("servicerequestupdates", "xml", api_key=key, service_request_id=L.d.tracking_number))
    assert root.tag == "service_requests_updates"
    assert [u.find("status").text for u in root.findall("request_update")] == ["open", "closed"]
    # Only public events: notes, reveals and other internal rows never appear.
    public = PetitionEvent.objects.filter(is_public=True, petition__area_code__startswith=world.j.K.prefix).count()
    assert len(body(get("servicerequestupdates", api_key=key))) == public
    # Another district's client sees none of them; the window filters.
    others = body(get("servicerequestupdates", api_key=keys["k2"][1]))
    assert L.d.tracking_number not in {u["service_request_id"] for u in others}
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert body(get("servicerequestupdates", api_key=key, start_date=later)) == []
    # The request's status notes are its latest public text, scrubbed alike.
    record = body(get(f"requests/{L.d.tracking_number}", api_key=key))[0]
    assert record["status"] == "closed" and "年内修补" in record["status_notes"] and "张三" in L.a.petitioner_name


def test_progress_shows_in_status_notes_and_updates(ledger, keys, world):
    from petitions.handling.services import petition_accept, petition_assign

    L = ledger
    Petition.objects.filter(pk=L.d.pk).update(lead_department=None)
    petition_assign(actor=world.office, petition=L.d, department=world.D)
    petition_accept(actor=world.dept, petition=L.d)
    petition_progress(actor=world.dept, petition=L.d, text="施工队已进场，王五家门口路段先修")
    record = body(get(f"requests/{L.d.tracking_number}", api_key=keys["k"][1]))[0]
    assert "施工队已进场" in record["status_notes"] and "王五" not in record["status_notes"]
    assert record["agency_responsible"] == world.D.name and record["expected_datetime"]


# -- privacy --------------------------------------------------------------------------------------------


def test_no_personal_data_in_any_response(ledger, keys, world, service):
    L = ledger
    body(
        new_item(
            keys,
            service,
            first_name="七",
            last_name="钱",
            phone="13598765432",
            email="alice@example.com",
            description="钱七反映：电话13598765432，身份证110101199001011234，东关村路灯坏了",
        )
    )
    Petition.objects.filter(pk=L.a.pk).update(
        id_number_masked="1101**********123X", address="东关村三巷5号 门口"
    )  # the petitioner's own address typed in
    petition_consult(actor=world.office, petition=L.a, text="张三您好，已联系13812345678处理")
    paths = [
        "services",
        "requests",
        f"requests/{L.a.tracking_number}",
        f"requests/{L.b.tracking_number}",
        "servicerequestupdates",
    ]
    for key in (keys["k"][1], keys["t1"][1], None):
        for path in paths:
            for fmt in ("json", "xml"):
                params = {"api_key": key} if key else {}
                text = get(path, fmt, **params).content.decode()
                for value in (*PERSONAL, "110101199001011234"):
                    assert value not in text, (path, fmt, value)


def test_descriptions_own_full_others_excerpt_confidential_none(ledger, keys, service):
    L = ledger
    long_text = "东关村文化广场的健身器材年久失修，" * 10
    number = body(new_item(keys, service, description=long_text, jurisdiction_id=ledger.a.jurisdiction.code))[0][
        "service_request_id"
    ]
    own = body(get(f"requests/{number}", api_key=keys["k"][1]))[0]["description"]
    assert own == " ".join(long_text.split())
    other = body(get(f"requests/{number}", api_key=keys["t1"][1]))[0]["description"]
    assert other.endswith("…") and len(other) == 101
    assert body(get(f"requests/{L.b.tracking_number}", api_key=keys["k"][1]))[0]["description"] is None
    confidential = body(new_item(keys, service, **{"attribute[confidential]": "true"}))[0]["service_request_id"]
    assert body(get(f"requests/{confidential}", api_key=keys["k"][1]))[0]["description"] is None
    assert Petition.objects.get(tracking_number=confidential).is_confidential


def test_without_a_key_only_public_safe_fields(ledger, keys, world, service):
    L = ledger
    Petition.objects.filter(pk=L.a.pk).update(address="东关村北口", latitude="40.1", longitude="115.9")
    number = body(new_item(keys, service, media_url="https://example.com/a.jpg"))[0]["service_request_id"]
    for n in (L.a.tracking_number, number):
        record = body(get(f"requests/{n}"))[0]
        assert record["status"] == "open" and record["requested_datetime"]
        for field in ("description", "status_notes", "address", "address_id", "lat", "long", "media_url"):
            assert record[field] is None, field
    # Lists need a key: open to anyone, they would hand out every item's tracking number.
    assert_error(get("requests"), 403)
    assert_error(get("servicerequestupdates", "xml"), 403, "xml")
    # A key given but wrong is refused even where none is needed.
    assert_error(get("requests", api_key="wrong"), 403)
    assert_error(get("requests", "xml", api_key=keys["off"][1]), 403, "xml")
    assert_error(get("servicerequestupdates", api_key="wrong"), 403)


# -- the rest -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_wrong_method_and_unknown_paths(db, fmt):
    response = Client().put(f"{BASE}requests.{fmt}")
    assert_error(response, 405, fmt)
    assert response["Allow"] == "GET, POST"
    assert_error(Client().post(f"{BASE}services.{fmt}"), 405, fmt)
    assert_error(Client().get(f"{BASE}nothing.{fmt}"), 404, fmt)
    assert_error(Client().post(f"{BASE}nothing/else.{fmt}"), 404, fmt)
    assert_error(Client().get(f"{BASE}requests.csv"), 404)


def test_openapi_document_is_served_from_the_repository(db):
    response = Client().get(f"{BASE}openapi.json")
    assert response.status_code == 200
    served = json.loads(b"".join(response.streaming_content))
    kept = json.loads((Path(__file__).parents[2] / "petitions" / "open311" / "openapi.json").read_text())
    assert served == kept and served["openapi"].startswith("3.")
    assert {"/requests.{format}", "/servicerequestupdates.{format}", "/tokens/{token}.{format}"} <= set(served["paths"])


def test_admin_creates_a_client_and_shows_its_key_once(world, client_for):
    import re

    admin = client_for(world.admin)
    response = admin.post(
        reverse("admin:petitions_apiclient_add"),
        {
            "name": "北京12345",
            "jurisdiction": world.j.K.pk,
            "default_station": world.S1.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    client = ApiClient.objects.get(name="北京12345")
    raw = re.search(r'<code class="api-key">([^<]+)</code>', response.content.decode()).group(1)
    assert raw.startswith(client.key_prefix) and len(client.key_hash) == 64 and client.key_hash != raw
    # The key works; neither the change page nor the list shows it again.
    assert get("requests", api_key=raw).status_code == 200
    for url in (
        reverse("admin:petitions_apiclient_change", args=[client.pk]),
        reverse("admin:petitions_apiclient_changelist"),
    ):
        assert raw not in admin.get(url).content.decode()
    # A new key replaces the old one.
    response = admin.post(
        reverse("admin:petitions_apiclient_changelist"), {"action": "new_key", "_selected_action": [client.pk]}
    )
    new = re.search(r'<code class="api-key">([^<]+)</code>', response.content.decode()).group(1)
    assert new != raw
    assert_error(get("requests", api_key=raw), 403)
    assert get("requests", api_key=new).status_code == 200
    # A station outside the jurisdiction is refused.
    response = admin.post(
        reverse("admin:petitions_apiclient_add"),
        {
            "name": "朝阳12345",
            "jurisdiction": world.j.K2.pk,
            "default_station": world.S1.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and not ApiClient.objects.filter(name="朝阳12345").exists()
