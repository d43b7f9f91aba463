"""The ledger in real Chromium: a representative finds a resident's QR item at the head of their
ledger, opens it, reveals the phone (logged) and replies; the office filters by category and searches."""

from pathlib import Path

import pytest
from django.utils.translation import gettext

from petitions.ledger.services import PetitionDraft, petition_register
from petitions.models import Category, Petition, PetitionEvent
from tests.factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_representative_finds_and_answers_a_qr_item(live_server, world, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    make_petition(
        station=world.S1,
        representatives=[world.R1],
        actor=world.staff,
        content="村口健身器材损坏，希望维修",
        petitioner_name="孙七",
        petitioner_phone="13600001111",
    )
    qr = petition_register(
        actor=None,
        actor_label="resident",
        draft=PetitionDraft(
            jurisdiction=world.j.C1,
            station=world.S1,
            channel="qr",
            content="东关村小学门口早高峰拥堵，希望安排交通协管",
            petitioner_name="周八",
            petitioner_phone="13912345678",
        ),
        representatives=[world.R1],
    )

    sign_in(page, live_server, "rep", world.password)
    page.goto(live_server.url + "/petitions/")
    block = page.locator("#awaiting")
    block.wait_for()
    assert qr.tracking_number in block.inner_text()
    assert page.locator(f'#petition-ledger tr[data-tracking="{qr.tracking_number}"]').count() == 1
    assert "13912345678" not in page.content()
    page.screenshot(path=str(SHOTS / "ledger_rep_list.png"), full_page=False)

    block.locator(f'a:has-text("{qr.tracking_number}")').click()
    page.wait_for_url(f"**/petitions/{qr.pk}/#reply")
    assert "139****5678" in page.locator("#petitioner").inner_text()

    # Reveal the phone in place (htmx): the full number appears and the reveal is logged.
    page.locator("#reveal-petitioner_phone summary").click()
    page.select_option("#reveal-purpose-petitioner_phone", "contact")
    page.locator("#reveal-petitioner_phone button").click()
    page.locator("#reveal-petitioner_phone .is-revealed").wait_for()
    assert "13912345678" in page.locator("#reveal-petitioner_phone").inner_text()
    assert PetitionEvent.objects.filter(petition=qr, kind="revealed", actor=world.rep).count() == 1

    page.fill("#reply-form textarea[name=text]", "您好，已联系学校和交警中队，本周内安排协管员。")
    page.screenshot(path=str(SHOTS / "ledger_rep_reply.png"), full_page=True)
    page.click("#reply-form button[type=submit]")
    page.wait_for_url(f"**/petitions/{qr.pk}/#reply")
    assert "alert-success" in page.locator("#online-duty").get_attribute("class")
    assert "本周内安排协管员" in page.locator("#timeline").inner_text()
    qr.refresh_from_db()
    assert qr.first_replied_at is not None

    # Answered: it no longer heads the ledger.
    page.goto(live_server.url + "/petitions/")
    assert page.locator("#awaiting").count() == 0
    assert page.external_requests == []


def test_office_filters_by_category_and_searches(live_server, world, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    parking = Category.objects.create(name="测试停车")
    spaces = Category.objects.create(name="车位", parent=parking)
    roads = Category.objects.create(name="测试道路")
    rows = [
        ("小区停车位不足，晚上车辆乱停", spaces, world.S1),
        ("商业街违规停车占用人行道", parking, world.S2),
        ("榆林堡村道路坑洼需要修补", roads, world.S2),
        ("东关村路灯损坏，夜间出行不便", roads, world.S1),
        ("建国里社区停车收费不合理", spaces, world.S3),  # another district
    ]
    made = [make_petition(station=station, actor=world.staff, content=text) for text, _category, station in rows]
    for petition, (_text, category, _station) in zip(made, rows, strict=False):
        Petition.objects.filter(pk=petition.pk).update(category=category)

    sign_in(page, live_server, "office", world.password)
    page.goto(live_server.url + "/petitions/")
    page.locator("#petition-ledger").wait_for()
    assert page.locator("#petition-ledger tbody tr[data-tracking]").count() == 4

    page.select_option("#id_category", str(parking.pk))
    page.click("#ledger-filter input[type=submit]")
    page.wait_for_url("**/petitions/?*category=*")
    shown = page.locator("#petition-ledger tbody tr[data-tracking]").evaluate_all(
        "rows => rows.map(r => r.dataset.tracking)"
    )
    assert set(shown) == {made[0].tracking_number, made[1].tracking_number}  # the parent finds its children

    page.fill("#id_q", "人行道")
    page.press("#id_q", "Enter")
    page.wait_for_url("**/petitions/?*q=*")
    shown = page.locator("#petition-ledger tbody tr[data-tracking]").evaluate_all(
        "rows => rows.map(r => r.dataset.tracking)"
    )
    assert shown == [made[1].tracking_number]
    page.screenshot(path=str(SHOTS / "ledger_office_filtered.png"), full_page=False)

    # Another district's item is never found.
    page.goto(live_server.url + "/petitions/?q=" + "收费不合理")
    assert page.locator("#petition-ledger tbody tr[data-tracking]").count() == 0

    # Save the filter and apply it from the menu.
    page.goto(live_server.url + f"/petitions/?category={parking.pk}")
    page.click("#saved-filters > button")
    page.fill("#filter-name", "停车类")
    page.click("#filter-save button[type=submit]")
    page.wait_for_url("**/petitions/?category=*")
    page.goto(live_server.url + "/petitions/")
    page.click("#saved-filters > button")
    page.click("#saved-filters a:has-text('停车类')")
    page.wait_for_url(f"**/petitions/?category={parking.pk}")
    assert page.locator("#petition-ledger tbody tr[data-tracking]").count() == 2
    page.goto(live_server.url + "/petitions/")
    page.screenshot(path=str(SHOTS / "ledger_office_list.png"), full_page=False)
    assert gettext("Ledger") in page.title()
    assert page.external_requests == []
