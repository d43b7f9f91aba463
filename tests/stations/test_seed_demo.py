"""`manage.py seed_demo`: the Yanqing demo district, the synthetic load-test network, idempotence."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from liaison.models import Jurisdiction, Role, User
from petitions.models import Department
from stations.demo.network import DEMO_PASSWORD
from stations.models import Level, LiaisonOfficer, Membership, Representative, Station, StationKind

pytestmark = pytest.mark.django_db

MODELS = (Jurisdiction, Station, LiaisonOfficer, Representative, Membership, Department, User)
ROLES = {
    "admin": Role.ADMIN,
    "office": Role.COMMITTEE_OFFICE,
    "office_yqz": Role.COMMITTEE_OFFICE,
    "staff": Role.STATION_STAFF,
    "rep": Role.REPRESENTATIVE,
    "dept": Role.DEPARTMENT,
}


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "public_codes": dict(Station.objects.values_list("code", "public_code")),
        "stations_updated": dict(Station.objects.values_list("code", "updated_at")),
        "passwords": dict(User.objects.values_list("username", "password")),
        "memberships": set(Membership.objects.values_list("station__code", "representative__code", "role")),
    }


def heads_per_station(stations) -> set[int]:
    counted = stations.annotate(
        members=Count("memberships"), heads=Count("memberships", filter=Q(memberships__role=Membership.Role.HEAD))
    )
    return {s.heads for s in counted if s.members}


def test_demo_district_has_the_shape_of_the_seeds(client, rf):
    seed()

    kinds = dict(Station.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds[StationKind.HOME] == 18 and kinds[StationKind.STATION] >= 350
    assert kinds[StationKind.CONTACT_POINT] and kinds[StationKind.INDUSTRY] and kinds[StationKind.SPECIALIST]
    assert Representative.objects.count() >= 900
    assert set(Representative.objects.values_list("level", flat=True)) == set(Level.values)
    assert heads_per_station(Station.objects.all()) == {1}
    assert not Station.objects.annotate(n=Count("memberships")).filter(Q(n__lt=2) | Q(n__gt=6)).exists()
    assert Department.objects.filter(jurisdiction__code="110119000000").count() >= 30
    assert Department.objects.filter(name="延庆镇人民政府", jurisdiction__code="110119100000").exists()
    box = Station.objects.filter(
        latitude__range=(Decimal("40.35"), Decimal("40.65")), longitude__range=(Decimal("115.8"), Decimal("116.4"))
    )
    assert box.count() == Station.objects.count()

    for username, role in ROLES.items():
        user = User.objects.get(username=username)
        assert user.role == role
        # django-axes needs the request that a real sign-in has.
        assert client.login(request=rf.post("/"), username=username, password=DEMO_PASSWORD), username
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="office_yqz").jurisdiction.name == "延庆镇"
    yanqing_town = Station.objects.filter(jurisdiction__code__startswith="110119100")
    staff = User.objects.get(username="staff")
    assert set(Station.objects.visible_to(staff)) == set(yanqing_town)
    rep = User.objects.get(username="rep").representative
    assert rep.level == Level.COUNTY and rep.memberships.filter(station__in=yanqing_town).count() >= 2
    assert User.objects.get(username="dept").departments.get().name == "区住房和城乡建设委员会"


def test_demo_rows_pass_model_validation():
    seed()

    # Uniqueness is the database's job; this checks field validators and clean().
    rows = [
        *Jurisdiction.objects.select_related("parent"),
        *Station.objects.select_related("parent"),
        *Representative.objects.all(),
    ]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)


def test_running_again_changes_nothing():
    assert "created" in seed(if_empty=True)
    before = snapshot()

    assert "nothing to add" in seed()
    assert "demo data not loaded" in seed(if_empty=True)
    assert snapshot() == before


def test_large_synthetic_network_is_exact_and_idempotent():
    seed(stations=300, representatives=1000)
    synthetic = Station.objects.filter(code__startswith="DM-")
    before = snapshot()

    assert synthetic.count() == 300
    assert Representative.objects.filter(code__startswith="DM-").count() == 1000
    assert heads_per_station(synthetic) == {1}
    assert not synthetic.annotate(n=Count("memberships")).filter(Q(n__lt=2) | Q(n__gt=3)).exists()
    for jurisdiction in Jurisdiction.objects.filter(code__startswith="99").select_related("parent"):
        jurisdiction.full_clean()

    seed(stations=300, representatives=1000)
    assert snapshot() == before
