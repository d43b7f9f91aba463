"""Scoped querysets of the network: the one entry point per model is `visible_to(user)`."""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from liaison.access import prefix_q, scope_for


class StationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Stations the user works with: an office's jurisdiction, a staff
        member's stations and those below them, a representative's stations."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        return self.filter(prefix_q("jurisdiction__code", scope.jurisdiction_prefixes) | Q(pk__in=scope.station_ids))

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
        station there; for staff and representatives, those of their stations
        (a representative also sees themself)."""
        from .models import Membership

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        in_stations = Membership.objects.filter(representative=OuterRef("pk"))
        q = Q(pk__in=[])
        if scope.jurisdiction_prefixes:
            q |= prefix_q("jurisdiction__code", scope.jurisdiction_prefixes)
            q |= Exists(in_stations.filter(prefix_q("station__jurisdiction__code", scope.jurisdiction_prefixes)))
        if scope.station_ids:
            q |= Exists(in_stations.filter(station_id__in=scope.station_ids))
        if scope.representative_id:
            q |= Q(pk=scope.representative_id)
        return self.filter(q)

    def public(self):
        return self.filter(is_active=True)


class StationDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Station

        return self.filter(station__in=Station.objects.visible_to(user))
