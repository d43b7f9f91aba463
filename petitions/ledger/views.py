"""The ledger (台账) and one petition's page, with the small actions on it.

Petitions come from `Petition.objects.visible_to(user)` only: outside the scope
is 404, inside but not permitted is 403. Writes go through `petitions.ledger.services`;
a refused write (`PetitionError`) shows its message and keeps what was typed.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, TemplateView

from liaison import uploads
from liaison.web import PermissionMixin, no_store, require_perm, safe_next
from petitions.handling.policy import may_edit
from petitions.ledger import listing as ledger
from petitions.ledger import privacy, sealed_search, selectors, services
from petitions.ledger.querysets import access_petition
from petitions.models import Petition, PetitionAttachment, SavedFilter

VIEW = "petitions.view_petition"
ANNOTATE = "petitions.annotate_petition"
CHANGE = "petitions.change_petition"
REPLY = "petitions.reply_online_petition"
# Attachments a browser may show in the page; everything else downloads.


def scoped_petition(request, pk, perm=VIEW) -> Petition:
    """The petition if the user can see it (else 404), and may do `perm` (else 403).
    Every view of one petition, here and at the desk, fetches it this way."""
    petition = access_petition(
        request.user,
        pk,
        queryset=Petition.objects.select_related(
            "station",
            "event",
            "jurisdiction",
            "category",
            "category__parent",
            "lead_department",
            "registered_by",
            "linked_to",
            "owner_office",
            "handling_office",
        ),
    )
    require_perm(request.user, perm)
    if perm == CHANGE and not may_edit(request.user, petition):
        raise PermissionDenied  # an office above reads the item; its owner and handler change it
    return petition


def _detail_url(petition, anchor=""):
    return reverse("petitions:detail", args=[petition.pk]) + (f"#{anchor}" if anchor else "")


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --------------------------------------------------------------------------- the ledger


class LedgerView(PermissionMixin, TemplateView):
    permission = VIEW
    nav_active = "ledger"
    template_name = "petitions/petition_list.html"

    def get(self, request, *args, **kwargs):
        if sealed := sealed_search.seal(request):  # a phone or ID number never stays in the address
            return redirect(sealed)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        form = ledger.ledger_filter(user, sealed_search.unsealed(request))
        paginator = ledger.KeysetPaginator(form.filter(ledger.ledger_base(user)), form.ordering, form.page_size)
        page = paginator.page(request.GET.get("cursor", ""))
        total, capped = paginator.count()
        query = ledger.filter_query(request.GET)
        context.update(
            filter=form,
            page=page,
            rows=ledger.ledger_rows(user, page.rows),
            total=total,
            total_capped=capped,
            sorts=_sort_links(request.GET, form.ordering),
            filter_query=query,
            export_url=reverse("petitions:export") + (f"?{query}" if query else ""),
            saved_filters=SavedFilter.objects.filter(owner=user).order_by("name"),
            awaiting=selectors.awaiting_first_reply(user),
            is_representative=selectors.own_representative_id(user) is not None,
            can_export=user.has_perm("petitions.export_petition"),
            can_personal_data=user.has_perm("petitions.manage_personal_data"),
            can_add=user.has_perm("petitions.add_petition"),
            can_annotate=user.has_perm(ANNOTATE),
            today=timezone.localdate(),
        )
        return context

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


def _sort_links(params: QueryDict, current: str) -> dict:
    """Header links for each sortable column: a click sorts by it, a second click reverses; the cursor goes."""
    links = {}
    for key in ledger.SORTS:
        if current == key:
            new, direction = f"-{key}", "asc"
        elif current == f"-{key}":
            new, direction = key, "desc"
        else:
            new, direction = f"-{key}" if key in ("received", "due") else key, ""
        query = params.copy()
        query.pop("cursor", None)
        query["sort"] = new
        links[key] = {"href": f"?{query.urlencode()}", "direction": direction}
    return links


# --------------------------------------------------------------------------- saved filters


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    query = forms.CharField(required=False, max_length=2000)


def _clean_filter_query(raw: str) -> str:
    """Only the ledger's own keys, without the cursor."""
    params = QueryDict(raw or "", mutable=True)
    known = set(ledger.LedgerFilterForm.base_fields)
    for key in list(params):
        if key not in known:
            params.pop(key)
    return ledger.filter_query(params)


@login_required
@require_POST
def filter_save(request):
    require_perm(request.user, VIEW)
    form = SavedFilterForm(request.POST)
    query = _clean_filter_query(request.POST.get("query", ""))
    back = reverse("petitions:ledger") + (f"?{query}" if query else "")
    if not form.is_valid():
        messages.error(request, _("Give the filter a name of at most 64 characters."))
        return redirect(back)
    name = form.cleaned_data["name"].strip()
    _saved, created = SavedFilter.objects.update_or_create(owner=request.user, name=name, defaults={"query": query})
    if created:
        messages.success(request, _("The filter “%(name)s” is saved.") % {"name": name})
    else:
        messages.success(request, _("The filter “%(name)s” now holds the current choices.") % {"name": name})
    return redirect(back)


@login_required
@require_POST
def filter_delete(request, pk):
    require_perm(request.user, VIEW)
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, _("The filter “%(name)s” is deleted.") % {"name": saved.name})
    return redirect("petitions:ledger")


# --------------------------------------------------------------------------- one petition


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your reply"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The resident sees this reply on the public tracking page."),
    )


class PetitionDetailView(PermissionMixin, DetailView):
    permission = VIEW
    nav_active = "ledger"
    template_name = "petitions/petition_detail.html"
    context_object_name = "petition"

    def get_queryset(self):
        return Petition.objects.visible_to(self.request.user).select_related(
            "station",
            "event",
            "jurisdiction",
            "category",
            "category__parent",
            "lead_department",
            "registered_by",
            "owner_office",
            "handling_office",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object, **kwargs))
        return context

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


def detail_context(request, petition, *, note_form=None, reply_form=None, revealed=None, **_ignored) -> dict:
    user = request.user
    detail = selectors.petition_detail(user, petition)
    on_item = detail.own_link is not None
    can_reply = user.has_perm(REPLY) and on_item and detail.online is not None
    can_annotate = user.has_perm(ANNOTATE) and on_item
    revealed = revealed or {}
    petitioner = detail.petitioner
    identity = [
        {
            "field": name,
            "label": label,
            "value": revealed.get(name, getattr(petitioner, attr)),
            "revealed": name in revealed,
            "can_reveal": petitioner.can_reveal and bool(getattr(petition, name)),
        }
        for name, attr, label in (
            ("petitioner_name", "name", _("Full name")),
            ("petitioner_phone", "phone", _("Mobile phone")),
            ("petitioner_address", "address", _("Address")),
        )
    ]
    from petitions.handling.views import handling_context

    return {
        "detail": detail,
        "handling": handling_context(user, petition),
        "petitioner": petitioner,
        "identity": identity,
        "reveal_purposes": privacy.RevealPurpose.choices,
        "can_edit": user.has_perm(CHANGE) and may_edit(user, petition),
        # The slip is masked like the ledger, so whoever sees the item may print it.
        "can_receipt": True,
        "is_overdue": petition.is_overdue(),
        "can_annotate": can_annotate,
        "can_reply": can_reply,
        "note_form": note_form or (NoteForm() if can_annotate else None),
        "reply_form": reply_form or (ReplyForm() if can_reply else None),
        "today": timezone.localdate(),
        "nav_active": "ledger",
    }


def _render_detail(request, petition, *, status=200, **extra):
    context = {"petition": petition, "object": petition, **detail_context(request, petition, **extra)}
    return no_store(render(request, "petitions/petition_detail.html", context, status=status))


class RevealForm(forms.Form):
    """Why the user needs a petitioner's value in full (stored with the `revealed` event)."""

    purpose = forms.ChoiceField(label=gettext_lazy("Why do you need it?"), choices=privacy.RevealPurpose.choices)
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("purpose") == privacy.RevealPurpose.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Write why you need to see it."))
        return data


@login_required
@require_POST
def reveal(request, pk):
    """The full value of one masked field (name, phone or address) for a stated purpose, logged as a `revealed` event.

    A missing purpose or the hourly limit answers with the masked value and the
    message (a 429 for the limit on a whole page; htmx swaps only 2xx answers).
    """
    petition = scoped_petition(request, pk)
    if not privacy.may_reveal(request.user, petition):
        raise PermissionDenied
    what = request.POST.get("field", "")
    if what not in privacy.REVEALABLE:
        return HttpResponseBadRequest(_("Nothing to reveal."))
    form = RevealForm(request.POST)
    status, error = 200, ""
    if form.is_valid():
        try:
            value = services.petition_reveal(
                actor=request.user,
                petition=petition,
                what=what,
                purpose=form.cleaned_data["purpose"],
                note=form.cleaned_data["note"].strip(),
            )
        except services.RevealLimitReached as refused:
            status, error = 429, str(refused)
        else:
            if _is_htmx(request):
                context = {"field": what, "value": value, "revealed": True, "petition": petition}
                return no_store(render(request, "petitions/_reveal.html", context))
            return _render_detail(request, petition, revealed={what: value})
    else:
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    if _is_htmx(request):
        petitioner = privacy.Petitioner(request.user, petition)
        context = {
            "field": what,
            "value": getattr(petitioner, what.removeprefix("petitioner_")),
            "can_reveal": petitioner.can_reveal,
            "petition": petition,
            "reveal_purposes": privacy.RevealPurpose.choices,
            "reveal_error": error,
        }
        return no_store(render(request, "petitions/_reveal.html", context))
    messages.error(request, error)
    return _render_detail(request, petition, status=status if status != 200 else 400)


@sensitive_post_parameters()
@login_required
@require_POST
def note_add(request, pk):
    petition = scoped_petition(request, pk, ANNOTATE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.petition_note_add(actor=request.user, petition=petition, text=form.cleaned_data["text"])
        except services.PetitionError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("The note is added."))
            return redirect(_detail_url(petition, "notes"))
    return _render_detail(request, petition, note_form=form)


@login_required
@require_POST
def follow_up(request, pk):
    """Set or clear the representative's own follow-up mark (`on` = 1 or 0)."""
    petition = scoped_petition(request, pk, ANNOTATE)
    on = request.POST.get("on") == "1"
    try:
        services.petition_mark_follow_up(actor=request.user, petition=petition, on=on)
    except services.PetitionError as error:
        messages.error(request, str(error))
    else:
        number = {"number": petition.tracking_number}
        if on:
            messages.success(request, _("Item %(number)s is marked for follow-up.") % number)
        else:
            messages.success(request, _("The follow-up mark of %(number)s is removed.") % number)
    return redirect(safe_next(request, _detail_url(petition)))


@sensitive_post_parameters()
@login_required
@require_POST
def reply_online(request, pk):
    """A representative's public reply to an online item; the first one meets the 24-hour duty."""
    petition = scoped_petition(request, pk, REPLY)
    form = ReplyForm(request.POST)
    if petition.first_reply_due_at is None:
        form.add_error(None, _("Only items that arrived online are answered here."))
    elif form.is_valid():
        try:
            services.petition_reply_online(actor=request.user, petition=petition, text=form.cleaned_data["text"])
        except services.PetitionError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Your reply is published on the tracking page."))
            return redirect(_detail_url(petition, "reply"))
    return _render_detail(request, petition, reply_form=form)


@login_required
@require_GET
def attachment(request, pk, file_pk):
    """A photo or document of a petition in the user's scope; none for those who may not see the petitioner."""
    petition = scoped_petition(request, pk)
    if selectors.attachments_hidden(request.user, petition):
        raise Http404
    item = get_object_or_404(PetitionAttachment, petition=petition, pk=file_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = uploads.file_response(handle, content_type=item.content_type, filename=item.original_name)
    response["Cache-Control"] = "private, max-age=600"
    return response
