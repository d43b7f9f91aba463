"""Capabilities by role: what each role may do inside its scope.

The table is the single source; `RoleBackend` answers `user.has_perm()` from
it, so views check ordinary Django permission names. System administrators are
superusers and have every permission.
"""

from django.contrib.auth.backends import BaseBackend

from .models import Role

_NETWORK_VIEW = {
    "stations.view_station",
    "stations.view_representative",
    "stations.view_stationdocument",
}
_NETWORK_EDIT = _NETWORK_VIEW | {
    "stations.add_station",
    "stations.change_station",
    "stations.add_representative",
    "stations.change_representative",
    "stations.change_membership",
    "stations.add_stationdocument",
    "stations.delete_stationdocument",
    "stations.view_private_phone",
    "stations.import_roster",
    "stations.export_roster",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COMMITTEE_OFFICE: frozenset(_NETWORK_EDIT | {"liaison.view_jurisdiction"}),
    Role.STATION_STAFF: frozenset(_NETWORK_EDIT),
    Role.REPRESENTATIVE: frozenset(_NETWORK_VIEW | {"stations.change_own_profile"}),
    Role.DEPARTMENT: frozenset(),
    Role.ADMIN: frozenset(),  # superuser: everything
}


class RoleBackend(BaseBackend):
    """Grants the permissions of the user's role; authenticates nobody."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
