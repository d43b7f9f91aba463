"""Filter bars of the station and representative lists (also used by their Excel exports).

Every choice list comes from the user's scoped querysets, so a dropdown never
names a station or jurisdiction the user cannot see.
"""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import under_q
from liaison.models import Jurisdiction
from stations.models import Level, ProfessionalGroup, Representative, Station, StationKind


class YesNoAll(forms.Select):
    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


def filter_bar_helper(*fields, widths=None, clear_url="?"):
    """The crispy helper of every filter bar: the fields in a row, then Filter and Clear."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_tag = True
    helper.disable_csrf = True
    widths = widths or {}
    helper.layout = Layout(
        Row(
            *[Column(f, css_class=widths.get(f, "col-6 col-md-3 col-xl-2")) for f in fields],
            Column(
                Submit("", _("Filter"), css_class="btn-primary btn-sm mt-md-4"),
                HTML('<a class="btn btn-link btn-sm mt-md-4" href="{}">{}</a>'.format(clear_url, _("Clear"))),
                css_class="col-12 col-md-auto",
            ),
            css_class="g-2 align-items-start",
        )
    )
    return helper


def area_choices(user) -> QuerySet[Jurisdiction]:
    """The areas a filter bar narrows to: the districts and streets or townships the user sees, by code."""
    return (
        Jurisdiction.objects.visible_to(user)
        .filter(level__in=[Jurisdiction.Level.COUNTY, Jurisdiction.Level.TOWNSHIP])
        .order_by("code")
    )


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet that knows the user, so its choice fields can be scoped."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        if "area" in self.filters:
            self.filters["area"].queryset = area_choices(user)
        if "station" in self.filters:
            self.filters["station"].queryset = Station.objects.visible_to(user).order_by("code")


class StationFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=StationKind.choices, empty_label=_("All kinds"))
    area = django_filters.ModelChoiceFilter(
        label=_("Street or township"),
        queryset=Jurisdiction.objects.none(),
        method="in_area",
        empty_label=_("All areas"),
    )
    is_active = django_filters.BooleanFilter(label=_("In service"), widget=YesNoAll)

    class Meta:
        model = Station
        fields = ["q", "kind", "area", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(address__icontains=value)
            | Q(jurisdiction__name__icontains=value)
        )

    def in_area(self, queryset, name, value):
        return queryset.filter(under_q(value, "jurisdiction__code"))

    @property
    def form(self):
        form = super().form
        form.helper = filter_bar_helper("q", "kind", "area", "is_active", widths={"q": "col-12 col-md-4 col-xl-3"})
        return form


class RepresentativeFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=_("All levels"))
    station = django_filters.ModelChoiceFilter(
        label=_("Station"), queryset=Station.objects.none(), method="in_station", empty_label=_("All stations")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Street or township"),
        queryset=Jurisdiction.objects.none(),
        method="in_area",
        empty_label=_("All areas"),
    )
    professional_group = django_filters.ChoiceFilter(
        label=_("Professional group"), choices=ProfessionalGroup.choices, empty_label=_("All groups")
    )
    is_active = django_filters.BooleanFilter(label=_("Serving"), widget=YesNoAll)

    class Meta:
        model = Representative
        fields = ["q", "level", "station", "area", "professional_group", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(work_unit__icontains=value)
            | Q(position__icontains=value)
            | Q(constituency__icontains=value)
            | Q(grid_cell__icontains=value)
        )

    def in_station(self, queryset, name, value):
        return queryset.filter(memberships__station=value)

    def in_area(self, queryset, name, value):
        return queryset.in_area(value)

    @property
    def form(self):
        form = super().form
        form.helper = filter_bar_helper(
            "q", "level", "station", "area", "professional_group", "is_active", widths={"q": "col-12 col-md-4 col-xl-2"}
        )
        return form
