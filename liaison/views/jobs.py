"""Progress and results of background jobs (imports, exports); owner only."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.views.generic import DetailView

from liaison.access import access_object
from liaison.models import Job


class JobDetailView(LoginRequiredMixin, DetailView):
    template_name = "liaison/job_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user)


class JobProgressView(JobDetailView):
    """The progress partial the detail page polls (htmx) until the job ends."""

    template_name = "liaison/_job_progress.html"


@login_required
def job_download(request, pk):
    job = access_object(Job, request.user, pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    response = FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name or "export.xlsx")
    # Recorded by liaison.audit.AuditMiddleware: which job's file, how many rows it counted.
    response.audit_export = {"what": job.title, "rows": job.progress_total, "job": job.pk, "kind": job.kind}
    return response
