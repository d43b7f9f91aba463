"""factory_boy factories for every app's models."""

import factory
from factory.django import DjangoModelFactory

from liaison.models import Jurisdiction, Role, User
from petitions.models import Department
from stations.models import LiaisonOfficer, Membership, Representative, Station, StationKind

PASSWORD = "Test-pass-2026!"


class JurisdictionFactory(DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"地区{n}")
    level = Jurisdiction.Level.COMMUNITY


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.STATION_STAFF
    password = factory.django.Password(PASSWORD)


class StationFactory(DjangoModelFactory):
    class Meta:
        model = Station

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    name = factory.Sequence(lambda n: f"测试联络站{n}")
    kind = StationKind.STATION
    address = factory.Sequence(lambda n: f"测试路{n}号")
    opening_hours = "周一至周五 9:00-17:00"
    phone = "010-69101234"


class RepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = Representative

    code = factory.Sequence(lambda n: f"R-{n:06d}")
    name = factory.Sequence(lambda n: f"代表{n}")
    level = "county"
    work_unit = "测试单位"
    position = "职员"
    public_phone = "010-69100000"
    private_phone = factory.Sequence(lambda n: f"139{n:08d}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = LiaisonOfficer

    name = "联络员甲"
    phone = "13800000000"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试局{n}")


def make_petition(
    *,
    station,
    content="小区停车位不足，晚上车辆乱停",
    jurisdiction=None,
    representatives=(),
    actor=None,
    department=None,
    **fields,
):
    """A petition registered through the real service (history, tracking number, search text)."""
    from petitions.ledger.services import PetitionDraft, petition_register

    draft = PetitionDraft(jurisdiction=jurisdiction or station.jurisdiction, content=content, station=station, **fields)
    petition = petition_register(actor=actor, draft=draft, representatives=representatives)
    if department is not None:
        type(petition).objects.filter(pk=petition.pk).update(lead_department=department)
        petition.lead_department = department
    return petition
