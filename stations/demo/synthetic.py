"""Large synthetic networks for load tests (`seed_demo --stations/--representatives`): a synthetic
province (code 99) of cities, counties and townships with 20 stations each, its representatives,
officers and memberships. Names derive from the codes, so the set for given numbers is fixed and
a re-run adds nothing (`stations.demo.network` explains the rules)."""

import random
from collections import Counter
from functools import cache
from typing import NamedTuple

from django.db import transaction

from liaison.models import Jurisdiction
from stations.demo.people import RepSpec, _office, _place, _rep_spec, _representative, village_name
from stations.demo.rows import (
    BATCH_SIZE,
    StationSpec,
    _ensure,
    _officers,
    _PublicCodes,
    _save_jurisdictions,
    _save_members,
    _save_officers,
    _save_stations,
)
from stations.models import Level, Representative, StationKind

J = Jurisdiction.Level

_SYNTHETIC_CHARS = "青云山河安平丰泽宁远江华兴清源德明湖川阳春秀石龙凤桃林溪"


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
