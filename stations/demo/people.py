"""People and places of the demo networks (`stations.demo.network`, `stations.demo.synthetic`):
names of people, villages and communities, phone numbers, and the representatives' jobs and
biographies. Every generator takes a seeded `random.Random`; nothing here touches the database."""

import random
from itertools import accumulate
from typing import NamedTuple

from stations.models import Level, Representative
from stations.models import ProfessionalGroup as Group

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
# The same without farms, inns and farm science: for representatives of city streets.
_URBAN_JOB_TABLES = {
    level: (urban, list(accumulate(job[3] for job in urban)))
    for level, (jobs, _weights) in _JOB_TABLES.items()
    for urban in [
        [job for job in jobs if job[2] != Group.AGRICULTURE and "农业" not in job[0] and "{inn}" not in job[0]]
    ]
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


def _rep_spec(code, level, jurisdiction_code, place, constituency, grid_cell, *, urban=False) -> RepSpec:
    rng = random.Random(f"{code}/job")
    jobs, weights = (_URBAN_JOB_TABLES if urban else _JOB_TABLES)[level]
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
