"""Demo data: the committee offices of the demo's four levels, the city's bureaus and the demo
accounts of the offices above and beside Yanqing's (`seed_demo`, after both districts).

Beijing is a municipality: its standing committee (北京市人大常委会) sits at the province code
and is the "city office" of the issue; the two districts' standing committees, 延庆镇's presidium
and 东高地's street 人大工委 are below it. Each office has a demo account, so no demo item waits
in the list of an office nobody can sign in to. Offices that exist already keep their name
(an office is renamed by data), accounts are put back to their role and the demo password as
in `stations.demo.network`.
"""

from collections import Counter

from django.db import transaction

from liaison.models import Jurisdiction, Office, Role, WorkingBody
from petitions.models import Department
from stations.demo.fengtai import DONGGAODI_CODE, FENGTAI_CODE
from stations.demo.network import DISTRICT_CODE, PROVINCE_CODE, YANQING_TOWN_CODE, _account, _set_demo_password
from stations.demo.rows import _save_departments

K = Office.Kind
OFFICES = (
    (PROVINCE_CODE, "北京市人大常委会", K.STANDING_COMMITTEE),
    (DISTRICT_CODE, "延庆区人大常委会", K.STANDING_COMMITTEE),
    (FENGTAI_CODE, "丰台区人大常委会", K.STANDING_COMMITTEE),
    (YANQING_TOWN_CODE, "延庆镇人大主席团", K.PRESIDIUM),
    (DONGGAODI_CODE, "东高地街道人大工委", K.WORKING_COMMITTEE),
)
CITY_DEPARTMENTS = (
    "北京市住房和城乡建设委员会",
    "北京市交通委员会",
    "北京市城市管理委员会",
    "北京市规划和自然资源委员会",
)
CITY_HOUSING = "北京市住房和城乡建设委员会"
# username → (full name, jurisdiction); the office accounts of the demo besides `office` and `office_yqz`.
OFFICE_ACCOUNTS = {
    "office_city": ("北京市人大常委会代表工作委员会", PROVINCE_CODE),
    "office_ft": ("丰台区人大常委会代表联络工作室", FENGTAI_CODE),
    "office_ftjd": ("东高地街道人大工委办公室", DONGGAODI_CODE),
}
CITY_DEPARTMENT_USER = ("dept_city", "周晓东")
# 延庆区's working body (委室) that coordinates the bureaus of building, environment and water, and its
# demo account `body` (seed 004: 「8个委室…统筹联系协调进站机关」).
WORKING_BODY = (
    "城建环保委",
    ("区住房和城乡建设委员会", "区生态环境局", "区城市管理委员会", "区交通局", "区水务局", "区园林绿化局"),
)
WORKING_BODY_USER = ("body", "城建环保委 刘建军")


def seed_offices(report: Counter) -> None:
    """The offices (missing ones only), the city's bureaus and the accounts of `OFFICE_ACCOUNTS`
    and `dept_city`."""
    jurisdictions = dict(
        Jurisdiction.objects.filter(code__in=[code for code, *_rest in OFFICES]).values_list("code", "pk")
    )
    with transaction.atomic():
        have = set(
            Office.objects.filter(jurisdiction_id__in=jurisdictions.values()).values_list("jurisdiction_id", flat=True)
        )
        rows = [
            Office(jurisdiction_id=jurisdictions[code], name=name, kind=kind)
            for code, name, kind in OFFICES
            if jurisdictions[code] not in have
        ]
        Office.objects.bulk_create(rows, ignore_conflicts=True)
        report["office"] += len(rows)
        _save_departments([(jurisdictions[PROVINCE_CODE], name) for name in CITY_DEPARTMENTS], report)
        users = [
            _account(
                username,
                {"role": Role.COMMITTEE_OFFICE, "full_name": full_name, "jurisdiction_id": jurisdictions[code]},
                report,
            )
            for username, (full_name, code) in OFFICE_ACCOUNTS.items()
        ]
        username, full_name = CITY_DEPARTMENT_USER
        dept = _account(username, {"role": Role.DEPARTMENT, "full_name": full_name}, report)
        _set_demo_password([*users, dept])
        Department.objects.get(jurisdiction_id=jurisdictions[PROVINCE_CODE], name=CITY_HOUSING).members.add(dept)
        _seed_working_body(jurisdictions[DISTRICT_CODE], report)


def _seed_working_body(district_id: int, report: Counter) -> None:
    name, departments = WORKING_BODY
    office = Office.objects.get(jurisdiction_id=district_id)
    body, created = WorkingBody.objects.get_or_create(office=office, name=name)
    report["working body"] += created
    body.departments.add(*Department.objects.filter(jurisdiction_id=district_id, name__in=departments))
    username, full_name = WORKING_BODY_USER
    user = _account(
        username, {"role": Role.WORKING_BODY, "full_name": full_name, "jurisdiction_id": district_id}, report
    )
    _set_demo_password([user])
    body.members.add(user)
