"""Demo data: 丰台区, the second district of the demo, as seed 000 tells it ("代表在倾听": the
street 人大工委 run homes and stations, 东高地's six-step method, 丰台街道's voter meetings, the
representatives of 丰益花园 and 木樨园).

A few streets of the official code table (110106xxx000) with their communities, a home per
street (人大代表之家), a station per community (社区人大代表联络站) and 航天一院's station inside
the company; district and city representatives (a street has no congress of its own, so no
township representatives); the district's bureaus and each street's 办事处. Community codes are
plausible (2-2-2-3-3 under their street), not taken from the official table.

Keyed on codes like the Yanqing district (`stations.demo.network`): building again adds only what
is missing and rewrites nothing.
"""

import random
from collections import Counter

from django.db import transaction

from liaison.models import Jurisdiction
from stations.demo.people import _near, _office, _place, _rep_spec, _representative
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
from stations.models import Level, Representative, StationKind

J = Jurisdiction.Level
PROVINCE_CODE, CITY_CODE = "110000000000", "110100000000"
FENGTAI_CODE = "110106000000"
DONGGAODI_CODE = "110106006000"
STATION_PREFIX = "FT-"
SEED = "fengtai-2026"

# code, name, centre (lat, lon), communities (code suffix, name): the names of the seeds first.
STREETS = [
    (
        DONGGAODI_CODE,
        "东高地街道",
        (39.800, 116.418),
        (("001", "东高地社区"), ("004", "梅源社区"), ("006", "万源东里社区"), ("002", "三角地社区")),
    ),
    (
        "110106009000",
        "丰台街道",
        (39.858, 116.290),
        (("001", "东安街头条社区"), ("003", "前泥洼社区"), ("005", "北大街社区")),
    ),
    ("110106010000", "新村街道", (39.852, 116.268), (("008", "丰益花园社区"), ("011", "三环新城社区"))),
    ("110106004000", "大红门街道", (39.845, 116.398), (("012", "木樨园社区"),)),
]
# The industry station of the seed ("街道和航天一院人大办"), in 东高地.
INDUSTRY = ("I1", DONGGAODI_CODE, "航天一院人大代表联络站", "丰台区东高地街道万源路1号院综合楼二层")
DISTRICT_REPS_PER_STREET, CITY_REPS = 5, 3
DEPARTMENTS = (
    "区发展和改革委员会",
    "区教育委员会",
    "区公安分局",
    "区民政局",
    "区人力资源和社会保障局",
    "区生态环境局",
    "区住房和城乡建设委员会",
    "区城市管理委员会",
    "区交通局",
    "区水务局",
    "区文化和旅游局",
    "区卫生健康委员会",
    "区应急管理局",
    "区市场监督管理局",
    "区园林绿化局",
    "区体育局",
    "区城市管理综合行政执法局",
    "区消防救援支队",
)


def home_code(street_code: str) -> str:
    return f"{STATION_PREFIX}{street_code[:9]}-H"


def _fengtai_place(street: str, community: str) -> dict:
    return _place(
        province="北京", province_full="北京市", county="丰台区", township=street, place=community, area_code="010"
    )


def fengtai_plan():
    """(jurisdictions, station specs, representative specs, station code → rep codes with the head first)."""
    rng = random.Random(SEED)
    jurisdictions = [
        (PROVINCE_CODE, "北京市", J.PROVINCE, None),  # there already (Yanqing's): the rows' parents
        (CITY_CODE, "北京市市辖区", J.CITY, PROVINCE_CODE),
        (FENGTAI_CODE, "丰台区", J.COUNTY, CITY_CODE),
    ]
    stations, reps, members = [], [], {}
    numbers = iter(range(1, 1000))
    for code, name, centre, communities in STREETS:
        jurisdictions.append((code, name, J.TOWNSHIP, FENGTAI_CODE))
        home = home_code(code)
        stations.append(
            StationSpec(
                home,
                f"{name}人大代表之家",
                StationKind.HOME,
                None,
                code,
                f"丰台区{_office(name)}一层",
                centre,
                0.003,
                "010",
            )
        )
        pool = []
        for k in range(DISTRICT_REPS_PER_STREET):
            suffix, community = communities[k % len(communities)]
            rep = f"{STATION_PREFIX}D-{next(numbers):04d}"
            reps.append(
                _rep_spec(
                    rep,
                    Level.COUNTY,
                    FENGTAI_CODE,
                    _fengtai_place(name, community),
                    f"第{(len(reps) // 2) + 1}选区",
                    f"{name}-第{k + 1:02d}网格",
                    urban=True,
                )
            )
            pool.append(rep)
        members[home] = pool[:3]
        for index, (suffix, community) in enumerate(communities):
            place_code = f"{code[:9]}{suffix}"
            jurisdictions.append((place_code, community, J.COMMUNITY, code))
            station = f"{STATION_PREFIX}{place_code}"
            stations.append(
                StationSpec(
                    station,
                    f"{community}人大代表联络站",
                    StationKind.STATION,
                    home,
                    place_code,
                    f"丰台区{name}{community}居委会一层",
                    _near(rng, centre, 0.008),
                    0,
                    "010",
                )
            )
            members[station] = [pool[index % len(pool)], pool[(index + 1) % len(pool)]]
    suffix, street, name, address = INDUSTRY
    industry = f"{STATION_PREFIX}{street[:9]}-{suffix}"
    street_row = next(row for row in STREETS if row[0] == street)
    stations.append(
        StationSpec(
            industry, name, StationKind.INDUSTRY, home_code(street), street, address, street_row[2], 0.004, "010"
        )
    )
    members[industry] = [reps[1].code, reps[3].code]
    for n in range(1, CITY_REPS + 1):
        code, name, _centre, communities = STREETS[n % len(STREETS)]
        rep = f"{STATION_PREFIX}C-{n:04d}"
        reps.append(
            _rep_spec(rep, Level.CITY, CITY_CODE, _fengtai_place(name, communities[0][1]), "丰台区", "", urban=True)
        )
        members[home_code(code)].append(rep)  # city representatives come to the street's home
    return jurisdictions, stations, reps, members


def seed_fengtai_district(report: Counter) -> None:
    """Build 丰台区 (jurisdictions, stations, officers, representatives, memberships,
    departments); adds only what is missing."""
    jurisdictions, stations, reps, members = fengtai_plan()
    with transaction.atomic():
        jurisdiction_ids = _save_jurisdictions(jurisdictions, report)
        station_ids = _save_stations(stations, jurisdiction_ids, _PublicCodes(), report)
        specs = {spec.code: spec for spec in reps}
        rep_ids = _ensure(Representative, list(specs), lambda c: _representative(specs[c], jurisdiction_ids), report)
        _save_officers({station_ids[s.code]: _officers(s.code, s.kind) for s in stations}, report)
        _save_members({station_ids[s]: [rep_ids[r] for r in codes] for s, codes in members.items()}, report)
        wanted = [(jurisdiction_ids[FENGTAI_CODE], name) for name in DEPARTMENTS]
        wanted += [(jurisdiction_ids[code], _office(name)) for code, name, *_rest in STREETS]
        _save_departments(wanted, report)
