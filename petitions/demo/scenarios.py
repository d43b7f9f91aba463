"""What happens to whom in the demo handling story: the cases set up on purpose, the office's
triage list, which items stay overdue (`petitions.demo.handling` explains the story)."""

from datetime import date, timedelta

from petitions.demo import texts
from petitions.demo.maker import STATUS_BY_AGE
from petitions.demo.story import OVERDUE_KEPT, TOWNSHIP_TRIAGE_LIST, TRIAGE_LIST, WITHOUT_DEPARTMENT, Story, _draw
from petitions.models import Route, Status, Urgency
from stations.demo.network import HOUSING_DEPARTMENT


class Scenarios:
    """The planning half of `DemoHandling.plan`: it settles each `Story`'s end status and scenario
    before any move is told. A mixin of `DemoHandling`, whose `__init__` sets the attributes used
    here (`rng`, `cal`, `stories`, `housing`...); it only changes the stories in memory."""

    def _redraw(self, s: Story) -> str:
        """A routed status that fits the item's age (maker.STATUS_BY_AGE without the waiting ones)."""
        pairs = next(c for limit, c in STATUS_BY_AGE if limit is None or s.age < limit)
        pairs = [(st, w) for st, w in pairs if st not in (Status.REGISTERED, Status.TRIAGED, Status.SUGGESTION)]
        return _draw(self.rng, pairs)

    def _pick(self, n: int, *, since: date, until: date, categories=(), where=lambda s: True) -> list[Story]:
        """`n` free items of the district office received between the two dates, those of
        `categories` first; the others are given a petition of one of `categories` (its text and
        category). The district office's own items: it assigns them to any bureau (a township
        office's go to its township's government) and its lists are the ones the cases fill."""
        pool = [
            s
            for s in self.stories
            if s.free and since <= s.received_on <= until and where(s) and self._office_of(s) == self.office
        ]
        self.rng.shuffle(pool)
        pool.sort(key=lambda s: s.item.category not in categories)
        chosen = pool[:n]
        for s in chosen:
            s.scenario = "picked"
            if categories and s.item.category not in categories:
                self._retopic(s, self.rng.choice(categories))
        return chosen

    def _retopic(self, s: Story, category: str) -> None:
        rng, v = self.rng, s.values
        if category not in self.templates or category not in self.category_ids:
            return
        road, road2 = rng.sample(texts.ROADS, 2)
        place = s.item.place or self.stations[v["station_id"]].place
        v["content"] = rng.choice(self.templates[category]).format(
            place=place, road=road, road2=road2, b=rng.randint(1, 30), n=rng.randint(2, 9), y=rng.randint(3, 9)
        )
        v["category_id"] = self.category_ids[category]
        s.item.category = category

    def _days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def _scenarios(self) -> None:
        """The cases set up on purpose (module docstring); each takes free items of a fitting age."""
        housing = ("物业管理", "老旧小区改造", "加装电梯", "住房保障")
        wd = self.cal.between
        days, _co = self.rules[Urgency.NORMAL]
        normal = lambda s: s.values["urgency"] == Urgency.NORMAL
        if self.housing:
            # The demo department's desk: to accept, in hand (with extensions), co-handling, answered, returned.
            for s in self._pick(
                2,
                since=self.cal.back(self.last_work, 2),
                until=self.today,
                categories=housing,
                where=lambda s: s.values["channel"] not in ("qr", "wechat"),
            ):
                self._direct(s, Status.ASSIGNED, lead=self.housing)
            for s in self._pick(
                1,
                since=self._days_ago(40),
                until=self._days_ago(10),
                categories=housing,
                where=lambda s: normal(s) and days - 5 <= wd(s.received_on, self.last_work) <= days - 1,
            ):
                self._direct(s, Status.IN_PROGRESS, lead=self.housing, extension="pending")
            for s in self._pick(
                1,
                since=self._days_ago(60),
                until=self._days_ago(25),
                categories=housing,
                where=lambda s: normal(s) and days + 5 <= wd(s.received_on, self.last_work) <= days + 20,
            ):
                self._direct(s, Status.IN_PROGRESS, lead=self.housing, extension="refused")
                s.red = True
            for s in self._pick(
                1,
                since=self._days_ago(70),
                until=self._days_ago(25),
                categories=housing,
                where=lambda s: normal(s) and wd(s.received_on, self.last_work) >= days + 3,
            ):
                self._direct(s, Status.ACCEPTED, lead=self.housing, extension="approved")
            co_categories = tuple(c for c, names in texts.CO_HANDLERS.items() if HOUSING_DEPARTMENT in names)
            for s in self._pick(
                2, since=self._days_ago(16), until=self._days_ago(5), categories=co_categories, where=normal
            ):
                lead = self._lead_for(s, exclude=self.housing)
                self._direct(s, Status.IN_PROGRESS, lead=lead, co=self.housing)
            for s in self._pick(
                1,
                since=self._days_ago(90),
                until=self._days_ago(35),
                categories=housing,
                where=lambda s: normal(s) and wd(s.received_on, self.last_work) >= days + 10,
            ):
                self._direct(s, Status.REPLIED, lead=self.housing)
                s.late_notice = True
            for s in self._pick(1, since=self._days_ago(75), until=self._days_ago(20), categories=housing):
                self._direct(s, Status.FED_BACK, lead=self.housing, extension="answered" if normal(s) else "")
            # Suspended by the office while the department waits for a court ruling or a planned project.
            for s in self._pick(
                1, since=self._days_ago(30), until=self._days_ago(10), categories=housing, where=normal
            ):
                self._direct(s, Status.ACCEPTED, lead=self.housing)
                s.suspend = True
            for s in self._pick(1, since=self._days_ago(20), until=self._days_ago(6), categories=("物业管理",)):
                self._direct(s, Status.TRIAGED, lead=self.housing)
                s.scenario = "returned"
            for s in self._pick(
                1,
                since=self._days_ago(80),
                until=self._days_ago(30),
                categories=housing,
                where=lambda s: self._street_office(s) is not None,
            ):
                self._direct(s, _draw(self.rng, ((Status.CLOSED, 2), (Status.REPLIED, 1))), lead=self.housing)
                s.scenario = "reassigned"
        # Returned by other departments, back in the office's triage list.
        for s in self._pick(2, since=self._days_ago(20), until=self._days_ago(6)):
            lead = self._lead_for(s, exclude=self.housing)
            self._direct(s, Status.TRIAGED, lead=lead)
            s.scenario = "returned"
        # One item in its second round: rated "dissatisfied", now in hand again.
        for s in self._pick(1, since=self._days_ago(45), until=self._days_ago(28), where=normal):
            self._direct(s, Status.IN_PROGRESS, lead=self._lead_for(s, exclude=self.housing))
            s.reopen = True
        # Each route without a department has an item still at its answer (the others were fed back since).
        for status in WITHOUT_DEPARTMENT:
            for s in self._pick(1, since=self._days_ago(40), until=self._days_ago(5)):
                s.status, s.scenario = status, "kept"
        self._plan_suggestions()

    def _direct(self, s: Story, status: str, *, lead, co=None, extension="") -> None:
        s.status, s.route, s.lead, s.co, s.extension = status, Route.DIRECT, lead, co, extension
        s.scenario = s.scenario if s.scenario != "picked" else "forced"
        s.d0 = self._assign_day(s)

    def _triage_list(self, cut: date) -> None:
        """What the last reception days brought waits in each office's triage list: TRIAGE_LIST
        items in the district office's, TOWNSHIP_TRIAGE_LIST in a township office's."""
        by_office = {}
        for s in self.stories:
            # An item waiting above is in that office's list (demo.escalation).
            office = self.office_users.get(s.up) if s.escalation == "waiting" else self._office_of(s)
            by_office.setdefault(office, []).append(s)
        for office, stories in by_office.items():
            low, high = TRIAGE_LIST if office == self.office else TOWNSHIP_TRIAGE_LIST
            waiting = [s for s in stories if s.status in (Status.REGISTERED, Status.TRIAGED)]
            extra = len(waiting) - high
            if extra > 0:
                movable = sorted((s for s in waiting if s.free), key=lambda s: s.values["registered_at"])
                for s in movable[:extra]:
                    s.status = _draw(
                        self.rng, ((Status.ASSIGNED, 60), (Status.ON_THE_SPOT, 25), (Status.CONSULTED, 15))
                    )
            elif len(waiting) < low:
                recent = [
                    s
                    for s in stories
                    if s.free and s.received_on >= cut and s.status not in (Status.REGISTERED, Status.TRIAGED)
                ]
                for s in recent[: low - len(waiting)]:
                    s.status = Status.REGISTERED

    def _overdue(self) -> None:
        """Of the items in hand past their deadline, OVERDUE_KEPT stay overdue; the others have been answered."""
        late = [s for s in self.stories if s.red and not s.scenario]
        self.rng.shuffle(late)
        late.sort(key=lambda s: s.d0, reverse=True)  # the most recently due stay overdue
        for s in late[OVERDUE_KEPT:]:
            s.red = False
            s.status = _draw(self.rng, ((Status.REPLIED, 4), (Status.FED_BACK, 3), (Status.CLOSED, 3)))

    def _notice_on_red(self) -> None:
        """A supervision notice to another department on one overdue item (open)."""
        red = [s for s in self.stories if s.red and not s.scenario and s.lead != self.housing]
        if red:
            red[0].scenario = "notice"
