"""Excel import and export of the station and representative rosters.

Exports rebuild the list page's filtered queryset (so only what the user sees,
filtered as on screen); small ones are sent at once, large ones become a job.
Imports always run as a job; the job page shows progress and every row error.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from liaison.excel import xlsx_download, xlsx_response
from liaison.jobs import job_start
from liaison.uploads import check_size, sniff_content_type
from liaison.web import require_perm
from stations import roster
from stations.roster import REPRESENTATIVE_ROSTER, STATION_ROSTER, XLSX_CONTENT_TYPE, Roster

IMPORT_PERMISSION = "stations.import_roster"
EXPORT_PERMISSION = "stations.export_roster"


# --------------------------------------------------------------------------- templates


def _template_download(request, which: Roster):
    require_perm(request.user, IMPORT_PERMISSION)
    return xlsx_download(which.template_filename(), roster.template_workbook(which, request.user))


@login_required
def station_import_template(request):
    return _template_download(request, STATION_ROSTER)


@login_required
def representative_import_template(request):
    return _template_download(request, REPRESENTATIVE_ROSTER)


# --------------------------------------------------------------------------- import


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.add_input(Submit("upload", gettext_lazy("Check and import")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload)
        # By content, not by name: an .xlsx is a zip with an xl/ folder.
        if sniff_content_type(upload) != XLSX_CONTENT_TYPE:
            raise ValidationError(
                _("This is not an Excel workbook. Save the file as .xlsx (Excel 2007 or later) and upload it again.")
            )
        upload.seek(0)
        return upload


class RosterImportView(LoginRequiredMixin, FormView):
    """GET: instructions, template link and upload form. POST: start the import job."""

    roster: Roster
    template_name = "stations/roster_import.html"
    form_class = RosterUploadForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, IMPORT_PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        which = self.roster
        columns = which.columns_for(self.request.user)
        context.update(
            nav_active=which.key,
            roster=which,
            columns=[
                {"label": c.label, "required": c.required, "help": c.help, "allowed": " / ".join(c.allowed_labels())}
                for c in columns
            ],
            notes=roster.general_notes(which),
            template_url=f"stations:{'station' if which is STATION_ROSTER else 'representative'}_import_template",
            list_url=f"stations:{'station' if which is STATION_ROSTER else 'representative'}_list",
        )
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        job = job_start(
            owner=self.request.user,
            kind=self.roster.import_kind,
            title=(_("%(roster)s import: %(file)s") % {"roster": self.roster.title, "file": upload.name})[:200],
            params={"file": upload.name[:200]},
            upload=upload,
        )
        return redirect("job_detail", pk=job.pk)


class StationImportView(RosterImportView):
    roster = STATION_ROSTER


class RepresentativeImportView(RosterImportView):
    roster = REPRESENTATIVE_ROSTER


# --------------------------------------------------------------------------- export


def _export(request, which: Roster):
    """The list as the user filtered and sorted it: a file now, or a job when it is large."""
    require_perm(request.user, EXPORT_PERMISSION)
    queryset = roster.export_queryset(which, request.user, request.GET, request)
    if queryset.count() <= roster.DIRECT_EXPORT_LIMIT:
        # Rosters hold phone numbers: the response is never cached (as every Excel download).
        return xlsx_response(which.export_filename(), roster.export_sheet(which, queryset, request.user))
    job = job_start(
        owner=request.user,
        kind=which.export_kind,
        title=_("%(roster)s export") % {"roster": which.title},
        params={"query": request.GET.urlencode()},
    )
    return redirect("job_detail", pk=job.pk)


@login_required
def station_export(request):
    return _export(request, STATION_ROSTER)


@login_required
def representative_export(request):
    return _export(request, REPRESENTATIVE_ROSTER)
