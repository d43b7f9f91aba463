"""The annual plan (年度预安排) and the stations' reception rules.

Plans are the committee office's: a role without the capability gets 403 on
every plan page (whatever the pk), an office gets 404 for a plan outside its
jurisdiction. Rules: capability first, then the station or rule through
`visible_to(user)` (404 outside the scope).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from liaison import office_settings, workdays
from liaison.access import access_object
from liaison.jobs import job_start
from liaison.web import require_perm
from stations.models import ReceptionPlan, ReceptionRule
from stations.network.querysets import access_station
from stations.network.views import PAGE_SIZE
from stations.reception.plans import selectors
from stations.reception.plans import services as planning
from stations.reception.plans.forms import (
    PATTERN_FIELDS,
    PlanEventFilterForm,
    PlanGenerateForm,
    PlanRegenerateForm,
    ReceptionRuleForm,
)

PLAN_VIEW = "stations.view_receptionplan"
PLAN_CHANGE = "stations.change_receptionplan"
RULE_CHANGE = "stations.change_receptionrule"
LIST_LIMIT = 100  # rows of the review page's side lists


def _calendar_context(year) -> dict:
    calendar = workdays.current()
    return {
        "calendar_year": year,
        "calendar_year_known": year is None or calendar.year_is_known(year),
        "known_years": sorted(set(workdays.OFFICIAL_YEARS) | set(calendar.office_years)),
    }


def _start_generation(request, *, jurisdiction, year, propose_rosters):
    job = job_start(
        owner=request.user,
        kind=planning.PLAN_JOB,
        title=(_("Annual plan %(year)s: %(jurisdiction)s") % {"year": year, "jurisdiction": jurisdiction.name})[:200],
        params={"jurisdiction": jurisdiction.pk, "year": year, "propose_rosters": propose_rosters},
    )
    return redirect("job_detail", pk=job.pk)


# --------------------------------------------------------------------------- plans


class PlanListView(LoginRequiredMixin, ListView):
    template_name = "stations/reception/plan_list.html"
    context_object_name = "plans"
    paginate_by = PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, PLAN_VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.plan_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_change = user.has_perm(PLAN_CHANGE)
        form = kwargs.get("form")
        if form is None and can_change:
            initial = {}
            year = self.request.GET.get("year", "")
            if year.isdigit() and 2000 <= int(year) <= 2100:
                initial["year"] = int(year)
            form = PlanGenerateForm(user=user, initial=initial)
        year = None
        if form is not None:
            raw = form["year"].value()
            year = int(raw) if str(raw).isdigit() else None
        context.update(nav_active="plans", can_change=can_change, form=form, **_calendar_context(year))
        return context


@login_required
@require_POST
def plan_generate(request):
    require_perm(request.user, PLAN_CHANGE)
    form = PlanGenerateForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        return _start_generation(
            request, jurisdiction=data["jurisdiction"], year=data["year"], propose_rosters=data["propose_rosters"]
        )
    messages.error(request, _("The plan was not generated; see the message under the field."))
    view = PlanListView()
    view.setup(request)
    view.object_list = view.get_queryset()
    response = view.render_to_response(view.get_context_data(form=form))
    response.status_code = 400
    return response


def _scoped_plan(request, pk, perm) -> ReceptionPlan:
    require_perm(request.user, perm)
    return access_object(ReceptionPlan.objects.select_related("jurisdiction"), request.user, pk)


class PlanDetailView(LoginRequiredMixin, DetailView):
    """The review page: counts by month and kind, the events, and what is missing."""

    template_name = "stations/reception/plan_detail.html"
    context_object_name = "plan"

    def get_object(self, queryset=None):
        return _scoped_plan(self.request, self.kwargs["pk"], PLAN_VIEW)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        filter_form = PlanEventFilterForm(self.request.GET or None)
        events = selectors.plan_events(plan, **filter_form.filters())
        page = Paginator(events, PAGE_SIZE).get_page(self.request.GET.get("page"))
        without_rules = selectors.plan_stations_without_rules(plan)
        below_quota = selectors.plan_representatives_below_quota(plan)
        is_draft = plan.status == ReceptionPlan.Status.DRAFT
        context.update(
            nav_active="plans",
            counts=selectors.plan_event_counts(plan),
            filter_form=filter_form,
            page_obj=page,
            events=page.object_list,
            without_rules=without_rules[:LIST_LIMIT],
            without_rules_count=without_rules.count(),
            below_quota=below_quota[:LIST_LIMIT],
            below_quota_count=below_quota.count(),
            off_days=selectors.plan_off_days(plan),
            double_bookings=selectors.plan_double_bookings(plan),
            is_draft=is_draft,
            can_change=is_draft and user.has_perm(PLAN_CHANGE),
            can_rules=user.has_perm(RULE_CHANGE),
            regenerate_form=PlanRegenerateForm(),
            **_calendar_context(plan.year),
        )
        return context


@login_required
@require_POST
def plan_publish(request, pk):
    plan = _scoped_plan(request, pk, PLAN_CHANGE)
    try:
        scheduled = planning.plan_publish(plan=plan, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("Published: %(n)s events are scheduled. Rostered representatives are told %(days)s working days ahead.")
            % {"n": scheduled, "days": office_settings.reception_notice_working_days(plan.jurisdiction.code)},
        )
    return redirect("plans:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_regenerate(request, pk):
    """Add what is missing (new rules, new stations) to a draft plan, as a job."""
    plan = _scoped_plan(request, pk, PLAN_CHANGE)
    if plan.status == ReceptionPlan.Status.PUBLISHED:
        messages.error(request, _("This plan is published already; change single events instead."))
        return redirect("plans:plan_detail", pk=plan.pk)
    form = PlanRegenerateForm(request.POST)
    form.is_valid()
    return _start_generation(
        request,
        jurisdiction=plan.jurisdiction,
        year=plan.year,
        propose_rosters=bool(form.cleaned_data.get("propose_rosters")),
    )


# --------------------------------------------------------------------------- rules


def _station_url(station_pk) -> str:
    return reverse("stations:station_detail", args=[station_pk]) + "#reception"


def _render_rule_form(request, form, station, rule=None, status=200):
    return render(
        request,
        "stations/reception/rule_form.html",
        {
            "form": form,
            "station": station,
            "rule": rule,
            "nav_active": "stations",
            "pattern_fields": {str(k): list(v) for k, v in PATTERN_FIELDS.items()},
        },
        status=status,
    )


def _save_rule(request, form, station, rule=None):
    if request.method == "POST":
        if form.is_valid():
            saved, removed = planning.rule_save(form=form, actor=request.user)
            note = _("Saved the reception rule: %(rule)s.") % {"rule": saved.describe()}
            if removed:
                note += " " + _(
                    "%(n)s events of the draft plan were removed; regenerate the plan to add the new dates."
                ) % {"n": removed}
            messages.success(request, note)
            return redirect(_station_url(station.pk))
        messages.error(request, _("Please correct the fields marked in red."))
    return _render_rule_form(request, form, station, rule)


@login_required
def rule_create(request, station_pk):
    require_perm(request.user, RULE_CHANGE)
    station = access_station(request.user, station_pk)
    form = ReceptionRuleForm(request.POST or None, station=station)
    return _save_rule(request, form, station)


def _scoped_rule(request, pk) -> ReceptionRule:
    require_perm(request.user, RULE_CHANGE)
    return access_object(ReceptionRule.objects.select_related("station"), request.user, pk)


@login_required
def rule_update(request, pk):
    rule = _scoped_rule(request, pk)
    form = ReceptionRuleForm(request.POST or None, instance=rule, station=rule.station)
    return _save_rule(request, form, rule.station, rule)


@login_required
@require_POST
def rule_delete(request, pk):
    rule = _scoped_rule(request, pk)
    station_pk, described = rule.station_id, rule.describe()
    removed = planning.rule_delete(rule=rule, actor=request.user)
    note = _("Deleted the reception rule: %(rule)s.") % {"rule": described}
    if removed:
        note += " " + _("%(n)s events of the draft plan went with it.") % {"n": removed}
    messages.success(request, note)
    return redirect(_station_url(station_pk))
