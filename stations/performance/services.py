"""The representative's performance record (履职档案): who sees which record, the record itself,
the ranking, the annual report and the scoring rules page.

Selectors read; services (`scoring_rules_save`, `performance_report_save`) write. The figures are
counted in `stations.performance.figures` (which says what each one counts) and scored in
`stations.performance.scoring`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import office_settings
from liaison.access import scope_for
from liaison.models import Jurisdiction, User
from stations.models import Activity, PerformanceReport, Representative, ScoringRule
from stations.performance.figures import FIGURE_NAMES, Figures, figures_for
from stations.performance.scoring import RuleBook, ScoreLine, score_lines, total_score
from stations.reception.reports.selectors import LEVEL_ORDER

VIEW_RECORDS = "stations.view_performancerecord"
VIEW_OWN = "stations.view_own_performancerecord"
CHANGE_OWN_REPORT = "stations.change_own_performancereport"
VIEW_RULES = "stations.view_scoringrule"
CHANGE_RULES = "stations.change_scoringrule"


class ReportConflict(Exception):
    """The report changed after the page was built."""


# --------------------------------------------------------------------------- scope


def records_visible_to(user: User) -> QuerySet[Representative]:
    """Representatives whose record the user may open: those in the user's scope with
    `view_performancerecord`; a representative with `view_own_performancerecord`, only themself."""
    if user.has_perm(VIEW_RECORDS):
        return Representative.objects.visible_to(user)
    representative_id = scope_for(user).representative_id
    if user.has_perm(VIEW_OWN) and representative_id:
        return Representative.objects.filter(pk=representative_id)
    return Representative.objects.none()


def may_view_record(user: User, representative: Representative) -> bool:
    if user.has_perm(VIEW_RECORDS):
        return True
    return user.has_perm(VIEW_OWN) and scope_for(user).representative_id == representative.pk


def may_edit_report(user: User, representative: Representative) -> bool:
    """Only the representative writes their own report (the office and staff read it)."""
    return user.has_perm(CHANGE_OWN_REPORT) and scope_for(user).representative_id == representative.pk


# --------------------------------------------------------------------------- the record


@dataclass
class Record:
    representative: Representative
    year: int
    figures: Figures
    lines: list[ScoreLine]
    score: Decimal
    rank: int | None = None
    ranked: int = 0


def record_for(representative: Representative, year: int, rules: RuleBook | None = None) -> Record:
    figures = figures_for([representative.pk], year).get(representative.pk, Figures())
    figures.quota = office_settings.quota(representative.level, representative.jurisdiction.code)
    applying = (rules or RuleBook.load()).for_code(representative.jurisdiction.code)
    return Record(
        representative=representative,
        year=year,
        figures=figures,
        lines=score_lines(figures, applying),
        score=total_score(figures, applying),
    )


def public_figures(representative: Representative, year: int) -> Figures:
    """The figures only, for the public page (no score, no names, no contents)."""
    figures = figures_for([representative.pk], year).get(representative.pk, Figures())
    figures.quota = office_settings.quota(representative.level, representative.jurisdiction.code)
    return figures


# --------------------------------------------------------------------------- the ranking


RANKING_SORTS = {"name", "level", "score", *FIGURE_NAMES}


@dataclass
class RankingRow:
    representative: Representative
    figures: Figures
    score: Decimal
    rank: int = 0


def ranking(
    user: User, year: int, *, jurisdiction: Jurisdiction | None = None, level: str = "", sort: str = ""
) -> list[RankingRow]:
    """Every representative whose record the user may see (`records_visible_to`), with the year's
    figures and score, ranked by score (equal scores share a rank). `jurisdiction`: elected there or
    attached to a station there. A constant number of queries (ten, plus the user's scope)."""
    reps = (
        records_visible_to(user)
        .select_related("jurisdiction")
        .only("pk", "code", "name", "level", "work_unit", "jurisdiction__code", "jurisdiction__name")
    )
    if jurisdiction is not None:
        reps = reps.in_area(jurisdiction)
    if level:
        reps = reps.filter(level=level)
    reps = list(reps.order_by())
    figures = figures_for([r.pk for r in reps], year) if reps else {}
    book = RuleBook.load()
    quota_book = office_settings.Book.load()
    rows = []
    for rep in reps:
        f = figures.get(rep.pk) or Figures()
        f.quota = quota_book.quota(rep.level, rep.jurisdiction.code)
        rows.append(
            RankingRow(representative=rep, figures=f, score=total_score(f, book.for_code(rep.jurisdiction.code)))
        )
    rows.sort(key=lambda r: (-r.score, r.representative.name, r.representative.pk))
    rank, previous = 0, None
    for n, row in enumerate(rows, 1):
        if row.score != previous:
            rank, previous = n, row.score
        row.rank = rank
    return sort_rows(rows, sort)


def sort_rows(rows: list[RankingRow], sort: str) -> list[RankingRow]:
    key = (sort or "").lstrip("-")
    if key not in RANKING_SORTS:
        return rows
    descending = sort.startswith("-")
    level_rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    if key == "name":
        value = lambda r: (r.representative.name, r.representative.pk)
    elif key == "level":
        value = lambda r: (level_rank.get(r.representative.level, 9), -r.score)
    elif key == "score":
        value = lambda r: (r.score, -r.rank)
    else:
        value = lambda r: (getattr(r.figures, key), r.score)
    return sorted(rows, key=value, reverse=descending)


def rank_of(user: User, representative: Representative, year: int) -> tuple[int | None, int]:
    """The representative's place among those elected in the same jurisdiction that the user sees."""
    rows = ranking(user, year, jurisdiction=representative.jurisdiction)
    for row in rows:
        if row.representative.pk == representative.pk:
            return row.rank, len(rows)
    return None, len(rows)


# --------------------------------------------------------------------------- the annual report


def report_draft(record: Record) -> str:
    """A first draft of the annual report to voters, in the active language, from the record."""
    rep, f = record.representative, record.figures
    paragraphs = [
        _(
            "Dear voters: as a %(level)s people's congress representative, I report here on how I performed my duties in %(year)s."
        )
        % {"level": rep.get_level_display(), "year": record.year},
        _(
            "This year I was rostered for %(rostered)s reception days at the liaison stations and attended %(attended)s of them; "
            "the yearly quota for a representative of my level is %(quota)s days."
        )
        % {"rostered": f.rostered, "attended": f.attended, "quota": f.quota},
    ]
    if f.quota and f.attended < f.quota:
        paragraphs.append(
            _("I attended fewer reception days than the quota, and I will make up for it in the coming year.")
        )
    paragraphs.append(
        _(
            "I received %(received)s opinions and suggestions from residents. Of the %(online)s items sent to me online, "
            "I answered %(online_24h)s within 24 hours."
        )
        % {"received": f.received, "online": f.online, "online_24h": f.online_24h}
    )
    paragraphs.append(
        _(
            "I led %(led)s representative suggestions and co-signed %(cosigned)s others, so that the residents' concerns "
            "reached the departments responsible."
        )
        % {"led": f.led, "cosigned": f.cosigned}
    )
    paragraphs.append(
        _(
            "I followed up the handling of %(follow_ups)s items and gave %(ratings)s ratings of the departments' answers."
        )
        % {"follow_ups": f.follow_ups, "ratings": f.ratings}
    )
    paragraphs.append(
        _(
            "In the coming year I will keep in close touch with the voters, listen to your opinions and suggestions, "
            "and I welcome your criticism and supervision."
        )
    )
    return "\n\n".join(str(p) for p in paragraphs)


def report_for(representative: Representative, year: int) -> PerformanceReport | None:
    return (
        PerformanceReport.objects.filter(representative=representative, year=year).select_related("updated_by").first()
    )


@transaction.atomic
def performance_report_save(
    *, actor: User, representative: Representative, year: int, text: str, version: int
) -> PerformanceReport:
    """Save the representative's own report. `version` is the one the page was built from (0: no
    report yet); a different current version raises `ReportConflict` and saves nothing."""
    if not may_edit_report(actor, representative):
        raise PermissionDenied
    report = PerformanceReport.objects.select_for_update().filter(representative=representative, year=year).first()
    current = report.version if report else 0
    if current != version:
        raise ReportConflict
    if report is None:
        report = PerformanceReport(representative=representative, year=year)
    report.text = text.strip()
    report.version = current + 1
    report.updated_by = actor
    try:
        with transaction.atomic():  # two first saves at once: the unique row lets one in
            report.save()
    except IntegrityError:
        raise ReportConflict from None
    return report


# --------------------------------------------------------------------------- rules page


def may_change_rules(user: User) -> bool:
    """Offices set the rules of their own jurisdiction; the system administrator the defaults."""
    if not user.has_perm(CHANGE_RULES):
        return False
    return user.is_system_admin or bool(user.jurisdiction_id)


def rules_jurisdiction(user: User) -> Jurisdiction | None:
    return None if user.is_system_admin else user.jurisdiction


@transaction.atomic
def scoring_rules_save(*, actor: User, rows: list[dict]) -> None:
    """Save the rules page. Each row: activity, own (bool), points, cap, weight. For an office,
    unticked rows follow the rule above again (their own row is deleted); the administrator
    saves the defaults."""
    if not may_change_rules(actor):
        raise PermissionDenied
    jurisdiction = rules_jurisdiction(actor)
    for row in rows:
        if row["activity"] not in Activity.values:
            continue
        if jurisdiction is not None and not row["own"]:
            ScoringRule.objects.filter(jurisdiction=jurisdiction, activity=row["activity"]).delete()
            continue
        ScoringRule.objects.update_or_create(
            jurisdiction=jurisdiction,
            activity=row["activity"],
            defaults={"points": row["points"], "cap": row["cap"], "weight": row["weight"], "updated_by": actor},
        )


def current_year() -> int:
    return timezone.localdate().year
