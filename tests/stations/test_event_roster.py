"""Rosters: assign, remove, volunteer (and the race for the last place), double-booking
warnings, counts against the yearly quota, the notice written at once when it is due."""

import threading
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from liaison.models import OutboxMessage
from stations.models import Membership, ReceptionEvent, RosterEntry
from stations.reception.events import selectors, services
from tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


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


def member_with_account(world, station, username, name):
    user = UserFactory(username=username, role="representative")
    rep = RepresentativeFactory(name=name, level="township", jurisdiction=world.j.T1, user=user)
    Membership.objects.create(representative=rep, station=station)
    return user, rep


# --------------------------------------------------------------------------- assign and remove


def test_staff_adds_and_removes_a_representative(world, client_for):
    event = make_event(world.S1)
    client = client_for(world.staff)
    response = client.post(reverse("reception:roster_add", args=[event.pk]), {"representative": world.R1.pk})
    assert response.status_code == 302 and response["Location"].endswith("#roster")
    entry = RosterEntry.objects.get(event=event)
    assert entry.representative == world.R1 and entry.source == "assigned" and entry.added_by == world.staff

    response = client.post(
        reverse("reception:roster_add", args=[event.pk]), {"representative": world.R1.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "already on this roster" in " ".join(response.context["roster_form"].errors["representative"])
    assert RosterEntry.objects.filter(event=event).count() == 1

    response = client.post(reverse("reception:roster_remove", args=[event.pk, entry.pk]))
    assert response.status_code == 302 and not RosterEntry.objects.exists()


def test_duplicate_in_the_service_is_a_clear_validation_error(world):
    event = make_event(world.S1)
    services.roster_add(actor=world.office, event=event, representative=world.R1)
    with pytest.raises(ValidationError, match="已在本次接待安排中"):
        services.roster_add(actor=world.office, event=event, representative=world.R1)


def test_representative_outside_the_scope_cannot_be_added(world, client_for):
    event = make_event(world.S1)
    response = client_for(world.staff).post(
        reverse("reception:roster_add", args=[event.pk]), {"representative": world.R3.pk}
    )
    assert response.status_code == 400 and not RosterEntry.objects.exists()


def test_held_roster_is_closed(world, client_for):
    held = make_event(world.S1, today() - timedelta(days=1), status=ReceptionEvent.Status.HELD)
    entry = RosterEntry.objects.create(event=held, representative=world.R1, attended=True)
    with pytest.raises(ValidationError):
        services.roster_add(actor=world.office, event=held, representative=world.R4)
    with pytest.raises(ValidationError):
        services.roster_remove(actor=world.office, entry=entry)
    response = client_for(world.office).post(reverse("reception:roster_remove", args=[held.pk, entry.pk]))
    assert response.status_code == 302 and RosterEntry.objects.filter(pk=entry.pk).exists()


def test_adding_three_working_days_ahead_writes_the_notice_at_once(world):
    day = workdays.add_working_days(today(), 3)
    event = make_event(world.S1, day)
    with_notice = services.roster_add(actor=world.staff, event=event, representative=world.R1)
    assert OutboxMessage.objects.filter(key__startswith=f"reception:{event.pk}:rep:{world.R1.pk}:").exists()
    # Far ahead: nothing yet (beat writes it when due).
    later = make_event(world.S1, today() + timedelta(days=60))
    services.roster_add(actor=world.staff, event=later, representative=world.R1)
    assert not OutboxMessage.objects.filter(key__startswith=f"reception:{later.pk}:").exists()
    assert with_notice.pk


def test_notices_panel_shows_the_event_s_outbox_rows(world, client_for):
    event = make_event(world.S1, workdays.add_working_days(today(), 2))
    services.roster_add(actor=world.staff, event=event, representative=world.R1)
    context = client_for(world.staff).get(reverse("reception:event_detail", args=[event.pk])).context
    assert context["can_notices"] and {m.recipient_name for m in context["notices"]} == {"张建国"}
    rep_context = client_for(world.rep).get(reverse("reception:event_detail", args=[event.pk])).context
    assert rep_context["can_notices"] is False and "notices" not in rep_context


# --------------------------------------------------------------------------- warnings


def test_double_booking_is_warned(world, client_for):
    day = today() + timedelta(days=15)
    here = make_event(world.S1, day, start=time(9), end=time(11))
    overlapping = make_event(world.S2, day, start=time(10), end=time(12))
    same_day = make_event(world.H1, day, start=time(14), end=time(16))
    for event in (here, overlapping, same_day):
        RosterEntry.objects.create(event=event, representative=world.R4)
    RosterEntry.objects.create(event=here, representative=world.R1)

    rows = {row.entry.representative_id: row for row in selectors.roster_rows(here)}
    clashes = rows[world.R4.pk].clashes
    assert [(c.event.pk, c.overlaps) for c in clashes] == [(overlapping.pk, True), (same_day.pk, False)]
    assert rows[world.R4.pk].warn and not rows[world.R1.pk].warn

    html = (
        client_for(world.office)
        .get(reverse("reception:event_detail", args=[here.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert html.count("roster-warning") == 1
    assert "Double booked: also at" in html and "Same day: also at" in html
    assert world.S2.name in html


def test_cancelled_events_do_not_clash(world):
    day = today() + timedelta(days=15)
    here = make_event(world.S1, day)
    cancelled = make_event(world.S2, day, status=ReceptionEvent.Status.CANCELLED)
    RosterEntry.objects.create(event=here, representative=world.R4)
    RosterEntry.objects.create(event=cancelled, representative=world.R4)
    assert selectors.roster_rows(here)[0].clashes == []


def test_count_for_the_year_against_the_quota(world, settings, client_for):
    settings.LIAISON_RECEPTION_QUOTAS = {**settings.LIAISON_RECEPTION_QUOTAS, "city": 2}
    year = today().year + 1
    events = [make_event(world.S1, today().replace(year=year, month=m, day=10)) for m in (3, 4, 5)]
    not_counted = [
        make_event(world.S1, today().replace(year=year, month=6, day=10), status=ReceptionEvent.Status.CANCELLED),
        make_event(world.S1, today().replace(year=year, month=7, day=10), status=ReceptionEvent.Status.DRAFT),
        make_event(world.S1, today().replace(year=year + 1, month=3, day=10)),
    ]
    for event in events + not_counted:
        RosterEntry.objects.create(event=event, representative=world.R4)  # R4: city level
    RosterEntry.objects.create(event=events[0], representative=world.R1)

    rows = {row.entry.representative_id: row for row in selectors.roster_rows(events[0])}
    assert (rows[world.R4.pk].count, rows[world.R4.pk].quota, rows[world.R4.pk].over_quota) == (3, 2, True)
    assert (rows[world.R1.pk].count, rows[world.R1.pk].quota, rows[world.R1.pk].over_quota) == (1, 3, False)
    html = client_for(world.office).get(reverse("reception:event_detail", args=[events[0].pk])).content.decode()
    assert "3 / 2" in html and "1 / 3" in html


def test_candidates_members_first_and_searchable(world, client_for):
    event = make_event(world.S1)
    _user, member = member_with_account(world, world.S1, "rep9", "钱多多")
    candidates = selectors.roster_candidates(world.office, event)
    names = [c.representative.name for c in candidates]
    assert set(names[:2]) == {"张建国", "钱多多"}
    assert all(c.is_member for c in candidates[:2]) and not candidates[2].is_member
    assert world.R3.name not in names  # another district
    RosterEntry.objects.create(event=event, representative=member)
    found = selectors.roster_candidates(world.office, event, "赵")
    assert [c.representative for c in found] == [world.R4]
    response = client_for(world.office).get(reverse("reception:roster_candidates", args=[event.pk]) + "?q=赵")
    assert (
        response.status_code == 200
        and "赵丽华" in response.content.decode()
        and "钱多多" not in response.content.decode()
    )


# --------------------------------------------------------------------------- volunteering


def test_volunteering_for_the_last_place(world, client_for):
    event = make_event(world.S1, open_slots=1)
    first_user, first = member_with_account(world, world.S1, "rep_a", "孙一")
    second_user, _second = member_with_account(world, world.S1, "rep_b", "孙二")

    entry = services.roster_volunteer(actor=first_user, event=event)
    assert entry.representative == first and entry.source == "volunteered"
    with pytest.raises(ValidationError, match="名额刚刚已满"):
        services.roster_volunteer(actor=second_user, event=event)
    assert list(event.roster.values_list("representative", flat=True)) == [first.pk]

    # Through the page, the second one reads why.
    response = client_for(second_user).post(
        reverse("reception:volunteer", args=[event.pk]),
        {"next": "/reception/my/"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.redirect_chain[-1][0] == "/reception/my/"
    assert "just been taken" in response.content.decode()


def test_volunteering_rules(world, client_for):
    own = make_event(world.S1)
    services.roster_volunteer(actor=world.rep, event=own)
    with pytest.raises(ValidationError, match="已在本次接待安排中"):
        services.roster_volunteer(actor=world.rep, event=own)
    elsewhere = make_event(world.S2)
    with pytest.raises(PermissionDenied):
        services.roster_volunteer(actor=world.rep, event=elsewhere)
    tomorrow_is_fine = make_event(world.S1, today() + timedelta(days=1))
    services.roster_volunteer(actor=world.rep, event=tomorrow_is_fine)
    today_event = make_event(world.S1, today())
    with pytest.raises(ValidationError):
        services.roster_volunteer(actor=world.rep, event=today_event)
    draft = make_event(world.S1, status=ReceptionEvent.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.roster_volunteer(actor=world.rep, event=draft)
    with pytest.raises(PermissionDenied):
        services.roster_volunteer(actor=world.staff, event=own)
    # The detail page offers the button only where it would work.
    assert (
        client_for(world.rep).get(reverse("reception:event_detail", args=[draft.pk])).context["can_volunteer"] is False
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_volunteers_at_once_on_postgresql(world):
    event = make_event(world.S1, open_slots=1)
    users = [member_with_account(world, world.S1, f"rep_t{i}", f"周{i}")[0] for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def volunteer(user):
        barrier.wait()
        try:
            services.roster_volunteer(actor=user, event=event)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=volunteer, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full", "ok"] and event.roster.count() == 1


# --------------------------------------------------------------------------- my days


def test_my_days(world, client_for):
    coming = make_event(world.S1, today() + timedelta(days=5))
    RosterEntry.objects.create(event=coming, representative=world.R1)
    open_event = make_event(world.S1, today() + timedelta(days=9), place="东关村文化室")
    full = make_event(world.S1, today() + timedelta(days=9), open_slots=1)
    RosterEntry.objects.create(event=full, representative=world.R4)
    past = make_event(world.S1, today() - timedelta(days=30), status=ReceptionEvent.Status.HELD)
    RosterEntry.objects.create(event=past, representative=world.R1, attended=True)
    make_event(world.S2, today() + timedelta(days=9))  # not their station

    context = client_for(world.rep).get(reverse("reception:my_days")).context
    days = context["days"]
    assert [e.event for e in days.coming] == [coming]
    assert list(days.open_slots) == [open_event]
    assert [e.event for e in days.past] == [past] and days.past[0].attended is True


def test_my_days_empty_state(world, client_for):
    html = client_for(world.rep).get(reverse("reception:my_days"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are not on the roster of any coming event." in html
    assert "No open places at your stations right now." in html and "No past reception days yet." in html


def test_clash_outside_the_scope_is_warned_without_naming_it(world, client_for):
    day = today() + timedelta(days=15)
    here = make_event(world.S1, day)
    elsewhere = make_event(world.S2, day)  # staff of H1 cannot see S2
    RosterEntry.objects.create(event=here, representative=world.R1)
    RosterEntry.objects.create(event=elsewhere, representative=world.R1)
    html = (
        client_for(world.staff)
        .get(reverse("reception:event_detail", args=[here.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert html.count("roster-warning") == 1 and "Double booked: also at a station outside your area" in html
    assert world.S2.name not in html and reverse("reception:event_detail", args=[elsewhere.pk]) not in html
