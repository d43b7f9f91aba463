"""Reception events in real Chromium: staff run a day (roster, double-booking warning, the
record with a photo); a representative volunteers for an open place from "my days"."""

import io
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from liaison.models import Role
from stations.models import Membership, ReceptionEvent, RosterEntry
from tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("var")


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def make_event(station, day, start=time(9), end=time(11, 30), **extra):
    extra.setdefault("place", station.address)
    return ReceptionEvent.objects.create(station=station, date=day, start_time=start, end_time=end, **extra)


def photo_file(tmp_path) -> str:
    path = tmp_path / "现场.jpg"
    img = Image.new("RGB", (320, 200), (40, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return str(path)


def test_staff_run_a_reception_day(live_server, world, page, tmp_path):
    SHOTS.mkdir(exist_ok=True)
    today = timezone.localdate()
    event = make_event(world.S1, today, open_slots=2)
    # 孙明 is a member of S1 and of the contact point P1, already on P1's roster at an overlapping time.
    other = make_event(world.P1, today, start=time(10), end=time(12))
    sun = RepresentativeFactory(name="孙明", code="R-SUN", level="township", jurisdiction=world.j.T1)
    Membership.objects.create(representative=sun, station=world.S1)
    Membership.objects.create(representative=sun, station=world.P1)
    RosterEntry.objects.create(event=other, representative=sun)

    sign_in(page, live_server, "staff", world.password)
    page.goto(live_server.url + f"/reception/events/?station={world.S1.pk}")
    page.click(f"#event-ledger a[href='/reception/events/{event.pk}/']")
    page.wait_for_url(f"**/reception/events/{event.pk}/")

    # Search with htmx, add 孙明: the new row is amber and names the other event.
    with page.expect_response(lambda r: "/roster/candidates/" in r.url and "q=" in r.url):
        page.fill("#roster-search", "孙")
    page.wait_for_function("() => document.querySelectorAll('#roster-candidates button[data-add]').length === 1")
    assert page.locator("#roster-candidates button[data-add]").count() == 1
    page.click("#roster-candidates button[data-add='R-SUN']")
    page.wait_for_url(f"**/reception/events/{event.pk}/#roster")
    warning = page.locator("#roster-table tr.roster-warning")
    assert warning.count() == 1 and warning.get_attribute("data-rep") == "R-SUN"
    assert world.P1.name in warning.inner_text() and "10:00–12:00" in warning.locator(".clash").inner_text()
    page.locator("#roster-candidates button[data-add='R-1']").click()  # 张建国, no clash
    page.wait_for_url(f"**/reception/events/{event.pk}/#roster")
    assert page.locator("#roster-table tbody tr").count() == 2
    assert page.locator("#roster-table tr.roster-warning").count() == 1
    page.screenshot(path=str(SHOTS / "browser-event-roster.png"), full_page=True)

    # The day's record: 孙明 came, 张建国 did not.
    sun_entry = RosterEntry.objects.get(event=event, representative=sun)
    page.check(f"#record input[name=attended][value='{sun_entry.pk}']")
    page.fill("#id_residents_received", "18")
    page.fill("#id_opinions_collected", "6")
    page.fill("#id_summary", "群众反映停车难、电动车充电难。")
    page.click("#save-record")
    page.wait_for_url(f"**/reception/events/{event.pk}/#record")
    event.refresh_from_db()
    assert event.status == "held" and event.residents_received == 18 and event.opinions_collected == 6
    assert dict(event.roster.values_list("representative__code", "attended")) == {"R-SUN": True, "R-1": False}

    page.set_input_files("#id_photo", photo_file(tmp_path))
    page.fill("#id_caption", "接待现场")
    page.click("#upload-photo")
    page.wait_for_url(f"**/reception/events/{event.pk}/#photos")
    img = page.locator("#photos img.event-photo")
    assert img.count() == 1
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=img.element_handle())
    page.screenshot(path=str(SHOTS / "browser-event-recorded.png"), full_page=True)
    assert not page.external_requests


def test_representative_volunteers_from_my_days(live_server, world, page):
    SHOTS.mkdir(exist_ok=True)
    today = timezone.localdate()
    open_event = make_event(world.S1, today + timedelta(days=12), open_slots=2, place="东关村文化活动室")
    full = make_event(world.S1, today + timedelta(days=13), open_slots=1)
    RosterEntry.objects.create(event=full, representative=world.R4)
    make_event(world.S2, today + timedelta(days=12))  # not their station

    sign_in(page, live_server, "rep", world.password)
    page.goto(live_server.url + "/reception/my/")
    assert page.locator("#coming tbody tr td[colspan]").count() == 1  # empty state
    rows = page.locator("#open-slots tbody tr")
    assert rows.count() == 1 and "东关村文化活动室" in rows.first.inner_text()
    page.screenshot(path=str(SHOTS / "browser-my-days-before.png"), full_page=True)
    rows.first.locator("button[type=submit]").click()
    page.wait_for_url("**/reception/my/")
    assert page.locator(".alert-success").count() == 1
    assert "东关村文化活动室" in page.locator("#coming").inner_text()
    assert page.locator("#open-slots tbody tr td[colspan]").count() == 1  # nothing left to take
    entry = RosterEntry.objects.get(event=open_event)
    assert entry.representative == world.R1 and entry.source == "volunteered"
    page.screenshot(path=str(SHOTS / "browser-my-days-after.png"), full_page=True)


def test_second_volunteer_for_the_last_place_is_told(live_server, world, page):
    today = timezone.localdate()
    event = make_event(world.S1, today + timedelta(days=12), open_slots=1)
    sign_in(page, live_server, "rep", world.password)
    page.goto(live_server.url + "/reception/my/")
    # Someone else takes the last place while the page is open.
    other_user = UserFactory(username="rep2", role=Role.REPRESENTATIVE)
    other = RepresentativeFactory(name="钱二", jurisdiction=world.j.T1, user=other_user)
    RosterEntry.objects.create(event=event, representative=other, source="volunteered")
    page.locator("#open-slots tbody tr button[type=submit]").first.click()
    page.wait_for_url("**/reception/my/")
    assert page.locator(".alert-danger").count() == 1
    assert not RosterEntry.objects.filter(event=event, representative=world.R1).exists()
