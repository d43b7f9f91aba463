"""Reads for the core pages."""

from django.apps import apps

from .access import scope_for
from .models import Role


def home_summary(user) -> dict:
    """Counts for the start page, all through the scoped querysets."""
    Station = apps.get_model("stations", "Station")
    Representative = apps.get_model("stations", "Representative")
    Department = apps.get_model("petitions", "Department")
    scope = scope_for(user)
    summary = {"role": user.role, "scope": scope}
    if user.is_system_admin or user.role in (Role.COMMITTEE_OFFICE, Role.STATION_STAFF, Role.REPRESENTATIVE):
        stations = Station.objects.visible_to(user)
        summary["station_count"] = stations.count()
        summary["station_active_count"] = stations.filter(is_active=True).count()
        summary["representative_count"] = Representative.objects.visible_to(user).count()
    if user.role == Role.STATION_STAFF:
        summary["own_stations"] = list(user.staffed_stations.select_related("jurisdiction").order_by("code"))
    if user.role == Role.REPRESENTATIVE:
        rep = Representative.objects.filter(user=user).first()
        summary["representative"] = rep
        summary["memberships"] = list(rep.memberships.select_related("station").order_by("station__code")) if rep else []
    if user.role == Role.DEPARTMENT:
        summary["departments"] = list(Department.objects.visible_to(user).select_related("jurisdiction"))
    if user.role == Role.COMMITTEE_OFFICE and user.jurisdiction_id:
        summary["jurisdiction_path"] = user.jurisdiction.path()
    return summary
