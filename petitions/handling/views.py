"""Handling pages: one page per move (`act`), the office's triage list, the department
desk, the deadline rules and the feedback letter.

Every move page: fetch the item through the scope (404 outside), check the move's
permission (403), validate the move's form, call its service; a refused move
(`PetitionError`, `InvalidTransition`, `Conflict`) comes back as a message on the same
form with everything typed kept.
"""

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from liaison.excel import Sheet, xlsx_response
from liaison.web import PermissionMixin, require_perm
from liaison.web import no_store as _no_store  # old name kept: the handling views are reworked on another branch
from petitions.handling import forms as f
from petitions.handling import policy, suspension, workflow
from petitions.handling import services as handling
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES
from petitions.handling.workflow import InvalidTransition, Move
from petitions.intake.staging import FileStage
from petitions.ledger import privacy
from petitions.ledger.services import PetitionError
from petitions.ledger.views import scoped_petition
from petitions.models import Assignment, DeadlineRule, DepartmentReply, ExtensionRequest, Petition


@dataclass(frozen=True)
class Spec:
    form: type
    service: object
    title: object
    button: object
    help: object = ""
    style: str = "primary"
    files: bool = False


SPECS: dict[Move, Spec] = {
    Move.TRIAGE: Spec(
        f.TriageForm,
        handling.petition_triage,
        gettext_lazy("Triage: for a department"),
        gettext_lazy("Mark as triaged"),
        gettext_lazy("The item will be assigned to a department. Set its urgency and the leader responsible."),
        "outline-primary",
    ),
    Move.ASSIGN: Spec(
        f.AssignForm,
        handling.petition_assign,
        gettext_lazy("Assign to a department"),
        gettext_lazy("Assign"),
        gettext_lazy(
            "The lead department answers the resident; co-handlers give their part to it. Deadlines count working days."
        ),
    ),
    Move.CONSULT: Spec(
        f.AnswerForm,
        handling.petition_consult,
        gettext_lazy("Answer as a consultation"),
        gettext_lazy("Record the answer"),
        gettext_lazy("A question answered after consulting the department; no assignment."),
        "outline-primary",
    ),
    Move.ON_THE_SPOT: Spec(
        f.OnTheSpotForm,
        handling.petition_handle_on_the_spot,
        gettext_lazy("Handled on the spot"),
        gettext_lazy("Record"),
        gettext_lazy("A street-level matter the street office took over on the spot (当场交办)."),
        "outline-primary",
    ),
    Move.ESCALATE: Spec(
        f.AnswerForm,
        handling.petition_escalate,
        gettext_lazy("Refer to a higher level"),
        gettext_lazy("Record the referral"),
        gettext_lazy("A problem for the city or province: say where it was referred and what the resident is told."),
        "outline-secondary",
    ),
    Move.CANNOT_HANDLE: Spec(
        f.AnswerForm,
        handling.petition_cannot_handle,
        gettext_lazy("Cannot be handled"),
        gettext_lazy("Record the explanation"),
        gettext_lazy("The resident receives this written explanation."),
        "outline-danger",
    ),
    Move.ACCEPT: Spec(
        f.ConfirmForm,
        handling.petition_accept,
        gettext_lazy("Accept the item"),
        gettext_lazy("Accept"),
        gettext_lazy("Your department takes the item on and answers it by the deadline."),
    ),
    Move.PROGRESS: Spec(
        f.ProgressForm,
        handling.petition_progress,
        gettext_lazy("Post progress"),
        gettext_lazy("Post"),
        "",
        "outline-primary",
    ),
    Move.CONTRIBUTE: Spec(
        f.ContributeForm,
        handling.petition_contribute,
        gettext_lazy("Give our part to the lead"),
        gettext_lazy("Send to the lead department"),
    ),
    Move.REPLY: Spec(
        f.ReplyForm,
        handling.petition_reply,
        gettext_lazy("Reply"),
        gettext_lazy("Send the reply"),
        gettext_lazy(
            "A: solved; B: being solved or planned; C: cannot be solved now (explain why); D: kept for reference."
        ),
        files=True,
    ),
    Move.REQUEST_EXTENSION: Spec(
        f.ExtensionRequestForm,
        handling.petition_request_extension,
        gettext_lazy("Request an extension"),
        gettext_lazy("Send the request"),
        gettext_lazy("The committee office decides; until then the current deadline holds."),
        "outline-secondary",
    ),
    Move.RETURN: Spec(
        f.ReturnForm,
        handling.petition_return,
        gettext_lazy("Return the item"),
        gettext_lazy("Return to the committee office"),
        gettext_lazy("Returned items go back to the committee office's triage list."),
        "outline-danger",
    ),
    Move.DECIDE_EXTENSION: Spec(
        f.DecideExtensionForm,
        handling.petition_decide_extension,
        gettext_lazy("Decide on the extension"),
        gettext_lazy("Decide"),
    ),
    Move.SUSPEND: Spec(
        f.SuspendForm,
        suspension.petition_suspend,
        gettext_lazy("Suspend handling"),
        gettext_lazy("Suspend"),
        gettext_lazy(
            "While suspended the deadline stands still; on resuming it moves forward by the working days lost."
        ),
        "outline-secondary",
    ),
    Move.RESUME: Spec(
        f.ResumeForm,
        suspension.petition_resume,
        gettext_lazy("Resume handling"),
        gettext_lazy("Resume"),
        gettext_lazy("The deadlines move forward by the working days the item was suspended."),
        "outline-primary",
    ),
    Move.FEED_BACK: Spec(
        f.FeedBackForm,
        handling.petition_feed_back,
        gettext_lazy("Feed back to the resident"),
        gettext_lazy("Record the feedback"),
        gettext_lazy("Tell the resident the answer, then record how and what they said."),
    ),
    Move.RATE: Spec(
        f.RateForm,
        handling.petition_rate,
        gettext_lazy("Rate the handling"),
        gettext_lazy("Record the rating"),
        gettext_lazy("“Dissatisfied” in the first round sends the item back for one more round."),
    ),
    Move.CLOSE: Spec(
        f.CloseForm, handling.petition_close, gettext_lazy("Close out"), gettext_lazy("Close out (销号)"), "", "success"
    ),
}


def move_links(user, petition, sit=None) -> list[dict]:
    links = []
    for move in policy.moves_for(user, petition, sit):
        if move == Move.SUPERVISE:
            url, title, style = (
                reverse("petitions:notice_create") + f"?petition={petition.pk}",
                _("Supervision notice"),
                "outline-warning",
            )
        elif move == Move.TO_SUGGESTION:
            url, title, style = (
                reverse("petitions:suggestion_create") + f"?petitions={petition.pk}",
                _("Turn into a suggestion"),
                "outline-primary",
            )
        else:
            spec = SPECS[move]
            url, title, style = reverse("petitions:act", args=[petition.pk, move.value]), spec.title, spec.style
        links.append({"move": move.value, "url": url, "title": title, "style": style})
    return links


def handling_context(user, petition) -> dict:
    """The item page's handling panel: shares, replies, extension, ratings, the buttons."""
    sit = policy.situation(user, petition)
    shares = list(petition.assignments.select_related("department").order_by("-round", "role", "pk"))
    replies = list(
        DepartmentReply.objects.filter(petition=petition).select_related("department").prefetch_related("attachments")
    )
    today = timezone.localdate()
    return {
        "shares": shares,
        "current_round_shares": [s for s in shares if s.round == petition.round],
        "replies": replies,
        "pending_extension": sit.pending_extension,
        "extensions": list(
            petition.extension_requests.select_related("assignment__department").order_by("-created_at")[:10]
        ),
        "ratings": list(petition.ratings.select_related("representative").order_by("round", "created_at")),
        "notices": _notices_on(user, petition),
        "commitments": _commitments_on(user, petition),
        "moves": move_links(user, petition, sit),
        "share": sit.share,
        "light": light(petition.due_on, today) if petition.status in workflow.IN_HAND else "",
        "triage_due": handling.triage_due(petition) if petition.status in workflow.AWAITING_TRIAGE else None,
        "can_letter": petition.status in workflow.LETTER,
        "rating_code": petition.rating_code
        if petition.status in workflow.RATEABLE and privacy.access(user, petition) is privacy.Access.FULL
        else "",
    }


def _notices_on(user, petition) -> list:
    if not user.has_perm("petitions.view_supervisionnotice"):
        return []
    from petitions.supervision.selectors import notices_visible_to

    return list(notices_visible_to(user).filter(petition=petition).select_related("department").order_by("issued_at"))


def _commitments_on(user, petition) -> list:
    from petitions.supervision.selectors import can_view_commitments, commitments_visible_to

    if not can_view_commitments(user):
        return []
    return list(commitments_visible_to(user).filter(petition=petition).order_by("due_on"))


def light(due_on, today) -> str:
    """green, amber or red as on the supervision page (`supervision.light_bounds`); "" without a deadline."""
    from petitions.supervision.selectors import light_bounds

    return str(light_bounds(today).classify(due_on)) if due_on else ""


# --------------------------------------------------------------------------- one move


@login_required
def act(request, pk, move):
    try:
        move = Move(move)
    except ValueError:
        raise Http404 from None
    if move not in SPECS:
        raise Http404
    petition = scoped_petition(request, pk)
    user = request.user
    rule = workflow.TABLE[move]
    require_perm(user, rule.permission)
    sit = policy.situation(user, petition)
    spec = SPECS[move]
    kwargs = {"petition": petition, "user": user}
    if move == Move.DECIDE_EXTENSION:
        kwargs["request_row"] = sit.pending_extension
    if move == Move.RATE:
        kwargs["for_resident"] = not sit.is_on_item
    stage = None
    if request.method == "POST":
        form = spec.form(request.POST, **kwargs)
        if spec.files:
            stage = FileStage(request).process()
        if not policy.can(user, move, petition, sit) and petition.status in rule.sources:
            # The table allows it, but not for this user on this item (another department's share…).
            raise PermissionDenied
        if form.is_valid() and not (stage and stage.errors):
            arguments = form.arguments()
            if stage:
                arguments["staged"] = stage.staged
            try:
                spec.service(actor=user, petition=petition, **arguments)
            except (PetitionError, InvalidTransition) as exc:
                form.add_error(None, str(exc))
                fresh = Petition.objects.filter(pk=petition.pk).values_list("version", flat=True).first()
                form.data = form.data.copy()
                form.data["version"] = fresh  # sending again acts on what is there now
            else:
                messages.success(
                    request,
                    _("%(move)s: done for item %(number)s.") % {"move": spec.title, "number": petition.tracking_number},
                )
                return redirect(_after(user, petition, move))
    else:
        if not policy.can(user, move, petition, sit):
            if petition.status not in rule.sources:
                messages.warning(request, str(InvalidTransition(move, petition.status)))
                return redirect("petitions:detail", pk=petition.pk)
            raise PermissionDenied
        form = spec.form(initial={"version": petition.version}, **kwargs)
    context = {
        "petition": petition,
        "form": form,
        "spec": spec,
        "move": move.value,
        "stage": stage,
        "petitioner": privacy.Petitioner(user, petition),
        "shares": handling.current_shares(petition),
        "pending_extension": sit.pending_extension,
        "replies": list(
            DepartmentReply.objects.filter(petition=petition).select_related("department").order_by("-created_at")[:3]
        ),
        "templates": getattr(form, "templates", []),
        "nav_active": "ledger",
    }
    return _no_store(render(request, "petitions/act.html", context, status=400 if request.method == "POST" else 200))


def _after(user, petition, move) -> str:
    if move in (Move.RETURN,):
        return reverse("petitions:department")
    if not Petition.objects.visible_to(user).filter(pk=petition.pk).exists():
        return reverse("petitions:ledger")
    return reverse("petitions:detail", args=[petition.pk]) + "#handling"


# --------------------------------------------------------------------------- feedback letter


@login_required
def feedback_letter(request, pk):
    """群众意见办理情况反馈函: the written answer for the resident, on A4."""
    petition = scoped_petition(request, pk)
    if petition.status not in workflow.LETTER:
        messages.warning(request, _("The letter can be printed once the item has been answered."))
        return redirect("petitions:detail", pk=petition.pk)
    from petitions.intake import desk

    petitioner = privacy.Petitioner(request.user, petition)
    reply = DepartmentReply.objects.filter(petition=petition, round=petition.round).select_related("department").last()
    url = desk.tracking_url(petition.tracking_number)
    full = petitioner.level is privacy.Access.FULL and petition.petitioner_name and not petition.is_anonymous
    context = {
        "petition": petition,
        # The letter goes to the resident: the full name only for who may see it, else a blank to write in.
        "addressee": petition.petitioner_name if full else "",
        "reply": reply,
        "department": reply.department if reply else petition.lead_department,
        "tracking_url": url,
        # The code is the resident's: printed only by who may see the petitioner in full (the station's staff).
        "rating_code": petition.rating_code if petitioner.level is privacy.Access.FULL else "",
        "qr": desk.qr_data_uri(url),
        "station": petition.station,
        "today": timezone.localdate(),
        "nav_active": "ledger",
    }
    return _no_store(render(request, "petitions/feedback_letter.html", context))


# --------------------------------------------------------------------------- the office's triage list


class TriageView(PermissionMixin, TemplateView):
    """What reception days brought and nobody has routed yet, by reception day, with the
    LIAISON_TRIAGE_WORKING_DAYS deadline; returned items first."""

    permission = "petitions.triage_petition"
    template_name = "petitions/triage.html"
    nav_active = "triage"
    LIMIT = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        form = TriageFilterForm(self.request.GET or None, user=user)
        qs = (
            Petition.objects.visible_to(user)
            .filter(status__in=workflow.AWAITING_TRIAGE)
            .select_related("station", "event", "category", "jurisdiction")
        )
        if form.is_valid():
            data = form.cleaned_data
            if data.get("station"):
                qs = qs.filter(station=data["station"])
            if data.get("urgent"):
                qs = qs.filter(urgency="urgent")
            if data.get("returned"):
                qs = qs.filter(assignments__state=Assignment.State.RETURNED).distinct()
        total = qs.count()
        rows = list(qs.order_by("received_on", "pk")[: self.LIMIT])
        returned = set(
            Assignment.objects.filter(petition__in=[p.pk for p in rows], state=Assignment.State.RETURNED).values_list(
                "petition_id", flat=True
            )
        )
        groups, index = [], {}
        for p in rows:
            due = handling.triage_due(p)
            key = (p.event_id or 0, p.received_on if not p.event_id else None, p.station_id)
            if key not in index:
                index[key] = {
                    "event": p.event,
                    "station": p.station,
                    "received_on": p.received_on,
                    "due": due,
                    "rows": [],
                }
                groups.append(index[key])
            index[key]["rows"].append({"p": p, "due": due, "late": due < today, "returned": p.pk in returned})
        context.update(
            filter=form,
            groups=groups,
            total=total,
            shown=len(rows),
            late=sum(1 for g in groups for r in g["rows"] if r["late"]),
            returned_count=len(returned),
            triage_days=settings.LIAISON_TRIAGE_WORKING_DAYS,
            today=today,
            can_assign=user.has_perm("petitions.triage_petition"),
            export_query=_with_export(self.request.GET),
        )
        return context

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("export") == "xlsx":
            return _triage_workbook(self.request.user, context)
        return _no_store(super().render_to_response(context, **kwargs))


def _with_export(params) -> str:
    query = params.copy()
    query["export"] = "xlsx"
    return "?" + query.urlencode()


def _triage_workbook(user, context):
    rows, n = [], 0
    for group in context["groups"]:
        for r in group["rows"]:
            p, n = r["p"], n + 1
            rows.append(
                [
                    n,
                    p.tracking_number,
                    p.received_on,
                    group["event"].date if group["event"] else None,
                    p.station.name if p.station else "",
                    privacy.Petitioner(user, p).name,
                    p.content,
                    str(p.category or ""),
                    p.jurisdiction.name,
                    p.get_urgency_display(),
                    p.get_status_display(),
                    r["due"],
                    _("Yes") if r["returned"] else "",
                ]
            )
    header = [
        _("No."),
        _("Tracking number"),
        _("Date received"),
        _("Reception day"),
        _("Station"),
        _("Petitioner"),
        _("Content"),
        _("Category"),
        _("Community"),
        _("Urgency"),
        _("Status"),
        _("Route by"),
        _("Returned"),
    ]
    return xlsx_response(
        f"{_('To triage')}-{timezone.localdate():%Y%m%d}.xlsx",
        Sheet(str(_("To triage")), header, rows, widths=[6, 16, 12, 12, 24, 10, 60, 18, 14, 8, 10, 12, 8]),
    )


class TriageFilterForm(forms.Form):
    station = forms.ModelChoiceField(
        label=gettext_lazy("Station"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All stations"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    returned = forms.BooleanField(
        label=gettext_lazy("Returned by a department"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from stations.models import Station

        self.fields["station"].queryset = Station.objects.visible_to(user).order_by("code")


# --------------------------------------------------------------------------- the department desk


class DepartmentPortalView(PermissionMixin, TemplateView):
    """A department's items: to accept, in hand, co-handling, extensions, answered, returned."""

    permission = "petitions.handle_petition"
    template_name = "petitions/department_portal.html"
    nav_active = "department"
    TABS = (
        ("new", gettext_lazy("To accept")),
        ("in_hand", gettext_lazy("In hand")),
        ("co", gettext_lazy("Co-handling")),
        ("done", gettext_lazy("Answered")),
        ("returned", gettext_lazy("Returned")),
    )
    LIMIT = 300

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        departments = list(user.departments.filter(is_active=True).order_by("name")) if user.is_authenticated else []
        shares = Assignment.objects.filter(department__in=departments)
        chosen = self.request.GET.get("department")
        if chosen and chosen.isdigit() and any(d.pk == int(chosen) for d in departments):
            shares = shares.filter(department_id=int(chosen))
        from petitions.supervision.selectors import Light, light_bounds

        bounds = light_bounds(today)  # the rows' lights and these counts share one definition
        open_ = workflow.share_running_q()  # a suspended item's clock stands still: no light
        counts = shares.aggregate(
            new=Count("pk", filter=Q(role="lead", state="pending")),
            in_hand=Count("pk", filter=Q(role="lead", state="accepted")),
            co=Count("pk", filter=Q(role="co", state__in=ACTIVE_ASSIGNMENT_STATES)),
            done=Count("pk", filter=Q(state="done", done_at__gte=timezone.now() - timedelta(days=90))),
            returned=Count("pk", filter=Q(state="returned", done_at__gte=timezone.now() - timedelta(days=90))),
            red=Count("pk", filter=open_ & bounds.q(Light.RED)),
            amber=Count("pk", filter=open_ & bounds.q(Light.AMBER)),
        )
        tab = self.request.GET.get("tab") or ("new" if counts["new"] else "in_hand")
        tab = tab if tab in dict(self.TABS) else "new"
        filters = {
            "new": Q(role="lead", state="pending"),
            "in_hand": Q(role="lead", state="accepted"),
            "co": Q(role="co", state__in=ACTIVE_ASSIGNMENT_STATES),
            "done": Q(state="done", done_at__gte=timezone.now() - timedelta(days=90)),
            "returned": Q(state="returned", done_at__gte=timezone.now() - timedelta(days=90)),
        }
        order = ("-done_at",) if tab in ("done", "returned") else ("due_on", "pk")
        rows = list(
            shares.filter(filters[tab])
            .select_related("petition", "petition__category", "petition__station", "department")
            .order_by(*order)[: self.LIMIT]
        )
        pending_ext = set(
            ExtensionRequest.objects.filter(assignment__in=[r.pk for r in rows], state="pending").values_list(
                "assignment_id", flat=True
            )
        )
        for row in rows:
            running = row.is_open and row.petition.status in workflow.AWAITING_REPLY
            row.light = str(bounds.classify(row.due_on)) if running else ""
            row.suspended_until = row.petition.suspended_until if row.petition.status in workflow.SUSPENDED else None
            row.extension_pending = row.pk in pending_ext
        self.export_rows = rows
        context.update(
            departments=departments,
            chosen=chosen or "",
            tabs=[(key, label, counts[key]) for key, label in self.TABS],
            tab=tab,
            rows=rows,
            counts=counts,
            today=today,
            notices_open=_open_notices(departments),
            export_query=f"?tab={tab}&export=xlsx" + (f"&department={chosen}" if chosen else ""),
        )
        return context

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("export") == "xlsx":
            return _desk_workbook(self.request.user, context)
        return _no_store(super().render_to_response(context, **kwargs))


def _desk_workbook(user, context):
    tab_label = {k: label for k, label, _n in context["tabs"]}[context["tab"]]
    rows = []
    for n, share in enumerate(context["rows"], start=1):
        p = share.petition
        rows.append(
            [
                n,
                p.tracking_number,
                p.received_on,
                privacy.Petitioner(user, p).name,
                p.content,
                str(p.category or ""),
                share.get_role_display(),
                share.department.name,
                share.due_on,
                share.get_state_display(),
                {"red": _("Overdue"), "amber": _("Due soon"), "green": _("On time")}.get(share.light, ""),
            ]
        )
    header = [
        _("No."),
        _("Tracking number"),
        _("Date received"),
        _("Petitioner"),
        _("Content"),
        _("Category"),
        _("Role"),
        _("Department"),
        _("Deadline"),
        _("State"),
        _("Deadline light"),
    ]
    return xlsx_response(
        f"{_('Department desk')}-{tab_label}-{timezone.localdate():%Y%m%d}.xlsx",
        Sheet(str(tab_label), header, rows, widths=[6, 16, 12, 10, 60, 18, 8, 24, 12, 12, 10]),
    )


def _open_notices(departments) -> int:
    from petitions.models import SupervisionNotice

    return SupervisionNotice.objects.filter(department__in=departments, state=SupervisionNotice.State.OPEN).count()


# --------------------------------------------------------------------------- deadline rules


class RuleForm(forms.Form):
    """One (route, urgency) row of the rules page: this jurisdiction's own numbers, or inherit."""

    own = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    working_days = forms.IntegerField(
        min_value=1, max_value=250, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )
    co_working_days = forms.IntegerField(
        min_value=1, max_value=250, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )

    def clean(self):
        data = super().clean()
        days, co_days = data.get("working_days"), data.get("co_working_days")
        if days and co_days and co_days > days:
            self.add_error("co_working_days", _("Co-handlers cannot have longer than the lead."))
        return data


def may_change_rules(user) -> bool:
    """Offices set the rules of their own jurisdiction; the system administrator the defaults."""
    if not user.has_perm("petitions.change_deadlinerule"):
        return False
    return user.is_system_admin or bool(user.jurisdiction_id)


def _rule_rows(user, data=None) -> list[dict]:
    """The rules as they apply in the user's jurisdiction (the defaults for the administrator)."""
    jurisdiction = None if user.is_system_admin else user.jurisdiction
    area = jurisdiction.code if jurisdiction else ""
    rows = []
    for default in DeadlineRule.objects.filter(jurisdiction__isnull=True).order_by("route", "-urgency"):
        effective = handling.deadline_rule(route=default.route, urgency=default.urgency, area_code=area) or default
        own = effective if jurisdiction and effective.jurisdiction_id == jurisdiction.pk else None
        if jurisdiction is None:
            own = default
        prefix = f"{default.route}-{default.urgency}"
        initial = {
            "own": own is not None,
            "working_days": effective.working_days,
            "co_working_days": effective.co_working_days,
        }
        rows.append(
            {
                "route": default.route,
                "urgency": default.urgency,
                "route_label": default.get_route_display(),
                "urgency_label": default.get_urgency_display(),
                "effective": effective,
                "own": own,
                "inherited_from": None if own else (effective.jurisdiction.name if effective.jurisdiction_id else ""),
                "form": RuleForm(data, prefix=prefix, initial=initial),
            }
        )
    return rows


@login_required
def deadline_rules(request):
    require_perm(request.user, "petitions.view_deadlinerule")
    user = request.user
    can_change = may_change_rules(user)
    jurisdiction = None if user.is_system_admin else user.jurisdiction
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        rows = _rule_rows(user, request.POST)
        if all(row["form"].is_valid() for row in rows):
            with transaction.atomic():
                for row in rows:
                    data = row["form"].cleaned_data
                    effective = row["effective"]
                    changed = (data["working_days"], data["co_working_days"]) != (
                        effective.working_days,
                        effective.co_working_days,
                    )
                    # Typing other numbers on an inherited row makes them this jurisdiction's own;
                    # unticking an own row follows the rule above again.
                    wants_own = data["own"] or (row["own"] is None and changed)
                    if jurisdiction is not None and not wants_own:
                        DeadlineRule.objects.filter(
                            jurisdiction=jurisdiction, route=row["route"], urgency=row["urgency"]
                        ).delete()
                        continue
                    DeadlineRule.objects.update_or_create(
                        jurisdiction=jurisdiction,
                        route=row["route"],
                        urgency=row["urgency"],
                        defaults={
                            "working_days": data["working_days"],
                            "co_working_days": data["co_working_days"],
                            "updated_by": user,
                        },
                    )
            messages.success(request, _("The deadline rules were saved; they apply to items assigned from now on."))
            return redirect("petitions:rules")
        messages.error(request, _("Some rules could not be saved: see the marked fields."))
    else:
        rows = _rule_rows(user)
    return render(
        request,
        "petitions/deadline_rules.html",
        {
            "rows": rows,
            "can_change": can_change,
            "jurisdiction": jurisdiction,
            "suggestion_months": settings.LIAISON_SUGGESTION_MONTHS,
            "suggestion_complex_months": settings.LIAISON_SUGGESTION_COMPLEX_MONTHS,
            "triage_days": settings.LIAISON_TRIAGE_WORKING_DAYS,
            "nav_active": "rules",
        },
    )
