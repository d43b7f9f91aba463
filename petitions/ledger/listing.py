"""The ledger (台账): its filter form, its sorts and its keyset paginator.

`Petition.objects.visible_to(user)` is the only source: rows, the count, the
filter choices and the search all start from it, so a filter can narrow the
user's scope but never widen it (a forged station id is not a valid choice
and gives no rows).

Query-string keys (the export and saved filters use the same string):
    q, status, category, urgency, hard, station, below, representative,
    department, channel, received_from, received_to, overdue, awaiting,
    follow_up, sort (received | due | status | category, "-" for descending),
    size (25 | 50 | 100), cursor (opaque; dropped by exports and saved filters).

Pages are found by KEYSET on (sort value, id), never by OFFSET: page 20,000
costs what page 1 costs. The default order (received_on desc, id desc) is the
`petition_ledger_order` index of `Petition.Meta`.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.access import scope_for
from petitions.ledger.filters import (
    LedgerFilterForm,
    category_choices,
    department_choices,
    representative_choices,
    station_choices,
)
from petitions.ledger.keyset import (
    COUNT_CAP,
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    PAGE_SIZES,
    SORTS,
    Cursor,
    KeysetPage,
    KeysetPaginator,
    sorted_queryset,
)
from petitions.ledger.privacy import Petitioner, access
from petitions.models import Petition, PetitionRepresentative

__all__ = [
    "COUNT_CAP",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_SORT",
    "PAGE_SIZES",
    "SORTS",
    "Cursor",
    "KeysetPage",
    "KeysetPaginator",
    "LedgerFilterForm",
    "LedgerRow",
    "category_choices",
    "department_choices",
    "filter_query",
    "ledger_base",
    "ledger_filter",
    "ledger_filter_summary",
    "ledger_queryset",
    "ledger_rows",
    "representative_choices",
    "sorted_queryset",
    "station_choices",
]

# Keys that are not part of a filter: dropped from saved filters and export links.
NAVIGATION_KEYS = ("cursor",)


# -- rows ------------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    petition: Petition
    petitioner: object  # privacy.Petitioner
    receivers: list[str]
    followers: list[str]
    own_link: PetitionRepresentative | None
    is_overdue: bool
    awaits_reply: bool


def ledger_rows(user, petitions, *, today=None) -> list[LedgerRow]:
    """What each row shows for this user; no query (the links are prefetched by `ledger_base`)."""
    today = today or timezone.localdate()
    rep_id = scope_for(user).representative_id
    rows = []
    for p in petitions:
        links = list(p.representative_links.all())
        rows.append(
            LedgerRow(
                petition=p,
                petitioner=Petitioner(user, p, access(user, p)),
                receivers=[
                    link.representative.name for link in links if link.role == PetitionRepresentative.Role.RECEIVED
                ],
                followers=[
                    link.representative.name for link in links if link.role != PetitionRepresentative.Role.RECEIVED
                ],
                own_link=next((link for link in links if link.representative_id == rep_id), None) if rep_id else None,
                is_overdue=p.is_overdue(today),
                awaits_reply=p.awaits_first_reply,
            )
        )
    return rows


# -- the ledger's queryset ---------------------------------------------------------------------


def ledger_filter(user, params: QueryDict) -> LedgerFilterForm:
    return LedgerFilterForm(params, user=user)


def ledger_base(user, *, prefetch: bool = True) -> QuerySet:
    """The user's petitions with what a ledger row shows, in a fixed number of queries per page."""
    queryset = Petition.objects.visible_to(user).select_related(
        "station", "category", "category__parent", "lead_department"
    )
    if not prefetch:
        return queryset
    links = PetitionRepresentative.objects.select_related("representative").order_by("role", "pk")
    return queryset.defer("search_text").prefetch_related(Prefetch("representative_links", queryset=links))


def ledger_queryset(user, params: QueryDict) -> QuerySet:
    """The user's petitions that match the ledger's query string, in its sort order (no cursor).

    No rows when the filter is invalid. Used by the ledger's export, which loads the
    representatives per chunk itself (so no prefetch here).
    """
    form = ledger_filter(user, params)
    return sorted_queryset(form.filter(ledger_base(user, prefetch=False)), form.ordering)


def ledger_filter_summary(user, params: QueryDict) -> str:
    """The filter in words ("状态：已登记；类别：停车"), for the export's title row; "" when nothing is filtered."""
    form = ledger_filter(user, params)
    if not form.is_valid():
        return ""
    parts = []
    data = form.cleaned_data
    start, end = data.get("received_from"), data.get("received_to")
    if start or end:
        parts.append(
            _("Received: %(start)s – %(end)s")
            % {"start": start.isoformat() if start else "…", "end": end.isoformat() if end else "…"}
        )
    for name, field in form.fields.items():
        value = data.get(name)
        if name in ("sort", "size", "received_from", "received_to") or value in (None, "", False):
            continue
        if isinstance(field, forms.BooleanField):
            parts.append(str(field.label))
            continue
        if name == "event":
            from stations.models import ReceptionEvent

            event = ReceptionEvent.objects.visible_to(user).select_related("station").filter(pk=value).first()
            shown = f"{event.date:%Y-%m-%d} {event.station.name}" if event else value
        elif isinstance(field, forms.ModelChoiceField):
            shown = field.label_from_instance(value)
        elif isinstance(field, forms.ChoiceField):
            shown = dict(field.choices).get(value, dict(field.choices).get(str(value), value))
        else:
            shown = value
        # Translators: one filter in the export's title row, e.g. "状态：已登记"
        parts.append(_("%(label)s: %(value)s") % {"label": field.label, "value": str(shown).strip()})
    # Translators: the separator between filters in the export's title row (Chinese: "；")
    return _("; ").join(parts)


def filter_query(params: QueryDict) -> str:
    """The query string that names a filter: the given one without its cursor."""
    params = params.copy()
    for key in NAVIGATION_KEYS:
        params.pop(key, None)
    return params.urlencode()
