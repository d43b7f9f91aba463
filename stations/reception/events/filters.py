"""The filter bar of the event ledger (also used by its Excel export).

Every choice list is the user's scoped queryset: a dropdown never names a
station or campaign the user cannot see.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Campaign, EventKind, ReceptionEvent, Representative, RosterEntry, Station
from stations.network.filters import ScopedFilterSet, filter_bar_helper

# Keys of the filter bar; a ledger opened with none of them shows the coming events.
FILTER_KEYS = ("date_from", "date_to", "station", "kind", "status", "campaign", "representative")


def with_default_dates(params):
    """The query with `date_from=today` added when no filter was given at all.

    A link such as `?station=5` (a station's event history) names a filter and
    so shows every date; the bare ledger starts at today, and the filter bar
    shows that date so the user sees why older events are missing.
    """
    if any(key in params for key in FILTER_KEYS):
        return params
    params = params.copy()
    params["date_from"] = timezone.localdate().isoformat()
    return params


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class EventFilter(ScopedFilterSet):
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte", widget=DateInput)
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte", widget=DateInput)
    station = django_filters.ModelChoiceFilter(
        label=_("Station"), queryset=Station.objects.none(), empty_label=_("All stations")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EventKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReceptionEvent.Status.choices, empty_label=_("All statuses")
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=_("All campaigns")
    )
    representative = django_filters.CharFilter(label=_("Representative"), method="with_representative")

    class Meta:
        model = ReceptionEvent
        fields = list(FILTER_KEYS)

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        self.filters["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-start_date", "name")
        self.filters["representative"].field.widget.attrs["placeholder"] = _("Full name or number")

    def with_representative(self, queryset, name, value):
        """Events with a matching representative on the roster (name contains, or exact number)."""
        value = value.strip()
        if not value:
            return queryset
        # Only representatives the user can see, so the filter reveals no one else's rosters.
        reps = Representative.objects.visible_to(self.request.user).filter(Q(name__icontains=value) | Q(code=value))
        return queryset.filter(
            Exists(RosterEntry.objects.filter(event=OuterRef("pk"), representative__in=reps.values("pk")))
        )

    @property
    def form(self):
        form = super().form
        form.helper = filter_bar_helper(
            "date_from",
            "date_to",
            "station",
            "kind",
            "status",
            "campaign",
            "representative",
            widths={"station": "col-12 col-md-4 col-xl-2", "representative": "col-6 col-md-3 col-xl-2"},
        )
        return form
