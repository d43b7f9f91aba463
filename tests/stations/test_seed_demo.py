"""`manage.py seed_demo`: the Yanqing demo district, 丰台区 and the offices of 北京市, the synthetic
load-test network, idempotence."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from liaison.models import Jurisdiction, Office, Role, User
from petitions.models import Department
from stations.demo.network import DEMO_PASSWORD
from stations.models import Level, LiaisonOfficer, Membership, Representative, Station, StationKind

pytestmark = pytest.mark.django_db

MODELS = (Jurisdiction, Station, LiaisonOfficer, Representative, Membership, Department, User, Office)
ROLES = {
    "admin": Role.ADMIN,
    "office": Role.COMMITTEE_OFFICE,
    "office_yqz": Role.COMMITTEE_OFFICE,
    "office_city": Role.COMMITTEE_OFFICE,
    "office_ft": Role.COMMITTEE_OFFICE,
    "office_ftjd": Role.COMMITTEE_OFFICE,
    "staff": Role.STATION_STAFF,
    "rep": Role.REPRESENTATIVE,
    "dept": Role.DEPARTMENT,
    "dept_city": Role.DEPARTMENT,
}
# The offices of the demo: name, kind and account of each jurisdiction that has one.
OFFICES = {
    "110000000000": ("北京市人大常委会", Office.Kind.STANDING_COMMITTEE, "office_city"),
    "110119000000": ("延庆区人大常委会", Office.Kind.STANDING_COMMITTEE, "office"),
    "110106000000": ("丰台区人大常委会", Office.Kind.STANDING_COMMITTEE, "office_ft"),
    "110119100000": ("延庆镇人大主席团", Office.Kind.PRESIDIUM, "office_yqz"),
    "110106006000": ("东高地街道人大工委", Office.Kind.WORKING_COMMITTEE, "office_ftjd"),
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

    yanqing = Station.objects.filter(code__startswith="YQ-")
    kinds = dict(yanqing.values_list("kind").annotate(n=Count("pk")))
    assert kinds[StationKind.HOME] == 18 and kinds[StationKind.STATION] >= 350
    assert kinds[StationKind.CONTACT_POINT] and kinds[StationKind.INDUSTRY] and kinds[StationKind.SPECIALIST]
    assert Representative.objects.filter(code__startswith="YQ-").count() >= 900
    assert set(Representative.objects.values_list("level", flat=True)) == set(Level.values)
    assert heads_per_station(Station.objects.all()) == {1}
    assert not Station.objects.annotate(n=Count("memberships")).filter(Q(n__lt=2) | Q(n__gt=6)).exists()
    assert Department.objects.filter(jurisdiction__code="110119000000").count() >= 30
    assert Department.objects.filter(name="延庆镇人民政府", jurisdiction__code="110119100000").exists()
    box = yanqing.filter(
        latitude__range=(Decimal("40.35"), Decimal("40.65")), longitude__range=(Decimal("115.8"), Decimal("116.4"))
    )
    assert box.count() == yanqing.count()

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


def test_fengtai_and_the_offices_of_beijing():
    seed()

    # 丰台区 under 北京市, with streets of the official code table and their communities.
    fengtai = Jurisdiction.objects.get(code="110106000000")
    assert fengtai.name == "丰台区" and fengtai.parent.code == "110100000000"
    streets = dict(fengtai.children.values_list("code", "name"))
    assert 3 <= len(streets) <= 5 and streets["110106006000"] == "东高地街道" and streets["110106009000"] == "丰台街道"
    communities = Jurisdiction.objects.filter(parent__code__in=streets)
    assert {"东高地社区", "梅源社区"} <= set(communities.values_list("name", flat=True))
    assert all(c.code.startswith(c.parent.code[:9]) for c in communities.select_related("parent"))
    # Its stations in the seeds' manner: a home per street, a station per community, 航天一院's.
    stations = Station.objects.filter(code__startswith="FT-")
    homes = stations.filter(kind=StationKind.HOME)
    assert set(homes.values_list("name", flat=True)) == {f"{name}人大代表之家" for name in streets.values()}
    assert stations.filter(kind=StationKind.STATION).count() == communities.count()
    assert all(s.name == f"{s.jurisdiction.name}人大代表联络站" for s in stations.filter(kind=StationKind.STATION))
    assert stations.filter(kind=StationKind.INDUSTRY, name__contains="航天一院").exists()
    assert heads_per_station(stations) == {1}
    box = stations.filter(
        latitude__range=(Decimal("39.75"), Decimal("39.90")), longitude__range=(Decimal("116.2"), Decimal("116.5"))
    )
    assert box.count() == stations.count()
    # District and city representatives only: a street has no congress of its own.
    levels = set(Representative.objects.filter(memberships__station__in=stations).values_list("level", flat=True))
    assert levels == {Level.COUNTY, Level.CITY}
    # The district's bureaus, each street's office, the city's bureaus.
    assert {"区住房和城乡建设委员会", "区城市管理委员会", "区市场监督管理局"} <= set(
        Department.objects.filter(jurisdiction=fengtai).values_list("name", flat=True)
    )
    assert set(Department.objects.filter(jurisdiction__code__in=streets).values_list("name", flat=True)) == {
        f"{name}办事处" for name in streets.values()
    }
    city = set(Department.objects.filter(jurisdiction__code="110000000000").values_list("name", flat=True))
    assert {"北京市住房和城乡建设委员会", "北京市交通委员会"} <= city
    assert User.objects.get(username="dept_city").departments.get().name == "北京市住房和城乡建设委员会"

    # The offices of four levels with their real names, each with its demo account.
    offices = {o.jurisdiction.code: o for o in Office.objects.select_related("jurisdiction")}
    assert set(offices) == set(OFFICES)
    for code, (name, kind, username) in OFFICES.items():
        assert (offices[code].name, offices[code].kind) == (name, kind)
        user = User.objects.get(username=username)
        assert user.role == Role.COMMITTEE_OFFICE and user.jurisdiction.code == code
    # 延庆镇's stations belong to its presidium by default (nearest office above), nothing set on them.
    assert not Station.objects.exclude(office=None).exists()


def test_demo_rows_pass_model_validation():
    seed()

    # Uniqueness is the database's job; this checks field validators and clean().
    rows = [
        *Jurisdiction.objects.select_related("parent"),
        *Station.objects.select_related("parent"),
        *Representative.objects.all(),
        *Office.objects.all(),
        *Department.objects.all(),
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
