"""Who sees what: one scope per user, computed from data, cached on the user object.

Every model's `visible_to(user)` queryset method reads this scope, so lists,
details, form choices, counts, searches, exports and attachments agree. What a
user may *do* inside the scope is a Django permission (see liaison.auth).

One object is fetched with `access_object` (or its named wrappers beside each
model's querysets: `access_petition`, `access_station`...): "not found" for a
row that does not exist and for one outside the user's scope alike, so a page
never tells an outsider that a number exists.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import Http404

from liaison.jurisdictions import under_q
from liaison.models import Role

_CACHE_ATTR = "_liaison_scope"


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    # Committee office: the code prefixes of its jurisdictions.
    jurisdiction_prefixes: tuple[str, ...] = ()
    # Station staff: their stations and the stations below them.
    # Representatives: the stations they are members of.
    station_ids: frozenset[int] = field(default_factory=frozenset)
    # Prefixes of the jurisdictions of station_ids (for form choices).
    station_jurisdiction_prefixes: tuple[str, ...] = ()
    representative_id: int | None = None
    # Department users: their departments. Working-body staff: the departments their active
    # working bodies coordinate (they see those departments' items and visits, never act as them:
    # acting as a department is `petitions.handle_petition` and membership).
    department_ids: frozenset[int] = field(default_factory=frozenset)
    department_jurisdiction_prefixes: tuple[str, ...] = ()
    # Working-body staff: their office's jurisdiction, whose network (stations, representatives)
    # they read to organise visits, without its items or events.
    network_prefixes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.jurisdiction_prefixes
            or self.station_ids
            or self.representative_id
            or self.department_ids
            or self.network_prefixes
        )


NOTHING = Scope()


def scope_for(user) -> Scope:
    """The user's scope; computed once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _compute(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _compute(user) -> Scope:
    Station = apps.get_model("stations", "Station")
    Representative = apps.get_model("stations", "Representative")
    Department = apps.get_model("petitions", "Department")

    if user.is_superuser or user.role == Role.ADMIN:
        return Scope(everything=True)
    if user.role == Role.COMMITTEE_OFFICE:
        return Scope(jurisdiction_prefixes=(user.jurisdiction.prefix,)) if user.jurisdiction_id else NOTHING
    if user.role == Role.STATION_STAFF:
        own = set(user.staffed_stations.values_list("pk", flat=True))
        ids = Station.objects.with_descendants(own)
        return _station_scope(Station, ids)
    if user.role == Role.REPRESENTATIVE:
        rep = Representative.objects.filter(user=user).only("pk").first()
        if rep is None:
            return NOTHING
        ids = set(rep.memberships.values_list("station_id", flat=True))
        base = _station_scope(Station, ids)
        return Scope(
            station_ids=base.station_ids,
            station_jurisdiction_prefixes=base.station_jurisdiction_prefixes,
            representative_id=rep.pk,
        )
    if user.role == Role.DEPARTMENT:
        departments = list(Department.objects.filter(members=user).select_related("jurisdiction"))
        return Scope(
            department_ids=frozenset(d.pk for d in departments),
            department_jurisdiction_prefixes=tuple(sorted({d.jurisdiction.prefix for d in departments})),
        )
    if user.role == Role.WORKING_BODY:
        return _working_body_scope(user, Department)
    return NOTHING


def _working_body_scope(user, Department) -> Scope:
    """The departments coordinated by the user's active working bodies, as long as the account
    works for the bodies' office (same jurisdiction) and the departments lie in it; the office's
    network to pick stations and representatives from."""
    if not user.jurisdiction_id:
        return NOTHING
    prefix = user.jurisdiction.prefix
    ids = Department.objects.filter(
        under_q(prefix, "jurisdiction__code"),
        working_bodies__members=user,
        working_bodies__is_active=True,
        working_bodies__office__jurisdiction_id=user.jurisdiction_id,
    ).values_list("pk", flat=True)
    return Scope(department_ids=frozenset(ids), network_prefixes=(prefix,))


def _station_scope(Station, ids) -> Scope:
    prefixes = {
        j.prefix for j in apps.get_model("liaison", "Jurisdiction").objects.filter(stations__pk__in=ids).distinct()
    }
    return Scope(station_ids=frozenset(ids), station_jurisdiction_prefixes=_outermost(prefixes))


def _outermost(prefixes) -> tuple[str, ...]:
    """Drop prefixes covered by a shorter one, so OR-ed code ranges stay few."""
    kept: list[str] = []
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def access_object[M: Model](queryset_or_model: type[M] | QuerySet, user, pk, *, for_update: bool = False) -> M:
    """The row `pk` if `user` may see it, through the model's `visible_to(user)`; else Http404,
    whether the row is missing or outside the user's scope (the two must look alike).

    `queryset_or_model`: a model with a `visible_to` queryset method, or an unscoped queryset of
    one (to add `select_related`, `only`...); the scope is applied here. `for_update=True` locks
    the row (`SELECT ... FOR UPDATE OF` the row's own table, so nullable joins may be loaded):
    the caller must be inside `transaction.atomic`. Capability (a permission) is the caller's
    next check, and a refusal there is a 403, not a 404.
    """
    is_model = isinstance(queryset_or_model, type)
    queryset = (queryset_or_model._default_manager.all() if is_model else queryset_or_model).visible_to(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.") from None
