"""Supervision pages (督办): traffic lights over the items in hand, supervision notices, commitments.

Objects come through the scoped querysets (`SupervisionNotice.objects.visible_to`,
`Commitment.objects.visible_to`; one row through `access_supervision_notice`,
`access_commitment`, `access_petition`: outside the scope, 404), then the capability is
checked (inside but not permitted: 403).
Writes go through its services; a refused write (`PetitionError`,
`InvalidTransition`) becomes a form error and what was typed stays.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import TemplateView

from liaison import workdays
from liaison.excel import xlsx_response
from liaison.web import PermissionMixin, no_store, require_perm
from petitions.handling import workflow
from petitions.handling.workflow import InvalidTransition
from petitions.ledger.querysets import access_petition
from petitions.ledger.services import PetitionError
from petitions.models import Commitment, Petition, SupervisionNotice
from petitions.supervision import policy, selectors
from petitions.supervision import services as sv
from petitions.supervision.export import deadlines_sheet
from petitions.supervision.forms import (
    CommitmentFilterForm,
    CommitmentFollowUpForm,
    CommitmentForm,
    CommitmentProgressForm,
    NoticeAnswerForm,
    NoticeFilterForm,
    NoticeForm,
    TrafficLightFilterForm,
)
from petitions.supervision.querysets import access_commitment, access_supervision_notice

NOTICES_PER_PAGE = 50
EXPORT_PERMISSION = "petitions.export_petition"


# --------------------------------------------------------------------------- traffic lights


def _lights_context(user, params):
    """The filtered items in hand: what the page and the export share."""
    form = TrafficLightFilterForm(params, user=user)
    bounds = selectors.light_bounds()
    every_light = form.filter(selectors.items_in_hand(user))
    light_q = form.light_q(bounds)
    shown = every_light.filter(light_q) if light_q is not None else every_light
    return form, bounds, every_light, shown


def _ledger_link(form: TrafficLightFilterForm) -> str:
    """The ledger with the same narrowing, sorted by deadline: where the rows past the first 200 are."""
    params = {"sort": "due"}
    if form.is_valid():
        data = form.cleaned_data
        if data["light"] == selectors.Light.RED:
            params["overdue"] = "on"
        else:
            params["status"] = "open"
        if data["department"]:
            params["department"] = data["department"].pk
        if data["station"]:
            params.update(station=data["station"].pk, below="on")
        if data["category"]:
            params["category"] = data["category"]
        if data["urgency"]:
            params["urgency"] = data["urgency"]
    return f"{reverse('petitions:ledger')}?{urlencode(params)}"


class TrafficLightView(PermissionMixin, TemplateView):
    """Items in hand by deadline: three counts, the department summary (office), the 200 most urgent."""

    permission = selectors.VIEW_SUPERVISION
    nav_active = "supervision"
    template_name = "petitions/supervision_lights.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        form, bounds, every_light, shown = _lights_context(user, params)
        counts = selectors.light_counts(every_light, bounds)
        rows = selectors.light_rows(shown, bounds, limit=selectors.TABLE_LIMIT)
        chosen = form.cleaned_data.get("light") if form.is_valid() else ""
        shown_total = counts[chosen] if chosen else counts["total"]
        is_office = user.has_perm(selectors.SUPERVISE)
        query = params.urlencode()
        context.update(
            filter=form,
            bounds=bounds,
            counts=counts,
            rows=rows,
            shown_total=shown_total,
            is_capped=shown_total > len(rows),
            limit=selectors.TABLE_LIMIT,
            summary=selectors.department_summary(every_light, bounds) if is_office else None,
            light_links={
                light: "?" + urlencode({**{k: v for k, v in params.items() if k != "light"}, "light": light})
                for light in selectors.Light.values
            },
            ledger_url=_ledger_link(form),
            export_url=reverse("petitions:supervision_export") + (f"?{query}" if query else ""),
            can_export=user.has_perm(EXPORT_PERMISSION),
            can_supervise=is_office,
            tab="lights",
            can_view_commitments=selectors.can_view_commitments(user),
        )
        return context

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


@login_required
@require_GET
def export(request):
    """The filtered traffic-light view as .xlsx, at most EXPORT_LIMIT rows (the most urgent)."""
    require_perm(request.user, selectors.VIEW_SUPERVISION)
    require_perm(request.user, EXPORT_PERMISSION)
    _form, bounds, _every, shown = _lights_context(request.user, request.GET)
    rows = selectors.light_rows(shown, bounds, limit=selectors.EXPORT_LIMIT + 1)
    capped = len(rows) > selectors.EXPORT_LIMIT
    rows = rows[: selectors.EXPORT_LIMIT]
    sheet = deadlines_sheet(rows, today=bounds.today, capped=capped)
    response = xlsx_response(f"{_('Deadlines')}-{bounds.today:%Y%m%d}.xlsx", sheet)
    if capped:
        messages.warning(
            request,
            _("The export holds the %(limit)s most urgent items only; narrow the filter for the rest.")
            % {"limit": selectors.EXPORT_LIMIT},
        )
    response["X-Export-Capped"] = "1" if capped else "0"
    return response


# --------------------------------------------------------------------------- supervision notices


def _scoped_notice(request, pk) -> SupervisionNotice:
    notice = access_supervision_notice(
        request.user,
        pk,
        queryset=SupervisionNotice.objects.select_related(
            "department", "petition", "petition__station", "jurisdiction", "issued_by", "responded_by"
        ),
    )
    require_perm(request.user, selectors.VIEW_SUPERVISION)
    return notice


class NoticeListView(PermissionMixin, TemplateView):
    permission = selectors.VIEW_SUPERVISION
    nav_active = "supervision"
    template_name = "petitions/notice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = NoticeFilterForm(self.request.GET, user=user)
        notices = form.filter(SupervisionNotice.objects.visible_to(user)).select_related(
            "department", "petition", "issued_by"
        )
        page = Paginator(notices.order_by("-issued_at", "-pk"), NOTICES_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            filter=form,
            page=page,
            notices=page.object_list,
            today=timezone.localdate(),
            can_supervise=user.has_perm(selectors.SUPERVISE),
            tab="notices",
            can_view_commitments=selectors.can_view_commitments(user),
        )
        return context

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request):
    """The office's notice form; `?petition=<id>` prefills it from an item in hand."""
    user = request.user
    require_perm(user, selectors.SUPERVISE)
    petition = None
    petition_id = request.POST.get("petition") or request.GET.get("petition")
    if petition_id:
        if not str(petition_id).isdigit():
            raise Http404
        petition = access_petition(user, petition_id, queryset=Petition.objects.select_related("lead_department"))
    if request.method == "POST":
        form = NoticeForm(request.POST, user=user, petition=petition)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = sv.supervision_notice_issue(
                    actor=user,
                    department=data["department"],
                    subject=data["subject"],
                    requirement=data["requirement"],
                    due_on=data["due_on"],
                    petition=data["petition"],
                )
            except (PetitionError, InvalidTransition) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Supervision notice %(number)s is issued.") % {"number": notice.number})
                return redirect("petitions:notice_detail", pk=notice.pk)
    else:
        form = NoticeForm(initial=NoticeForm.initial_for(petition), user=user, petition=petition)
    in_hand = petition is None or petition.status in workflow.IN_HAND
    return no_store(
        render(
            request,
            "petitions/notice_form.html",
            {
                "form": form,
                "petition": petition,
                "in_hand": in_hand,
                "nav_active": "supervision",
            },
        )
    )


def _petition_visible(user, petition_id: int | None) -> bool:
    """Whether a notice's or commitment's item may be linked to: the user sees it."""
    return petition_id is not None and Petition.objects.visible_to(user).filter(pk=petition_id).exists()


def _render_notice(request, notice, *, answer_form=None, status=200):
    can_answer = policy.can_answer(request.user, notice)
    context = {
        "notice": notice,
        "can_answer": can_answer,
        "answer_form": answer_form or (NoticeAnswerForm() if can_answer else None),
        "is_late": selectors.notice_is_overdue(notice, timezone.localdate()),
        "petition_visible": _petition_visible(request.user, notice.petition_id),
        "nav_active": "supervision",
    }
    return no_store(render(request, "petitions/notice_detail.html", context, status=status))


@login_required
@require_GET
def notice_detail(request, pk):
    return _render_notice(request, _scoped_notice(request, pk))


@login_required
@require_POST
def notice_answer(request, pk):
    notice = _scoped_notice(request, pk)
    if not policy.may_answer(request.user, notice):
        raise PermissionDenied
    form = NoticeAnswerForm(request.POST)
    if form.is_valid():
        try:
            sv.supervision_notice_answer(actor=request.user, notice=notice, response=form.cleaned_data["response"])
        except PetitionError as error:
            form.add_error("response", str(error))
        else:
            messages.success(
                request, _("Your answer to %(number)s is sent to the committee office.") % {"number": notice.number}
            )
            return redirect("petitions:notice_detail", pk=notice.pk)
    notice.refresh_from_db()
    return _render_notice(request, notice, answer_form=form)


@login_required
@require_GET
def notice_print(request, pk):
    """The notice on one A4 sheet in the official layout (督办通知单)."""
    notice = _scoped_notice(request, pk)
    return no_store(render(request, "petitions/notice_print.html", {"notice": notice, "nav_active": "supervision"}))


# --------------------------------------------------------------------------- commitments


def _require_commitments(user):
    if not selectors.can_view_commitments(user):
        raise PermissionDenied


def _scoped_commitment(request, pk) -> Commitment:
    commitment = access_commitment(
        request.user,
        pk,
        queryset=Commitment.objects.select_related("department", "station", "petition", "jurisdiction", "created_by"),
    )
    _require_commitments(request.user)
    return commitment


class CommitmentListView(PermissionMixin, TemplateView):
    nav_active = "supervision"
    template_name = "petitions/commitment_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_commitments(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        bounds = selectors.light_bounds()
        form = CommitmentFilterForm(self.request.GET, user=user)
        visible = Commitment.objects.visible_to(user)
        commitments = form.filter(visible, bounds).select_related("department", "station", "petition")
        page = Paginator(commitments.order_by("due_on", "pk"), NOTICES_PER_PAGE).get_page(self.request.GET.get("page"))
        calendar = workdays.current()
        rows = [
            {
                "commitment": c,
                "deadline": selectors.deadline_info(calendar, bounds, c.due_on)
                if c.state == Commitment.State.OPEN
                else None,
            }
            for c in page.object_list
        ]
        open_counts = selectors.light_counts(visible.filter(state=Commitment.State.OPEN), bounds)
        context.update(
            filter=form,
            page=page,
            rows=rows,
            counts=open_counts,
            bounds=bounds,
            can_record=user.has_perm(selectors.SUPERVISE),
            tab="commitments",
            can_view_commitments=True,
            can_supervise=user.has_perm(selectors.SUPERVISE),
        )
        return context

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request):
    user = request.user
    require_perm(user, selectors.SUPERVISE)
    if request.method == "POST":
        form = CommitmentForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                commitment = sv.commitment_record(
                    actor=user,
                    source=data["source"],
                    held_on=data["held_on"],
                    department=data["department"],
                    head_name=data["head_name"],
                    head_title=data["head_title"],
                    station=data["station"],
                    petition=data["petition"],
                    text=data["text"],
                    due_on=data["due_on"],
                )
            except PetitionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The commitment is recorded."))
                return redirect("petitions:commitment_detail", pk=commitment.pk)
    else:
        initial = {"held_on": timezone.localdate(), "source": Commitment.Source.MEETING}
        petition_id = request.GET.get("petition", "")
        if petition_id.isdigit():
            petition = access_petition(user, petition_id, queryset=Petition.objects.select_related("station"))
            initial.update(
                petition=petition.tracking_number, department=petition.lead_department_id, station=petition.station_id
            )
        form = CommitmentForm(initial=initial, user=user)
    return no_store(render(request, "petitions/commitment_form.html", {"form": form, "nav_active": "supervision"}))


def _render_commitment(request, commitment, *, progress_form=None, follow_up_form=None, status=200):
    user = request.user
    can_progress = policy.can_progress(user, commitment)
    can_follow_up = policy.can_follow_up(user, commitment)
    bounds = selectors.light_bounds()
    is_open = commitment.state == Commitment.State.OPEN
    context = {
        "commitment": commitment,
        "deadline": selectors.deadline_info(workdays.current(), bounds, commitment.due_on) if is_open else None,
        "can_progress": can_progress,
        "can_follow_up": can_follow_up,
        "progress_form": progress_form
        or (CommitmentProgressForm(initial={"progress": commitment.progress}) if can_progress else None),
        "follow_up_form": follow_up_form
        or (CommitmentFollowUpForm(initial={"visited_on": timezone.localdate()}) if can_follow_up else None),
        "petition_visible": _petition_visible(user, commitment.petition_id),
        "nav_active": "supervision",
    }
    return no_store(render(request, "petitions/commitment_detail.html", context, status=status))


@login_required
@require_GET
def commitment_detail(request, pk):
    return _render_commitment(request, _scoped_commitment(request, pk))


@login_required
@require_POST
def commitment_progress(request, pk):
    commitment = _scoped_commitment(request, pk)
    user = request.user
    if not policy.may_progress(user, commitment):
        raise PermissionDenied
    form = CommitmentProgressForm(request.POST)
    if form.is_valid():
        try:
            sv.commitment_progress(
                actor=user,
                commitment=commitment,
                progress=form.cleaned_data["progress"],
                done=form.cleaned_data["done"],
            )
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The commitment is marked as kept.") if form.cleaned_data["done"] else _("The progress is saved."),
            )
            return redirect("petitions:commitment_detail", pk=commitment.pk)
    return _render_commitment(request, commitment, progress_form=form)


@login_required
@require_POST
def commitment_follow_up(request, pk):
    commitment = _scoped_commitment(request, pk)
    user = request.user
    if not policy.may_follow_up(user):
        raise PermissionDenied
    form = CommitmentFollowUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sv.commitment_follow_up(
                actor=user,
                commitment=commitment,
                visited_on=data["visited_on"],
                note=data["note"],
                satisfaction=data["satisfaction"],
            )
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The follow-up visit is recorded."))
            return redirect("petitions:commitment_detail", pk=commitment.pk)
    return _render_commitment(request, commitment, follow_up_form=form)
