"""Shared fixtures: a small two-district world with one account per role.

北京市 → 市辖区 → 延庆区 (K)  → 延庆镇 (T1) → 东关村 (C1)
                           → 康庄镇 (T2) → 榆林堡村 (C2)
              → 朝阳区 (K2) → 建外街道 (T3) → 建国里社区 (C3)

home H1 (T1) → station S1 (C1) → contact point P1 (C1)
home H2 (T2) → station S2 (C2)
station S3 (C3, other district)

Offices (with their accounts): 延庆区 OK (`office`), 延庆镇 OT1 (`office_t1`), 朝阳区 OK2
(`office_k2`). OK owns the items of H1, S1, P1 (set on the stations) and S2 (nearest above);
OK2 those of S3. OK's working body B (城建环保委, account `body`) coordinates department D.

R1 heads S1 (county level, account `rep`); R2 heads S2; R3 heads S3 (other
district); R4 is elected in K and attached to no station.
"""

import os
from types import SimpleNamespace

import pytest
from django.test import Client

from liaison.models import Jurisdiction, Office, Role, WorkingBody
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    JurisdictionFactory,
    MembershipFactory,
    RepresentativeFactory,
    StationFactory,
    UserFactory,
)

L = Jurisdiction.Level


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the site's language (a request in English leaves English active in the thread)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Calendar entries rolled back with a test must not stay in the process's cache."""
    from liaison import workdays

    workdays.forget()
    yield
    workdays.forget()


@pytest.fixture
def world(db):
    j = SimpleNamespace()
    j.P = JurisdictionFactory(code="110000000000", name="北京市", level=L.PROVINCE)
    j.C = JurisdictionFactory(code="110100000000", name="市辖区", level=L.CITY, parent=j.P)
    j.K = JurisdictionFactory(code="110119000000", name="延庆区", level=L.COUNTY, parent=j.C)
    j.T1 = JurisdictionFactory(code="110119100000", name="延庆镇", level=L.TOWNSHIP, parent=j.K)
    j.C1 = JurisdictionFactory(code="110119100201", name="东关村", level=L.COMMUNITY, parent=j.T1)
    j.T2 = JurisdictionFactory(code="110119101000", name="康庄镇", level=L.TOWNSHIP, parent=j.K)
    j.C2 = JurisdictionFactory(code="110119101201", name="榆林堡村", level=L.COMMUNITY, parent=j.T2)
    j.K2 = JurisdictionFactory(code="110105000000", name="朝阳区", level=L.COUNTY, parent=j.C)
    j.T3 = JurisdictionFactory(code="110105001000", name="建外街道", level=L.TOWNSHIP, parent=j.K2)
    j.C3 = JurisdictionFactory(code="110105001001", name="建国里社区", level=L.COMMUNITY, parent=j.T3)

    w = SimpleNamespace(j=j)
    w.H1 = StationFactory(code="H-1", name="延庆镇代表之家", kind="home", jurisdiction=j.T1)
    w.S1 = StationFactory(code="S-1", name="东关村联络站", kind="station", jurisdiction=j.C1, parent=w.H1)
    w.P1 = StationFactory(code="P-1", name="东关村第一联系点", kind="contact_point", jurisdiction=j.C1, parent=w.S1)
    w.H2 = StationFactory(code="H-2", name="康庄镇代表之家", kind="home", jurisdiction=j.T2)
    w.S2 = StationFactory(code="S-2", name="榆林堡村联络站", kind="station", jurisdiction=j.C2, parent=w.H2)
    w.S3 = StationFactory(code="S-3", name="建国里社区联络站", kind="station", jurisdiction=j.C3)

    w.R1 = RepresentativeFactory(
        code="R-1", name="张建国", level="county", jurisdiction=j.K, private_phone="13900000001"
    )
    w.R2 = RepresentativeFactory(
        code="R-2", name="李秀英", level="township", jurisdiction=j.T2, private_phone="13900000002"
    )
    w.R3 = RepresentativeFactory(
        code="R-3", name="王卫东", level="county", jurisdiction=j.K2, private_phone="13900000003"
    )
    w.R4 = RepresentativeFactory(code="R-4", name="赵丽华", level="city", jurisdiction=j.K, private_phone="13900000004")
    MembershipFactory(representative=w.R1, station=w.S1, role="head")
    MembershipFactory(representative=w.R2, station=w.S2, role="head")
    MembershipFactory(representative=w.R3, station=w.S3, role="head")

    w.D = DepartmentFactory(name="区住房和城乡建设委员会", jurisdiction=j.K)
    w.D2 = DepartmentFactory(name="朝阳区住房和城乡建设委员会", jurisdiction=j.K2)

    w.admin = UserFactory(username="admin", role=Role.ADMIN, is_superuser=True, is_staff=True)
    w.office = UserFactory(username="office", role=Role.COMMITTEE_OFFICE, jurisdiction=j.K)
    w.office_t1 = UserFactory(username="office_t1", role=Role.COMMITTEE_OFFICE, jurisdiction=j.T1)
    w.office_k2 = UserFactory(username="office_k2", role=Role.COMMITTEE_OFFICE, jurisdiction=j.K2)
    w.staff = UserFactory(username="staff", role=Role.STATION_STAFF)
    w.H1.staff.add(w.staff)
    w.rep = UserFactory(username="rep", role=Role.REPRESENTATIVE)
    w.R1.user = w.rep
    w.R1.save()
    w.dept = UserFactory(username="dept", role=Role.DEPARTMENT)
    w.D.members.add(w.dept)
    w.nobody = UserFactory(username="nobody", role=Role.STATION_STAFF)  # staff of no station
    # Offices: 延庆区 (K), 延庆镇 (T1) and 朝阳区 (K2) came with their accounts. The district office
    # runs 延庆镇's stations H1, S1, P1 (set by data, as the office above may); S2 and S3 belong to
    # the nearest office above them by default (K and K2).
    w.OK, w.OT1, w.OK2 = (Office.objects.get(jurisdiction=x) for x in (j.K, j.T1, j.K2))
    for station in (w.H1, w.S1, w.P1):
        station.office = w.OK
        station.save(update_fields=["office"])
    # A working body (委室) of the district office coordinating D; `body` is its staff.
    w.body = UserFactory(username="body", role=Role.WORKING_BODY, jurisdiction=j.K)
    w.B = WorkingBody.objects.create(office=w.OK, name="城建环保委")
    w.B.departments.add(w.D)
    w.B.members.add(w.body)
    w.password = PASSWORD
    return w


@pytest.fixture
def ledger(world):
    """Petitions spread over the world (tracking numbers differ every run):

    a: S1, received by R1, assigned to D, 张三 13812345678 (staff, rep, office, office_t1, dept see it)
    b: S1, confidential, assigned to D (dept sees it but never the petitioner)
    c: P1 (contact point below S1), by QR, no representative: staff and the offices see it
    d: S2, received by R2 (office sees it; staff, rep, office_t1, dept do not)
    e: S3, other district, received by R3, assigned to D2 (only office_k2 and admin)
    """
    from tests.factories import make_petition

    w = world
    L = SimpleNamespace()
    L.a = make_petition(
        station=w.S1,
        representatives=[w.R1],
        department=w.D,
        actor=w.staff,
        content="东关村路灯损坏，夜间出行不便",
        petitioner_name="张三",
        petitioner_phone="13812345678",
        petitioner_address="东关村三巷5号",
    )
    L.b = make_petition(
        station=w.S1,
        department=w.D,
        actor=w.staff,
        is_confidential=True,
        content="反映村干部作风问题",
        petitioner_name="李四",
        petitioner_phone="13812340000",
    )
    L.c = make_petition(station=w.P1, channel="qr", content="垃圾清运不及时，气味很大", petitioner_phone="13700000000")
    L.d = make_petition(
        station=w.S2,
        representatives=[w.R2],
        content="榆林堡村道路坑洼需要修补",
        petitioner_name="王五",
        petitioner_phone="13811112222",
    )
    L.e = make_petition(
        station=w.S3,
        representatives=[w.R3],
        department=w.D2,
        content="建国里社区加装电梯进度慢",
        petitioner_name="赵六",
        petitioner_phone="13833334444",
    )
    return L


@pytest.fixture
def client_for(db):
    """client_for(user) -> a test client signed in as that user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    _serialized_rollback_first(items)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


def _serialized(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("serialized_rollback"))


def _serialized_rollback_first(items) -> None:
    """Among the transactional tests (pytest-django puts them after the others), run those that
    restore the migrations' rows (`serialized_rollback`) first.

    A plain transactional test's flush lets Django recreate the content types under new keys;
    restoring the saved rows after that collides with them. On one process the tests of a file
    ran side by side and hid it; pytest-xdist deals tests out one by one, in this order, so
    each worker meets its serialized tests before any plain flush.
    """
    block = [i for i, item in enumerate(items) if _transactional(item)]
    if not block:
        return
    start, end = block[0], block[-1] + 1
    chunk = items[start:end]
    items[start:end] = [i for i in chunk if _serialized(i)] + [i for i in chunk if not _serialized(i)]


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
