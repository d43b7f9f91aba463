"""The office's forms and pages: triage, assignment, answers at triage, escalation between offices,
extension decisions, suspension."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from liaison import workdays
from liaison.jurisdictions import ASSIGNMENT_RULE_HELP, departments_for_assignment
from liaison.models import Office
from petitions.handling import policy, services
from petitions.handling.deadlines import deadline_for
from petitions.handling.forms.base import DATE, MoveForm, Page, _text
from petitions.handling.workflow import Move
from petitions.models import Department, Route, Urgency


class TriageForm(MoveForm):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    is_hard_problem = forms.BooleanField(label=_("Long-standing hard problem (难愁盼)"), required=False)
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=64, required=False)
    note = _text(_("Note for the record"), rows=2, required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].initial = self.petition.urgency
        self.fields["is_hard_problem"].initial = self.petition.is_hard_problem
        self.fields["responsible_leader"].initial = self.petition.responsible_leader


class AssignForm(MoveForm):
    department = forms.ModelChoiceField(
        label=_("Lead department (主办)"), queryset=Department.objects.none(), help_text=ASSIGNMENT_RULE_HELP
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=_("Co-handling departments (协办)"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl to choose several. They give their part to the lead department."),
    )
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=64, required=False)
    due_on = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    co_due_on = forms.DateField(label=_("Co-handlers' deadline"), required=False, widget=DATE)
    note = _text(_("Instructions to the department"), rows=3, required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = departments_for_assignment(self.user).select_related("jurisdiction")
        self.fields["department"].queryset = departments
        self.fields["co_departments"].queryset = departments
        self.fields["responsible_leader"].initial = self.petition.responsible_leader
        due, co_due = deadline_for(route=Route.DIRECT, urgency=self.petition.urgency, area_code=self.petition.area_code)
        self.default_due, self.default_co_due = due, co_due
        today = timezone.localdate()
        self.fields["due_on"].help_text = _("Empty: %(days)s working days by the rules, that is %(due)s.") % {
            "days": workdays.working_days_between(today, due, place=self.petition.area_code),
            "due": date_format(due, "Y-m-d"),
        }
        self.fields["co_due_on"].help_text = _("Empty: %(due)s.") % {"due": date_format(co_due, "Y-m-d")}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        due, co_due = data.get("due_on"), data.get("co_due_on")
        if due and due < today:
            self.add_error("due_on", _("The deadline cannot be in the past."))
        if co_due and co_due < today:
            self.add_error("co_due_on", _("The deadline cannot be in the past."))
        if co_due and co_due > (due or self.default_due):
            self.add_error("co_due_on", _("Co-handlers give their part before the lead's deadline."))
        lead = data.get("department")
        if lead and lead in (data.get("co_departments") or []):
            self.add_error("co_departments", _("The lead department cannot also be a co-handler."))
        return data


class EscalateForm(MoveForm):
    """Hand the item to an office above: which one, why, and the lower office's note."""

    office = forms.ModelChoiceField(
        label=_("Office above"),
        queryset=Office.objects.none(),
        empty_label=None,
        help_text=_("The item waits in that office's triage list; the answer comes back to the item's own office."),
    )
    reason = _text(_("Why a higher level should handle it"), rows=4, max_length=2000)
    note = _text(_("Note from our office"), rows=3, required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = policy.escalation_targets(self.petition)
        self.fields["office"].queryset = Office.objects.filter(pk__in=[o.pk for o in targets]).order_by(
            "-jurisdiction__code"
        )
        if targets:
            self.fields["office"].initial = targets[0].pk


class SendDownForm(MoveForm):
    explanation = _text(
        _("Explanation to the office below"),
        rows=5,
        max_length=2000,
        help_text=_("Why the matter is for the level below, and what it should do next."),
    )


class TakeOverForm(MoveForm):
    note = _text(_("Note for the record"), rows=3, required=False, max_length=2000)


class AnswerForm(MoveForm):
    """Consultation, on the spot, cannot be handled: what the resident is told."""

    text = _text(_("What the resident is told"), rows=6)


class OnTheSpotForm(AnswerForm):
    department = forms.ModelChoiceField(
        label=_("Street office or department that took it over"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for_assignment(self.user)


class DecideExtensionForm(MoveForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Approve or refuse the request.")},
    )
    due_on = forms.DateField(label=_("New deadline"), required=False, widget=DATE)
    note = _text(
        _("Note to the department"), rows=3, required=False, max_length=2000, help_text=_("Required when refusing.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_row = self.situation.pending_extension if self.situation else None
        if self.request_row is not None:
            self.fields["due_on"].initial = self.request_row.requested_due_on

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the extension is refused."))
        return data

    def arguments(self):
        return {**self.cleaned_data, "request": self.request_row}


class SuspendForm(MoveForm):
    reason = _text(
        _("Why handling is suspended"),
        rows=3,
        max_length=1000,
        help_text=_("For example: waiting for a court ruling or a planned project. The resident reads it."),
    )
    until = forms.DateField(
        label=_("Resume on"), widget=DATE, help_text=_("Handling resumes by itself on this day, or earlier by hand.")
    )

    def clean_until(self):
        value = self.cleaned_data["until"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("The resume date must be after today."))
        return value


class ResumeForm(MoveForm):
    note = _text(_("Note for the record"), rows=2, required=False, max_length=2000)


# -- each move's page: its form, its service, what the page and its button say -------------------


# Each move's page (`petitions.handling.views.act` serves them all).
PAGES: dict[Move, Page] = {
    Move.TRIAGE: Page(
        TriageForm,
        services.petition_triage,
        _("Triage: for a department"),
        _("Mark as triaged"),
        _("The item will be assigned to a department. Set its urgency and the leader responsible."),
        "outline-primary",
    ),
    Move.ASSIGN: Page(
        AssignForm,
        services.petition_assign,
        _("Assign to a department"),
        _("Assign"),
        _("The lead department answers the resident; co-handlers give their part to it. Deadlines count working days."),
    ),
    Move.CONSULT: Page(
        AnswerForm,
        services.petition_consult,
        _("Answer as a consultation"),
        _("Record the answer"),
        _("A question answered after consulting the department; no assignment."),
        "outline-primary",
    ),
    Move.ON_THE_SPOT: Page(
        OnTheSpotForm,
        services.petition_handle_on_the_spot,
        _("Handled on the spot"),
        _("Record"),
        _("A street-level matter the street office took over on the spot (当场交办)."),
        "outline-primary",
    ),
    Move.TO_SUGGESTION: Page(
        title=_("Turn into a suggestion"),
        style="outline-primary",
        url=lambda petition: reverse("petitions:suggestion_create") + f"?petitions={petition.pk}",
    ),
    Move.ESCALATE: Page(
        EscalateForm,
        services.petition_escalate,
        _("Refer to a higher level"),
        _("Hand the item up"),
        _(
            "A matter for a higher level: the office above finds it in its triage list, routes it like its own "
            "and its answer comes back here for feedback, rating and close-out."
        ),
        "outline-secondary",
    ),
    Move.SEND_DOWN: Page(
        SendDownForm,
        services.petition_send_down,
        _("Send back down"),
        _("Send back"),
        _("The item returns to the triage list of the office that handed it up, with your explanation."),
        "outline-secondary",
    ),
    Move.TAKE_OVER: Page(
        TakeOverForm,
        services.petition_take_over,
        _("Take the item over"),
        _("Take over"),
        _(
            "Your office becomes the item's owner: it feeds the answer back, has it rated and closes it out. "
            "The office below keeps reading it."
        ),
        "outline-secondary",
    ),
    Move.CANNOT_HANDLE: Page(
        AnswerForm,
        services.petition_cannot_handle,
        _("Cannot be handled"),
        _("Record the explanation"),
        _("The resident receives this written explanation."),
        "outline-danger",
    ),
    Move.DECIDE_EXTENSION: Page(
        DecideExtensionForm,
        services.petition_decide_extension,
        _("Decide on the extension"),
        _("Decide"),
    ),
    Move.SUPERVISE: Page(
        title=_("Supervision notice"),
        style="outline-warning",
        url=lambda petition: reverse("petitions:notice_create") + f"?petition={petition.pk}",
    ),
    Move.SUSPEND: Page(
        SuspendForm,
        services.petition_suspend,
        _("Suspend handling"),
        _("Suspend"),
        _("While suspended the deadline stands still; on resuming it moves forward by the working days lost."),
        "outline-secondary",
    ),
    Move.RESUME: Page(
        ResumeForm,
        services.petition_resume,
        _("Resume handling"),
        _("Resume"),
        _("The deadlines move forward by the working days the item was suspended."),
        "outline-primary",
    ),
}
