"""Escalation between committee offices in the demo handling story: which items an office hands up
to the office above, and what became of each there, told move by move as
`petitions.handling.services.escalation` writes them (`petitions.demo.handling` explains the story).

About one in sixteen of a township (street) office's items goes up to its district's standing
committee (`TOWNSHIP_SHARE`, `TOWNSHIP_PLAN`): most are routed there like the district's own items
(assigned to a district bureau, replied; the answer comes back to the township's side, whose
station staff feed it back and whose office closes it out), at every stage so that each of the
dashboard's escalation columns has items; a few are sent back down with an explanation (the
township then assigns them to its own government), one or two are taken over (the district then
feeds back and closes out). Each district office hands a few of its own items to 北京市人大常委会
(`CITY_PLAN`): some wait in its triage list, some go to a city bureau (`dept_city`'s desk).
"""

from datetime import date

from liaison.models import Jurisdiction, Office
from liaison.offices import offices_above
from petitions.demo import texts
from petitions.demo.story import CO_HANDLED, IN_HAND, PENDING_AT_MOST, TRIAGED_FIRST, Story, _draw
from petitions.ledger import events
from petitions.models import Department, Route, Status, Urgency
from stations.demo.offices import CITY_HOUSING

# What became of an escalated item at the office above: still waiting to be routed, assigned and not
# accepted yet, in hand, answered (and then fed back and closed below), sent back down, taken over.
OUTCOMES = ("waiting", "assigned", "in_hand", "answered", "sent_down", "taken_over")
# The share of a township office's items it hands up, and what became of them, in the order they are
# given out (the first ones whatever the office's size: every outcome has an item in the default demo).
TOWNSHIP_SHARE = 0.065
TOWNSHIP_PLAN = (
    "in_hand",
    "answered",
    "waiting",
    "sent_down",
    "taken_over",
    "answered",
    "assigned",
    "answered",
    "waiting",
    "sent_down",
    "in_hand",
    "answered",
    "answered",
    "taken_over",
)
# A district office's items handed to the city office: the demo district's all four, the second its first two.
CITY_PLAN = ("waiting", "in_hand", "assigned", "answered")
# Ages (calendar days since received) that fit each outcome; "recent" items came in the last working days.
AGES = {"in_hand": (8, 22), "answered": (35, 300), "sent_down": (12, 200), "taken_over": (45, 300)}
RECENT = ("waiting", "assigned")
# An item sent back down this recently still waits in the lower office's triage list.
SENT_DOWN_WAITING_DAYS = 20


class Escalations:
    """Plans (`_plan_escalations`, after the cases set up on purpose) and tells (`_tell_escalated`) the
    escalated items. A mixin of `DemoHandling`, whose `__init__` sets the attributes used here; it
    changes the stories and their items' values (`handling_office_id`, `escalated_to_id`,
    `escalated_at`, `owner_office_id`) in memory only."""

    # ----------------------------------------------------------------- which items, what became of them

    def _plan_escalations(self) -> None:
        offices = {o.pk: o for o in Office.objects.select_related("jurisdiction")}
        self.office_rows = offices
        self.upper_bureaus = {}
        by_owner = {}
        for s in self.stories:
            if s.free and s.values["owner_office_id"] in offices:
                by_owner.setdefault(s.values["owner_office_id"], []).append(s)
        housing = tuple(c for c, name in texts.CITY_BUREAUS.items() if name == CITY_HOUSING)
        for owner_id in sorted(by_owner):
            owner = offices[owner_id]
            above = [o for o in offices_above(owner) if o.pk in self.office_users]
            if not above or owner.pk not in self.office_users:
                continue  # nobody could act for one of them
            stories = by_owner[owner_id]
            if owner.jurisdiction.level == Jurisdiction.Level.TOWNSHIP:
                n = max(2, round(TOWNSHIP_SHARE * len(stories)))
                for k in range(n):
                    self._escalate_one(
                        stories, TOWNSHIP_PLAN[k % len(TOWNSHIP_PLAN)], above[0].pk, texts.REASONS_TO_DISTRICT
                    )
            elif owner.jurisdiction.level == Jurisdiction.Level.COUNTY and self.office_users[owner.pk] == self.office:
                for outcome in CITY_PLAN if self.extras else CITY_PLAN[:2]:
                    # The city bureau's desk (`dept_city`) gets the items in hand there.
                    wanted = housing if outcome in ("in_hand", "assigned") else texts.CITY_BUREAUS
                    self._escalate_one(stories, outcome, above[0].pk, wanted)

    def _escalate_one(self, stories: list[Story], outcome: str, up: int, categories) -> None:
        """Give `outcome` to one free item of `stories` of a fitting age, those of `categories` first
        (another one is given a petition of one of them)."""
        rng = self.rng
        if outcome in RECENT:
            since, until = self.cal.back(self.last_work, 3), self.today
        else:
            low, high = AGES[outcome]
            since, until = self._days_ago(high), self._days_ago(low)
        pool = [s for s in stories if s.free and since <= s.received_on <= until]
        if outcome in ("in_hand", "assigned"):
            pool = [s for s in pool if s.values["urgency"] == Urgency.NORMAL]  # not overdue by now
        if not pool:
            return
        rng.shuffle(pool)
        pool.sort(key=lambda s: s.item.category not in categories)
        s = pool[0]
        if s.item.category not in categories:
            self._retopic(s, rng.choice(tuple(categories)))
        s.scenario, s.escalation, s.up = "escalated", outcome, up
        s.status = self._escalated_status(s, outcome)

    def _escalated_status(self, s: Story, outcome: str) -> str:
        """Where the item ends: waiting above, in hand, answered (and beyond), or as told below."""
        rng = self.rng
        if outcome == "waiting" or (outcome == "sent_down" and s.age < SENT_DOWN_WAITING_DAYS):
            return Status.TRIAGED
        if outcome == "assigned":
            return Status.ASSIGNED
        if outcome == "in_hand":
            return _draw(rng, ((Status.ACCEPTED, 1), (Status.IN_PROGRESS, 2)))
        if outcome == "taken_over":
            return Status.CLOSED
        # Answered (above, or below once sent down): older items fed back, rated and mostly closed since.
        if s.age >= 60:
            return _draw(rng, ((Status.CLOSED, 6), (Status.RATED, 1)))
        return _draw(rng, ((Status.REPLIED, 1), (Status.FED_BACK, 1)))

    # ----------------------------------------------------------------- telling

    def _later(self, day: date, n: int) -> date:
        return min(self.cal.add(day, n), max(day, self.last_work))

    def _tell_escalated(self, s: Story) -> None:
        """The lower office routes it within two working days: up; then the office above's moves, and the
        ordinary flow (`Routing._tell_direct`) from the day the item is assigned."""
        rng, target, outcome = self.rng, s.status, s.escalation
        day = self._assign_day(s)
        if s.values["urgency"] == Urgency.NORMAL and rng.random() < TRIAGED_FIRST:
            self._triage(s, day)
            day = self._later(day, rng.randint(0, 1))
        self._op_escalate(s, day)
        if outcome == "waiting":
            return
        if outcome == "sent_down":
            day = self._later(day, rng.randint(1, 3))
            self._op_send_down(s, day)
            s.lead = self._street_office(s)
            if target == Status.TRIAGED or s.lead is None:
                s.status = Status.TRIAGED
                return
        else:
            if outcome == "taken_over":
                day = self._later(day, rng.randint(1, 2))
                self._op_take_over(s, day)
            s.lead, s.co = self._upper_bureau(s), None
            if rng.random() < CO_HANDLED:
                s.co = self._upper_bureau(s, co=True)
        s.route, s.status = Route.DIRECT, target
        s.d0 = self._later(day, rng.randint(0, 1) if outcome == "assigned" else rng.randint(1, 2))
        if target in IN_HAND and target != Status.ASSIGNED and s.d0 >= self.cal.back(self.last_work, PENDING_AT_MOST):
            s.status = Status.ASSIGNED  # assigned too recently to have been taken on yet
        self._tell_direct(s)

    def _upper_bureau(self, s: Story, *, co=False) -> int | None:
        """A bureau of the office above that fits the category (the district's, or the city's), else the
        township's government, which every office above it may assign to. `co`: a co-handler of the
        category among the bureaus of the office above, other than the lead (None when none fits)."""
        up = self.office_rows[s.up]
        if up.pk not in self.upper_bureaus:
            self.upper_bureaus[up.pk] = dict(
                Department.objects.filter(jurisdiction_id=up.jurisdiction_id, is_active=True).values_list("name", "pk")
            )
        bureaus = self.upper_bureaus[up.pk]
        category = s.item.category
        if co:
            found = [bureaus[n] for n in texts.CO_HANDLERS.get(category, ()) if n in bureaus and bureaus[n] != s.lead]
            return self.rng.choice(found) if found else None
        names = [*texts.CATEGORY_DEPARTMENTS.get(category, ()), texts.CITY_BUREAUS.get(category)]
        found = [bureaus[n] for n in names if n in bureaus]
        return self.rng.choice(found) if found else self._street_office(s)

    def _words(self, s: Story) -> tuple[str, str]:
        """Why the office hands the item up (by category, else a general reason) and its own note."""
        rng, up = self.rng, self.office_rows[s.up]
        if up.jurisdiction.level == Jurisdiction.Level.COUNTY:
            by_category, general = texts.REASONS_TO_DISTRICT, texts.REASONS_TO_DISTRICT_GENERAL
        else:
            by_category, general = texts.REASONS_TO_CITY, texts.REASONS_TO_CITY_GENERAL
        return by_category.get(s.item.category) or rng.choice(general), rng.choice(texts.ESCALATION_NOTES)

    def _op_escalate(self, s: Story, day: date) -> None:
        """petition_escalate: the handling office hands the item to the office above (its triage list)."""
        v = s.values
        at = self._at(s, day)
        who = (self._handler_of(s), "")
        reason, note = self._words(s)
        fact = events.escalated(
            from_office=self.office_rows.get(v["handling_office_id"]),
            to_office=self.office_rows[s.up],
            reason=reason,
            note=note,
        )
        v.update(handling_office_id=s.up, escalated_to_id=s.up, escalated_at=at)
        self._move(s, fact.kind, at, who, to=Status.TRIAGED, data=fact.data, public=fact.public_text)

    def _op_send_down(self, s: Story, day: date) -> None:
        """petition_send_down: back to the office that handed it up (its owner), with the explanation."""
        v = s.values
        at = self._at(s, day)
        who = (self._handler_of(s), "")
        fact = events.sent_down(
            from_office=self.office_rows[v["handling_office_id"]],
            to_office=self.office_rows[v["owner_office_id"]],
            explanation=self.rng.choice(texts.SEND_DOWN_EXPLANATIONS),
        )
        v["handling_office_id"] = v["owner_office_id"]
        self._move(s, fact.kind, at, who, to=Status.TRIAGED, data=fact.data, public=fact.public_text)

    def _op_take_over(self, s: Story, day: date) -> None:
        """petition_take_over: the office above becomes the owner (it feeds back and closes out)."""
        v = s.values
        at = self._at(s, day)
        who = (self._handler_of(s), "")
        fact = events.taken_over(
            from_office=self.office_rows[v["owner_office_id"]],
            to_office=self.office_rows[v["handling_office_id"]],
            note=self.rng.choice(texts.TAKE_OVER_NOTES),
        )
        v["owner_office_id"] = v["handling_office_id"]
        self._move(s, fact.kind, at, who, data=fact.data, public=fact.public_text)
