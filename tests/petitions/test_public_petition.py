"""The resident's QR-code form, its done page and the public tracking pages (no login)."""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from liaison.models import Channel as NoticeChannel
from liaison.models import Notification, OutboxMessage
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import petition_reply_online
from petitions.models import Category, Channel, Petition, PetitionEvent, StagedUpload, Status
from tests.factories import MembershipFactory, RepresentativeFactory, make_petition

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def jpeg(name="photo.jpg", size=(32, 24)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def form_url(station):
    return reverse("public:station_petition", args=[station.public_code])


def done_url(station):
    return reverse("tracking:done", args=[station.public_code])


def a_category():
    return Category.objects.get(name="停车管理")


def post(client, station, **data):
    payload = {
        "content": "村东头路灯坏了一个星期，晚上出行很不方便。",
        "category": "",
        "representative": "",
        "name": "",
        "phone": "",
        "website": "",
    }
    payload.update(data)
    return client.post(form_url(station), payload)


# --- the form page ------------------------------------------------------------------------------


def test_form_shows_the_station_its_representatives_and_the_notice(client, world):
    response = client.get(form_url(world.S1))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.S1.name in html and 'id="station-name"' in html
    assert "张建国" in html and f'value="{world.R1.pk}"' in html
    assert world.R1.private_phone not in html
    assert 'id="privacy-notice"' in html and 'name="is_confidential"' in html
    # Grouped categories of the seeded taxonomy.
    assert '<optgroup label="城市管理">' in html and "停车管理" in html
    # The honeypot: off-screen container, never focused, no autofill.
    assert 'class="qr-hp" aria-hidden="true"' in html
    assert 'name="website" id="id_website" value="" autocomplete="off" tabindex="-1"' in html
    assert "csrfmiddlewaretoken" in html
    assert "no-cache" in response["Cache-Control"]


def test_form_page_is_small(client, world):
    """No map, no big script: the HTML of the page stays light for a phone on a slow network."""
    html = client.get(form_url(world.S1)).content.decode()
    for heavy in ("leaflet.js", "leaflet.css", "bootstrap.bundle", "htmx"):
        assert heavy not in html
    assert len(html.encode()) < 40_000


def test_form_page_query_count(client, world, django_assert_max_num_queries):
    for _i in range(5):
        MembershipFactory(representative=RepresentativeFactory(jurisdiction=world.j.K), station=world.S1)
    with django_assert_max_num_queries(4):  # station, representatives, categories, the reply hours of its place
        assert client.get(form_url(world.S1)).status_code == 200


def test_inactive_or_unknown_station_is_404(client, world):
    world.S2.is_active = False
    world.S2.save()
    assert client.get(form_url(world.S2)).status_code == 404
    assert client.get(reverse("public:station_petition", args=["NOPE2345"])).status_code == 404
    assert post(client, world.S2).status_code == 404
    assert Petition.objects.count() == 0


# --- submitting ---------------------------------------------------------------------------------


def test_submit_registers_a_qr_item_for_all_the_station_representatives(
    client, world, django_capture_on_commit_callbacks
):
    other = RepresentativeFactory(name="孙志强", jurisdiction=world.j.K)
    MembershipFactory(representative=other, station=world.S1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form_url(world.S1),
            {
                "content": "东关大街路口停车混乱，早晚高峰经常堵车。",
                "category": str(a_category().pk),
                "representative": "",
                "name": "周小梅",
                "phone": PHONE,
                "website": "",
                "photos": [jpeg()],
            },
        )
    assert response.status_code == 302 and response["Location"] == done_url(world.S1)

    petition = Petition.objects.get()
    assert petition.channel == Channel.QR and petition.status == Status.REGISTERED
    assert petition.station == world.S1 and petition.jurisdiction == world.S1.jurisdiction
    assert petition.category == a_category()
    assert (petition.petitioner_name, petition.petitioner_phone) == ("周小梅", PHONE)
    assert not petition.is_anonymous and not petition.is_confidential
    assert petition.registered_by is None
    assert abs(petition.first_reply_due_at - (petition.registered_at + timedelta(hours=24))) < timedelta(seconds=5)
    assert set(petition.representatives.all()) == {world.R1, other}
    attachment = petition.attachments.get()
    assert attachment.content_type == "image/jpeg" and attachment.original_name == "photo.jpg"
    assert StagedUpload.objects.count() == 0

    event = petition.events.get(kind=PetitionEventKind.REGISTERED)
    assert event.actor is None and event.actor_label == "resident" and event.is_public
    # The representatives are told at once (R1 has an account: inbox), and the inbox row was delivered.
    assert OutboxMessage.objects.filter(
        topic="petition_online", user=world.rep, channel=NoticeChannel.INBOX, key__contains=f":rep:{world.R1.pk}"
    ).exists()
    assert OutboxMessage.objects.filter(topic="petition_online", recipient_name="孙志强").exists()
    assert Notification.objects.filter(recipient=world.rep, subject__contains=petition.tracking_number).exists()

    done = client.get(done_url(world.S1))
    assert done.status_code == 200
    html = done.content.decode()
    assert f'id="tracking-number">{petition.tracking_number}<' in html
    assert reverse("tracking:detail", args=[petition.tracking_number]) in html
    assert 'id="copy-number"' in html and 'id="keep-advice"' in html
    assert done["Referrer-Policy"] == "same-origin" and "no-store" in done["Cache-Control"]
    # A reload still shows it.
    assert petition.tracking_number in client.get(done_url(world.S1)).content.decode()


def test_submit_to_a_chosen_representative(client, world):
    other = RepresentativeFactory(name="孙志强", jurisdiction=world.j.K)
    MembershipFactory(representative=other, station=world.S1)
    assert post(client, world.S1, representative=str(other.pk)).status_code == 302
    assert list(Petition.objects.get().representatives.all()) == [other]


def test_a_station_without_representatives_still_takes_items(client, world):
    html = client.get(form_url(world.P1)).content.decode()
    assert 'name="representative"' not in html
    assert post(client, world.P1).status_code == 302
    petition = Petition.objects.get()
    assert petition.station == world.P1 and not petition.representatives.exists()


def test_a_representative_of_another_station_cannot_be_chosen(client, world):
    response = post(client, world.S1, representative=str(world.R2.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["representative"]
    assert Petition.objects.count() == 0


def test_without_name_and_phone_the_item_is_anonymous(client, world):
    assert post(client, world.S1, is_confidential="on").status_code == 302
    petition = Petition.objects.get()
    assert petition.is_anonymous and petition.is_confidential
    assert petition.petitioner_name == "" and petition.petitioner_phone == ""


def test_phone_is_normalised(client, world):
    assert post(client, world.S1, phone="+86 138-1234-5678").status_code == 302
    assert Petition.objects.get().petitioner_phone == PHONE


def test_done_page_shows_only_this_sessions_number(client, world):
    post(client, world.S1)
    number = Petition.objects.get().tracking_number
    stranger = Client()
    response = stranger.get(done_url(world.S1))
    assert response.status_code == 302 and response["Location"] == form_url(world.S1)
    # Another station's done page in the same session shows nothing either.
    assert client.get(done_url(world.S2)).status_code == 302
    assert number in client.get(done_url(world.S1)).content.decode()


# --- errors keep what was typed -------------------------------------------------------------------


def test_phone_error_keeps_the_content_and_the_staged_photo(client, world):
    response = client.post(
        form_url(world.S1),
        {
            "content": "垃圾桶满了没人清理",
            "category": str(a_category().pk),
            "phone": "12345",
            "website": "",
            "name": "周小梅",
            "photos": [jpeg("垃圾桶.jpg")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="phone-error"' in html and 'aria-invalid="true"' in html
    assert "垃圾桶满了没人清理" in html and 'value="周小梅"' in html and 'value="12345"' in html
    assert f'<option value="{a_category().pk}" selected>' in html
    staged = StagedUpload.objects.get()
    assert f'name="staged" value="{staged.token}"' in html and "垃圾桶.jpg" in html
    assert Petition.objects.count() == 0

    # Fixed phone, no new upload: the staged photo becomes the attachment.
    response = client.post(
        form_url(world.S1),
        {"content": "垃圾桶满了没人清理", "phone": PHONE, "website": "", "staged": [staged.token]},
    )
    assert response.status_code == 302
    assert Petition.objects.get().attachments.get().original_name == "垃圾桶.jpg"
    assert not StagedUpload.objects.exists()


def test_missing_content_is_an_error_beside_the_field(client, world):
    response = post(client, world.S1, content="   ", phone=PHONE)
    assert response.status_code == 200
    assert 'id="content-error"' in response.content.decode()
    assert Petition.objects.count() == 0


def test_a_removed_staged_photo_is_not_attached(client, world):
    client.post(form_url(world.S1), {"content": "", "website": "", "photos": [jpeg()]})
    token = StagedUpload.objects.get().token
    response = post(client, world.S1, staged=[token], unstage=[token])
    assert response.status_code == 302
    assert not Petition.objects.get().attachments.exists()


def test_another_sessions_staged_photo_cannot_be_claimed(client, world):
    client.post(form_url(world.S1), {"content": "", "website": "", "photos": [jpeg()]})
    token = StagedUpload.objects.get().token
    assert post(Client(), world.S1, staged=[token]).status_code == 302
    assert not Petition.objects.get().attachments.exists()
    assert StagedUpload.objects.filter(token=token).exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("photo.jpg", b"this is not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\nbroken", content_type="image/png"),
        SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%...", content_type="application/pdf"),
    ],
    ids=["text-as-jpeg", "broken-png", "pdf"],
)
def test_fake_images_and_documents_are_rejected(client, world, upload):
    response = client.post(
        form_url(world.S1), {"content": "路灯坏了", "phone": PHONE, "website": "", "photos": [upload]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="invalid-feedback d-block photo-error"' in html and upload.name in html
    assert "路灯坏了" in html and f'value="{PHONE}"' in html
    assert not StagedUpload.objects.exists() and not Petition.objects.exists()


# --- abuse controls -------------------------------------------------------------------------------


def test_a_filled_honeypot_stores_nothing_and_answers_with_a_generic_error(client, world):
    response = client.post(
        form_url(world.S1),
        {
            "content": "优惠促销 http://spam.example",
            "phone": PHONE,
            "website": "http://spam.example",
            "photos": [jpeg()],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert "优惠促销" in html  # a person whose browser filled the trap loses nothing...
    assert 'name="website" id="id_website" value=""' in html  # ...and the next try goes through
    assert not Petition.objects.exists() and not StagedUpload.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_csrf_works_with_fresh_cookies(world):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(form_url(world.S1))
    token = page.context["csrf_token"]
    assert "csrftoken" in browser.cookies
    response = browser.post(
        form_url(world.S1), {"content": "路灯坏了", "website": "", "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302
    # Without the token nothing is stored.
    assert Client(enforce_csrf_checks=True).post(form_url(world.S1), {"content": "路灯坏了"}).status_code == 403
    assert Petition.objects.count() == 1


def test_rate_limit_per_ip(client, world, settings):
    settings.LIAISON_RATE_PETITION_IP = "2/3600"
    assert post(client, world.S1).status_code == 302
    assert post(client, world.S1, content="").status_code == 200  # a try with errors counts too
    response = client.post(
        form_url(world.S1), {"content": "第三条意见", "phone": PHONE, "website": "", "photos": [jpeg()]}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert 'id="rate-limited"' in html and "第三条意见" in html and f'value="{PHONE}"' in html
    assert Petition.objects.count() == 1 and not StagedUpload.objects.exists()
    # Another address is not affected.
    assert post(Client(REMOTE_ADDR="10.1.2.3"), world.S1).status_code == 302


def test_rate_limit_per_phone(world, settings):
    settings.LIAISON_RATE_PETITION_PHONE = "1/86400"
    assert post(Client(REMOTE_ADDR="10.0.0.1"), world.S1, phone=PHONE).status_code == 302
    again = Client(REMOTE_ADDR="10.0.0.2")
    response = post(again, world.S1, phone="138 1234 5678", content="同一个号码又来了")
    assert response.status_code == 429
    assert 'id="rate-limited"' in response.content.decode() and "同一个号码又来了" in response.content.decode()
    assert post(again, world.S1, phone="13900001111").status_code == 302
    assert post(again, world.S1, phone="").status_code == 302  # no phone: only the address limit applies
    assert Petition.objects.count() == 3


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(world, settings):
    settings.LIAISON_RATE_PETITION_IP = "1/3600"
    assert post(Client(HTTP_X_FORWARDED_FOR="1.1.1.1"), world.S1).status_code == 302
    assert post(Client(HTTP_X_FORWARDED_FOR="2.2.2.2"), world.S1).status_code == 429
    settings.LIAISON_TRUSTED_PROXY_COUNT = 1
    assert post(Client(HTTP_X_FORWARDED_FOR="3.3.3.3"), world.S1).status_code == 302
    assert post(Client(HTTP_X_FORWARDED_FOR="9.9.9.9, 3.3.3.3"), world.S1).status_code == 429


# --- tracking -------------------------------------------------------------------------------------


def track_url(number):
    return reverse("tracking:detail", args=[number])


@pytest.fixture
def sent(client, world):
    """An item a resident sent by QR code with name, phone and a photo."""
    client.post(
        form_url(world.S1),
        {
            "content": "东关大街路口停车混乱，早晚高峰经常堵车。",
            "category": str(a_category().pk),
            "name": "周小梅",
            "phone": PHONE,
            "website": "",
            "photos": [jpeg("现场照片.jpg")],
        },
    )
    return Petition.objects.get()


def test_tracking_page_shows_status_and_never_personal_data(client, world, sent):
    desk = make_petition(
        station=world.S1,
        representatives=[world.R1],
        actor=world.staff,
        content="东关村三巷路面塌陷",
        petitioner_name="张三丰",
        petitioner_phone="13911112222",
        petitioner_address="东关村三巷5号",
        id_number="110119199001011234",
    )
    for petition, secrets in (
        (sent, ["周小梅", PHONE, "138****5678", "现场照片", "周*"]),
        (
            desk,
            [
                "张三丰",
                "13911112222",
                "139****2222",
                "东关村三巷5号",
                "110119199001011234",
                "1101**********1234",
                "张*",
            ],
        ),
    ):
        response = client.get(track_url(petition.tracking_number))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="track-number">{petition.tracking_number}<' in html
        assert f'id="track-status">{petition.get_status_display()}<' in html
        assert world.S1.name in html and petition.received_on.strftime("%Y-%m-%d") in html
        for secret in secrets:
            assert secret not in html, secret
        assert "张建国" not in html  # the representative's name is in the event data, never on the page
        assert "/files/" not in html
    assert "停车管理" in client.get(track_url(sent.tracking_number)).content.decode()


def test_tracking_page_headers(client, sent):
    response = client.get(track_url(sent.tracking_number))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_tracking_page_query_count(sent, django_assert_max_num_queries):
    visitor = Client()  # no session: a resident looking their item up later
    with django_assert_max_num_queries(2):
        assert visitor.get(track_url(sent.tracking_number)).status_code == 200


def test_tracking_shows_public_replies_newest_last(client, world, sent):
    petition_reply_online(actor=world.rep, petition=sent, text="已联系交通部门，本周内加派人员疏导。")
    html = client.get(track_url(sent.tracking_number)).content.decode()
    assert "已联系交通部门，本周内加派人员疏导。" in html
    assert html.index("已联系交通部门") > html.index('class="track-entry')
    assert html.count('class="track-entry') == 2
    assert 'id="track-awaiting"' not in html  # the first reply is in


def test_tracking_excerpt_is_short_and_hidden_when_confidential(client, world):
    long = make_petition(station=world.S1, content="甲" * 150)
    confidential = make_petition(station=world.S1, content="反映村干部作风问题", is_confidential=True)
    html = client.get(track_url(long.tracking_number)).content.decode()
    assert "甲" * 100 + "…" in html and "甲" * 101 not in html
    html = client.get(track_url(confidential.tracking_number)).content.decode()
    assert "反映村干部作风问题" not in html and 'id="track-excerpt"' not in html


def test_tracking_excerpt_blanks_out_numbers_and_names_typed_into_the_content(client, world):
    petition = make_petition(
        station=world.S1,
        petitioner_name="周小梅",
        petitioner_address="东关村三巷5号",
        content="我是周小梅，住东关村三巷5号，电话13812345678，座机010-69101234，身份证110119199001011234，门口路灯坏了。",
    )
    html = client.get(track_url(petition.tracking_number)).content.decode()
    excerpt = html.split('id="track-excerpt">', 1)[1].split("<", 1)[0]
    assert excerpt == "我是***，住***，电话***，座机***，身份证***，门口路灯坏了。"


def test_linked_item_shows_the_primary_items_public_events(client, world):
    primary = make_petition(station=world.S1, representatives=[world.R1], content="东关大街停车难")
    linked = make_petition(station=world.S1, content="东关大街停车太乱了", linked_to=primary)
    petition_reply_online(actor=world.rep, petition=primary, text="张先生您好，已协调增设临时停车位。")
    PetitionEvent.objects.create(
        petition=primary, kind=PetitionEventKind.STATUS_CHANGED, is_public=True, public_text="已交区城管委办理。"
    )
    html = client.get(track_url(linked.tracking_number)).content.decode()
    assert 'id="track-linked"' in html
    assert "已交区城管委办理。" in html and 'class="track-linked-tag"' in html
    # A reply written to the other item's petitioner may speak of that person: never shown here.
    assert "张先生" not in html
    # Its own registration, its link, the primary's progress; not the primary's registration or reply.
    assert html.count('class="track-entry') == 3


def test_public_item_costs_two_queries(world, django_assert_max_num_queries):
    from petitions.intake.tracking import public_item

    primary = make_petition(station=world.S1, representatives=[world.R1])
    linked = make_petition(station=world.S1, linked_to=primary)
    PetitionEvent.objects.create(
        petition=primary, kind=PetitionEventKind.STATUS_CHANGED, is_public=True, public_text="已交办"
    )
    with django_assert_max_num_queries(2):
        item = public_item(linked.tracking_number)
    assert [e.on_linked_item for e in item.timeline] == [False, False, True]
    with django_assert_max_num_queries(2):
        assert public_item("2611-ZZZZZZZZ") is None


@pytest.mark.parametrize(
    "typed",
    [
        "2611-0123ABCD",
        "2611 0123 abcd",
        "26110123abcd",
        "2611-o123-abcd",
        "2611-OI23ABCD",
        "２６１１－ｏｌ２３ＡＢＣＤ",
    ],
)
def test_lookup_normalises_what_was_typed(client, world, typed):
    petition = make_petition(station=world.S1)
    Petition.objects.filter(pk=petition.pk).update(tracking_number="2611-0123ABCD")
    response = client.get(reverse("tracking:lookup"), {"number": typed})
    assert response.status_code == 302 and response["Location"] == track_url("2611-0123ABCD")
    assert response["Referrer-Policy"] == "same-origin"


def test_detail_accepts_a_typed_variant(client, world):
    petition = make_petition(station=world.S1)
    Petition.objects.filter(pk=petition.pk).update(tracking_number="2611-0123ABCD")
    assert client.get(track_url("2611o123abcd")).status_code == 200


@pytest.mark.parametrize("typed", ["2611-ZZZZZZZZ", "hello", "2611-0123ABC*"])
def test_unknown_numbers_get_the_same_not_found_page(client, world, typed):
    make_petition(station=world.S1)
    response = client.get(reverse("tracking:lookup"), {"number": typed})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="not-found"' in html and 'id="track-form"' in html
    detail = client.get(track_url(typed))
    assert detail.status_code == 404 and 'id="not-found"' in detail.content.decode()


def test_lookup_page_without_a_number(client, world):
    response = client.get(reverse("tracking:lookup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="track-form"' in html and 'id="not-found"' not in html


def test_tracking_rate_limit(client, world, settings, sent):
    settings.LIAISON_RATE_TRACK_IP = "3/600"
    lookup = reverse("tracking:lookup")
    assert client.get(lookup, {"number": "2611-ZZZZZZZZ"}).status_code == 404
    assert client.get(lookup, {"number": "2611-YYYYYYYY"}).status_code == 404
    assert client.get(track_url(sent.tracking_number)).status_code == 200
    for response in (client.get(lookup, {"number": sent.tracking_number}), client.get(track_url(sent.tracking_number))):
        assert response.status_code == 429
        assert 'id="rate-limited"' in response.content.decode()
        assert sent.tracking_number in response.content.decode()  # the typed number stays in the box
    assert Client(REMOTE_ADDR="10.9.9.9").get(track_url(sent.tracking_number)).status_code == 200


# --- the limiter itself ---------------------------------------------------------------------------


def test_allow_counts_per_key_and_window(monkeypatch):
    from liaison import ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert [ratelimit.allow("k", "2/60") for _ in range(3)] == [True, True, False]
    assert ratelimit.allow("other", "2/60")
    now[0] += 60  # the next window starts afresh
    assert ratelimit.allow("k", "2/60")
    assert ratelimit.retry_after("2/60") == 60 - int(now[0]) % 60
    assert not ratelimit.allow("k", "0/60")


def test_limiter_keys_hold_no_phone_number_in_clear(monkeypatch):
    from liaison import ratelimit

    seen = []
    real_add = ratelimit.cache.add
    monkeypatch.setattr(ratelimit.cache, "add", lambda key, *a, **k: seen.append(key) or real_add(key, *a, **k))
    ratelimit.allow(f"petition:phone:{PHONE}", "5/60")
    assert seen and PHONE not in seen[0]


def test_a_cache_outage_lets_requests_through(monkeypatch):
    from liaison import ratelimit

    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(ratelimit.cache, "add", down)
    assert ratelimit.allow("k", "0/60")


@pytest.mark.parametrize("rate", ["ten/60", "5/0", "-1/60"])
def test_bad_rates_are_refused(rate):
    from liaison import ratelimit

    with pytest.raises(ValueError):
        ratelimit.parse_rate(rate)


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.9"}, 0, "203.0.113.9"),
        ({"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, 0, "203.0.113.9"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, 1, "1.2.3.4"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.2"}, 2, "1.2.3.4"),
        ({"REMOTE_ADDR": "10.0.0.1"}, 1, "10.0.0.1"),
        ({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, 0, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "::ffff:203.0.113.9"}, 0, "203.0.113.9"),
    ],
)
def test_client_ip(rf, settings, meta, proxies, expected):
    from liaison.ratelimit import client_ip

    settings.LIAISON_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", **{k: v for k, v in meta.items() if k != "REMOTE_ADDR"}, REMOTE_ADDR=meta["REMOTE_ADDR"])
    assert client_ip(request) == expected


def test_normalise_tracking_number():
    from petitions.intake.tracking import normalise_tracking_number

    assert normalise_tracking_number(" 2611 abcd 2345 ") == "2611-ABCD2345"
    assert normalise_tracking_number("2611—ABCD—2345") == "2611-ABCD2345"
    assert normalise_tracking_number("26ll-oooo1111") == "2611-00001111"
    assert normalise_tracking_number("hello") == "HE110"
    assert normalise_tracking_number("") == ""
