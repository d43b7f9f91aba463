"""Scoped querysets of the network: the one entry point per model is `visible_to(user)`, and one
object is fetched with `access_station`, `access_representative`, `access_reception_event`,
`access_event_photo`."""

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from liaison.access import access_object, scope_for
from liaison.jurisdictions import at_or_above_q, under_q


class StationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Stations the user works with: an office's jurisdiction, a staff
        member's stations and those below them, a representative's stations, a working body's
        office's jurisdiction (where it organises visits)."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        areas = scope.jurisdiction_prefixes + scope.network_prefixes
        return self.filter(under_q(areas, "jurisdiction__code") | Q(pk__in=scope.station_ids))

    def public(self):
        """What anyone may see on the public pages."""
        return self.filter(is_active=True)

    def with_descendants(self, ids) -> set[int]:
        """The given station ids plus every station below them (the tree is at most three deep)."""
        found = set(ids)
        frontier = set(ids)
        while frontier:
            frontier = set(self.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
            found |= frontier
        return found


class RepresentativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Representatives elected in an office's jurisdiction or attached to a
        station there (a working body's: its office's, whom it invites to visits); for staff and
        representatives, those of their stations (a representative also sees themself)."""
        from stations.models import Membership

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        in_stations = Membership.objects.filter(representative=OuterRef("pk"))
        q = Q(pk__in=[])
        if areas := scope.jurisdiction_prefixes + scope.network_prefixes:
            q |= under_q(areas, "jurisdiction__code")
            q |= Exists(in_stations.filter(under_q(areas, "station__jurisdiction__code")))
        if scope.station_ids:
            q |= Exists(in_stations.filter(station_id__in=scope.station_ids))
        if scope.representative_id:
            q |= Q(pk=scope.representative_id)
        return self.filter(q)

    def in_area(self, where):
        """Representatives of an area (`where` as for `liaison.jurisdictions.under_q`): elected in
        it or attached to a station in it."""
        from stations.models import Membership

        attached = Membership.objects.filter(under_q(where, "station__jurisdiction__code")).values("representative")
        return self.filter(under_q(where, "jurisdiction__code") | Q(pk__in=attached))

    def public(self):
        return self.filter(is_active=True)


class StationDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from stations.models import Station

        return self.filter(station__in=Station.objects.visible_to(user))


def _all_prefixes(scope) -> tuple[str, ...]:
    return (
        scope.jurisdiction_prefixes
        + scope.station_jurisdiction_prefixes
        + scope.department_jurisdiction_prefixes
        + scope.network_prefixes
    )


class ReceptionRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        from stations.models import Station

        return self.filter(station__in=Station.objects.visible_to(user))


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Campaigns of the user's jurisdictions, those below them, and those above them
        (a county campaign concerns every township office and station in the county)."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        prefixes = _all_prefixes(scope)
        return self.filter(
            under_q(scope.jurisdiction_prefixes, "jurisdiction__code") | at_or_above_q(prefixes, "jurisdiction__code")
        )


class ReceptionPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans are the committee office's: its jurisdiction's and those below it."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        return self.filter(under_q(scope.jurisdiction_prefixes, "jurisdiction__code"))


class ReceptionEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Events at the stations the user sees; a representative also sees every
        event they are rostered on, a department the visits it makes, a working body the visits
        of the departments it coordinates (and no other event of its office's stations)."""
        from stations.models import RosterEntry

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = under_q(scope.jurisdiction_prefixes, "station__jurisdiction__code")
        if scope.station_ids:
            q |= Q(station_id__in=scope.station_ids)
        if scope.representative_id:
            q |= Exists(RosterEntry.objects.filter(event=OuterRef("pk"), representative_id=scope.representative_id))
        if scope.department_ids:
            q |= Q(department_id__in=scope.department_ids)
        return self.filter(q)

    def upcoming(self, today):
        """Announced events from `today` on (`reception.workflow.UPCOMING`), soonest first."""
        from stations.reception.workflow import UPCOMING

        return self.filter(date__gte=today, status__in=UPCOMING).order_by("date", "start_time")

    def in_year(self, year: int):
        return self.filter(date__year=year)

    def countable(self):
        """Events that count towards totals (`reception.workflow.COUNTED`): scheduled or held, not drafts
        or cancelled ones."""
        from stations.reception.workflow import COUNTED

        return self.filter(status__in=COUNTED)


class EventPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A photo of the day is seen with its event."""
        from stations.models import ReceptionEvent

        return self.filter(event__in=ReceptionEvent.objects.visible_to(user))


# -- one object: "not found" for missing and not-yours alike (`liaison.access.access_object`) --------------
# `queryset`: unscoped rows of the model to fetch from (to add `select_related`); `for_update` locks the
# row and needs `transaction.atomic`.


def access_station(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The station `pk` if `user` may see it, else Http404."""
    from stations.models import Station

    return access_object(Station if queryset is None else queryset, user, pk, for_update=for_update)


def access_representative(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The representative `pk` if `user` may see them, else Http404."""
    from stations.models import Representative

    return access_object(Representative if queryset is None else queryset, user, pk, for_update=for_update)


def access_reception_event(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The reception event `pk` if `user` may see it, else Http404."""
    from stations.models import ReceptionEvent

    return access_object(ReceptionEvent if queryset is None else queryset, user, pk, for_update=for_update)


def access_event_photo(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The event photo `pk` if `user` may see its event, else Http404."""
    from stations.models import EventPhoto

    return access_object(EventPhoto if queryset is None else queryset, user, pk, for_update=for_update)
