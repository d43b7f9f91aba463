"""Scoped querysets of supervision: the one entry point per model is
`SupervisionNotice.objects.visible_to(user)` and `Commitment.objects.visible_to(user)`, and one
row is fetched with `access_supervision_notice` or `access_commitment`."""

from django.db import models
from django.db.models import Q, QuerySet

from liaison.access import access_object, scope_for
from liaison.jurisdictions import under_q


class SupervisionNoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An office: notices issued in its jurisdiction (and those below); a department: notices
        to it; a representative: notices on items in their ledger; nobody else any."""
        from petitions.models import PetitionRepresentative

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = Q(pk__in=[])
        if scope.jurisdiction_prefixes:
            q |= under_q(scope.jurisdiction_prefixes, "jurisdiction__code")
        if scope.department_ids:
            q |= Q(department_id__in=scope.department_ids)
        if scope.representative_id:
            q |= Q(
                petition_id__in=PetitionRepresentative.objects.filter(representative_id=scope.representative_id).values(
                    "petition_id"
                )
            )
        return self.filter(q)


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An office: commitments recorded in its jurisdiction or made at its stations; a
        department: its own; staff and representatives: those made at their stations."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = Q(pk__in=[])
        if scope.jurisdiction_prefixes:
            q |= under_q(scope.jurisdiction_prefixes, "jurisdiction__code")
            q |= under_q(scope.jurisdiction_prefixes, "station__jurisdiction__code")
        if scope.department_ids:
            q |= Q(department_id__in=scope.department_ids)
        if scope.station_ids:
            q |= Q(station_id__in=scope.station_ids)
        return self.filter(q)


# -- one row: "not found" for missing and not-yours alike (`liaison.access.access_object`) ---------------
# `queryset`: unscoped rows of the model to fetch from (to add `select_related`); `for_update` locks the
# row and needs `transaction.atomic`.


def access_supervision_notice(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The supervision notice `pk` if `user` may see it, else Http404."""
    from petitions.handling.models import SupervisionNotice

    return access_object(SupervisionNotice if queryset is None else queryset, user, pk, for_update=for_update)


def access_commitment(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The commitment `pk` if `user` may see it, else Http404."""
    from petitions.handling.models import Commitment

    return access_object(Commitment if queryset is None else queryset, user, pk, for_update=for_update)
