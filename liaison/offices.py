"""Every rule about which committee office owns, handles and reads an item, in one place.

A province runs four levels of congresses in one deployment. Each level's committee office
(`liaison.models.Office`) is attached to one jurisdiction; its accounts are the committee-office
users of that jurisdiction.

- Owning: the office responsible for a station owns the items registered there
  (`Station.office`, set by the office above; empty means the nearest office above the
  station's place, `station_owner`). An item without a station (Open311, the 12345 hotline)
  belongs to the nearest office above its place (`nearest_office`). The owner is written on the
  item when it is registered (`Petition.owner_office`) and changes only when a higher office
  takes the item over.
- Handling: the office whose triage list holds the item (`Petition.handling_office`): the owner,
  or the office above it was escalated to, until that office sends it back down or takes it
  over. Only the handling office triages, assigns, decides extensions and suspends; only the
  owner feeds back and closes out (`petitions.handling.policy`).
- Reading: every office reads the items of its jurisdiction (`liaison.access`), and the
  offices above the owner supervise them. Escalating may go to any office above the handling
  office (`offices_above`).
- Departments: an office assigns to departments of its own jurisdiction and to the township
  (street) departments below it, nothing else (`liaison.jurisdictions.departments_for_assignment`).

This module queries lazily (`liaison.models` imports nothing from it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps

from liaison.jurisdictions import codes_above

if TYPE_CHECKING:
    from liaison.models import Office

_CACHE_ATTR = "_liaison_office"


def _office_model():
    return apps.get_model("liaison", "Office")


def office_of(user) -> Office | None:
    """The committee office `user` works for (None for every other role), once per user object."""
    from liaison.models import Role

    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.COMMITTEE_OFFICE:
        return None
    if not hasattr(user, _CACHE_ATTR):
        found = (
            _office_model().objects.select_related("jurisdiction").filter(jurisdiction_id=user.jurisdiction_id).first()
            if user.jurisdiction_id
            else None
        )
        setattr(user, _CACHE_ATTR, found)
    return getattr(user, _CACHE_ATTR)


def office_id_of(user) -> int | None:
    office = office_of(user)
    return office.pk if office is not None else None


def nearest_office(code: str, *, include_self: bool = True) -> Office | None:
    """The office of the deepest jurisdiction at (unless `include_self` is False) or above the
    place `code` that has one; None when no office is above it."""
    codes = codes_above(code, include_self=include_self)
    found = _office_model().objects.select_related("jurisdiction").filter(jurisdiction__code__in=codes)
    return max(found, key=lambda office: office.jurisdiction.code, default=None)


def station_owner(station) -> Office | None:
    """The office that owns a station's items: the one set on the station, else the nearest
    office above the station's place."""
    if station.office_id:
        return station.office
    return nearest_office(station.jurisdiction.code)


def owner_for(*, station=None, area_code: str = "") -> Office | None:
    """The owner of a new item: its station's (`station_owner`), else the nearest office above
    its place."""
    if station is not None:
        return station_owner(station)
    return nearest_office(area_code) if area_code else None


def offices_above(office: Office) -> list[Office]:
    """The offices above `office`, nearest first: where it may escalate an item."""
    codes = codes_above(office.jurisdiction.code, include_self=False)
    found = _office_model().objects.select_related("jurisdiction").filter(jurisdiction__code__in=codes)
    return sorted(found, key=lambda o: o.jurisdiction.code, reverse=True)


def is_above(upper: Office, lower: Office) -> bool:
    """Whether `upper`'s jurisdiction contains `lower`'s (and is not the same)."""
    return upper.pk != lower.pk and lower.jurisdiction.code.startswith(upper.jurisdiction.prefix)
