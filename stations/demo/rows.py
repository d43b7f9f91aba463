"""Rows of the demo networks built from specs and saved keyed on their codes
(`stations.demo.network` explains the rules): stations with their profile, liaison officers,
jurisdictions, memberships. Inserts are bulk, at most BATCH_SIZE rows per statement and per
transaction, and only for codes not in the table yet."""

import hashlib
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import NamedTuple

from django.db import transaction

from liaison.models import Jurisdiction
from petitions.models import Department
from stations.demo.people import _landline, _mobile, _near, person_name
from stations.models import _PUBLIC_ALPHABET, LiaisonOfficer, Membership, Station, StationKind

BATCH_SIZE = 5000
MEMBERS_SINCE = date(2022, 3, 1)
# Station kind: floor area, annual budget (yuan), founded from this year on.
KIND_PROFILES = {
    StationKind.HOME: ((150, 400), (80_000, 200_000), 2017),
    StationKind.STATION: ((30, 120), (10_000, 30_000), 2018),
    StationKind.CONTACT_POINT: ((10, 30), (2_000, 5_000), 2020),
    StationKind.INDUSTRY: ((60, 200), (20_000, 50_000), 2019),
    StationKind.SPECIALIST: ((20, 60), (10_000, 20_000), 2020),
}
OFFICER_POSITIONS = {StationKind.HOME: ("站长助理", "联络员"), StationKind.CONTACT_POINT: ()}
RECEPTION_DAYS = (5, 8, 10, 15, 20, 25)
OPENING_HOURS = "周一至周五 9:00-17:00；每月{day}日接待日"
CONTACT_POINT_HOURS = "每月{day}日 9:00-11:30 代表接待"
WORK_RULES = (
    "一、每月{day}日为代表接待日，各级代表按排班进站接待群众。\n"
    "二、接待意见当场登记入台账，简单问题当场交办，2个工作日内分类报送人大常委会。\n"
    "三、需部门办理的事项明确责任领导、办理部门和完成时限，代表全程跟踪督办。\n"
    "四、办理结果书面反馈群众并在站内公示，做到件件有回声、事事有着落。"
)


class StationSpec(NamedTuple):
    code: str
    name: str
    kind: str
    parent_code: str | None
    jurisdiction_code: str
    address: str
    centre: tuple[float, float]
    spread: float
    area_code: str
    hours: str = ""


class _PublicCodes:
    """Public codes derived from the station number, so a rebuilt database prints the
    same QR posters; a salt moves past codes already taken."""

    def __init__(self):
        self._used = None

    def for_station(self, code: str) -> str:
        if self._used is None:
            self._used = set(Station.objects.values_list("public_code", flat=True))
        for salt in count():
            digest = hashlib.sha256(f"{code}:{salt}".encode()).digest()
            candidate = "".join(_PUBLIC_ALPHABET[b % len(_PUBLIC_ALPHABET)] for b in digest[:8])
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate


def _station(spec: StationSpec, station_ids, jurisdiction_ids, public: _PublicCodes) -> Station:
    rng = random.Random(spec.code)
    area, budget, founded = KIND_PROFILES[spec.kind]
    day = rng.choice(RECEPTION_DAYS)
    if spec.code.startswith("YQ-"):  # the demo district: the reception rules of demo_reception
        from stations.demo.reception import TOWNSHIPS_ON_THE_8TH

        day = 8 if spec.code in {f"YQ-{c[:9]}-H" for c in TOWNSHIPS_ON_THE_8TH} else 15
    lat, lon = _near(rng, spec.centre, spec.spread)
    hours = spec.hours or (CONTACT_POINT_HOURS if spec.kind == StationKind.CONTACT_POINT else OPENING_HOURS)
    return Station(
        code=spec.code,
        public_code=public.for_station(spec.code),
        name=spec.name,
        kind=spec.kind,
        parent_id=station_ids.get(spec.parent_code),
        jurisdiction_id=jurisdiction_ids[spec.jurisdiction_code],
        address=spec.address,
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lon:.6f}"),
        opening_hours=hours.format(day=day),
        phone=_landline(rng, spec.area_code),
        area_m2=rng.randint(*area),
        annual_budget=Decimal(rng.randrange(*budget, 500)),
        established_on=date(founded, 1, 1) + timedelta(days=rng.randrange(730)),
        work_rules=WORK_RULES.format(day=day),
    )


def _officers(code: str, kind: str) -> list[tuple[str, str, str]]:
    rng = random.Random(f"{code}/officers")
    positions = OFFICER_POSITIONS.get(kind, ("联络员",))
    return [(person_name(rng, rng.choice("MFF")), position, _mobile(rng)) for position in positions]


def _pks(model, codes) -> dict[str, int]:
    return dict(model.objects.filter(code__in=codes).values_list("code", "pk"))


def _ensure(model, codes: list[str], make, report: Counter) -> dict[str, int]:
    """Insert a row for each code not in the table yet (make(code) builds it),
    one transaction per batch; return code → pk for all codes."""
    ids = {}
    for start in range(0, len(codes), BATCH_SIZE):
        chunk = codes[start : start + BATCH_SIZE]
        with transaction.atomic():
            found = _pks(model, chunk)
            missing = [c for c in chunk if c not in found]
            if missing:
                model.objects.bulk_create([make(c) for c in missing], batch_size=BATCH_SIZE, ignore_conflicts=True)
                created = _pks(model, missing)
                report[model._meta.model_name] += len(created)
                found |= created
        ids |= found
    return ids


def _save_jurisdictions(rows, report) -> dict[str, int]:
    """rows: (code, name, level, parent code); every parent is among the rows."""
    ids = {}
    for level in Jurisdiction.PREFIX_LENGTH:  # provinces first, communities last
        tier = {row[0]: row for row in rows if row[2] == level}

        def make(code, tier=tier, parents=ids):
            _code, name, row_level, parent = tier[code]
            return Jurisdiction(code=code, name=name, level=row_level, parent_id=parents.get(parent))

        ids |= _ensure(Jurisdiction, list(tier), make, report)
    return ids


def _tiers(specs):
    """Station specs grouped by depth (parents listed before children)."""
    depth, tiers = {}, defaultdict(list)
    for spec in specs:
        depth[spec.code] = depth[spec.parent_code] + 1 if spec.parent_code else 0
        tiers[depth[spec.code]].append(spec)
    return [tiers[d] for d in sorted(tiers)]


def _save_stations(specs, jurisdiction_ids, public, report) -> dict[str, int]:
    ids = {}
    by_code = {spec.code: spec for spec in specs}
    for tier in _tiers(specs):
        ids |= _ensure(
            Station,
            [s.code for s in tier],
            lambda c, parents=ids: _station(by_code[c], parents, jurisdiction_ids, public),
            report,
        )
    return ids


def _save_officers(plan: dict[int, list], report) -> None:
    """plan: station pk → (name, position, phone); stations that list officers already are left alone."""
    have = set(LiaisonOfficer.objects.filter(station_id__in=list(plan)).values_list("station_id", flat=True))
    rows = [
        LiaisonOfficer(station_id=station, name=name, position=position, phone=phone)
        for station, officers in plan.items()
        if station not in have
        for name, position, phone in officers
    ]
    LiaisonOfficer.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    report["liaisonofficer"] += len(rows)


def _save_members(plan: dict[int, list[int]], report) -> None:
    """plan: station pk → representative pks, head first; stations with members already are left alone."""
    have = set(Membership.objects.filter(station_id__in=list(plan)).values_list("station_id", flat=True))
    rows = [
        Membership(
            station_id=station,
            representative_id=rep,
            since=MEMBERS_SINCE,
            role=Membership.Role.HEAD if i == 0 else Membership.Role.MEMBER,
        )
        for station, reps in plan.items()
        if station not in have
        for i, rep in enumerate(reps)
    ]
    Membership.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    report["membership"] += len(rows)


def _save_departments(wanted: list[tuple[int, str]], report) -> None:
    """wanted: (jurisdiction pk, name) of the departments to have; inserts the missing ones."""
    have = set(
        Department.objects.filter(jurisdiction_id__in={j for j, _n in wanted}).values_list("jurisdiction_id", "name")
    )
    rows = [Department(jurisdiction_id=j, name=name) for j, name in wanted if (j, name) not in have]
    Department.objects.bulk_create(rows, ignore_conflicts=True)
    report["department"] += len(rows)
