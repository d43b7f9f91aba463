"""Who sees which station and representative: the role × object matrix.

Outside a user's scope is 404 (never 403); inside but not permitted is 403.
"""

import pytest
from django.urls import reverse

from stations.models import Representative, Station

pytestmark = pytest.mark.django_db

# Which stations each account sees (by fixture name); the rest answer 404.
STATION_SCOPE = {
    "admin": {"H1", "S1", "P1", "H2", "S2", "S3"},
    "office": {"H1", "S1", "P1", "H2", "S2"},
    "office_t1": {"H1", "S1", "P1"},
    "office_k2": {"S3"},
    "staff": {"H1", "S1", "P1"},
    "rep": {"S1"},
    "dept": set(),
    "nobody": set(),
}
REPRESENTATIVE_SCOPE = {
    "admin": {"R1", "R2", "R3", "R4"},
    "office": {"R1", "R2", "R4"},
    "office_t1": {"R1"},  # elected in the district, but attached to a 延庆镇 station
    "office_k2": {"R3"},
    "staff": {"R1"},
    "rep": {"R1"},
    "dept": set(),
    "nobody": set(),
}
ALL_STATIONS = ["H1", "S1", "P1", "H2", "S2", "S3"]
ALL_REPS = ["R1", "R2", "R3", "R4"]


@pytest.mark.parametrize("account", STATION_SCOPE)
def test_station_queryset_scope(world, account):
    user = getattr(world, account)
    visible = set(Station.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {getattr(world, s).pk for s in STATION_SCOPE[account]}


@pytest.mark.parametrize("account", REPRESENTATIVE_SCOPE)
def test_representative_queryset_scope(world, account):
    user = getattr(world, account)
    visible = set(Representative.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {getattr(world, r).pk for r in REPRESENTATIVE_SCOPE[account]}


@pytest.mark.parametrize("account", STATION_SCOPE)
def test_station_detail_matrix(world, client_for, account):
    client = client_for(getattr(world, account))
    for name in ALL_STATIONS:
        response = client.get(reverse("stations:station_detail", args=[getattr(world, name).pk]))
        expected = 200 if name in STATION_SCOPE[account] else 404
        assert response.status_code == expected, (account, name)


@pytest.mark.parametrize("account", REPRESENTATIVE_SCOPE)
def test_representative_detail_matrix(world, client_for, account):
    client = client_for(getattr(world, account))
    for name in ALL_REPS:
        response = client.get(reverse("stations:representative_detail", args=[getattr(world, name).pk]))
        expected = 200 if name in REPRESENTATIVE_SCOPE[account] else 404
        assert response.status_code == expected, (account, name)


# Inside the scope but without the capability: 403. Outside: 404 first.
@pytest.mark.parametrize(
    "account, station, status",
    [
        ("office", "S1", 200),
        ("office", "S3", 404),
        ("office_t1", "S2", 404),
        ("staff", "S1", 200),
        ("staff", "S2", 404),
        ("rep", "S1", 403),
        ("rep", "S2", 404),
        ("dept", "S1", 404),
        ("nobody", "S1", 404),
    ],
)
def test_station_edit_matrix(world, client_for, account, station, status):
    response = client_for(getattr(world, account)).get(
        reverse("stations:station_update", args=[getattr(world, station).pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "account, rep, status",
    [
        ("office", "R1", 200),
        ("office", "R3", 404),
        ("staff", "R1", 200),
        ("staff", "R2", 404),
        ("rep", "R1", 403),
        ("rep", "R2", 404),
        ("dept", "R1", 404),
    ],
)
def test_representative_edit_matrix(world, client_for, account, rep, status):
    response = client_for(getattr(world, account)).get(
        reverse("stations:representative_update", args=[getattr(world, rep).pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "account, status",
    [("admin", 200), ("office", 200), ("office_t1", 200), ("staff", 200), ("rep", 200), ("dept", 403), ("nobody", 200)],
)
@pytest.mark.parametrize("url_name", ["stations:station_list", "stations:representative_list"])
def test_list_pages_by_role(world, client_for, account, status, url_name):
    assert client_for(getattr(world, account)).get(reverse(url_name)).status_code == status


@pytest.mark.parametrize(
    "account, status",
    [("office", 200), ("staff", 200), ("rep", 403), ("dept", 403)],
)
@pytest.mark.parametrize("url_name", ["stations:station_create", "stations:representative_create"])
def test_create_pages_by_role(world, client_for, account, status, url_name):
    assert client_for(getattr(world, account)).get(reverse(url_name)).status_code == status


def test_anonymous_is_sent_to_login(world, client):
    for url in [
        reverse("home"),
        reverse("stations:station_list"),
        reverse("stations:station_detail", args=[world.S1.pk]),
        reverse("stations:representative_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


@pytest.mark.parametrize("account", ["office_t1", "staff", "rep"])
def test_station_list_rows_counts_and_choices_stay_in_scope(world, client_for, account):
    response = client_for(getattr(world, account)).get(reverse("stations:station_list"))
    html = response.content.decode()
    rows = {s.pk for s in response.context["object_list"]}
    for name in ALL_STATIONS:
        station = getattr(world, name)
        expected = name in STATION_SCOPE[account]
        assert (station.pk in rows) == expected, (account, name)
        assert (reverse("stations:station_detail", args=[station.pk]) in html) == expected, (account, name)
    assert "康庄镇" not in html  # neither a row nor an option of the area filter
    assert response.context["paginator"].count == len(STATION_SCOPE[account])


def test_representative_list_filter_choices_are_scoped(world, client_for):
    html = client_for(world.office_t1).get(reverse("stations:representative_list")).content.decode()
    assert world.S1.name in html  # station filter option
    assert world.S2.name not in html and world.S3.name not in html
    assert world.R2.name not in html and world.R4.name not in html


def test_search_cannot_reach_outside_scope(world, client_for):
    html = client_for(world.office_t1).get(reverse("stations:station_list"), {"q": "联络站"}).content.decode()
    assert world.S1.name in html and world.S2.name not in html and world.S3.name not in html
    html = client_for(world.staff).get(reverse("stations:representative_list"), {"q": "王卫东"}).content.decode()
    assert "R-3" not in html


def test_home_counts_come_from_the_scope(world, client_for):
    response = client_for(world.office_t1).get(reverse("home"))
    assert response.context["summary"]["station_count"] == 3
    assert response.context["summary"]["representative_count"] == 1
    response = client_for(world.office).get(reverse("home"))
    assert response.context["summary"]["station_count"] == 5
    assert response.context["summary"]["representative_count"] == 3


def test_private_phone_only_for_roles_that_need_it(world, client_for):
    url = reverse("stations:representative_detail", args=[world.R1.pk])
    assert world.R1.private_phone in client_for(world.office).get(url).content.decode()
    assert world.R1.private_phone in client_for(world.rep).get(url).content.decode()  # their own
    assert (
        world.R1.private_phone
        not in client_for(world.staff).get(reverse("stations:station_detail", args=[world.S1.pk])).content.decode()
    )


def test_representative_edits_only_their_own_profile(world, client_for):
    client = client_for(world.rep)
    url = reverse("stations:representative_profile")
    assert client.get(url).status_code == 200
    response = client.post(url, {"public_phone": "010-69100001", "private_phone": "13911112222", "bio": "新简介"})
    assert response.status_code == 302
    world.R1.refresh_from_db()
    assert world.R1.bio == "新简介" and world.R1.public_phone == "010-69100001"
    assert client_for(world.office).get(url).status_code == 403


@pytest.mark.parametrize(
    "account, buttons",
    [("office", {"import", "export", "new"}), ("rep", set())],
)
def test_list_actions_follow_permissions(world, client_for, account, buttons):
    html = client_for(getattr(world, account)).get(reverse("stations:station_list"), {"kind": "home"}).content.decode()
    shown = {
        "import": reverse("stations:station_import") in html,
        "export": f"{reverse('stations:station_export')}?kind=home" in html,
        "new": reverse("stations:station_create") in html,
    }
    assert {k for k, v in shown.items() if v} == buttons


def test_every_filter_bar_offers_the_same_areas(world):
    """The station and representative lists, the ranking and attendance narrow to the same areas:
    the districts and townships the user sees (not villages, not another district)."""
    from stations.network.filters import area_choices
    from stations.performance.forms import RankingFilterForm
    from stations.reception.reports.forms import AttendanceFilterForm

    areas = list(area_choices(world.office))
    assert areas == [world.j.K, world.j.T1, world.j.T2]
    assert list(RankingFilterForm({}, user=world.office).fields["jurisdiction"].queryset) == areas
    assert list(AttendanceFilterForm({}, user=world.office).fields["jurisdiction"].queryset) == areas
    assert list(area_choices(world.office_t1)) == [world.j.T1]
