"""Demo data: the Yanqing district network of the seeds (large synthetic networks for load tests
are in `stations.demo.synthetic`; both build on `stations.demo.people` and `stations.demo.rows`).

Everything derives from fixed seeds (per-row generators are seeded with the
row's own code) and is keyed on unique codes, so building again inserts only
what is missing and never rewrites an existing row: public codes, names and
memberships that someone edited stay as they are. The exception is the six
demo accounts, which are put back to their role and DEMO_PASSWORD. Inserts are
bulk, at most BATCH_SIZE rows per statement and per transaction.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import count

from django.db import transaction

from liaison.models import Jurisdiction, Role, User
from petitions.models import Department
from stations.demo.people import (
    RepSpec,
    _near,
    _office,
    _place,
    _rep_spec,
    _representative,
    _unique,
    community_name,
    village_name,
)
from stations.demo.rows import (
    StationSpec,
    _ensure,
    _officers,
    _PublicCodes,
    _save_departments,
    _save_jurisdictions,
    _save_members,
    _save_officers,
    _save_stations,
)
from stations.models import Level, Representative, Station, StationKind
from stations.models import ProfessionalGroup as Group

DEMO_PASSWORD = "Demo-2026-liaison"
SEED = "yanqing-2026"
MAX_MEMBERS = 6

J = Jurisdiction.Level
PROVINCE_CODE, CITY_CODE, DISTRICT_CODE = "110000000000", "110100000000", "110119000000"
YANQING_TOWN_CODE = "110119100000"

# Streets and townships of Yanqing: code, name, communities, villages, centre (lat, lon).
TOWNSHIPS = [
    ("110119001000", "百泉街道", 12, 0, (40.465, 115.972)),
    ("110119002000", "香水园街道", 14, 0, (40.470, 115.955)),
    ("110119003000", "儒林街道", 11, 0, (40.448, 115.980)),
    ("110119100000", "延庆镇", 3, 38, (40.456, 116.000)),
    ("110119101000", "康庄镇", 2, 32, (40.405, 115.890)),
    ("110119102000", "八达岭镇", 1, 18, (40.385, 115.990)),
    ("110119103000", "永宁镇", 2, 35, (40.530, 116.150)),
    ("110119104000", "旧县镇", 1, 26, (40.515, 116.060)),
    ("110119105000", "张山营镇", 1, 31, (40.480, 115.860)),
    ("110119106000", "四海镇", 1, 18, (40.530, 116.360)),
    ("110119107000", "千家店镇", 1, 19, (40.615, 116.320)),
    ("110119108000", "沈家营镇", 1, 19, (40.500, 116.020)),
    ("110119109000", "大榆树镇", 1, 21, (40.415, 115.970)),
    ("110119110000", "井庄镇", 1, 24, (40.450, 116.100)),
    ("110119200000", "大庄科乡", 0, 29, (40.395, 116.220)),
    ("110119201000", "刘斌堡乡", 0, 17, (40.570, 116.230)),
    ("110119202000", "香营乡", 0, 16, (40.575, 116.100)),
    ("110119203000", "珍珠泉乡", 0, 16, (40.600, 116.320)),
]
TOWNSHIP_CENTRES = {row[0]: row[4] for row in TOWNSHIPS}
# Representatives per level (the seeds: "1,000+ representatives" in Yanqing).
COUNTY_REPS, TOWNSHIP_REPS = 250, 700
# letter in the code, level, how many, jurisdiction, constituency
HIGH_LEVELS = [
    ("N", Level.NATIONAL, 5, DISTRICT_CODE, "北京市代表团"),
    ("P", Level.PROVINCIAL, 20, DISTRICT_CODE, "延庆区"),
    ("C", Level.CITY, 60, CITY_CODE, "延庆区"),
]
# suffix of the code, township, name, address, group of its representatives
INDUSTRY_STATIONS = [
    ("I1", "110119102000", "八达岭长城景区企业代表联络站", "延庆区八达岭镇八达岭特区办事处综合楼三层"),
    ("I2", "110119100000", "延庆经济开发区企业代表联络站", "延庆区延庆镇中关村延庆园服务中心二层"),
    ("I3", "110119105000", "张山营镇冬奥文旅企业代表联络站", "延庆区张山营镇国家高山滑雪中心运营楼一层"),
]
# suffix, township, name, address, opening hours, group of its representatives
SPECIALIST_ROOMS = [
    (
        "S1",
        "110119001000",
        "律师代表法律服务工作室",
        "延庆区百泉街道妫水北街12号一层",
        "每周三 9:00-12:00 律师代表坐班接待",
        Group.LEGAL,
    ),
    (
        "S2",
        "110119100000",
        "医疗卫生代表健康服务工作室",
        "延庆区延庆镇东顺城街28号一层",
        "每周五 14:00-17:00 医生代表义诊咨询",
        Group.HEALTH,
    ),
]
DISTRICT_DEPARTMENTS = (
    "区发展和改革委员会",
    "区教育委员会",
    "区科学技术和信息化局",
    "区公安分局",
    "区民政局",
    "区司法局",
    "区财政局",
    "区人力资源和社会保障局",
    "市规划和自然资源委员会延庆分局",
    "区生态环境局",
    "区住房和城乡建设委员会",
    "区城市管理委员会",
    "区交通局",
    "区水务局",
    "区农业农村局",
    "区商务局",
    "区文化和旅游局",
    "区卫生健康委员会",
    "区退役军人事务局",
    "区应急管理局",
    "区市场监督管理局",
    "区园林绿化局",
    "区体育局",
    "区医疗保障局",
    "区政务服务和数据管理局",
    "区城市管理综合行政执法局",
    "区信访办公室",
    "区消防救援支队",
    "区监察委员会",
    "区人民法院",
    "区人民检察院",
    "国网北京延庆供电公司",
)
HOUSING_DEPARTMENT = "区住房和城乡建设委员会"
STAFF_NAME, STAFF_MOBILE = "王丽", "13911012345"

# ---------------------------------------------------------------- the demo district


@dataclass
class _Place:
    code: str
    name: str
    station_code: str
    contact_code: str | None


@dataclass
class _Town:
    code: str
    name: str
    home_code: str
    places: list[_Place] = field(default_factory=list)


@dataclass
class _Plan:
    jurisdictions: list = field(default_factory=list)  # (code, name, level, parent code), parents first
    stations: list[StationSpec] = field(default_factory=list)  # parents first
    representatives: list[RepSpec] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)  # station code → rep codes, head first
    account_rep_code: str = ""


def _yanqing_place(town: _Town, place: _Place) -> dict:
    return _place(
        province="北京", province_full="北京市", county="延庆区", township=town.name, place=place.name, area_code="010"
    )


def _demo_town(rng, row, used: set, plan: _Plan) -> _Town:
    code, name, communities, villages, centre = row
    town = _Town(code, name, f"YQ-{code[:9]}-H")
    plan.jurisdictions.append((code, name, J.TOWNSHIP, DISTRICT_CODE))
    plan.stations.append(
        StationSpec(
            town.home_code,
            f"{name}人大代表之家",
            StationKind.HOME,
            None,
            code,
            f"延庆区{_office(name)}院内一层",
            centre,
            0.004,
            "010",
        )
    )
    numbers = [(k, community_name) for k in range(1, communities + 1)] + [
        (200 + k, village_name) for k in range(1, villages + 1)
    ]
    spread = 0.012 if name.endswith("街道") else 0.03
    for index, (number, make_name) in enumerate(numbers):
        place_code, place_name = f"{code[:9]}{number:03d}", _unique(rng, make_name, used)
        spot = _near(rng, centre, spread)
        place = _Place(place_code, place_name, f"YQ-{place_code}", f"YQ-{place_code}-P1" if index % 8 == 3 else None)
        town.places.append(place)
        plan.jurisdictions.append((place_code, place_name, J.COMMUNITY, code))
        room = "居委会一层" if number < 200 else "村委会二层"
        plan.stations.append(
            StationSpec(
                place.station_code,
                f"{name}{place_name}代表联络站",
                StationKind.STATION,
                town.home_code,
                place_code,
                f"延庆区{name}{place_name}{room}",
                spot,
                0,
                "010",
            )
        )
        if place.contact_code:
            plan.stations.append(_contact_point(rng, town, place, spot))
    return town


def _contact_point(rng, town: _Town, place: _Place, spot) -> StationSpec:
    n = rng.randint(1, 6)
    if place.name.endswith("社区"):
        name, address = f"{place.name}{n}号院代表联系点", f"延庆区{town.name}{place.name}{n}号院物业用房"
    else:
        name, address = f"{place.name}{n}组代表联系点", f"延庆区{town.name}{place.name}{n}组活动室"
    return StationSpec(
        place.contact_code, name, StationKind.CONTACT_POINT, place.station_code, place.code, address, spot, 0.004, "010"
    )


def _special_stations(towns: dict[str, _Town]) -> list[tuple[StationSpec, str]]:
    """Industry stations and specialist rooms, each with the professional group of its representatives."""
    specs = []
    for suffix, code, name, address in INDUSTRY_STATIONS:
        specs.append(
            (
                StationSpec(
                    f"YQ-{code[:9]}-{suffix}",
                    name,
                    StationKind.INDUSTRY,
                    towns[code].home_code,
                    code,
                    address,
                    TOWNSHIP_CENTRES[code],
                    0.01,
                    "010",
                ),
                Group.ECONOMY,
            )
        )
    for suffix, code, name, address, hours, group in SPECIALIST_ROOMS:
        town = towns[code]
        specs.append(
            (
                StationSpec(
                    f"YQ-{code[:9]}-{suffix}",
                    f"{town.name}{name}",
                    StationKind.SPECIALIST,
                    town.home_code,
                    code,
                    address,
                    TOWNSHIP_CENTRES[code],
                    0.005,
                    "010",
                    hours,
                ),
                group,
            )
        )
    return specs


def _demo_people(plan: _Plan, towns: list[_Town], specials, rng) -> None:
    """Representatives of the five levels and who sits in which station ("四级代表进三级网格")."""
    total = sum(len(t.places) for t in towns)
    county_numbers, township_numbers = count(1), count(1)
    county_pools, locals_at = {}, defaultdict(list)
    for town in towns:
        how_many = max(2, round(COUNTY_REPS * len(town.places) / total))
        county_pools[town.code] = _demo_county_reps(plan, town, how_many, county_numbers)
        for k in range(round(TOWNSHIP_REPS * len(town.places) / total)):
            index = k % len(town.places)
            place = town.places[index]
            code = f"YQ-T-{next(township_numbers):04d}"
            plan.representatives.append(
                _rep_spec(
                    code,
                    Level.TOWNSHIP,
                    town.code,
                    _yanqing_place(town, place),
                    f"第{index + 1}选区",
                    f"{town.name}-第{index // 3 + 1:02d}网格",
                )
            )
            locals_at[place.code].append(code)
    members = defaultdict(list)
    for town in towns:
        pool = county_pools[town.code]
        members[town.home_code] += pool[:3]
        for index, place in enumerate(town.places):
            heads = [pool[index % len(pool)]] + ([pool[(index + 1) % len(pool)]] if rng.random() < 0.3 else [])
            members[place.station_code] += heads + locals_at[place.code]
            if place.contact_code:
                members[place.contact_code] += (locals_at[place.code] + heads)[:2]
    _demo_high_reps(plan, towns, members, rng)
    by_group = defaultdict(list)
    for spec in plan.representatives:
        if spec.level != Level.TOWNSHIP:
            by_group[spec.job[2]].append(spec.code)
    for spec, group in specials:
        members[spec.code] += rng.sample(by_group[group], min(3, len(by_group[group])))
    plan.members = {code: list(dict.fromkeys(reps))[:MAX_MEMBERS] for code, reps in members.items()}
    plan.account_rep_code = county_pools[YANQING_TOWN_CODE][0]


def _demo_county_reps(plan: _Plan, town: _Town, how_many: int, numbers) -> list[str]:
    """District representatives living in this township, two per constituency."""
    codes = []
    for k in range(how_many):
        index = k % len(town.places)
        number = next(numbers)
        code = f"YQ-D-{number:04d}"
        plan.representatives.append(
            _rep_spec(
                code,
                Level.COUNTY,
                DISTRICT_CODE,
                _yanqing_place(town, town.places[index]),
                f"第{(number + 1) // 2}选区",
                f"{town.name}-第{index // 3 + 1:02d}网格",
            )
        )
        codes.append(code)
    return codes


def _demo_high_reps(plan: _Plan, towns: list[_Town], members, rng) -> None:
    """National and provincial representatives visit homes, city ones village stations."""
    homes = [t.home_code for t in towns]
    stations = [p.station_code for t in towns for p in t.places]
    for letter, level, how_many, jurisdiction, constituency in HIGH_LEVELS:
        for n in range(1, how_many + 1):
            town = rng.choice(towns)
            code = f"YQ-{letter}-{n:04d}"
            plan.representatives.append(
                _rep_spec(code, level, jurisdiction, _yanqing_place(town, rng.choice(town.places)), constituency, "")
            )
            if level == Level.NATIONAL:
                targets = rng.sample(homes, 2)
            elif level == Level.PROVINCIAL:
                targets = [rng.choice(homes), rng.choice(stations)]
            else:
                targets = rng.sample(stations, 2)
            for target in targets:
                members[target].append(code)


def demo_plan() -> _Plan:
    """The whole Yanqing district, computed in memory (cheap, and always the same)."""
    rng = random.Random(SEED)
    plan = _Plan(
        jurisdictions=[
            (PROVINCE_CODE, "北京市", J.PROVINCE, None),
            (CITY_CODE, "北京市市辖区", J.CITY, PROVINCE_CODE),
            (DISTRICT_CODE, "延庆区", J.COUNTY, CITY_CODE),
        ]
    )
    used = set()
    towns = [_demo_town(rng, row, used, plan) for row in TOWNSHIPS]
    specials = _special_stations({t.code: t for t in towns})
    plan.stations += [spec for spec, _group in specials]
    _demo_people(plan, towns, specials, rng)
    return plan


def seed_demo_district(report: Counter) -> None:
    """Build the Yanqing district (jurisdictions, stations, officers, representatives,
    memberships, departments, demo accounts); adds only what is missing."""
    plan = demo_plan()
    with transaction.atomic():
        jurisdiction_ids = _save_jurisdictions(plan.jurisdictions, report)
        station_ids = _save_stations(plan.stations, jurisdiction_ids, _PublicCodes(), report)
        specs = {spec.code: spec for spec in plan.representatives}
        rep_ids = _ensure(Representative, list(specs), lambda c: _representative(specs[c], jurisdiction_ids), report)
        officers = {station_ids[s.code]: _officers(s.code, s.kind) for s in plan.stations}
        officers[station_ids[f"YQ-{YANQING_TOWN_CODE[:9]}-H"]][-1] = (STAFF_NAME, "联络员", STAFF_MOBILE)
        _save_officers(officers, report)
        _save_members({station_ids[s]: [rep_ids[r] for r in reps] for s, reps in plan.members.items()}, report)
        _demo_departments(jurisdiction_ids, report)
        _save_accounts(plan.account_rep_code, report)


def _demo_departments(jurisdiction_ids, report) -> None:
    wanted = [(jurisdiction_ids[DISTRICT_CODE], name) for name in DISTRICT_DEPARTMENTS]
    wanted += [(jurisdiction_ids[code], _office(name)) for code, name, *_rest in TOWNSHIPS]
    _save_departments(wanted, report)


def demo_accounts(rep_name: str) -> dict[str, dict]:
    """username → fields of the demo account of each role (jurisdictions by code)."""
    return {
        "admin": {"role": Role.ADMIN, "full_name": "系统管理员", "is_superuser": True, "is_staff": True},
        "office": {
            "role": Role.COMMITTEE_OFFICE,
            "full_name": "延庆区人大常委会代表联络工作室",
            "jurisdiction": DISTRICT_CODE,
        },
        "office_yqz": {
            "role": Role.COMMITTEE_OFFICE,
            "full_name": "延庆镇人大主席团办公室",
            "jurisdiction": YANQING_TOWN_CODE,
        },
        "staff": {"role": Role.STATION_STAFF, "full_name": STAFF_NAME, "phone": STAFF_MOBILE},
        "rep": {"role": Role.REPRESENTATIVE, "full_name": rep_name},
        "dept": {"role": Role.DEPARTMENT, "full_name": "赵敏"},
    }


def _save_accounts(rep_code: str, report) -> None:
    rep = Representative.objects.get(code=rep_code)
    jurisdictions = dict(
        Jurisdiction.objects.filter(code__in=[DISTRICT_CODE, YANQING_TOWN_CODE]).values_list("code", "pk")
    )
    users = {}
    for username, fields in demo_accounts(rep.name).items():
        if "jurisdiction" in fields:
            fields["jurisdiction_id"] = jurisdictions[fields.pop("jurisdiction")]
        users[username] = _account(username, fields, report)
    _set_demo_password(users.values())
    Station.objects.get(code=f"YQ-{YANQING_TOWN_CODE[:9]}-H").staff.add(users["staff"])
    Department.objects.get(jurisdiction_id=jurisdictions[DISTRICT_CODE], name=HOUSING_DEPARTMENT).members.add(
        users["dept"]
    )
    if rep.user_id != users["rep"].pk:
        Representative.objects.filter(user=users["rep"]).update(user=None)
        rep.user = users["rep"]
        rep.save(update_fields=["user"])


def _account(username: str, fields: dict, report) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    report["user"] += created
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, fields[name])
        user.save(update_fields=changed)
    return user


def _set_demo_password(users) -> None:
    """Give every demo account DEMO_PASSWORD, hashing it at most once: the hasher
    is deliberately slow and the accounts share one public password anyway."""
    verified, hashed = {}, None
    for user in users:
        if user.password not in verified:
            verified[user.password] = user.check_password(DEMO_PASSWORD)
        if verified[user.password]:
            continue
        if hashed is None:
            user.set_password(DEMO_PASSWORD)
            hashed = user.password
        user.password = hashed
        user.save(update_fields=["password"])
