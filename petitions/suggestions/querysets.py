"""Scoped queryset of representative suggestions: the one entry point is
`Suggestion.objects.visible_to(user)`, and one suggestion is fetched with `access_suggestion`."""

from django.db import models
from django.db.models import Q, QuerySet

from liaison.access import access_object, scope_for
from liaison.jurisdictions import under_q


class SuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An office sees the suggestions of its jurisdiction (and below), a representative those
        they lead or co-sign, a department those assigned to it, an administrator all; everybody
        else none."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = Q(pk__in=[])
        if scope.jurisdiction_prefixes:
            q |= under_q(scope.jurisdiction_prefixes, "jurisdiction__code")
        if scope.representative_id:
            cosigned = self.model.co_signers.through.objects.filter(representative_id=scope.representative_id)
            q |= Q(lead_representative_id=scope.representative_id) | Q(pk__in=cosigned.values("suggestion_id"))
        if scope.department_ids:
            q |= Q(department_id__in=scope.department_ids)
        return self.filter(q)


def access_suggestion(user, pk, *, for_update: bool = False, queryset: QuerySet | None = None):
    """The suggestion `pk` if `user` may see it, else Http404 (missing and not-yours alike); see
    `liaison.access.access_object`. `queryset`: unscoped Suggestion rows to fetch from (to add
    `select_related`); `for_update` locks the row and needs `transaction.atomic`."""
    from petitions.handling.models import Suggestion

    return access_object(Suggestion if queryset is None else queryset, user, pk, for_update=for_update)
