"""Representative suggestions (代表建议): the list with its Excel export, the form that drafts
or edits one, its page with the action forms, and the printable sheet.

Suggestions come from `Suggestion.objects.visible_to(user)` only (one through
`access_suggestion`): outside the scope is 404, inside but not permitted is 403. Writes go through `petitions.suggestions.services`; a refused
write (`PetitionError`, a version conflict among them) shows its message in the form and
keeps what was typed.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import DetailView, ListView

from liaison.excel import xlsx_download
from liaison.web import PermissionMixin, no_store, require_perm
from petitions.handling.models import Suggestion
from petitions.ledger.services import PetitionError
from petitions.models import Petition
from petitions.suggestions import export as suggestion_export
from petitions.suggestions import policy, selectors, workflow
from petitions.suggestions import services as suggestions
from petitions.suggestions.forms import SuggestionFilterForm, SuggestionForm, action_form
from petitions.suggestions.querysets import access_suggestion
from stations.network.views import PAGE_SIZE

VIEW, ADD, CHANGE = suggestions.VIEW, suggestions.ADD, suggestions.CHANGE
NAV = "suggestions"

SUCCESS = {
    "assign": lambda s: (
        _("Suggestion %(number)s is assigned to %(department)s, reply by %(due)s.")
        % {"number": s.number, "department": s.department.name, "due": s.due_on.isoformat()}
    ),
    "pre_meeting": lambda s: _("The pre-handling meeting is recorded."),
    "reply": lambda s: _("The reply is recorded; every item the suggestion came from now has the answer."),
    "rate": lambda s: _("Thank you: your satisfaction form is recorded."),
    "close": lambda s: _("Suggestion %(number)s is closed.") % {"number": s.number},
}


_RELATED = ("lead_representative", "department", "jurisdiction", "created_by", "complex_approved_by")


def scoped_suggestion(request, pk, perm=VIEW) -> Suggestion:
    """The suggestion if the user can see it (else 404), and holds `perm` (else 403)."""
    suggestion = access_suggestion(request.user, pk, queryset=Suggestion.objects.select_related(*_RELATED))
    require_perm(request.user, perm)
    return suggestion


def _detail_url(suggestion, anchor=""):
    return reverse("petitions:suggestion_detail", args=[suggestion.pk]) + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------- the list


class SuggestionListView(PermissionMixin, ListView):
    permission = VIEW
    nav_active = NAV
    template_name = "petitions/suggestion_list.html"
    context_object_name = "suggestions"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filter = SuggestionFilterForm(self.request.GET, user=self.request.user)
        return self.filter.filtered().annotate(item_count=Count("petitions"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query = query.urlencode()
        context.update(
            filter=self.filter,
            export_url=reverse("petitions:suggestion_export") + (f"?{query}" if query else ""),
            can_add=self.request.user.has_perm(ADD),
            today=timezone.localdate(),
        )
        return context


@login_required
@require_GET
def export(request):
    """The filtered list as .xlsx, written now (a suggestion list is small)."""
    require_perm(request.user, VIEW)
    form = SuggestionFilterForm(request.GET, user=request.user)
    user = request.user
    scope = user.jurisdiction.name if user.jurisdiction_id else ""
    title = _("Representative suggestions (%(scope)s)") % {"scope": scope} if scope else _("Representative suggestions")
    subtitle = _("Exported %(when)s.") % {"when": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    target = tempfile.TemporaryFile()
    rows = suggestion_export.write_export(form.filtered(), target, title=title, subtitle=subtitle)
    target.seek(0)
    name = f"{_('Representative suggestions')}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_download(name, target, rows=rows)


# --------------------------------------------------------------------------- drafting and editing


def _prefill_numbers(request) -> str:
    """`?petitions=<id>,<id>` (the item page's "Turn into a suggestion" button): their tracking
    numbers, one a line; ids the user cannot see are left out."""
    ids = [int(x) for x in request.GET.get("petitions", "").replace(" ", "").split(",") if x.isdigit()][:200]
    if not ids:
        return ""
    numbers = (
        Petition.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .order_by("received_on", "pk")
        .values_list("tracking_number", flat=True)
    )
    return "\n".join(numbers)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    require_perm(request.user, ADD)
    if request.method == "POST":
        form = SuggestionForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                suggestion = suggestions.suggestion_draft(
                    actor=request.user,
                    title=data["title"],
                    content=data["content"],
                    lead_representative=data["lead_representative"],
                    co_signers=data["co_signers"],
                    petitions=data["petition_numbers"],
                )
            except PetitionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Suggestion %(number)s is drafted.") % {"number": suggestion.number})
                return redirect(_detail_url(suggestion))
    else:
        form = SuggestionForm(user=request.user, initial={"petition_numbers": _prefill_numbers(request)})
    return no_store(render(request, "petitions/suggestion_form.html", {"form": form, "nav_active": NAV}))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """A draft's fields and more items; an assigned suggestion only gains items."""
    suggestion = scoped_suggestion(request, pk, CHANGE)
    if suggestion.status not in workflow.GATHERING:
        messages.error(
            request,
            _("This suggestion can no longer be edited: it is “%(status)s”.")
            % {"status": suggestion.get_status_display()},
        )
        return redirect(_detail_url(suggestion))
    initial = {
        "title": suggestion.title,
        "content": suggestion.content,
        "lead_representative": suggestion.lead_representative_id,
        "co_signers": list(suggestion.co_signers.values_list("pk", flat=True)),
    }
    if request.method == "POST":
        form = SuggestionForm(request.POST, user=request.user, suggestion=suggestion, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # Both or neither: the text is not saved if the items are refused.
                with transaction.atomic():
                    version = data["version"]
                    if not form.adds_only:
                        suggestions.suggestion_update(
                            actor=request.user,
                            suggestion=suggestion,
                            title=data["title"],
                            content=data["content"],
                            lead_representative=data["lead_representative"],
                            co_signers=data["co_signers"],
                            version=version,
                        )
                        version = None
                    if data["petition_numbers"]:
                        suggestions.suggestion_add_petitions(
                            actor=request.user,
                            suggestion=suggestion,
                            petitions=data["petition_numbers"],
                            version=version,
                        )
            except PetitionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Suggestion %(number)s is saved.") % {"number": suggestion.number})
                return redirect(_detail_url(suggestion))
    else:
        form = SuggestionForm(user=request.user, suggestion=suggestion, initial=initial)
    context = {
        "form": form,
        "suggestion": suggestion,
        "nav_active": NAV,
        "sources": selectors.source_petitions(request.user, suggestion),
    }
    return no_store(render(request, "petitions/suggestion_form.html", context))


# --------------------------------------------------------------------------- one suggestion


class SuggestionDetailView(PermissionMixin, DetailView):
    permission = VIEW
    nav_active = NAV
    template_name = "petitions/suggestion_detail.html"
    context_object_name = "suggestion"

    def get_queryset(self):
        return Suggestion.objects.visible_to(self.request.user).select_related(*_RELATED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


def detail_context(request, suggestion, bound=None) -> dict:
    """The page's parts; `bound` is the (action, form) that was posted with an error."""
    user = request.user
    actions = policy.moves_for(user, suggestion)
    forms = {}
    for action in actions:
        if bound and bound[0] == action:
            forms[action] = bound[1]
        else:
            forms[action] = action_form(action, user, suggestion)
    return {
        "sources": selectors.source_petitions(user, suggestion),
        "co_signers": list(suggestion.co_signers.order_by("name", "pk")),
        "timeline": selectors.timeline(suggestion),
        "forms": forms,
        "can_edit": user.has_perm(CHANGE) and suggestion.status in workflow.GATHERING,
        "is_draft": suggestion.status == Suggestion.Status.DRAFT,
        "is_overdue": workflow.is_overdue(suggestion, timezone.localdate()),
        "rating_wait_days": policy.RATING_WAIT_DAYS,
        "nav_active": NAV,
    }


@login_required
@require_http_methods(["GET", "POST"])
def act(request, pk, action):
    """One action of the suggestion's page (assign, pre_meeting, reply, rate, close)."""
    if action not in workflow.PAGE_MOVES:
        raise Http404
    suggestion = scoped_suggestion(request, pk)
    if not policy.may(request.user, suggestion, workflow.Move(action)):
        raise PermissionDenied
    if request.method == "GET":
        return redirect(_detail_url(suggestion, action))
    form = action_form(action, request.user, suggestion, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        service = getattr(suggestions, f"suggestion_{action}")
        try:
            done = service(actor=request.user, suggestion=suggestion, **data)
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, SUCCESS[action](done))
            return redirect(_detail_url(done))
    context = {"suggestion": suggestion, "object": suggestion, **detail_context(request, suggestion, (action, form))}
    context["forms"].setdefault(action, form)  # shown even when the status moved on, with its error
    return no_store(render(request, "petitions/suggestion_detail.html", context))


@login_required
@require_GET
def print_view(request, pk):
    """The suggestion on A4 in the usual official layout."""
    suggestion = scoped_suggestion(request, pk)
    context = {
        "suggestion": suggestion,
        "co_signers": list(suggestion.co_signers.order_by("name", "pk")),
        "sources": selectors.source_petitions(request.user, suggestion),
        "printed_on": timezone.localdate(),
    }
    return no_store(render(request, "petitions/suggestion_print.html", context))
