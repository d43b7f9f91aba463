"""The performance pages (履职档案): the ranking, the scoring rules, one representative's record,
the annual report to voters (edit and A4 print), and the public page of figures.

Records come from `Representative.objects.visible_to(user)` (404 outside the scope), then the
capability (403): `view_performancerecord` for any record in scope, `view_own_performancerecord`
for one's own; only the representative edits their own report.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.access import scope_for
from liaison.excel import Sheet, xlsx_response
from liaison.web import require_perm
from stations.models import Activity, Representative, RosterEntry
from stations.network.querysets import access_representative
from stations.performance import services as perf
from stations.performance.forms import RankingFilterForm, ReportForm, ScoringRuleForm, year_choices
from stations.performance.scoring import RuleBook
from stations.public.views import _cacheable
from stations.reception.workflow import COUNTED

RANKING_PAGE_SIZE = 100
PUBLIC_MAX_AGE = 300


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _scoped_representative(request, pk) -> Representative:
    """404 outside the user's scope, 403 inside it without the capability."""
    rep = access_representative(request.user, pk, queryset=Representative.objects.select_related("jurisdiction"))
    if not perf.may_view_record(request.user, rep):
        raise PermissionDenied
    return rep


# --------------------------------------------------------------------------- ranking


@login_required
def ranking(request):
    require_perm(request.user, perf.VIEW_RECORDS)
    form = RankingFilterForm(request.GET, user=request.user)
    filters = form.filters()
    year = form.selected_year
    sort = request.GET.get("sort", "")
    rows = perf.ranking(
        request.user, year, jurisdiction=filters.get("jurisdiction"), level=filters.get("level") or "", sort=sort
    )
    if request.GET.get("format") == "xlsx":
        return _ranking_xlsx(rows, year)
    printing = bool(request.GET.get("print"))
    # The print view has every row on one document (a county: about a thousand, some 25 A4 pages).
    page = Paginator(rows, max(len(rows), 1) if printing else RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    print_params = params.copy()
    print_params["print"] = "1"
    params["format"] = "xlsx"
    scores = [r.score for r in rows]
    return render(
        request,
        "stations/performance_ranking.html",
        {
            "form": form,
            "year": year,
            "rows": page.object_list,
            "page_obj": page,
            "total": len(rows),
            "average": (sum(scores) / len(scores)).quantize(scores[0]) if scores else None,
            "below_quota": sum(1 for r in rows if r.figures.attended < r.figures.quota),
            "export_query": params.urlencode(),
            "print_query": print_params.urlencode(),
            "printing": printing,
            "jurisdiction": filters.get("jurisdiction"),
            "can_rules": request.user.has_perm(perf.VIEW_RULES),
            "nav_active": "performance",
        },
    )


def _ranking_xlsx(rows, year):
    header = [
        _("Rank"),
        _("Representative number"),
        _("Full name"),
        _("Level"),
        _("Elected in"),
        _("Work unit"),
        _("Rostered"),
        _("Attended"),
        _("Missed"),
        _("Quota"),
        _("Petitions received"),
        _("Online items"),
        _("Answered within 24 hours"),
        _("Suggestions led"),
        _("Co-signed"),
        _("Follow-ups"),
        _("Ratings given"),
        _("Score"),
    ]

    def lines():
        for row in rows:
            rep, f = row.representative, row.figures
            yield [
                row.rank,
                rep.code,
                rep.name,
                rep.get_level_display(),
                rep.jurisdiction.name,
                rep.work_unit,
                f.rostered,
                f.attended,
                f.missed,
                f.quota,
                f.received,
                f.online,
                f.online_24h,
                f.led,
                f.cosigned,
                f.follow_ups,
                f.ratings,
                float(row.score),
            ]

    sheet = Sheet(
        title=_("Performance %(year)s") % {"year": year},
        header=header,
        rows=lines(),
        widths=[6, 14, 10, 10, 14, 24, 8, 8, 8, 6, 10, 10, 12, 10, 8, 8, 8, 8],
    )
    return xlsx_response(_("performance-%(year)s.xlsx") % {"year": year}, sheet)


# --------------------------------------------------------------------------- scoring rules


def _rule_rows(user, data=None) -> list[dict]:
    """The rules as they apply in the user's jurisdiction (the defaults for the administrator)."""
    jurisdiction = perf.rules_jurisdiction(user)
    book = RuleBook.load()
    applying = book.for_code(jurisdiction.code) if jurisdiction else {a: book.default(a) for a in Activity.values}
    rows = []
    for activity, label in Activity.choices:
        rule = applying[activity]
        own = rule if jurisdiction is None or rule.jurisdiction_id == jurisdiction.pk else None
        initial = {"own": own is not None, "points": rule.points, "cap": rule.cap, "weight": rule.weight}
        rows.append(
            {
                "activity": activity,
                "label": label,
                "rule": rule,
                "own": own,
                "inherited_from": "" if own else rule.jurisdiction_name,
                "form": ScoringRuleForm(data, prefix=activity, initial=initial),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    user = request.user
    require_perm(user, perf.VIEW_RULES)
    can_change = perf.may_change_rules(user)
    jurisdiction = perf.rules_jurisdiction(user)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        rows = _rule_rows(user, request.POST)
        if all(row["form"].is_valid() for row in rows):
            changes = []
            for row in rows:
                data = row["form"].cleaned_data
                rule = row["rule"]
                changed = (data["points"], data["cap"], data["weight"]) != (rule.points, rule.cap, rule.weight)
                # Other numbers typed on an inherited row make them this jurisdiction's own.
                own = data["own"] or (row["own"] is None and changed)
                changes.append(
                    {
                        "activity": row["activity"],
                        "own": own,
                        "points": data["points"],
                        "cap": data["cap"],
                        "weight": data["weight"],
                    }
                )
            perf.scoring_rules_save(actor=user, rows=changes)
            messages.success(request, _("The scoring rules were saved; scores are counted with them from now on."))
            return redirect("performance:rules")
        messages.error(request, _("Some rules could not be saved: see the marked fields."))
    else:
        rows = _rule_rows(user)
    return render(
        request,
        "stations/performance_rules.html",
        {
            "rows": rows,
            "can_change": can_change,
            "jurisdiction": jurisdiction,
            "nav_active": "performance_rules",
        },
    )


# --------------------------------------------------------------------------- one record


@login_required
def my_record(request):
    representative_id = scope_for(request.user).representative_id
    if not representative_id:
        if request.user.has_perm(perf.VIEW_RECORDS):  # the administrator (every permission, no record)
            return redirect("performance:ranking")
        raise Http404
    require_perm(request.user, perf.VIEW_OWN)
    return redirect("performance:record", pk=representative_id, year=perf.current_year())


@login_required
def record_current(request, pk):
    _scoped_representative(request, pk)
    return redirect("performance:record", pk=pk, year=perf.current_year())


@login_required
def record(request, pk, year):
    year = _year(year)
    rep = _scoped_representative(request, pk)
    rec = perf.record_for(rep, year)
    rank = None
    if request.user.has_perm(perf.VIEW_RECORDS):
        rank = perf.rank_of(request.user, rep, year)
    entries = (
        RosterEntry.objects.filter(representative=rep, event__date__year=year, event__status__in=COUNTED)
        .select_related("event__station")
        .order_by("event__date", "event__start_time")
    )
    return render(
        request,
        "stations/performance_record.html",
        {
            "record": rec,
            "rep": rep,
            "year": year,
            "years": [y for y, _label in year_choices()],
            "rank": rank,
            "entries": entries,
            "led": rep.led_suggestions.filter(created_at__year=year).order_by("created_at"),
            "cosigned": rep.cosigned_suggestions.filter(created_at__year=year).order_by("created_at"),
            "report": perf.report_for(rep, year),
            "can_edit": perf.may_edit_report(request.user, rep),
            "is_own": scope_for(request.user).representative_id == rep.pk,
            "nav_active": "my_performance" if scope_for(request.user).representative_id == rep.pk else "performance",
        },
    )


# --------------------------------------------------------------------------- the annual report


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk, year):
    year = _year(year)
    rep = _scoped_representative(request, pk)
    can_edit = perf.may_edit_report(request.user, rep)
    saved = perf.report_for(rep, year)
    conflict = False
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                perf.performance_report_save(
                    actor=request.user,
                    representative=rep,
                    year=year,
                    text=form.cleaned_data["text"],
                    version=form.cleaned_data["version"],
                )
            except perf.ReportConflict:
                conflict = True
                saved = perf.report_for(rep, year)
                # What was typed stays; the next save is checked against the version now stored.
                data = request.POST.copy()
                data["version"] = str(saved.version if saved else 0)
                form = ReportForm(data)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "The report was saved elsewhere after you opened this page. Your text is kept below: "
                        "compare it with the saved report, then save again."
                    ),
                )
            else:
                messages.success(request, _("Your annual report was saved."))
                return redirect("performance:report", pk=rep.pk, year=year)
    else:
        draft = None
        if request.GET.get("draft") or saved is None:
            draft = perf.report_draft(perf.record_for(rep, year))
        form = ReportForm(
            initial={"text": draft if draft is not None else saved.text, "version": saved.version if saved else 0}
        )
    return render(
        request,
        "stations/performance_report.html",
        {
            "rep": rep,
            "year": year,
            "form": form,
            "saved": saved,
            "can_edit": can_edit,
            "conflict": conflict,
            "text": "" if can_edit else (saved.text if saved else perf.report_draft(perf.record_for(rep, year))),
            "nav_active": "my_performance" if can_edit else "performance",
        },
    )


@login_required
def report_print(request, pk, year):
    year = _year(year)
    rep = _scoped_representative(request, pk)
    saved = perf.report_for(rep, year)
    text = saved.text if saved else perf.report_draft(perf.record_for(rep, year))
    return render(
        request,
        "stations/performance_report_print.html",
        {
            "rep": rep,
            "year": year,
            "paragraphs": [p.strip() for p in text.split("\n\n") if p.strip()],
            "saved": saved,
        },
    )


# --------------------------------------------------------------------------- public page


def public_record(request, pk):
    """Figures only (代表法 art. 58): no residents' names, phones or contents, no score."""
    rep = get_object_or_404(
        Representative.objects.public()
        .select_related("jurisdiction")
        .only("pk", "name", "level", "photo", "work_unit", "position", "jurisdiction__name", "is_active"),
        pk=pk,
    )
    years = [y for y, _label in year_choices()][:3]
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    figures = perf.public_figures(rep, year)
    response = render(
        request,
        "public/representative_record.html",
        {
            "rep": rep,
            "year": year,
            "years": years,
            "f": figures,
            "station": _first_public_station(rep),
        },
    )
    return _cacheable(request, response, max_age=PUBLIC_MAX_AGE, vary_language=True)


def _first_public_station(rep):
    from stations.models import Station

    return (
        Station.objects.public()
        .filter(memberships__representative=rep)
        .only("pk", "name", "public_code")
        .order_by("code")
        .first()
    )
