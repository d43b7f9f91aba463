"""Oversight pages under /reports/: the dashboard, the monthly report (A4), the department
evaluation, each with the same tables in Excel.

Everything counts the items the user can see (`Petition.objects.visible_to`): the committee
office its jurisdiction, station staff their stations. The capability is `view_reports`.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView

from liaison.excel import Sheet, write_workbook, xlsx_response
from liaison.jobs import JobRejected, JobResult, job_start, runner, temp_path
from liaison.models import Role, WorkingBody
from liaison.templatetags.liaison_tags import days, percent
from liaison.web import PermissionMixin, require_perm
from petitions.models import Outcome, Satisfaction
from petitions.reports import dashboard as dash
from petitions.reports.charts import trend_svg
from petitions.reports.evaluation import evaluate
from petitions.reports.forms import MonthForm, ReportFilterForm
from petitions.reports.measures import MEASURES, RATES, Period, cohort

VIEW_REPORTS = "petitions.view_reports"
SCREEN_ROWS = 30  # the busiest stations and representatives on screen; Excel has them all
TREND_MONTHS = 12


_percent, _days = percent, days


def _scope_label(jurisdiction, user) -> str:
    """The jurisdiction chosen, else the office's own one (a working body's names), else "everything I oversee"."""
    if jurisdiction is None and user.role == Role.COMMITTEE_OFFICE and user.jurisdiction_id:
        jurisdiction = user.jurisdiction
    if jurisdiction is None and user.role == Role.STATION_STAFF:
        return _("My stations")
    if jurisdiction is None and user.role == Role.WORKING_BODY:
        return "、".join(WorkingBody.objects.visible_to(user).values_list("name", flat=True)) or _("My working body")
    return jurisdiction.name if jurisdiction is not None else _("Everything I oversee")


def _period_label(period) -> str:
    return _("%(start)s to %(end)s") % {
        "start": date_format(period.start, "Y-m-d"),
        "end": date_format(period.end, "Y-m-d"),
    }


def _trend_period(end) -> Period:
    """The twelve months up to the month of `end`."""
    first = end.replace(day=1)
    for _n in range(TREND_MONTHS - 1):
        first = (first - timezone.timedelta(days=1)).replace(day=1)
    return Period(first, end)


class DashboardView(PermissionMixin, TemplateView):
    """The page comes at once; the figures follow (htmx, with a progress bar) unless they are
    already counted: over a million items they take seconds (`dashboard.build_cached`)."""

    permission = VIEW_REPORTS
    nav_active = "dashboard"
    template_name = "petitions/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        form = ReportFilterForm(request.GET or None, user=user)
        period, jurisdiction = form.range, form.chosen_jurisdiction
        refresh = "refresh" in request.GET
        board, _key = dash.cached(user, period, jurisdiction, refresh=refresh, limit=SCREEN_ROWS)
        if board is None and request.GET.get("part") == "body":
            board = dash.build_cached(user, period, jurisdiction, refresh=refresh, limit=SCREEN_ROWS)
        query = request.GET.copy()
        for name in ("part", "refresh"):
            query.pop(name, None)
        body_query, refresh_query = query.copy(), query.copy()
        body_query["part"] = "body"
        if refresh:
            body_query["refresh"] = "1"
        refresh_query["refresh"] = "1"
        context.update(
            filter=form,
            board=board,
            period=period,
            rates=[(key, label, help_) for key, (_num, _den, label, help_) in RATES.items()],
            chart=trend_svg(board.months, title=_("Monthly trend")) if board and len(board.months) > 1 else "",
            screen_rows=SCREEN_ROWS,
            scope_label=_scope_label(jurisdiction, user),
            body_url=f"{request.path}?{body_query.urlencode()}",
            refresh_url=f"{request.path}?{refresh_query.urlencode()}",
            export_url=f"{request.path}export/?{query.urlencode()}",
            report_url=f"{request.path}monthly/",
            departments_url=f"{request.path}departments/?{query.urlencode()}",
        )
        return context

    def get_template_names(self):
        if self.request.headers.get("HX-Request") and self.request.GET.get("part") == "body":
            return ["petitions/reports/_dashboard_body.html"]
        return [self.template_name]


def _figure_columns() -> list[str]:
    return [
        pgettext("dashboard column", "Received"),
        _("Assigned to a department"),
        _("Replied by the department"),
        _("Reply rate (办复率)"),
        _("Replied on time"),
        _("On-time rate"),
        _("Average working days to reply"),
        pgettext("dashboard column", "Rated"),
        _("Satisfaction rate"),
        pgettext("dashboard", "Closed out"),
        _("Overdue now"),
    ]


def _figure_values(f) -> list:
    return [
        f.received,
        f.assigned,
        f.replied,
        _percent(f.reply_rate),
        f.on_time,
        _percent(f.on_time_rate),
        round(f.avg_days, 1) if f.avg_days is not None else "—",
        f.rated,
        _percent(f.satisfaction_rate),
        f.closed,
        f.overdue,
    ]


def dashboard_sheets(board: dash.Dashboard, user) -> list[Sheet]:
    """The dashboard's tables as workbook sheets (also the monthly report's)."""
    columns = _figure_columns()
    widths = [28] + [14] * len(columns)
    sheets = [
        Sheet(
            pgettext("dashboard", "Summary"),
            [_("Figure"), _("Value")],
            [
                [_("Jurisdiction"), _scope_label(board.jurisdiction, user)],
                [_("Period"), _period_label(board.period)],
                *[[str(MEASURES[k]), board.total.counts.get(k, 0)] for k in MEASURES],
                *[[str(label), _percent(getattr(board.total, key))] for key, (_n, _d, label, _h) in RATES.items()],
                [_("Average working days to reply"), _days(board.total.avg_days)],
            ],
            widths=[36, 24],
        ),
    ]
    for title, rows in (
        (_("By category"), board.categories),
        (_("By station"), board.stations),
        (_("By department"), board.departments),
        (_("By representative"), board.representatives),
        (_("By channel"), board.channels),
        (_("By month"), board.months),
    ):
        sheets.append(
            Sheet(
                title,
                [title, *columns],
                ([r.label, *_figure_values(r)] for r in rows),
                footer=[_("Total"), *_figure_values(board.total)] if title != _("By representative") else None,
                widths=widths,
            )
        )
    escalations = getattr(board, "escalations", [])  # a board cached before escalation had none
    if escalations:
        sheets.append(
            Sheet(
                _("Escalated to a higher level"),
                [_("Escalated to"), *board.escalation_labels],
                ([row.label, *[n for _key, n, _link in row.cells]] for row in escalations),
                widths=[20] + [14] * len(board.escalation_labels),
            )
        )
    if board.campaigns:
        sheets.append(
            Sheet(
                _("Campaigns"),
                [
                    _("Campaign"),
                    _("Dates"),
                    _("Representatives taking part"),
                    _("Events held"),
                    _("Residents received"),
                    _("Opinions collected"),
                    _("Items registered"),
                    _("Items resolved"),
                ],
                (
                    [
                        c.campaign.name,
                        f"{c.campaign.start_date:%Y-%m-%d} – {c.campaign.end_date:%Y-%m-%d}",
                        c.representatives,
                        c.events,
                        c.residents,
                        c.opinions,
                        c.registered,
                        c.resolved,
                    ]
                    for c in board.campaigns
                ),
                widths=[30, 24, 14, 12, 12, 12, 12, 12],
            )
        )
    return sheets


DASHBOARD_EXPORT_KIND = "dashboard_export"
EXPORT_SYNC_ITEMS = 50_000  # above this many items the workbook is written by a job, with a progress bar


def _dashboard_filename(board) -> str:
    return _("dashboard-%(start)s-%(end)s.xlsx") % {"start": board.period.start, "end": board.period.end}


@login_required
def dashboard_export(request):
    """The dashboard's tables in one workbook: at once when counted already or for a small
    cohort; otherwise a job writes it and the job page shows its progress and the download."""
    require_perm(request.user, VIEW_REPORTS)
    user = request.user
    form = ReportFilterForm(request.GET or None, user=user)
    period, jurisdiction = form.range, form.chosen_jurisdiction
    board, _key = dash.cached(user, period, jurisdiction)
    if board is None:
        ids = cohort(user, period, jurisdiction).values_list("pk", flat=True)
        if len(ids[: EXPORT_SYNC_ITEMS + 1]) > EXPORT_SYNC_ITEMS:
            job = job_start(
                owner=user,
                kind=DASHBOARD_EXPORT_KIND,
                title=_("The dashboard in Excel"),
                params={"query": request.GET.urlencode()},
            )
            return redirect("job_detail", pk=job.pk)
        board = dash.build_cached(user, period, jurisdiction)
    return xlsx_response(_dashboard_filename(board), *dashboard_sheets(board, user))


@runner(DASHBOARD_EXPORT_KIND)
def run_dashboard_export(job, progress) -> JobResult:
    """Count the figures for the job's owner (step 1), then write the workbook (step 2)."""
    owner = job.owner
    if not owner.is_active or not owner.has_perm(VIEW_REPORTS):
        raise JobRejected(_("You may no longer see the dashboard."))
    form = ReportFilterForm(QueryDict(job.params.get("query", "")) or None, user=owner)
    progress.total(2)
    board = dash.build_cached(owner, form.range, form.chosen_jurisdiction)
    progress.advance(1, force=True)
    path = temp_path()
    write_workbook(path, *dashboard_sheets(board, owner))
    progress.advance(2, force=True)
    return JobResult(message=_("The dashboard's tables are ready."), path=path, name=_dashboard_filename(board))


class MonthlyReportView(PermissionMixin, TemplateView):
    """The monthly report on A4: the month's figures, the year's trend, the tables behind them."""

    permission = VIEW_REPORTS
    nav_active = "dashboard"
    template_name = "petitions/report_monthly.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            form = MonthForm(request.GET or None, user=request.user)
            board = dash.build_cached(request.user, form.period, form.chosen_jurisdiction)
            name = _("monthly-report-%(month)s.xlsx") % {"month": f"{form.period.start:%Y-%m}"}
            return xlsx_response(name, *dashboard_sheets(board, request.user))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = MonthForm(self.request.GET or None, user=user)
        period, jurisdiction = form.period, form.chosen_jurisdiction
        board = dash.build_cached(user, period, jurisdiction, limit=15)
        trend = dash.build_cached(user, _trend_period(period.end), jurisdiction, breakdowns=False)
        context.update(
            filter=form,
            board=board,
            trend=trend,
            chart=trend_svg(trend.months, title=_("The last twelve months")),
            rates=[(key, label, help_) for key, (_num, _den, label, help_) in RATES.items()],
            scope_label=_scope_label(jurisdiction, user),
            month_label=date_format(period.start, "Y年n月")
            if self.request.LANGUAGE_CODE.startswith("zh")
            else date_format(period.start, "F Y"),
            made_on=timezone.localdate(),
            xlsx_url=f"{self.request.path}?{self.request.GET.urlencode()}&format=xlsx",
        )
        return context


class DepartmentReportView(PermissionMixin, TemplateView):
    """The department evaluation the office sends to the government (A4 landscape)."""

    permission = VIEW_REPORTS
    nav_active = "departments_report"
    template_name = "petitions/report_departments.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            form = ReportFilterForm(request.GET or None, user=request.user)
            evaluation = evaluate(request.user, form.range, form.chosen_jurisdiction)
            return _departments_xlsx(evaluation)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ReportFilterForm(self.request.GET or None, user=self.request.user)
        evaluation = evaluate(self.request.user, form.range, form.chosen_jurisdiction)
        query = self.request.GET.copy()
        query["format"] = "xlsx"
        context.update(
            filter=form,
            evaluation=evaluation,
            outcomes=Outcome.choices,
            satisfactions=Satisfaction.choices,
            scope_label=_scope_label(form.chosen_jurisdiction, self.request.user),
            period_label=_period_label(evaluation.period),
            made_on=timezone.localdate(),
            xlsx_url=f"{self.request.path}?{query.urlencode()}",
            rates=[(key, label, help_) for key, (_num, _den, label, help_) in RATES.items()],
        )
        return context


def _departments_xlsx(evaluation) -> HttpResponse:
    header = [
        _("Department"),
        _("Items led"),
        _("Replied by the department"),
        _("Reply rate (办复率)"),
        _("Replied on time"),
        _("On-time rate"),
        _("Average working days to reply"),
        _("Overdue now"),
        _("Co-handled"),
        _("Returned"),
        _("Extensions requested"),
        _("Extensions approved"),
        *[str(label) for _v, label in Outcome.choices],
        pgettext("dashboard column", "Rated"),
        *[str(label) for _v, label in Satisfaction.choices],
        _("Satisfaction rate"),
        _("Department-head visits"),
        _("Commitments"),
        _("Commitments kept"),
        *[_("Follow-up visits: %(rating)s") % {"rating": label} for _v, label in Satisfaction.choices],
    ]

    def values(row):
        f = row.figures
        return [
            f.assigned,
            f.replied,
            _percent(f.reply_rate),
            f.on_time,
            _percent(f.on_time_rate),
            _days(f.avg_days),
            f.overdue,
            row.co_handled,
            row.returns,
            row.extensions,
            row.extensions_approved,
            *[row.outcomes.get(v, 0) for v in Outcome.values],
            f.rated,
            *[row.ratings.get(v, 0) for v in Satisfaction.values],
            _percent(f.satisfaction_rate),
            row.visits,
            row.commitments,
            row.commitments_kept,
            *[row.follow_ups.get(v, 0) for v in Satisfaction.values],
        ]

    sheet = Sheet(
        _("Department evaluation"),
        header,
        ([row.department.name, *values(row)] for row in evaluation.rows),
        footer=[_("Total"), *values(evaluation.total)],
        widths=[30] + [11] * (len(header) - 1),
    )
    name = _("department-evaluation-%(start)s-%(end)s.xlsx") % {
        "start": evaluation.period.start,
        "end": evaluation.period.end,
    }
    return xlsx_response(name, sheet)
