"""Roster export: the filtered list, streamed row by row into .xlsx."""

from collections.abc import Callable
from decimal import Decimal
from itertools import batched
from types import SimpleNamespace

from django.http import QueryDict
from django.utils.translation import gettext as _

from liaison.excel import Sheet, write_workbook
from liaison.jobs import JobRejected, JobResult, runner, temp_path
from stations.models import Membership, Station
from stations.network.selectors import representative_filter, representative_list, station_filter, station_list
from stations.roster.columns import (
    REPRESENTATIVE_COLUMNS,
    REPRESENTATIVE_EXPORT,
    REPRESENTATIVE_ROSTER,
    STATION_EXPORT,
    STATION_ROSTER,
    Roster,
    display_value,
    header_font,
)

# --------------------------------------------------------------------------- export


def export_queryset(roster: Roster, user, params: QueryDict, request=None):
    """The list page's filtered, sorted queryset for `user` (a request is only needed for `.user`)."""
    request = request or SimpleNamespace(user=user, GET=params)
    if roster is STATION_ROSTER:
        return station_list(station_filter(user, params, request), params.get("sort", ""))
    return representative_list(representative_filter(user, params, request), params.get("sort", ""))


def _station_values(station, extra) -> dict:
    return {
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "parent": station.parent.code if station.parent_id else "",
        "jurisdiction": station.jurisdiction.code,
        "address": station.address,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "opening_hours": station.opening_hours,
        "phone": station.phone,
        "area_m2": station.area_m2,
        "annual_budget": station.annual_budget,
        "is_active": station.is_active,
    }


def _representative_values(rep, extra) -> dict:
    stations = extra.get(rep.pk, ())
    values = {c.field: getattr(rep, c.field) for c in REPRESENTATIVE_COLUMNS if c.field}
    values["jurisdiction"] = rep.jurisdiction.code
    values["stations"] = "、".join(code for code, _role in stations)
    values["head_of"] = "、".join(code for code, role in stations if role == Membership.Role.HEAD)
    return values


def _representative_stations(reps, user) -> dict:
    """Visible station numbers (and roles) of a chunk of representatives: no station outside the scope."""
    found = {}
    memberships = (
        Membership.objects.filter(representative__in=[r.pk for r in reps], station__in=Station.objects.visible_to(user))
        .order_by("station__code")
        .values_list("representative_id", "station__code", "role")
    )
    for rep_id, code, role in memberships:
        found.setdefault(rep_id, []).append((code, role))
    return found


def export_sheet(roster: Roster, queryset, user, on_rows: Callable[[int], None] | None = None) -> Sheet:
    """The roster of `queryset` (already scoped) as a sheet; `on_rows(rows so far)` after each chunk.

    The rows are read lazily in chunks of 2,000 while the sheet is written, with
    one query per chunk for the representatives' stations.
    """
    columns = roster.columns_for(user)
    values_of = _station_values if roster is STATION_ROSTER else _representative_values

    def rows():
        number = 0
        for batch in batched(queryset.iterator(chunk_size=2000), 2000):
            extra = _representative_stations(batch, user) if roster is REPRESENTATIVE_ROSTER else {}
            for obj in batch:
                number += 1
                values = values_of(obj, extra)
                yield [number, *[_export_cell(c, values.get(c.key)) for c in columns]]
            if on_rows:
                on_rows(number)

    return Sheet(
        title=roster.title,
        header=[_("No."), *[c.label for c in columns]],
        rows=rows(),
        widths=[7, *[c.width for c in columns]],
        # Required columns in red, as in the import template: an exported file is imported again.
        header_fonts={i: header_font(c) for i, c in enumerate(columns, start=1)},
    )


def write_export(roster: Roster, queryset, user, target, on_rows: Callable[[int], None] | None = None) -> int:
    """Write the roster of `queryset` (already scoped) as .xlsx to `target`; returns the row count."""
    return write_workbook(target, export_sheet(roster, queryset, user, on_rows))


def _export_cell(column, value):
    if value is None:
        return None
    if column.type in ("choice", "bool"):
        return display_value(column, value)
    if isinstance(value, Decimal):
        return float(value)  # a number Excel can sum, not text
    return value


def _run_export(roster: Roster, job, progress) -> JobResult:
    owner = job.owner
    if not owner.is_active or not owner.has_perm("stations.export_roster"):
        raise JobRejected(_("You may no longer export rosters."))
    params = QueryDict(job.params.get("query", ""))
    queryset = export_queryset(roster, owner, params)
    progress.total(queryset.count())
    path = temp_path()
    count = write_export(roster, queryset, owner, path, on_rows=lambda n: progress.advance(n, force=True))
    return JobResult(
        message=_("%(count)s rows exported.") % {"count": count},
        path=path,
        name=job.params.get("filename") or roster.export_filename(),
    )


@runner(STATION_EXPORT)
def run_station_export(job, progress):
    return _run_export(STATION_ROSTER, job, progress)


@runner(REPRESENTATIVE_EXPORT)
def run_representative_export(job, progress):
    return _run_export(REPRESENTATIVE_ROSTER, job, progress)
