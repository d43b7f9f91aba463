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


class CalendarDayQuerySet(models.QuerySet):
    def deployment(self):
        """The deployment's entries (no office): they apply everywhere."""
        return self.filter(office__isnull=True)

    def applying_at(self, code: str):
        """The entries that apply at the place `code`: the deployment's and the local entries of
        every office at or above it (`liaison.workdays` decides between them)."""
        from liaison.jurisdictions import codes_above

        return self.filter(models.Q(office__isnull=True) | models.Q(office__jurisdiction__code__in=codes_above(code)))

    def visible_to(self, user):
        """The system administrator sees every entry; an office below the province level the
        deployment's, its own and those of the offices above it; everyone else the deployment's
        (`liaison.calendar_services.local_office`)."""
        from liaison.calendar_services import local_office

        if not user.is_authenticated:
            return self.none()
        if user.is_system_admin:
            return self.all()
        office = local_office(user)
        return self.applying_at(office.jurisdiction.code) if office is not None else self.deployment()


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
