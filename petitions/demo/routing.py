"""Telling one demo item from the office's side: the day it is routed, the department it goes to,
its moves laid out in the working days there were, triage and assignment
(`petitions.demo.handling` explains the story)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from petitions.demo import texts
from petitions.demo.story import (
    CO_HANDLED,
    DIRECT,
    EXTENDED_AT_MOST,
    FIRST_ROUND,
    IN_HAND,
    NO_REOPEN,
    PENDING_AT_MOST,
    TRIAGED_FIRST,
    WITHOUT_DEPARTMENT,
    K,
    Step,
    Story,
    _beyond,
    _draw,
)
from petitions.models import Assignment, Route, Satisfaction, Status, Urgency
from stations.demo.network import DISTRICT_DEPARTMENTS
from stations.demo.people import person_name


class Routing:
    """Turns each planned `Story` into its moves (`Step`s), as `petitions.handling.services` writes
    them. A mixin of `DemoHandling`, whose `__init__` sets the attributes used here; the moves
    themselves are the `_op_<name>` methods of the other mixins, called by `_run`. Changes only the
    stories and their items' values in memory."""

    def _assign_day(self, s: Story) -> date:
        """The office routes what came in within two working days (LIAISON_TRIAGE_WORKING_DAYS)."""
        start = s.received_on
        day = self.cal.next_working_day(start)
        if s.values["urgency"] != Urgency.URGENT:
            day = self.cal.add(day, self.rng.choice((0, 0, 1, 1, 2)))
        if day > self.last_work:
            day = max(start, self.last_work)
        return day

    def _street_office(self, s: Story) -> int | None:
        station = self.stations[s.values["station_id"]]
        return self.net.offices.get(station.code[:9] + "000")

    def _bureaus(self, s: Story) -> dict[str, int]:
        """The bureaus the item's office may assign to (none for a township office's item)."""
        return self.net.bureaus_for(self.stations[s.values["station_id"]])

    def _lead_for(self, s: Story, *, exclude=None) -> int | None:
        """A bureau of the item's category, or its street office (maker.Maker's choice); always the
        street office for an item of a township office."""
        bureaus = self._bureaus(s)
        names = [n for n in texts.CATEGORY_DEPARTMENTS.get(s.item.category, ()) if n in bureaus]
        candidates = [bureaus[n] for n in names if bureaus[n] != exclude]
        office = self._street_office(s)
        if not candidates or self.rng.random() < 0.2:
            return office or (candidates[0] if candidates else None)
        return self.rng.choice(candidates)

    def _co_for(self, s: Story) -> int | None:
        bureaus = self._bureaus(s)
        names = texts.CO_HANDLERS.get(s.item.category) or DISTRICT_DEPARTMENTS[:26]
        ids = [bureaus[n] for n in names if n in bureaus and bureaus[n] != s.lead]
        return self.rng.choice(ids) if ids else None

    def _prepare_direct(self, s: Story) -> None:
        v = s.values
        s.lead = v["lead_department_id"] or self._lead_for(s)
        if s.lead is None:  # no department at all: answered as a consultation instead
            s.status = Status.CONSULTED
            return
        s.route = Route.DIRECT
        if self.rng.random() < CO_HANDLED:
            s.co = self._co_for(s)
        s.d0 = self._assign_day(s)
        if s.status == Status.ASSIGNED and s.d0 < self.cal.back(self.last_work, PENDING_AT_MOST):
            s.status = _draw(self.rng, ((Status.ACCEPTED, 1), (Status.IN_PROGRESS, 2)))
        due = self.cal.add(s.d0, self.rules[v["urgency"]][0])
        if s.status in IN_HAND and due < self.today:
            recent = self.cal.between(due, self.last_work) <= EXTENDED_AT_MOST
            if recent and s.lead == self.housing and self.dept_user and v["urgency"] == Urgency.NORMAL:
                s.extension = "approved"
            else:
                s.red = True

    def _tell(self, s: Story) -> None:
        if s.protected or s.status == Status.REGISTERED:
            return
        if s.escalation:
            return self._tell_escalated(s)  # demo.escalation
        if s.status == Status.SUGGESTION or s.scenario == "suggestion":
            return  # told with its suggestion (_tell_suggestions)
        if s.route == Route.DIRECT or s.status in DIRECT:
            if s.route != Route.DIRECT:
                self._prepare_direct(s)
                if s.status not in DIRECT:
                    return self._tell(s)
            return self._tell_direct(s)
        if s.status == Status.TRIAGED:
            day = self._assign_day(s)
            self._triage(s, day)
            return
        if s.status in WITHOUT_DEPARTMENT:
            return self._tell_without_department(s)

    def _at(self, s: Story, day: date) -> datetime:
        """A moment in office hours of `day`, after everything the item has seen so far, never after now."""
        rng, cursor = self.rng, s.cursor
        day = min(day, self.today)
        if day > timezone.localtime(cursor, self.tz).date():
            minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
            at = timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)), self.tz)
        else:
            at = cursor + timedelta(minutes=rng.randint(10, 150))
        if at >= self.now:
            at = cursor + (self.now - cursor) * rng.uniform(0.2, 0.6)
        s.cursor = at
        return at

    def _day(self, s: Story, offset: int) -> date:
        day = self.cal.add(s.d0, offset)
        return min(day, max(s.d0, self.last_work))

    def _who(self, department_id) -> tuple:
        """The demo account of the department where it has one (`desk_users`), else its name."""
        if department_id in self.desk_users:
            return self.desk_users[department_id], ""
        return None, self.names.get(department_id, "")

    def _move(self, s: Story, kind, at, who, *, to=None, data=None, public="") -> None:
        old = s.state
        new = to or old
        s.steps.append(
            Step(kind, at, who[0], who[1], old if new != old else "", new if new != old else "", data or {}, public)
        )
        s.state = new
        s.version += 1

    def _triage(self, s: Story, day: date) -> None:
        at = self._at(s, day)
        s.values["route"] = Route.DIRECT
        self._move(
            s,
            K.TRIAGED,
            at,
            (self._handler_of(s), ""),
            to=Status.TRIAGED,
            data={"route": Route.DIRECT, "changes": {}, "note": ""},
            public=_("Your item has been sorted and will be assigned to the department responsible."),
        )

    def _tell_direct(self, s: Story) -> None:
        """Build the item's moves as working-day offsets from the day it was routed, squeeze them into
        the time there was (until today), then run them."""
        rng, v = self.rng, s.values
        urgent = v["urgency"] == Urgency.URGENT
        days, co_days = self.rules[v["urgency"]]
        avail = self.cal.between(s.d0, self.last_work)
        target = s.status
        ops = []
        if not urgent and rng.random() < TRIAGED_FIRST and s.state == Status.REGISTERED:
            ops.append((0, "triage"))
        ops.append((0, "assign", s.lead, s.co))
        acc = 0 if urgent else rng.choice((0, 1, 1, 2))
        # The first round's rating is drawn now: a "dissatisfied" one needs the second round's moves.
        s.plan_rating = (_draw(rng, FIRST_ROUND if not s.scenario else NO_REOPEN),)
        if s.scenario == "returned":
            back = min(avail, acc + rng.randint(1, 3))
            if rng.random() < 0.5 and back > acc:
                ops.append((acc, "accept"))
            ops.append((back, "return", rng.choice(texts.RETURN_REASONS)))
            return self._run(s, ops)
        if s.scenario == "reassigned":
            back = acc + rng.randint(1, 3)
            office = self._street_office(s)
            ops += [
                (acc, "accept"),
                (back, "return", texts.RETURN_TO_OFFICE),
                (back + rng.randint(0, 1), "assign", office, None),
            ]
            s.lead = office
            s.plan_rating = (_draw(rng, NO_REOPEN),)
            acc = back + 1 + rng.randint(0, 1)
            days_left = avail - acc
            reply = acc + min(rng.randint(4, 12), max(1, days_left - 12))
            ops += [(acc, "accept"), (reply, "reply")]
            if target == Status.CLOSED:
                ops += [(reply + 2, "feed_back"), (reply + 4, "rate"), (reply + 7, "close")]
            return self._run(s, self._squeeze(ops, avail))
        if s.reopen:
            s.plan_rating = (Satisfaction.DISSATISFIED,)
            again = max(6, avail - rng.randint(4, 9))
            reply = max(acc + 1, again - rng.randint(3, 5))
            ops += [
                (acc, "accept"),
                (reply, "reply"),
                (min(reply + 1, again), "feed_back"),
                (again, "rate", Satisfaction.DISSATISFIED),
                (min(again + rng.randint(0, 1), avail), "accept"),
            ]
            ops.append((min(again + rng.randint(1, 3), avail), "progress"))
            return self._run(s, ops)
        if target == Status.ASSIGNED:
            return self._run(s, ops)
        ops.append((acc, "accept"))
        due = days
        if target in IN_HAND:
            # In hand today: progress so far, the co-handler's part, extensions, a notice.
            if s.extension == "pending":
                ask = max(acc + 1, avail - rng.randint(0, 2))
                ops.append((ask, "ext_request", "pending"))
            elif s.extension in ("approved", "refused"):
                ask = max(acc + 1, due - rng.randint(2, 3))
                ops += [(ask, "ext_request", s.extension), (ask + 1, "ext_decide", s.extension == "approved")]
            if s.extension == "refused" or s.scenario == "notice":
                ops.append((max(due + 1, avail - rng.randint(1, 4)), "notice", False))
            if target == Status.IN_PROGRESS:
                ops.append((rng.randint(min(acc + 1, avail), max(acc + 1, avail)), "progress"))
            if s.co and s.co != self.housing and rng.random() < 0.5:
                ops.append((min(avail, acc + rng.randint(1, co_days - 1)), "contribute"))
            if s.suspend:
                ops.append((avail, "suspend"))  # the last move (the sort keeps the order of equal days)
            ops.sort(key=lambda op: op[0])
            return self._run(s, [(min(o, avail), *rest) for o, *rest in ops])
        # Answered: the reply, before the deadline mostly.
        if urgent:
            reply = acc + rng.randint(1, 2)
        elif s.late_notice:
            notice = due + rng.randint(1, 2)
            reply = notice + rng.randint(1, 3)
            ops.append((notice, "notice", True))
        elif s.extension == "answered":
            ask = due - rng.randint(2, 3)
            ops += [(ask, "ext_request", "approved"), (ask + 1, "ext_decide", True)]
            reply = due + rng.randint(2, 8)
        elif rng.random() < 0.06:
            reply = due + rng.randint(1, 4)  # a little late
        else:
            reply = acc + rng.randint(3, due - acc - 1)
        if reply - acc >= 2 and rng.random() < 0.4:
            ops.append((rng.randint(acc + 1, reply - 1), "progress"))
        if s.co:
            ops.append(
                (min(reply - 1, acc + rng.randint(1, co_days)), "contribute") if rng.random() < 0.8 else (reply, "noop")
            )
        ops.append((reply, "reply"))
        after = reply
        rated = target in (Status.RATED, Status.CLOSED)
        for status, name, gap in ((Status.FED_BACK, "feed_back", (1, 4)), (Status.RATED, "rate", (0, 5))):
            if target == status or _beyond(target, status):
                after += rng.randint(*gap)
                ops.append((after, name))
        if rated and s.plan_rating[0] == Satisfaction.DISSATISFIED:
            # Reopened: the same department answers once more, is fed back and rated again.
            after += rng.randint(0, 2)
            ops.append((after, "accept"))
            after += rng.randint(3, 10)
            ops.append((after, "reply"))
            after += rng.randint(1, 3)
            ops.append((after, "feed_back"))
            after += rng.randint(0, 3)
            ops.append((after, "rate"))
        if target == Status.CLOSED:
            ops.append((after + rng.randint(1, 8), "close"))
        ops.sort(key=lambda op: op[0])
        self._run(s, self._squeeze(ops, avail))

    @staticmethod
    def _squeeze(ops, avail: int):
        """The same moves in the working days there were: offsets scaled down when the last is too late."""
        last = max(op[0] for op in ops)
        if last <= avail:
            return ops
        return [(op[0] * avail // last, *op[1:]) for op in ops]

    def _run(self, s: Story, ops) -> None:
        for offset, name, *args in ops:
            getattr(self, f"_op_{name}")(s, self._day(s, offset), *args)

    def _op_noop(self, s, day):
        pass

    def _op_triage(self, s, day):
        self._triage(s, day)

    def _op_assign(self, s, day, department, co):
        v, rng = s.values, self.rng
        at = self._at(s, day)
        office = self._handler_of(s)
        days, co_days = self.rules[v["urgency"]]
        local = timezone.localtime(at, self.tz).date()
        due, co_due = self.cal.add(local, days), self.cal.add(local, co_days)
        lead = Assignment(
            department_id=department,
            role=Assignment.Role.LEAD,
            round=s.round,
            due_on=due,
            assigned_at=at,
            assigned_by=office,
        )
        s.shares.append(lead)
        s.lead_share, s.co_share = lead, None
        if co:
            s.co_share = Assignment(
                department_id=co,
                role=Assignment.Role.CO,
                round=s.round,
                due_on=min(co_due, due),
                assigned_at=at,
                assigned_by=office,
            )
            s.shares.append(s.co_share)
        if not v.get("responsible_leader") and rng.random() < 0.5:
            v["responsible_leader"] = f"{person_name(rng, rng.choice('MF'))}（{rng.choice(texts.RESPONSIBLE_TITLES)}）"
        v.update(lead_department_id=department, due_on=due, route=Route.DIRECT, assigned_at=at)
        name = self.names[department]
        self._move(
            s,
            K.ASSIGNED,
            at,
            (office, ""),
            to=Status.ASSIGNED,
            data={
                "department": name,
                "co_departments": [self.names[co]] if co else [],
                "due_on": str(due),
                "co_due_on": str(s.co_share.due_on) if co else "",
                "responsible_leader": v.get("responsible_leader", ""),
                "note": "",
            },
            public=_("Your item has been assigned to %(department)s, to be answered by %(due)s.")
            % {"department": name, "due": date_format(due, "Y-m-d")},
        )

    def _op_suspend(self, s, day):
        at = self._at(s, day)
        reason = self.rng.choice(texts.SUSPEND_REASONS)
        until = self.cal.add(self.today, self.rng.randint(10, 25))  # the daily task resumes it then
        s.values.update(suspended_at=at, suspended_until=until, suspend_reason=reason)
        self._move(
            s,
            K.SUSPENDED,
            at,
            (self._handler_of(s), ""),
            to=Status.SUSPENDED,
            data={"reason": reason, "until": str(until), "due_on": str(s.lead_share.due_on)},
            public=_("Handling is suspended until %(until)s: %(reason)s. The deadline is paused meanwhile.")
            % {"until": date_format(until, "Y-m-d"), "reason": reason},
        )
