"""Campaigns, campaign totals and attendance per representative.

Figures are checked against counts computed here, independently, from the
generated events; only events the viewer can see may count.
"""

import io
import random
from collections import Counter, defaultdict
from datetime import date, time, timedelta

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from openpyxl import load_workbook

from stations.models import Campaign, EventKind, ReceptionEvent, RosterEntry
from stations.reception.reports.selectors import attendance_rows, campaign_totals
from tests.factories import MembershipFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

HELD, SCHEDULED, CANCELLED, DRAFT = "held", "scheduled", "cancelled", "draft"


def make_event(
    station,
    *,
    when,
    status=HELD,
    kind=EventKind.RECEPTION,
    campaign=None,
    residents=None,
    opinions=None,
    department=None,
):
    return ReceptionEvent.objects.create(
        station=station,
        kind=kind,
        date=when,
        start_time=time(9),
        end_time=time(11, 30),
        place="会议室",
        status=status,
        campaign=campaign,
        residents_received=residents,
        opinions_collected=opinions,
        department=department,
    )


def put_on_roster(event, rep, attended=None):
    return RosterEntry.objects.create(event=event, representative=rep, attended=attended)


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="集中联系选民月", jurisdiction=world.j.K, start_date=date(2026, 11, 6), end_date=date(2026, 12, 6)
    )


@pytest.fixture
def generated(world, campaign):
    """40 random campaign events at every station (S3 is in the other district), rosters with
    check-ins, plus events outside the campaign that must not count."""
    rng = random.Random(20261106)
    extra = [RepresentativeFactory(level="township", jurisdiction=world.j.K) for _ in range(6)]
    reps = [world.R1, world.R2, world.R3, world.R4, *extra]
    stations = [world.H1, world.S1, world.P1, world.H2, world.S2, world.S3]
    kinds = EventKind.values
    events = []
    for i in range(40):
        status = rng.choice([HELD, HELD, HELD, SCHEDULED, CANCELLED, DRAFT])
        kind = rng.choice(kinds)
        held = status == HELD
        event = make_event(
            rng.choice(stations),
            when=date(2026, 11, 6) + timedelta(days=i % 30),
            status=status,
            kind=kind,
            campaign=campaign,
            residents=rng.randint(0, 60) if held and rng.random() > 0.1 else None,
            opinions=rng.randint(0, 20) if held and rng.random() > 0.1 else None,
            department=world.D if kind == EventKind.DEPARTMENT_VISIT else None,
        )
        for rep in rng.sample(reps, rng.randint(0, 4)):
            put_on_roster(event, rep, attended=rng.choice([True, True, False, None]) if held else None)
        events.append(event)
    # Not in the campaign: never counted.
    other = make_event(world.S1, when=date(2026, 11, 10), residents=999, opinions=999)
    put_on_roster(other, world.R1, attended=True)
    return events


def expected_totals(events, station_filter):
    """The figures counted here in plain Python."""
    mine = [e for e in events if station_filter(e.station)]
    held = [e for e in mine if e.status == HELD]
    entries = [r for e in mine for r in e.roster.all()]

    def reps(rows):
        return (
            len({r.representative_id for r in rows if r.attended is True and r.event.status == HELD}),
            len({r.representative_id for r in rows if r.event.status in (HELD, SCHEDULED)}),
        )

    def figures(evs, rows):
        h = [e for e in evs if e.status == HELD]
        return {
            "held": len(h),
            "kinds": [sum(1 for e in h if e.kind == k) for k in EventKind.values],
            "scheduled": sum(1 for e in evs if e.status == SCHEDULED),
            "residents": sum(e.residents_received or 0 for e in h),
            "opinions": sum(e.opinions_collected or 0 for e in h),
            "reps": reps(rows),
        }

    by_station, by_area = defaultdict(list), defaultdict(list)
    for e in mine:
        by_station[e.station.code].append(e)
        by_area[e.station.jurisdiction.code[:9]].append(e)
    return {
        "total": figures(mine, entries),
        "stations": {code: figures(evs, [r for e in evs for r in e.roster.all()]) for code, evs in by_station.items()},
        "areas": {code: figures(evs, [r for e in evs for r in e.roster.all()]) for code, evs in by_area.items()},
        "held_count": len(held),
    }


def row_figures(row):
    return {
        "held": row.held,
        "kinds": row.kinds,
        "scheduled": row.scheduled,
        "residents": row.residents,
        "opinions": row.opinions,
        "reps": (row.present, row.rostered),
    }


# --------------------------------------------------------------------------- campaign totals


def test_campaign_totals_match_an_independent_count(world, campaign, generated):
    in_k = lambda s: s.jurisdiction.code.startswith("110119")
    expected = expected_totals(generated, in_k)
    assert expected["held_count"] > 5  # the generator made enough to test with

    totals = campaign_totals(campaign, world.office)
    assert row_figures(totals.total) == expected["total"]
    assert {r.code: row_figures(r) for r in totals.stations} == expected["stations"]
    assert {r.code[:9]: row_figures(r) for r in totals.areas} == expected["areas"]
    assert "110105" not in "".join(r.code for r in totals.areas)  # nothing from 朝阳区
    assert {r.label for r in totals.areas} <= {"延庆镇", "康庄镇"}


def test_admin_counts_every_station_and_a_township_office_only_its_own(world, campaign, generated):
    everything = expected_totals(generated, lambda s: True)
    assert row_figures(campaign_totals(campaign, world.admin).total) == everything["total"]

    t1 = expected_totals(generated, lambda s: s.jurisdiction.code.startswith("110119100"))
    totals = campaign_totals(campaign, world.office_t1)  # a county campaign, seen from a township office
    assert row_figures(totals.total) == t1["total"]
    assert {r.label for r in totals.areas} <= {"延庆镇"}


def test_a_representative_present_at_two_stations_counts_once_in_the_total(world, campaign):
    a = make_event(world.S1, when=date(2026, 11, 10), campaign=campaign, residents=10, opinions=3)
    b = make_event(world.S2, when=date(2026, 11, 12), campaign=campaign, residents=5, opinions=None)
    put_on_roster(a, world.R4, attended=True)
    put_on_roster(b, world.R4, attended=True)
    put_on_roster(b, world.R2, attended=False)
    totals = campaign_totals(campaign, world.office)
    assert (totals.total.present, totals.total.rostered, totals.total.held) == (1, 2, 2)
    assert (totals.total.residents, totals.total.opinions) == (15, 3)
    assert [(r.label, r.present, r.rostered) for r in totals.areas] == [("延庆镇", 1, 1), ("康庄镇", 1, 2)]


def test_campaign_totals_take_a_constant_number_of_queries(world, campaign, generated, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        campaign_totals(campaign, world.admin)


def test_campaign_detail_page_shows_the_totals_and_links_to_the_ledger(
    world, campaign, generated, client_for, django_assert_max_num_queries
):
    expected = expected_totals(generated, lambda s: s.jurisdiction.code.startswith("110119"))
    client = client_for(world.office)
    # Six for the totals; the rest is the session, permissions and the menu.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("reception_reports:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    ledger = reverse("reception:event_list")
    total = expected["total"]
    held_link = f'href="{ledger}?campaign={campaign.pk}&amp;status=held">{total["held"]}</a>'
    assert f'data-figure="held"><a class="text-reset text-decoration-none" {held_link}' in html
    assert f'data-figure="residents">{intcomma(total["residents"])}<' in html
    assert f'data-figure="opinions">{intcomma(total["opinions"])}<' in html
    assert f'data-figure="present">{total["reps"][0]}<' in html
    codes = {s.code: s.pk for s in [world.H1, world.S1, world.P1, world.H2, world.S2]}
    for code, figures in expected["stations"].items():
        if figures["held"]:
            assert (
                f'href="{ledger}?campaign={campaign.pk}&amp;station={codes[code]}&amp;status=held">{figures["held"]}</a>'
                in html
            )


def test_campaign_totals_export_to_excel(world, campaign, generated, client_for):
    expected = expected_totals(generated, lambda s: s.jurisdiction.code.startswith("110119"))
    response = client_for(world.office).get(
        reverse("reception_reports:campaign_detail", args=[campaign.pk]), {"format": "xlsx"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    by_area, by_station = book.worksheets
    t = expected["total"]
    figures = [t["held"], *t["kinds"], t["scheduled"], *t["reps"], t["residents"], t["opinions"]]
    area_rows = list(by_area.iter_rows(values_only=True))
    assert list(area_rows[-1][2:]) == figures
    assert sum(r[2] for r in area_rows[1:-1]) == t["held"]  # the lines add up to the total
    station_rows = list(by_station.iter_rows(values_only=True))
    assert list(station_rows[-1][3:]) == figures
    by_code = {r[0]: r for r in station_rows[1:-1]}
    assert set(by_code) == set(expected["stations"])
    for code, f in expected["stations"].items():
        assert list(by_code[code][3:]) == [
            f["held"],
            *f["kinds"],
            f["scheduled"],
            *f["reps"],
            f["residents"],
            f["opinions"],
        ]


def test_a_campaign_without_events_says_so(world, campaign, client_for):
    response = client_for(world.office).get(reverse("reception_reports:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200 and 'id="no-events"' in response.content.decode()
    assert response.context["totals"].total.held == 0


# --------------------------------------------------------------------------- campaign pages: roles


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("office", 200),
        ("office_t1", 200),
        ("office_k2", 200),
        ("staff", 200),
        ("rep", 200),
        ("dept", 403),
    ],
)
def test_campaign_list_role_matrix(world, campaign, client_for, who, status):
    response = client_for(getattr(world, who)).get(reverse("reception_reports:campaign_list"))
    assert response.status_code == status
    if status == 200:
        names = [c.name for c in response.context["campaigns"]]
        assert (campaign.name in names) is (who != "office_k2")  # 朝阳区 does not see 延庆区's campaign


@pytest.mark.parametrize(
    "who, status, totals",
    [
        ("admin", 200, True),
        ("office", 200, True),
        ("office_t1", 200, True),
        ("staff", 200, True),
        ("rep", 200, False),
        ("dept", 403, False),
        ("office_k2", 404, False),
    ],
)
def test_campaign_detail_role_matrix(world, campaign, client_for, who, status, totals):
    client = client_for(getattr(world, who))
    url = reverse("reception_reports:campaign_detail", args=[campaign.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert (response.context["totals"] is not None) is totals
    export = client.get(url, {"format": "xlsx"})
    assert export.status_code == (200 if totals else (status if status != 200 else 403))


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("office", 200),
        ("office_t1", 403),
        ("office_k2", 404),
        ("staff", 403),
        ("rep", 403),
        ("dept", 403),
    ],
)
def test_campaign_edit_role_matrix(world, campaign, client_for, who, status):
    response = client_for(getattr(world, who)).get(reverse("reception_reports:campaign_update", args=[campaign.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("who, status", [("office", 200), ("admin", 200), ("staff", 403), ("rep", 403), ("dept", 403)])
def test_campaign_create_role_matrix(world, client_for, who, status):
    assert client_for(getattr(world, who)).get(reverse("reception_reports:campaign_create")).status_code == status


def test_signed_out_goes_to_sign_in(world, campaign, client):
    for url in [
        reverse("reception_reports:campaign_list"),
        reverse("reception_reports:campaign_detail", args=[campaign.pk]),
        reverse("reception_reports:attendance"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def campaign_data(world, **overrides):
    data = {
        "name": "代表在倾听",
        "jurisdiction": world.j.K.pk,
        "start_date": "2026-10-01",
        "end_date": "2026-12-31",
        "description": "",
    }
    data.update(overrides)
    return data


def test_office_creates_a_campaign_in_its_own_jurisdiction_only(world, client_for):
    client = client_for(world.office)
    form = client.get(reverse("reception_reports:campaign_create")).context["form"]
    choices = set(form.fields["jurisdiction"].queryset)
    assert world.j.K in choices and world.j.T1 in choices
    assert (
        world.j.K2 not in choices and world.j.C not in choices and world.j.C1 not in choices
    )  # not above, not villages

    response = client.post(
        reverse("reception_reports:campaign_create"), campaign_data(world, jurisdiction=world.j.K2.pk)
    )
    assert response.status_code == 200 and "jurisdiction" in response.context["form"].errors
    assert 'value="代表在倾听"' in response.content.decode()  # kept what was typed

    response = client.post(reverse("reception_reports:campaign_create"), campaign_data(world, end_date="2026-09-01"))
    assert response.status_code == 200 and "end_date" in response.context["form"].errors

    response = client.post(reverse("reception_reports:campaign_create"), campaign_data(world))
    created = Campaign.objects.get(name="代表在倾听")
    assert response.status_code == 302 and response["Location"] == reverse(
        "reception_reports:campaign_detail", args=[created.pk]
    )
    assert created.created_by == world.office and created.jurisdiction == world.j.K


def test_new_dates_may_not_leave_events_outside_the_campaign(world, campaign, client_for):
    make_event(world.S1, when=date(2026, 11, 20), campaign=campaign)
    url = reverse("reception_reports:campaign_update", args=[campaign.pk])
    data = campaign_data(world, name=campaign.name, start_date="2026-11-06", end_date="2026-11-15")
    response = client_for(world.office).post(url, data)
    assert response.status_code == 200 and "2026-11-20" in str(response.context["form"].non_field_errors())
    campaign.refresh_from_db()
    assert campaign.end_date == date(2026, 12, 6)
    response = client_for(world.office).post(
        url, campaign_data(world, name="集中联系选民月（延期）", start_date="2026-11-06", end_date="2026-12-20")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.end_date) == ("集中联系选民月（延期）", date(2026, 12, 20))


# --------------------------------------------------------------------------- attendance


@pytest.fixture
def year_2026(world):
    """R1 (county, quota 3): 2 attended, 1 absent, 1 held without check-in, 1 scheduled, plus events
    that must not count. R4 (city, quota 3): 4 attended. R2 (township): nothing."""
    S1, S2 = world.S1, world.S2
    for day, attended in [(3, True), (4, True), (5, False), (6, None)]:
        put_on_roster(make_event(S1, when=date(2026, 3, day)), world.R1, attended=attended)
    put_on_roster(make_event(S1, when=date(2026, 12, 15), status=SCHEDULED), world.R1)
    put_on_roster(make_event(S1, when=date(2026, 4, 1), status=CANCELLED), world.R1)
    put_on_roster(make_event(S1, when=date(2026, 4, 2), status=DRAFT), world.R1)
    put_on_roster(make_event(S1, when=date(2025, 12, 31)), world.R1, attended=True)  # last year
    put_on_roster(
        make_event(world.S3, when=date(2026, 5, 1)), world.R1, attended=True
    )  # 朝阳区: the office can't see it
    for day in range(1, 5):
        put_on_roster(make_event(S2, when=date(2026, 6, day)), world.R4, attended=True)


def rows_by_code(rows):
    return {r.code: r for r in rows}


def test_attendance_figures(world, year_2026, settings):
    rows = rows_by_code(attendance_rows(world.office, 2026, {}))
    r1 = rows["R-1"]
    assert (r1.rostered, r1.attended, r1.absent, r1.upcoming, r1.quota, r1.status) == (5, 2, 2, 1, 3, "met")
    r4 = rows["R-4"]
    assert (r4.rostered, r4.attended, r4.absent, r4.quota, r4.status) == (4, 4, 0, 3, "over")
    r2 = rows["R-2"]
    assert (r2.rostered, r2.attended, r2.quota, r2.status) == (0, 0, 3, "below")
    assert "R-3" not in rows  # 朝阳区's representative

    # The admin sees the 朝阳区 event too.
    r1 = rows_by_code(attendance_rows(world.admin, 2026, {}))["R-1"]
    assert (r1.rostered, r1.attended, r1.status) == (6, 3, "over")
    # Last year: one attended event.
    r1 = rows_by_code(attendance_rows(world.office, 2025, {}))["R-1"]
    assert (r1.rostered, r1.attended, r1.status) == (1, 1, "below")

    settings.LIAISON_RECEPTION_QUOTAS = {**settings.LIAISON_RECEPTION_QUOTAS, "county": 5, "city": 4}
    rows = rows_by_code(attendance_rows(world.office, 2026, {}))
    assert (rows["R-1"].quota, rows["R-1"].status, rows["R-4"].status) == (5, "below", "met")


def test_attendance_filters_and_sorting(world, year_2026):
    codes = lambda filters: [r.code for r in attendance_rows(world.office, 2026, filters)]
    assert codes({"level": "county"}) == ["R-1"]
    assert codes({"station": world.S2}) == ["R-2"]
    assert codes({"below_quota": True}) == ["R-2"]
    assert set(codes({"jurisdiction": world.j.T2})) == {"R-2"}
    assert codes({"q": "张建国"}) == ["R-1"]
    assert codes({"sort": "-attended"})[0] == "R-4"
    assert codes({"sort": "status"})[0] == "R-2"  # below < met < over
    assert codes({"sort": "level"})[0] == "R-4"  # city before county and township


def test_attendance_page_is_a_constant_number_of_queries(world, year_2026, client_for, django_assert_max_num_queries):
    for i in range(60):
        rep = RepresentativeFactory(level=random.choice(["city", "county", "township"]), jurisdiction=world.j.K)
        MembershipFactory(representative=rep, station=world.S1 if i % 2 else world.S2)
        event = make_event(world.S1, when=date(2026, 7, 1 + i % 28))
        put_on_roster(event, rep, attended=bool(i % 3))
    client = client_for(world.office)
    # Count, page, stations of the page, summary, two filter choice lists, the offices' quotas;
    # the rest is the session, permissions and the menu. 63 representatives: no query per row.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("reception_reports:attendance"), {"year": 2026})
    assert response.status_code == 200
    assert response.context["summary"]["representatives"] == 63
    assert len(response.context["rows"]) == 50  # one page
    with django_assert_max_num_queries(17):
        client.get(reverse("reception_reports:attendance"), {"year": 2026, "page": 2, "sort": "-status"})


def test_attendance_page_and_export(world, year_2026, client_for):
    client = client_for(world.office)
    response = client.get(reverse("reception_reports:attendance"), {"year": 2026, "below_quota": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="R-2"' in html and 'data-code="R-1"' not in html
    assert response.context["summary"] == {"representatives": 1, "below": 1}

    response = client.get(reverse("reception_reports:attendance"), {"year": 2026, "format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_code = {r[1]: r for r in rows[1:]}
    assert set(by_code) == {"R-1", "R-2", "R-4"}
    assert by_code["R-1"][5] == world.S1.name
    assert by_code["R-1"][6:11] == (5, 2, 2, 1, 3)


def test_attendance_year_defaults_to_this_year_and_bad_filters_are_ignored(world, client_for):
    from django.utils import timezone

    response = client_for(world.office).get(reverse("reception_reports:attendance"), {"year": "abc", "level": "mayor"})
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year
    assert response.context["form"].errors  # shown in the filter bar


@pytest.mark.parametrize(
    "who, status",
    [("admin", 200), ("office", 200), ("office_k2", 200), ("staff", 200), ("nobody", 200), ("rep", 403), ("dept", 403)],
)
def test_attendance_role_matrix(world, year_2026, client_for, who, status):
    response = client_for(getattr(world, who)).get(reverse("reception_reports:attendance"), {"year": 2026})
    assert response.status_code == status
    if status == 200:
        codes = {r.code for r in response.context["rows"]}
        expected = {
            "admin": {"R-1", "R-2", "R-3", "R-4"},
            "office": {"R-1", "R-2", "R-4"},
            "office_k2": {"R-3"},
            "staff": {"R-1"},
            "nobody": set(),
        }[who]
        assert codes == expected
    export = client_for(getattr(world, who)).get(
        reverse("reception_reports:attendance"), {"year": 2026, "format": "xlsx"}
    )
    assert export.status_code == status


def test_staff_see_only_their_stations_events(world, year_2026):
    # Staff of H1 (and S1, P1 below it): R1's S1 events count; R4's S2 events are not theirs.
    rows = rows_by_code(attendance_rows(world.staff, 2026, {}))
    assert set(rows) == {"R-1"} and rows["R-1"].attended == 2
    assert Counter(r.status for r in attendance_rows(world.staff, 2026, {})) == Counter({"met": 1})
