"""Demo data: the Yanqing district network of the seeds, and large synthetic networks for load tests.

Everything derives from fixed seeds (per-row generators are seeded with the
row's own code) and is keyed on unique codes, so building again inserts only
what is missing and never rewrites an existing row: public codes, names and
memberships that someone edited stay as they are. The exception is the six
demo accounts, which are put back to their role and DEMO_PASSWORD. Inserts are
bulk, at most BATCH_SIZE rows per statement and per transaction.
"""

import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate, count
from typing import NamedTuple

from django.db import transaction

from liaison.models import Jurisdiction, Role, User
from petitions.models import Department
from stations.models import _PUBLIC_ALPHABET, Level, LiaisonOfficer, Membership, Representative, Station, StationKind
from stations.models import ProfessionalGroup as Group

DEMO_PASSWORD = "Demo-2026-liaison"
BATCH_SIZE = 5000
SEED = "yanqing-2026"
MEMBERS_SINCE = date(2022, 3, 1)
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

# ---------------------------------------------------------------- names and numbers

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹"
)
_SURNAME_WEIGHTS = list(accumulate(1 / (rank + 8) for rank in range(len(SURNAMES))))  # common names first
GIVEN_CHARS = {
    "M": "伟强军磊洋勇杰涛明超刚平辉鹏华飞斌宇浩凯健俊帆建国志永海东峰亮成兵广庆福春",
    "F": "芳娜敏静丽艳娟霞秀玲燕红梅琳萍雪婷慧颖洁倩晶玉兰凤英云莉桂荣淑",
}
_DIRECTIONS, _ENDINGS, _NUMBERS = "东西南北前后上下", "庄营堡屯沟峪关河坊店台窑", "二三四五六七八"
_CLANS = "王张刘李赵孙米唐姚孟鲁司胡冯杜魏谢阎郭高"
_LANDSCAPES = (
    "水磨",
    "花园",
    "板泉",
    "石河",
    "柳沟",
    "榆林",
    "杏园",
    "松山",
    "白河",
    "红石",
    "青龙",
    "黄峪",
    "梨园",
    "枣林",
)
_COMMUNITY_ROOTS = (
    "康安",
    "湖南",
    "胜芳",
    "新兴",
    "东外",
    "高塔",
    "温泉",
    "振兴",
    "庆园",
    "舜泽",
    "妫水",
    "川北",
    "夏都",
    "永安",
    "南菜园",
    "东顺城",
    "悦安",
    "格兰",
    "世园",
    "丰和",
    "惠民",
    "龙庆",
    "泰安",
    "福苑",
    "滨河",
    "莲花池",
)
_COMMUNITY_SUFFIXES = ("", "", "东", "西", "南", "北", "里", "园")
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)
_SYNTHETIC_CHARS = "青云山河安平丰泽宁远江华兴清源德明湖川阳春秀石龙凤桃林溪"


def person_name(rng: random.Random, gender: str) -> str:
    chars = GIVEN_CHARS[gender]
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choices(SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0] + given


def village_name(rng: random.Random) -> str:
    pattern = rng.randrange(5)
    if pattern == 0:
        core = rng.choice(_DIRECTIONS) + rng.choice(_ENDINGS)  # 东关
    elif pattern == 1:
        core = rng.choice(_CLANS) + "家" + rng.choice(_ENDINGS)  # 米家堡
    elif pattern == 2:
        core = rng.choice(_NUMBERS) + "里" + rng.choice(_ENDINGS)  # 八里庄
    elif pattern == 3:
        core = rng.choice("大小新") + rng.choice(_CLANS) + rng.choice(_ENDINGS)  # 小丰营
    else:
        core = rng.choice(_DIRECTIONS[4:]) + rng.choice(_LANDSCAPES)  # 上水磨
    return core + "村"


def community_name(rng: random.Random) -> str:
    return rng.choice(_COMMUNITY_ROOTS) + rng.choice(_COMMUNITY_SUFFIXES) + "社区"


def _unique(rng, make, used: set) -> str:
    while (name := make(rng)) in used:
        pass
    used.add(name)
    return name


def _mobile(rng) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _landline(rng, area_code: str) -> str:
    if area_code == "010":
        return f"010-69{rng.randrange(100_000, 200_000):06d}"  # Yanqing's exchanges 6910-6919
    return f"{area_code}-{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"


def _near(rng, centre, spread) -> tuple[float, float]:
    return centre[0] + rng.uniform(-spread, spread), centre[1] + rng.uniform(-spread, spread)


def _office(township: str) -> str:
    return township + ("办事处" if township.endswith("街道") else "人民政府")


# ---------------------------------------------------------------- representatives' jobs and biographies

# Work unit, position, professional group (None: the place's own group), weight.
# Placeholders come from the representative's place (see _place) plus firm, crop and inn.
HIGH_JOBS = [
    ("{county}人大常委会", "副主任", Group.SOCIAL, 2),
    ("中共{township}委员会", "书记", Group.SOCIAL, 2),
    ("{party_unit}", "{party_head}", None, 2),
    ("{province}{firm}农业科技有限公司", "董事长", Group.ECONOMY, 2),
    ("{county}医院", "院长", Group.HEALTH, 1),
    ("{county}第一中学", "校长", Group.EDUCATION, 1),
    ("{province}{firm}律师事务所", "主任", Group.LEGAL, 1),
    ("中国农业大学{county}教学实验站", "研究员", Group.SCIENCE, 1),
]
DISTRICT_JOBS = [
    ("{county}医院", "副主任医师", Group.HEALTH, 3),
    ("{county}中医医院", "主治医师", Group.HEALTH, 2),
    ("{county}第一中学", "中学教师", Group.EDUCATION, 3),
    ("{county}第五中学", "副校长", Group.EDUCATION, 1),
    ("{province}{firm}律师事务所", "主任", Group.LEGAL, 2),
    ("{province}{firm}科技有限公司", "总经理", Group.ECONOMY, 3),
    ("{province}{firm}旅游发展有限公司", "总经理", Group.ECONOMY, 1),
    ("{office}", "{chair}", Group.SOCIAL, 2),
    ("{party_unit}", "{party_head}", None, 4),
    ("{place}{crop}专业合作社", "理事长", Group.AGRICULTURE, 2),
    ("{county}农业技术推广站", "高级农艺师", Group.SCIENCE, 1),
    ("{county}总工会", "副主席", Group.SOCIAL, 1),
    ("{county}城市管理委员会", "副主任", Group.URBAN, 1),
]
LOCAL_JOBS = [
    ("{party_unit}", "{party_head}", None, 5),
    ("{committee_unit}", "{committee_head}", None, 4),
    ("{place}{crop}专业合作社", "理事长", Group.AGRICULTURE, 2),
    ("{township}中心小学", "小学教师", Group.EDUCATION, 2),
    ("{township}社区卫生服务中心", "全科医生", Group.HEALTH, 2),
    ("{place}{inn}民宿", "负责人", Group.ECONOMY, 2),
    ("{township}派出所", "社区民警", Group.SOCIAL, 1),
    ("{province}{firm}物业服务有限公司", "项目经理", Group.URBAN, 1),
]
_JOB_TABLES = {
    level: (jobs, list(accumulate(job[3] for job in jobs)))
    for levels, jobs in (
        ((Level.NATIONAL, Level.PROVINCIAL), HIGH_JOBS),
        ((Level.CITY, Level.COUNTY), DISTRICT_JOBS),
        ((Level.TOWNSHIP,), LOCAL_JOBS),
    )
    for level in levels
}
FIRMS = ("恒信", "德正", "京延", "妫川", "华远", "泰和", "明德", "诚远", "长城", "山水", "润泽", "博远")
CROPS = ("葡萄", "苹果", "板栗", "蔬菜", "蜂蜜", "杏", "食用菌", "中药材", "草莓", "红薯")
INNS = ("山居", "归园", "妫川", "长城人家", "石光", "云舍")
# session number, first year, last year
LEVEL_TERMS = {
    Level.NATIONAL: (14, 2023, 2028),
    Level.PROVINCIAL: (16, 2023, 2028),
    Level.CITY: (16, 2023, 2028),
    Level.COUNTY: (17, 2021, 2026),
    Level.TOWNSHIP: (17, 2021, 2026),
}
LEVEL_TITLES = {
    Level.NATIONAL: "第十四届全国人大代表",
    Level.PROVINCIAL: "{province_full}第十六届人大代表",
    Level.CITY: "第十六届市人大代表",
    Level.COUNTY: "{county}第十七届人大代表",
    Level.TOWNSHIP: "{township}第十七届人大代表",
}
FOCUS = {
    Group.AGRICULTURE: "乡村振兴和农民增收",
    Group.EDUCATION: "教育资源均衡和学生课后服务",
    Group.HEALTH: "基层医疗和老年健康服务",
    Group.LEGAL: "基层法治建设和矛盾纠纷化解",
    Group.ECONOMY: "营商环境和文旅融合发展",
    Group.URBAN: "老旧小区改造和物业管理",
    Group.SOCIAL: "养老助餐和基层治理",
    Group.SCIENCE: "农业科技推广和成果转化",
}
EDUCATIONS = ("大学本科学历", "大学本科学历", "大专学历", "硕士研究生学历", "高中学历")
AFFILIATIONS = ("中共党员", "中共党员", "中共党员", "群众", "民盟盟员", "九三学社社员")


def _place(*, province, province_full, county, township, place, area_code) -> dict:
    """What fills the job and title templates for someone from this village or community."""
    community = place.endswith("社区")
    return {
        "province": province,
        "province_full": province_full,
        "county": county,
        "township": township,
        "place": place,
        "area_code": area_code,
        "office": _office(township),
        "chair": "人大工委主任" if township.endswith("街道") else "人大主席",
        "party_unit": place,
        "party_head": "党委书记" if community else "村党支部书记",
        "committee_unit": place,
        "committee_head": "居委会主任" if community else "村委会主任",
        "local_group": Group.SOCIAL if community else Group.AGRICULTURE,
    }


class RepSpec(NamedTuple):
    code: str
    level: str
    jurisdiction_code: str
    place: dict
    constituency: str
    grid_cell: str
    job: tuple[str, str, str]  # work unit, position, professional group


def _rep_spec(code, level, jurisdiction_code, place, constituency, grid_cell) -> RepSpec:
    rng = random.Random(f"{code}/job")
    jobs, weights = _JOB_TABLES[level]
    unit, position, group, _weight = rng.choices(jobs, cum_weights=weights)[0]
    fill = {**place, "firm": rng.choice(FIRMS), "crop": rng.choice(CROPS), "inn": rng.choice(INNS)}
    job = (unit.format(**fill), position.format(**fill), group or place["local_group"])
    return RepSpec(code, level, jurisdiction_code, place, constituency, grid_cell, job)


def _representative(spec: RepSpec, jurisdiction_ids: dict) -> Representative:
    rng = random.Random(spec.code)
    gender = "F" if rng.random() < 0.36 else "M"
    unit, position, group = spec.job
    term, start, end = LEVEL_TERMS[spec.level]
    bio = (
        f"{rng.randint(1962, 1992)}年生，{rng.choice(EDUCATIONS)}，{rng.choice(AFFILIATIONS)}。"
        f"现任{unit}{position}，{LEVEL_TITLES[spec.level].format(**spec.place)}。长期关注{FOCUS[group]}。"
    )
    public_phone = _landline(rng, spec.place["area_code"]) if rng.random() < 0.4 else _mobile(rng)
    return Representative(
        code=spec.code,
        name=person_name(rng, gender),
        gender=gender,
        level=spec.level,
        jurisdiction_id=jurisdiction_ids[spec.jurisdiction_code],
        constituency=spec.constituency,
        work_unit=unit,
        position=position,
        public_phone=public_phone,
        private_phone=_mobile(rng),
        bio=bio,
        professional_group=group,
        grid_cell=spec.grid_cell,
        term_number=term,
        term_start=start,
        term_end=end,
    )


# ---------------------------------------------------------------- stations


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


# ---------------------------------------------------------------- saving


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
        _save_departments(jurisdiction_ids, report)
        _save_accounts(plan.account_rep_code, report)


def _save_departments(jurisdiction_ids, report) -> None:
    wanted = [(jurisdiction_ids[DISTRICT_CODE], name) for name in DISTRICT_DEPARTMENTS]
    wanted += [(jurisdiction_ids[code], _office(name)) for code, name, *_rest in TOWNSHIPS]
    have = set(
        Department.objects.filter(jurisdiction_id__in={j for j, _n in wanted}).values_list("jurisdiction_id", "name")
    )
    rows = [Department(jurisdiction_id=j, name=name) for j, name in wanted if (j, name) not in have]
    Department.objects.bulk_create(rows, ignore_conflicts=True)
    report["department"] += len(rows)


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


# ---------------------------------------------------------------- large synthetic networks

SYNTHETIC_PROVINCE = ("990000000000", "演示省")
STATIONS_PER_TOWNSHIP = 20  # a home and 19 village stations
TOWNSHIPS_PER_COUNTY, COUNTIES_PER_CITY, MAX_CITIES = 12, 10, 99
MAX_SYNTHETIC_STATIONS = STATIONS_PER_TOWNSHIP * TOWNSHIPS_PER_COUNTY * COUNTIES_PER_CITY * MAX_CITIES
TOWNSHIPS_PER_CHUNK = BATCH_SIZE // STATIONS_PER_TOWNSHIP


class _SynTown(NamedTuple):
    code: str
    name: str
    county_code: str
    county_name: str
    city_code: str
    city_name: str
    centre: tuple[float, float]
    area_code: str


def _synthetic_name(code: str, suffixes: str) -> str:
    rng = random.Random(f"synthetic:{code}")
    return "".join(rng.sample(_SYNTHETIC_CHARS, 2)) + rng.choice(suffixes)


@cache
def _syn_town(t: int) -> _SynTown:
    """Township number t (from 0) of the synthetic province: 12 per county, 10 counties per city."""
    county = t // TOWNSHIPS_PER_COUNTY
    city = county // COUNTIES_PER_CITY
    city_code = f"99{city + 1:02d}00000000"
    county_code = f"{city_code[:4]}{county % COUNTIES_PER_CITY + 1:02d}000000"
    code = f"{county_code[:6]}{100 + t % TOWNSHIPS_PER_COUNTY:03d}000"
    row, col = divmod(t % TOWNSHIPS_PER_COUNTY, 4)
    centre = (28 + county // 30 * 0.5 + row * 0.12, 100 + county % 30 * 0.5 + col * 0.12)
    return _SynTown(
        code,
        _synthetic_name(code, "镇"),
        county_code,
        _synthetic_name(county_code, "区县"),
        city_code,
        _synthetic_name(city_code, "市"),
        centre,
        f"0{310 + city}",
    )


@cache
def _syn_village(t: int, slot: int) -> tuple[str, str]:
    code = f"{_syn_town(t).code[:9]}{200 + slot:03d}"
    return code, village_name(random.Random(f"synthetic:{code}"))


def _syn_jurisdictions(stations: int, townships: int) -> list[tuple]:
    rows = {SYNTHETIC_PROVINCE[0]: (*SYNTHETIC_PROVINCE, J.PROVINCE, None)}
    for t in range(townships):
        town = _syn_town(t)
        rows[town.city_code] = (town.city_code, town.city_name, J.CITY, SYNTHETIC_PROVINCE[0])
        rows[town.county_code] = (town.county_code, town.county_name, J.COUNTY, town.city_code)
        rows[town.code] = (town.code, town.name, J.TOWNSHIP, town.county_code)
        for slot in range(1, min(STATIONS_PER_TOWNSHIP, stations - t * STATIONS_PER_TOWNSHIP)):
            code, name = _syn_village(t, slot)
            rows[code] = (code, name, J.COMMUNITY, town.code)
    return list(rows.values())


# Cumulative shares of the levels among synthetic representatives (about the national mix).
SYNTHETIC_LEVEL_SHARES = (
    (0.005, Level.NATIONAL),
    (0.025, Level.PROVINCIAL),
    (0.085, Level.CITY),
    (0.33, Level.COUNTY),
    (1.0, Level.TOWNSHIP),
)


def _syn_level(draw: float) -> str:
    return next(level for bound, level in SYNTHETIC_LEVEL_SHARES if draw < bound)


def _syn_rep_code(j: int) -> str:
    return f"DM-R-{j:07d}"


def _syn_rep_spec(j: int, townships: int) -> RepSpec:
    """Representative j lives in township j % townships; a seeded draw picks the level."""
    t, q = j % townships, j // townships
    town = _syn_town(t)
    code = _syn_rep_code(j)
    level = _syn_level(random.Random(f"{code}/level").random())
    jurisdiction = {
        Level.CITY: town.city_code,
        Level.COUNTY: town.county_code,
        Level.TOWNSHIP: town.code,
    }.get(level, SYNTHETIC_PROVINCE[0])
    slot = 1 + q % (STATIONS_PER_TOWNSHIP - 1)
    place = _place(
        province="演示",
        province_full="演示省",
        county=town.county_name,
        township=town.name,
        place=_syn_village(t, slot)[1],
        area_code=town.area_code,
    )
    return _rep_spec(
        code, level, jurisdiction, place, f"第{q % 40 + 1}选区", f"{town.name}-第{(slot - 1) // 3 + 1:02d}网格"
    )


def _syn_member_codes(t: int, slot: int, representatives: int, townships: int) -> list[str]:
    """Two or three of the township's own representatives (the first is the head)."""
    living_here = (representatives - t + townships - 1) // townships if representatives > t else 0
    if not living_here:
        return []
    picks = [slot, slot + STATIONS_PER_TOWNSHIP] + ([slot + 2 * STATIONS_PER_TOWNSHIP] if slot % 3 else [])
    return [_syn_rep_code(t + townships * (q % living_here)) for q in dict.fromkeys(picks)]


def _syn_station_specs(t: int, stations: int) -> list[StationSpec]:
    town = _syn_town(t)
    home = f"DM-{town.code[:9]}-H"
    specs = [
        StationSpec(
            home,
            f"{town.name}人大代表之家",
            StationKind.HOME,
            None,
            town.code,
            f"{town.county_name}{_office(town.name)}院内一层",
            town.centre,
            0.01,
            town.area_code,
        )
    ]
    for slot in range(1, min(STATIONS_PER_TOWNSHIP, stations - t * STATIONS_PER_TOWNSHIP)):
        code, name = _syn_village(t, slot)
        specs.append(
            StationSpec(
                f"DM-{code}",
                f"{town.name}{name}代表联络站",
                StationKind.STATION,
                home,
                code,
                f"{town.county_name}{town.name}{name}村委会二层",
                town.centre,
                0.05,
                town.area_code,
            )
        )
    return specs


def seed_synthetic(*, stations: int, representatives: int, report: Counter, log=lambda message: None) -> None:
    """Add a synthetic province (code 99) holding `stations` stations and
    `representatives` representatives, with officers and 2-3 members per station.

    The set for given numbers is fixed; existing rows are kept, so a re-run adds nothing.
    """
    if stations > MAX_SYNTHETIC_STATIONS:
        raise ValueError(f"At most {MAX_SYNTHETIC_STATIONS} synthetic stations fit the synthetic province.")
    townships = max(1, -(-stations // STATIONS_PER_TOWNSHIP))
    jurisdiction_ids = _save_jurisdictions(_syn_jurisdictions(stations, townships), report)
    log(f"jurisdictions ready: {len(jurisdiction_ids)}")
    rep_ids = _ensure(
        Representative,
        [_syn_rep_code(j) for j in range(representatives)],
        lambda c: _representative(_syn_rep_spec(int(c[-7:]), townships), jurisdiction_ids),
        report,
    )
    log(f"representatives ready: {len(rep_ids)}")
    public = _PublicCodes()
    station_count = 0
    for first in range(0, townships if stations else 0, TOWNSHIPS_PER_CHUNK):
        chunk = range(first, min(first + TOWNSHIPS_PER_CHUNK, townships))
        with transaction.atomic():
            specs = {t: _syn_station_specs(t, stations) for t in chunk}
            station_ids = _save_stations([s for t in chunk for s in specs[t]], jurisdiction_ids, public, report)
            _save_officers({station_ids[s.code]: _officers(s.code, s.kind) for t in chunk for s in specs[t]}, report)
            _save_members(
                {
                    station_ids[s.code]: [rep_ids[c] for c in _syn_member_codes(t, slot, representatives, townships)]
                    for t in chunk
                    for slot, s in enumerate(specs[t])
                },
                report,
            )
        station_count += len(station_ids)
        log(f"stations ready: {station_count}")
