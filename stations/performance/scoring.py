"""Scoring of the performance record: the rule of each activity (points, cap, weight), the rule
book that finds the rule applying to a place (the nearest jurisdiction above it that has one,
else the default), and the score lines and total of a representative's figures. Reads only;
`stations.performance.services.scoring_rules_save` writes the rules."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from liaison.jurisdictions import nearest_above
from stations.models import DEFAULT_SCORING, Activity, ScoringRule
from stations.performance.figures import Figures


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
