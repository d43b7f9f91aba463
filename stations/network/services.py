"""Every write to the network. Keyword-only, actor explicit; callers have
already fetched the objects through `visible_to(actor)` and checked permissions."""

from django.db import transaction

from liaison import audit
from liaison.access import forget_scope
from liaison.models import User
from stations.models import Membership, Representative, Station, StationDocument
from stations.network.forms import (
    LiaisonOfficerFormSet,
    RepresentativeForm,
    RepresentativeProfileForm,
    StationDocumentForm,
    StationForm,
)


@transaction.atomic
def station_save(*, form: StationForm, officers: LiaisonOfficerFormSet | None = None, actor: User) -> Station:
    """Create or update a station from a valid StationForm (and officer formset)."""
    creating = form.instance.pk is None
    changed = list(form.changed_data)
    station = form.save()
    if officers is not None:
        officers.instance = station
        officers.save()
        if officers.has_changed():
            changed.append("officers")
    _audit(actor, station, "added" if creating else "changed", fields=changed)
    forget_scope(actor)  # a new station below one of theirs widens a staff member's scope
    return station


@transaction.atomic
def representative_save(*, form: RepresentativeForm | RepresentativeProfileForm, actor: User) -> Representative:
    """Create or update a representative; a new one joins `first_station` if given."""
    creating = form.instance.pk is None
    representative = form.save()
    first_station = form.cleaned_data.get("first_station") if creating else None
    _audit(actor, representative, "added" if creating else "changed", fields=list(form.changed_data))
    if first_station is not None:
        membership = Membership.objects.create(
            representative=representative, station=first_station, role=Membership.Role.MEMBER
        )
        _audit(actor, membership, "added", role=membership.role)
    return representative


@transaction.atomic
def membership_add(*, station: Station, representative: Representative, role: str, actor: User) -> Membership:
    Station.objects.select_for_update().filter(pk=station.pk).first()  # serialise head changes per station
    membership = Membership.objects.create(station=station, representative=representative, role=role)
    _audit(actor, membership, "added", role=role)
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """Make a member the head (the previous head becomes a member) or a member."""
    Station.objects.select_for_update().filter(pk=membership.station_id).first()
    if role == Membership.Role.HEAD:
        Membership.objects.filter(station_id=membership.station_id, role=Membership.Role.HEAD).exclude(
            pk=membership.pk
        ).update(role=Membership.Role.MEMBER)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _audit(actor, membership, "changed", role=[old, role])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    _audit(actor, membership, "deleted", role=membership.role)
    membership.delete()


@transaction.atomic
def document_add(*, station: Station, form: StationDocumentForm, actor: User) -> StationDocument:
    document = form.save(commit=False)
    document.station = station
    document.original_name = form.original_name
    document.content_type = form.content_type
    document.size = document.file.size
    document.uploaded_by = actor
    document.save()
    return document


def document_delete(*, document: StationDocument, actor: User) -> None:
    stored = document.file
    with transaction.atomic():
        document.delete()
    stored.delete(save=False)


def _audit(actor, obj, change: str, **detail) -> None:
    """One audit line for a change to the network (liaison.audit)."""
    audit.record(audit.Action.NETWORK, actor=actor, obj=obj, detail={"change": change, **detail})
