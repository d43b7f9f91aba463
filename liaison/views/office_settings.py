"""The page 本级设置: an office's own settings (quotas, notice periods, online reply hours, SMS
signature), each with the value that applies in its jurisdiction and where that value comes from.

Who: an office its own (`liaison.change_officesettings`, 403 without it; another office's page is
a 404), the system administrator any office's, chosen on `/offices/settings/`. The rules are in
`liaison.office_settings`; the form validates only (`liaison.forms.OfficeSettingsForm`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison import office_settings
from liaison.forms import OfficeSettingsForm
from liaison.models import Office
from liaison.offices import office_of
from liaison.web import require_perm

CHANGE = "liaison.change_officesettings"


@login_required
@require_http_methods(["GET"])
def choose(request):
    """An office goes to its own page; the administrator picks an office (`?office=<pk>`)."""
    require_perm(request.user, CHANGE)
    user = request.user
    if not user.is_system_admin:
        own = office_of(user)
        if own is None:
            raise Http404
        return redirect("office_settings", pk=own.pk)
    if request.GET.get("office"):
        office = office_settings.office_for_settings(user, request.GET["office"])
        return redirect("office_settings", pk=office.pk)
    offices = Office.objects.select_related("jurisdiction").order_by("jurisdiction__code")
    return render(request, "liaison/office_settings_choose.html", {"offices": offices, "nav_active": "office_settings"})


@login_required
@require_http_methods(["GET", "POST"])
def page(request, pk):
    require_perm(request.user, CHANGE)
    office = office_settings.office_for_settings(request.user, pk)
    rows = office_settings.rows_for(office)
    if request.method == "POST":
        form = OfficeSettingsForm(request.POST, rows=rows)
        if form.is_valid():
            changed = office_settings.office_settings_save(office=office, actor=request.user, values=form.cleaned_data)
            if changed:
                messages.success(
                    request,
                    _("The settings were saved; they apply in %(place)s from now on.")
                    % {"place": office.jurisdiction.name},
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("office_settings", pk=office.pk)
        messages.error(request, _("Some settings could not be saved: see the marked fields."))
    else:
        form = OfficeSettingsForm(rows=rows)
    for row in rows:
        row.field = form[row.setting.field]
        if row.field.errors:
            row.field.field.widget.attrs["class"] += " is-invalid"
        row.is_own = row.effective.office is not None and row.effective.office.pk == office.pk
    quota_fields = {office_settings.quota_field(level) for level in office_settings.LEVELS}
    return render(
        request,
        "liaison/office_settings.html",
        {
            "office": office,
            "form": form,
            "quota_rows": [row for row in rows if row.setting.field in quota_fields],
            "other_rows": [row for row in rows if row.setting.field not in quota_fields],
            "is_admin": request.user.is_system_admin,
            "nav_active": "office_settings",
        },
    )
