"""Excel export of the ledger as the user filtered it: a file at once, or a job when it is large."""

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison.excel import xlsx_download
from liaison.jobs import job_start
from liaison.web import require_perm
from petitions.ledger import export as ledger_export
from petitions.ledger import sealed_search


@login_required
@require_GET
def export(request):
    """GET with the ledger's query string. Up to LIAISON_EXPORT_SYNC_ROWS rows are sent now;
    above that a `petition_export` job writes the file and the job page offers it."""
    require_perm(request.user, ledger_export.EXPORT_PERMISSION)
    if sealed := sealed_search.seal(request):  # a phone or ID number never stays in the address
        return redirect(sealed)
    params = sealed_search.unsealed(request)
    limit = settings.LIAISON_EXPORT_SYNC_ROWS
    queryset = ledger_export.export_queryset(request.user, params)
    # Enough ids to tell "small" from "large" without counting millions of rows.
    if len(queryset.values_list("pk", flat=True)[: limit + 1]) <= limit:
        target = tempfile.TemporaryFile()
        rows = ledger_export.write_export(request.user, params, target)
        target.seek(0)
        # Never cached: residents' phone numbers.
        return xlsx_download(ledger_export.export_filename(), target, rows=rows)
    job = job_start(
        owner=request.user,
        kind=ledger_export.EXPORT_KIND,
        title=_("Ledger export"),
        params={"query": params.urlencode()},
    )
    return redirect("job_detail", pk=job.pk)
