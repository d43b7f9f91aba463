"""Scoped querysets of the core models."""

from django.db import models


class JurisdictionQuerySet(models.QuerySet):
    def under(self, jurisdiction, include_self=True):
        """The jurisdiction's subtree (`liaison.jurisdictions.under_q`), itself included unless told not."""
        from liaison.jurisdictions import under_q

        qs = self.filter(under_q(jurisdiction, "code"))
        return qs if include_self else qs.exclude(pk=jurisdiction.pk)

    def visible_to(self, user):
        """Jurisdictions the user works in: the office's subtree, the subtrees
        of a staff member's or representative's stations, a department's area, a working body's
        office's subtree."""
        from liaison.access import scope_for
        from liaison.jurisdictions import under_q

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        prefixes = (
            scope.jurisdiction_prefixes
            + scope.station_jurisdiction_prefixes
            + scope.department_jurisdiction_prefixes
            + scope.network_prefixes
        )
        return self.filter(under_q(prefixes, "code"))


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class OutboxQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators see every message; office and staff those about stations they see."""
        from django.apps import apps

        from liaison.access import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if not user.has_perm("liaison.view_outboxmessage"):
            return self.none()
        Station = apps.get_model("stations", "Station")
        return self.filter(station__in=Station.objects.visible_to(user))


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The system administrator sees the whole audit log; a committee office holding
        `liaison.view_auditentry` the lines whose place lies in its jurisdiction; nobody else any."""
        from liaison.access import scope_for
        from liaison.jurisdictions import under_q

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if not user.has_perm("liaison.view_auditentry") or not scope.jurisdiction_prefixes:
            return self.none()
        return self.filter(under_q(scope.jurisdiction_prefixes, "area_code"))
