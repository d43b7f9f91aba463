"""Reads of the network: the filtered, sorted lists behind pages and exports."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from stations.models import Membership, Representative, Station
from stations.network.filters import RepresentativeFilter, StationFilter

STATION_SORTS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "area": "jurisdiction__code",
    "reps": "rep_count",
}
REPRESENTATIVE_SORTS = {
    "code": "code",
    "name": "name",
    "level": "level",
    "work_unit": "work_unit",
    "stations": "station_count",
}


def _count_of(model, fk):
    """Correlated COUNT subquery: counts without the row duplication of a JOIN."""
    sub = model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _sorted(queryset, sort: str, allowed: dict, default: tuple):
    field = allowed.get(sort.lstrip("-")) if sort else None
    if not field:
        return queryset.order_by(*default)
    return queryset.order_by(f"-{field}" if sort.startswith("-") else field, "pk")


def station_filter(user, params, request):
    """The filter set of the station list, over the user's stations."""
    queryset = Station.objects.visible_to(user).select_related("jurisdiction", "jurisdiction__parent", "parent")
    return StationFilter(params, queryset=queryset, request=request)


def station_list(filterset, sort=""):
    queryset = filterset.qs.annotate(rep_count=_count_of(Membership, "station"))
    return _sorted(queryset, sort, STATION_SORTS, ("jurisdiction__code", "code"))


def representative_filter(user, params, request):
    queryset = Representative.objects.visible_to(user).select_related("jurisdiction")
    return RepresentativeFilter(params, queryset=queryset, request=request)


def representative_list(filterset, sort=""):
    queryset = filterset.qs.annotate(station_count=_count_of(Membership, "representative"))
    return _sorted(queryset, sort, REPRESENTATIVE_SORTS, ("level", "name", "code"))


def station_members(station):
    return station.memberships.select_related("representative", "representative__jurisdiction").order_by(
        "role", "representative__level", "representative__name"
    )


def representative_memberships(representative, user):
    """A representative's stations, limited to those the viewer may see."""
    visible = Station.objects.visible_to(user)
    return (
        representative.memberships.filter(station__in=visible)
        .select_related("station", "station__jurisdiction")
        .order_by("station__code")
    )


def public_station_members(station):
    return (
        station.memberships.filter(representative__is_active=True)
        .select_related("representative")
        .order_by("role", "representative__level", "representative__name")
    )
