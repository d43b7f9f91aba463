"""The office's page for one resident's data-subject request (PIPL arts. 44-47): find what is
held about them in the office's jurisdiction, export it, correct it or remove it.

Everything travels in POST bodies, never in the address: a phone number in a URL
would land in access logs and browser histories.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from liaison.excel import xlsx_download
from liaison.web import require_perm
from petitions.ledger import subjects
from stations.network.models import mobile_validator


class SubjectForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"), max_length=11, required=False, validators=[mobile_validator]
    )
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=64, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("name")):
            raise forms.ValidationError(_("Enter the resident's mobile phone or full name."))
        return data


class CorrectForm(forms.Form):
    petitioner_name = forms.CharField(label=gettext_lazy("Correct full name"), max_length=64, required=False)
    petitioner_phone = forms.CharField(
        label=gettext_lazy("Correct mobile phone"), max_length=11, required=False, validators=[mobile_validator]
    )
    petitioner_address = forms.CharField(label=gettext_lazy("Correct address"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not any((v or "").strip() for v in data.values()):
            raise forms.ValidationError(_("Enter at least one corrected value."))
        return data


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """GET: the search form. POST `action` = find / export / correct / anonymise, with `phone`, `name` and
    the chosen `items`; every answer is the page again (or the workbook), so nothing goes into a URL."""
    require_perm(request.user, subjects.MANAGE)
    form = SubjectForm(request.POST if request.method == "POST" else None)
    correct_form = CorrectForm()
    records, chosen = None, set()
    if form.is_bound and form.is_valid():
        records = subjects.subject_find(request.user, **form.cleaned_data)
        action = request.POST.get("action", "find")
        picked = set(request.POST.getlist("items"))
        items = [p for p in records.petitions if str(p.pk) in picked]
        chosen = {p.pk for p in (items if action != "find" else records.petitions)}
        if action in ("export", "correct", "anonymise") and not items:
            messages.error(request, _("Choose at least one item."))
        elif action == "export":
            records.petitions = items
            content = subjects.subject_export(actor=request.user, records=records)
            return xlsx_download(f"personal-data-{timezone.localdate():%Y%m%d}.xlsx", content)
        elif action == "correct":
            correct_form = CorrectForm(request.POST)
            if correct_form.is_valid():
                count = subjects.subject_correct(actor=request.user, petitions=items, values=correct_form.cleaned_data)
                messages.success(request, _("%(count)d items corrected.") % {"count": count})
                correct_form = CorrectForm()
                records = subjects.subject_find(request.user, **form.cleaned_data)
        elif action == "anonymise":
            if request.POST.get("confirm") != "1":
                messages.error(request, _("Tick the box to confirm the removal."))
            else:
                count = subjects.subject_anonymise(actor=request.user, records=records, petitions=items)
                messages.success(
                    request, _("The resident's identity is removed from %(count)d items.") % {"count": count}
                )
                chosen = set()
    return render(
        request,
        "petitions/personal_data.html",
        {"form": form, "correct_form": correct_form, "records": records, "chosen": chosen, "nav_active": "ledger"},
        status=200 if not form.is_bound or form.is_valid() else 400,
    )
