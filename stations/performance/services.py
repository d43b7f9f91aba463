"""The representative's performance record (履职档案): figures, scores, ranking and the annual report.

Selectors read; services (`scoring_rules_save`, `performance_report_save`) write. The figures are
counted from data already in the system, one grouped query per activity over all the
representatives asked for (never a query per representative): a county has about a thousand.

What counts in a year (each figure is one representative's):
- rostered / attended / missed / upcoming: roster entries on scheduled or held events of the year
  (as the attendance report counts them); missed = held without a check-in;
- received: items the representative received (`PetitionRepresentative` "received"), by date received;
- online / online_24h: of those, the items sent online (they carry a first-reply deadline), and the
  ones the representative answered (a reply event by their own account) before the deadline;
- led / cosigned: suggestions created in the year with the representative as lead or co-signer;
- follow_ups: items followed or marked for follow-up by the representative's own account in the
  year (the history's events), and items received in the year that they follow or that carry their
  follow-up mark (rows without such an event: imported or demo data);
- ratings: ratings of departments' answers given in the year, and suggestion satisfaction forms
  the lead representative filled in.
"""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.access import scope_for
from liaison.jurisdictions import nearest_above
from liaison.models import Jurisdiction
from petitions.models import PetitionEvent, PetitionRepresentative, Rating, Suggestion
from stations.models import DEFAULT_SCORING, Activity, PerformanceReport, Representative, RosterEntry, ScoringRule
from stations.reception.reports.selectors import LEVEL_ORDER, quotas

VIEW_RECORDS = "stations.view_performancerecord"
VIEW_OWN = "stations.view_own_performancerecord"
CHANGE_OWN_REPORT = "stations.change_own_performancereport"
VIEW_RULES = "stations.view_scoringrule"
CHANGE_RULES = "stations.change_scoringrule"

HELD, SCHEDULED = "held", "scheduled"


class ReportConflict(Exception):
    """The report changed after the page was built."""


# --------------------------------------------------------------------------- scope


def records_visible_to(user):
    """Representatives whose record the user may open: those in the user's scope with
    `view_performancerecord`; a representative with `view_own_performancerecord`, only themself."""
    if user.has_perm(VIEW_RECORDS):
        return Representative.objects.visible_to(user)
    representative_id = scope_for(user).representative_id
    if user.has_perm(VIEW_OWN) and representative_id:
        return Representative.objects.filter(pk=representative_id)
    return Representative.objects.none()


def may_view_record(user, representative) -> bool:
    if user.has_perm(VIEW_RECORDS):
        return True
    return user.has_perm(VIEW_OWN) and scope_for(user).representative_id == representative.pk


def may_edit_report(user, representative) -> bool:
    """Only the representative writes their own report (the office and staff read it)."""
    return user.has_perm(CHANGE_OWN_REPORT) and scope_for(user).representative_id == representative.pk


# --------------------------------------------------------------------------- figures


@dataclass
class Figures:
    rostered: int = 0
    attended: int = 0
    missed: int = 0
    upcoming: int = 0
    quota: int = 0
    received: int = 0
    online: int = 0
    online_24h: int = 0
    led: int = 0
    cosigned: int = 0
    follow_ups: int = 0
    ratings: int = 0

    def count(self, activity: str) -> int:
        """How many times the activity happened (the quota bonus: 1 when met, else 0)."""
        if activity == Activity.QUOTA_MET:
            return 1 if self.quota and self.attended >= self.quota else 0
        return {
            Activity.ATTENDED: self.attended,
            Activity.MISSED: self.missed,
            Activity.RECEIVED: self.received,
            Activity.ONLINE_24H: self.online_24h,
            Activity.LED: self.led,
            Activity.COSIGNED: self.cosigned,
            Activity.FOLLOW_UP: self.follow_ups,
            Activity.RATING: self.ratings,
        }[activity]

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIGURE_NAMES = [f.name for f in fields(Figures)]


def _rep_ids(representatives):
    """A subquery of ids (a queryset) or a plain list."""
    if hasattr(representatives, "values"):
        return representatives.order_by().values("pk")
    return [r.pk if hasattr(r, "pk") else r for r in representatives]


def figures_for(representatives, year: int) -> dict[int, Figures]:
    """Figures of `year` per representative id: seven grouped queries whatever their number."""
    ids = _rep_ids(representatives)
    out: dict[int, Figures] = {}

    def put(rows, key="representative_id", **names):
        for row in rows:
            figures = out.setdefault(row[key], Figures())
            for attr, column in names.items():
                setattr(figures, attr, getattr(figures, attr) + row[column])

    held = Q(event__status=HELD)
    not_present = Q(attended=False) | Q(attended__isnull=True)
    put(
        RosterEntry.objects.filter(
            representative_id__in=ids, event__date__year=year, event__status__in=[HELD, SCHEDULED]
        )
        .order_by()
        .values("representative_id")
        .annotate(
            n_rostered=Count("pk"),
            n_attended=Count("pk", filter=held & Q(attended=True)),
            n_missed=Count("pk", filter=held & not_present),
            n_upcoming=Count("pk", filter=Q(event__status=SCHEDULED)),
        ),
        rostered="n_rostered",
        attended="n_attended",
        missed="n_missed",
        upcoming="n_upcoming",
    )

    answered_in_time = Exists(
        PetitionEvent.objects.filter(
            petition=OuterRef("petition"),
            kind=PetitionEvent.Kind.REPLIED,
            actor=OuterRef("representative__user"),
            at__lte=OuterRef("petition__first_reply_due_at"),
        )
    )
    put(
        PetitionRepresentative.objects.filter(
            representative_id__in=ids, role=PetitionRepresentative.Role.RECEIVED, received_on__year=year
        )
        .order_by()
        .annotate(in_time=answered_in_time)
        .values("representative_id")
        .annotate(
            n_received=Count("pk"),
            n_online=Count("pk", filter=Q(petition__first_reply_due_at__isnull=False)),
            n_online_24h=Count("pk", filter=Q(petition__first_reply_due_at__isnull=False, in_time=True)),
        ),
        received="n_received",
        online="n_online",
        online_24h="n_online_24h",
    )

    put(
        Suggestion.objects.filter(lead_representative_id__in=ids, created_at__year=year)
        .order_by()
        .values("lead_representative_id")
        .annotate(n=Count("pk")),
        key="lead_representative_id",
        led="n",
    )
    put(
        Suggestion.co_signers.through.objects.filter(representative_id__in=ids, suggestion__created_at__year=year)
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk")),
        cosigned="n",
    )

    followed_in_year = Exists(
        PetitionEvent.objects.filter(
            petition=OuterRef("petition"),
            kind__in=[PetitionEvent.Kind.FOLLOWED, PetitionEvent.Kind.FOLLOW_UP_MARKED],
            actor=OuterRef("representative__user"),
            at__year=year,
        )
    )
    put(
        PetitionRepresentative.objects.filter(representative_id__in=ids)
        .filter(
            followed_in_year
            | ((Q(role=PetitionRepresentative.Role.FOLLOWING) | Q(follow_up=True)) & Q(received_on__year=year))
        )
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk")),
        follow_ups="n",
    )

    put(
        Rating.objects.filter(rater=Rating.Rater.REPRESENTATIVE, representative_id__in=ids, created_at__year=year)
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk")),
        ratings="n",
    )
    put(
        Suggestion.objects.filter(lead_representative_id__in=ids, rated_at__year=year)
        .exclude(satisfaction="")
        .order_by()
        .values("lead_representative_id")
        .annotate(n=Count("pk")),
        key="lead_representative_id",
        ratings="n",
    )
    return out


# --------------------------------------------------------------------------- scoring rules


@dataclass(frozen=True)
class Rule:
    activity: str
    points: Decimal
    cap: Decimal | None
    weight: Decimal
    jurisdiction_id: int | None = None
    jurisdiction_name: str = ""
    pk: int | None = None

    def score(self, count: int) -> Decimal:
        raw = self.points * count
        if self.cap is not None:
            raw = max(-self.cap, min(self.cap, raw))
        return raw * self.weight


def _builtin(activity) -> Rule:
    points, cap, weight = DEFAULT_SCORING[activity]
    return Rule(activity=activity, points=points, cap=cap, weight=weight)


class RuleBook:
    """Every scoring rule, loaded in one query; answers the rule that applies to a place."""

    def __init__(self, rows):
        self.defaults: dict[str, Rule] = {}
        self.rules: dict[int, Rule] = {}
        # The rows of each activity, jurisdiction loaded, for `nearest_above` to search without a query.
        self.rows: dict[str, list[ScoringRule]] = {}
        for r in rows:
            rule = Rule(
                activity=r.activity,
                points=r.points,
                cap=r.cap,
                weight=r.weight,
                pk=r.pk,
                jurisdiction_id=r.jurisdiction_id,
                jurisdiction_name=r.jurisdiction.name if r.jurisdiction_id else "",
            )
            self.rules[r.pk] = rule
            self.rows.setdefault(r.activity, []).append(r)
            if not r.jurisdiction_id:
                self.defaults[r.activity] = rule
        self._cache: dict[str, dict[str, Rule]] = {}

    @classmethod
    def load(cls) -> "RuleBook":
        return cls(ScoringRule.objects.select_related("jurisdiction"))

    def default(self, activity) -> Rule:
        return self.defaults.get(activity) or _builtin(activity)

    def for_code(self, code: str) -> dict[str, Rule]:
        """activity → the rule of the nearest jurisdiction above `code` that has one, else the default
        (`liaison.jurisdictions.nearest_above`), else the built-in one. No query."""
        if code not in self._cache:
            found = {}
            for activity in Activity.values:
                row = nearest_above(self.rows.get(activity, ()), code)
                found[activity] = self.rules[row.pk] if row is not None else _builtin(activity)
            self._cache[code] = found
        return self._cache[code]


@dataclass
class ScoreLine:
    activity: str
    label: str
    count: int
    rule: Rule
    points: Decimal


def score_lines(figures: Figures, rules: dict[str, Rule]) -> list[ScoreLine]:
    labels = dict(Activity.choices)
    return [
        ScoreLine(
            activity=a,
            label=labels[a],
            count=figures.count(a),
            rule=rules[a],
            points=_q(rules[a].score(figures.count(a))),
        )
        for a in Activity.values
    ]


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def total_score(figures: Figures, rules: dict[str, Rule]) -> Decimal:
    return _q(sum((rules[a].score(figures.count(a)) for a in Activity.values), Decimal("0")))


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
    figures.quota = quotas().get(representative.level, 0)
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
    figures.quota = quotas().get(representative.level, 0)
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
    user, year: int, *, jurisdiction: Jurisdiction | None = None, level: str = "", sort: str = ""
) -> list[RankingRow]:
    """Every representative whose record the user may see (`records_visible_to`), with the year's
    figures and score, ranked by score (equal scores share a rank). `jurisdiction`: elected there or
    attached to a station there. A constant number of queries (nine, plus the user's scope)."""
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
    quota_by_level = quotas()
    rows = []
    for rep in reps:
        f = figures.get(rep.pk) or Figures()
        f.quota = quota_by_level.get(rep.level, 0)
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


def rank_of(user, representative, year: int) -> tuple[int | None, int]:
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


def report_for(representative, year) -> PerformanceReport | None:
    return (
        PerformanceReport.objects.filter(representative=representative, year=year).select_related("updated_by").first()
    )


@transaction.atomic
def performance_report_save(
    *, actor, representative: Representative, year: int, text: str, version: int
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


def may_change_rules(user) -> bool:
    """Offices set the rules of their own jurisdiction; the system administrator the defaults."""
    if not user.has_perm(CHANGE_RULES):
        return False
    return user.is_system_admin or bool(user.jurisdiction_id)


def rules_jurisdiction(user) -> Jurisdiction | None:
    return None if user.is_system_admin else user.jurisdiction


@transaction.atomic
def scoring_rules_save(*, actor, rows: list[dict]) -> None:
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
