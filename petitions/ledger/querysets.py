"""Scoped querysets of the ledger: the one entry point is `Petition.objects.visible_to(user)`.

Station staff see their stations' items (and those of the stations below), a
representative the items they received or follow, a department the items
assigned to it, the committee office every item whose place lies in its
jurisdiction (official-code prefix on `area_code`, no join).
"""

from django.db import models
from django.db.models import Q, QuerySet

from liaison.access import access_object, scope_for
from liaison.jurisdictions import under_q


class PetitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = Q(pk__in=[])
        if scope.jurisdiction_prefixes:
            q |= under_q(scope.jurisdiction_prefixes, "area_code")
        if scope.representative_id:
            # A semi-join on the representative's index, not a per-row EXISTS,
            # keeps a representative's ledger cheap among millions of items.
            from petitions.models import PetitionRepresentative

            q |= Q(
                pk__in=PetitionRepresentative.objects.filter(representative_id=scope.representative_id).values(
                    "petition_id"
                )
            )
        elif scope.station_ids:
            q |= Q(station_id__in=scope.station_ids)
        if scope.department_ids:
            from petitions.handling.services import department_scope_q

            q |= department_scope_q(scope.department_ids)
        return self.filter(q)

    def handled_by(self, user):
        """The items `user`'s office handles now (`Petition.handling_office`: its own, and those
        escalated to it from below): its triage list. The administrator: every item; other roles:
        none. Offices above the handling office read the item but never find it here."""
        from liaison.offices import office_id_of

        if user.is_authenticated and user.is_system_admin:
            return self.all()
        office_id = office_id_of(user)
        return self.filter(handling_office_id=office_id) if office_id is not None else self.none()

    def open(self):
        """Items still waiting for their answer to reach the resident (`workflow.OPEN`)."""
        from petitions.handling.workflow import OPEN

        return self.filter(status__in=OPEN)

    def overdue(self, today):
        """Past the deadline with no answer yet (`workflow.overdue_q`): the ledger's filter, the
        dashboard, the start page and the reminders all count this."""
        from petitions.handling.workflow import overdue_q

        return self.filter(overdue_q(today))

    def awaiting_first_reply(self):
        return self.filter(first_reply_due_at__isnull=False, first_replied_at__isnull=True)

    def search(self, text: str):
        from petitions.ledger.search import filter_text

        return filter_text(self, text)


class ScopedByPetitionQuerySet(models.QuerySet):
    """Rows that belong to a petition (attachments, events, notes) are visible with it."""

    def visible_to(self, user):
        from petitions.models import Petition

        return self.filter(petition__in=Petition.objects.visible_to(user))


def access_petition(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The petition `pk` if `user` may see it, else Http404 (missing and not-yours alike); see
    `liaison.access.access_object`. `queryset`: unscoped Petition rows to fetch from (to add
    `select_related`); `for_update` locks the row and needs `transaction.atomic`."""
    from petitions.ledger.models import Petition

    return access_object(Petition if queryset is None else queryset, user, pk, for_update=for_update)
