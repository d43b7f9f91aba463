"""After the answer in the demo handling story: feedback, ratings (a dissatisfied first round
reopens the item), close-out, and the routes answered without a department
(`petitions.demo.handling` explains the story)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.models import Role
from petitions.demo import texts
from petitions.demo.story import (
    CLOSED_AFTER_DAYS,
    FED_BACK_AFTER_DAYS,
    FIRST_ROUND,
    METHODS,
    NO_REOPEN,
    ORDER,
    PUBLIC_RESULT_SHARE,
    SECOND_ROUND,
    WITHOUT_DEPARTMENT,
    K,
    Story,
    _beyond,
    _draw,
)
from petitions.ledger.services import RESIDENT
from petitions.models import Assignment, FeedbackMethod, Rating, Route, Satisfaction, Status

# Who records a rating the resident gave them (the others who feed back, representatives, do not).
RECORDING_ROLES = (Role.STATION_STAFF, Role.COMMITTEE_OFFICE)


class FeedbackAndRating:
    """The `_op_<name>` moves after the answer, as `petitions.handling.services` writes them. A mixin
    of `DemoHandling` (its `__init__` sets the attributes used here); each move appends the rows it
    needs to the `Story` in memory."""

    def _op_feed_back(self, s, day):
        rng, v = self.rng, s.values
        at = self._at(s, day)
        if s.round == 1:
            pairs = FIRST_ROUND if s.route == Route.DIRECT else NO_REOPEN
            overall = s.plan_rating[0] if s.plan_rating else _draw(rng, pairs)
        else:
            overall = _draw(rng, SECOND_ROUND)
        s.plan_rating = (overall,)
        method = _draw(rng, METHODS)
        text = rng.choice(texts.FEEDBACK_BY_RATING[overall])
        who = self._feedback_who(s)
        s.plan_rating = (overall, who)
        v.update(feedback_method=method, feedback_summary=text, fed_back_at=at)
        self._move(
            s,
            K.FED_BACK,
            at,
            who,
            to=Status.FED_BACK,
            data={"method": method, "text": text},
            public=_("The answer was fed back to you (%(method)s). You can rate the handling on this page.")
            % {"method": FeedbackMethod(method).label},
        )

    def _feedback_who(self, s: Story) -> tuple:
        """Staff of the demo home's stations, the demo representative on his items, else the station's liaison
        officer; the office above itself for an item it took over (it answers it to the end)."""
        station = s.values["station_id"]
        if s.values["owner_office_id"] != self.net.owners.get(station):
            return self._office_of(s), ""
        if self.staff and station in self.staffed:
            return self.staff, ""
        if self.rep_user and self.rep_id in s.item.reps and self.rng.random() < 0.7:
            return self.rep_user, ""
        if station in self.officers and self.rng.random() < 0.8:
            return None, self.officers[station]
        return self._office_of(s), ""

    def _op_rate(self, s, day, forced=None):
        rng, v = self.rng, s.values
        overall, fed_by = s.plan_rating if len(s.plan_rating) == 2 else (forced, (self._office_of(s), ""))
        overall = forced or overall
        reps = list(s.item.reps)
        if self.rep_id in reps:
            reps.remove(self.rep_id)
            reps.insert(0, self.rep_id)
        if overall == Satisfaction.DISSATISFIED and s.round == 1 and s.route == Route.DIRECT:
            rater = "rep" if reps and rng.random() < 0.5 else "resident"
            at = self._at(s, day)
            data = self._rating(s, at, rater, reps, overall, fed_by)
            return self._reopen(s, at, data)
        mode = _draw(rng, (("rep", 5), ("both", 3), ("resident", 2))) if reps else "resident"
        given = []
        if mode in ("rep", "both"):
            better = Satisfaction.SATISFIED if mode == "both" and rng.random() < 0.4 else overall
            given.append(("rep", better))
        if mode in ("resident", "both"):
            given.append(("resident", overall))
        for rater, satisfaction in given:
            at = self._at(s, day)
            data = self._rating(s, at, rater, reps, satisfaction, fed_by)
            v["satisfaction"] = self._overall(s)
            resident = rater == "resident"
            self._move(
                s,
                K.RATED,
                at,
                data.pop("_who"),
                to=Status.RATED,
                data=data,
                public=_("Thank you: your rating has been recorded.") if resident else "",
            )

    def _rating(self, s, at, rater, reps, satisfaction, fed_by) -> dict:
        """One Rating row; the history row's data (and who gave it, under "_who")."""
        comment = self.rng.choice(texts.RATING_COMMENTS[satisfaction])
        if rater == "rep":
            rep = reps[0]
            user = self.rep_user if rep == self.rep_id else None
            who = (user, "") if user else (None, self.net.rep_names.get(rep, ""))
            row = Rating(
                round=s.round,
                rater=Rating.Rater.REPRESENTATIVE,
                representative_id=rep,
                satisfaction=satisfaction,
                comment=comment,
                recorded_by=user,
                created_at=at,
            )
            name = self.net.rep_names.get(rep, "")
        else:
            # Staff or an office record a rating the resident gave them; anyone else's is the resident's own.
            user = fed_by[0] if fed_by[0] is not None and fed_by[0].role in RECORDING_ROLES else None
            who = (user, "") if user else (None, RESIDENT)
            row = Rating(
                round=s.round,
                rater=Rating.Rater.RESIDENT,
                satisfaction=satisfaction,
                comment=comment,
                recorded_by=user,
                created_at=at,
            )
            name = ""
        s.ratings.append(row)
        return {
            "rater": row.rater,
            "representative": name,
            "satisfaction": satisfaction,
            "comment": comment,
            "round": s.round,
            "_who": who,
        }

    def _overall(self, s: Story) -> str:
        """handling._overall: the resident's rating of the round if given, else the lowest representative one."""
        ratings = [r for r in s.ratings if r.round == s.round]
        resident = [r for r in ratings if r.rater == Rating.Rater.RESIDENT]
        if resident:
            return resident[-1].satisfaction
        return min((r.satisfaction for r in ratings), key=ORDER.get, default="")

    def _reopen(self, s: Story, at: datetime, data: dict) -> None:
        """handling._reopen: one more round with the same lead department and a new deadline from the rating."""
        v = s.values
        who = data.pop("_who")
        v["satisfaction"] = self._overall(s)
        last = s.lead_share
        s.round += 1
        days, _co = self.rules[v["urgency"]]
        due = self.cal.add(timezone.localtime(at, self.tz).date(), days)
        share = Assignment(
            department_id=last.department_id,
            role=Assignment.Role.LEAD,
            round=s.round,
            due_on=due,
            assigned_at=at,
            assigned_by=last.assigned_by,
        )
        s.shares.append(share)
        s.lead_share, s.co_share = share, None
        v.update(round=s.round, replied_at=None, fed_back_at=None, outcome="", due_on=due, assigned_at=at)
        s.plan_rating = ()
        self._move(
            s,
            K.REOPENED,
            at,
            who,
            to=Status.ASSIGNED,
            data={**data, "reopened": True, "new_round": s.round, "due_on": str(due)},
            public=_("You were not satisfied, so your item is being handled once more; the new deadline is %(due)s.")
            % {"due": date_format(due, "Y-m-d")},
        )

    def _op_close(self, s, day):
        v = s.values
        at = self._at(s, day)
        # Only department replies have a line for the public: they are about 70 % of the closed items.
        public = bool(s.result) and self.rng.random() < PUBLIC_RESULT_SHARE / 0.7
        v.update(closed_at=at, public_result=f"{s.item.category}：{s.result}" if public else "")
        self._move(
            s,
            K.CLOSED,
            at,
            (self._office_of(s), ""),
            to=Status.CLOSED,
            data={"note": "", "public": public},
            public=_("Your item is closed. Thank you for taking part."),
        )

    def _tell_without_department(self, s: Story) -> None:
        rng = self.rng
        answer = s.status
        route = WITHOUT_DEPARTMENT[answer][0]
        target = answer
        if s.scenario == "kept":
            pass
        elif s.age > CLOSED_AFTER_DAYS and rng.random() < 0.8:
            target = Status.CLOSED
        elif s.age > FED_BACK_AFTER_DAYS and rng.random() < 0.5:
            target = Status.FED_BACK
        s.route, s.answer = route, answer
        s.d0 = s.received_on if answer == Status.ON_THE_SPOT else self._assign_day(s)
        if answer in (Status.ESCALATED, Status.CANNOT_HANDLE):
            s.d0 = min(self.cal.add(s.d0, rng.randint(1, 3)), max(s.d0, self.last_work))
        avail = self.cal.between(s.d0, self.last_work)
        ops = [(0, "answer", answer)]
        after = 0
        for status, name, gap in (
            (Status.FED_BACK, "feed_back", (1, 5)),
            (Status.RATED, "rate", (0, 5)),
            (Status.CLOSED, "close", (1, 8)),
        ):
            if target == status or _beyond(target, status):
                after += rng.randint(*gap)
                ops.append((after, name))
        s.status = target
        self._run(s, self._squeeze(ops, avail))

    def _op_answer(self, s, day, answer):
        rng, v = self.rng, s.values
        route, kind, answers, prefix = WITHOUT_DEPARTMENT[answer]
        at = self._at(s, day) if answer != Status.ON_THE_SPOT else self._soon(s)
        local = timezone.localtime(at, self.tz)
        if answer == Status.ON_THE_SPOT:
            department = self._street_office(s)
        elif answer == Status.CONSULTED:
            department = self._lead_for(s)
        else:
            department = None
        name = self.names.get(department, "属地街乡") if department else ""
        n = rng.randint(2, 5)
        text = rng.choice(answers).format(dept=name or "有关部门", m=local.month, d=local.day, n=n)
        v.update(handling_summary=text, replied_at=at, route=route or v.get("route", ""))
        self._move(
            s,
            kind,
            at,
            (self._handler_of(s), ""),
            to=answer,
            data={"text": text, "department": name},
            public=prefix() % {"text": text},
        )

    def _soon(self, s: Story) -> datetime:
        """Within the hour after the resident came (handed over on the spot)."""
        at = min(s.cursor + timedelta(minutes=self.rng.randint(10, 60)), s.cursor + (self.now - s.cursor) * 0.5)
        s.cursor = at
        return at
