"""The departments' moves in the demo handling story: acceptance, progress, the co-handler's part,
extension requests and decisions, returns, supervision notices and the reply
(`petitions.demo.handling` explains the story)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from petitions.demo import texts
from petitions.demo.story import IN_HAND, OUTCOMES, K, Ref, Step, _draw
from petitions.models import Assignment, DepartmentReply, ExtensionRequest, Outcome, Status, SupervisionNotice


class DepartmentWork:
    """The department's `_op_<name>` moves, as `petitions.handling.services` writes them. A mixin of
    `DemoHandling` (its `__init__` sets the attributes used here); each move appends the rows it
    needs (shares, requests, replies, notices) to the `Story` in memory."""

    def _op_accept(self, s, day):
        share = s.lead_share
        at = self._at(s, day)
        share.state, share.accepted_at = Assignment.State.ACCEPTED, at
        name = self.names[share.department_id]
        self._move(
            s,
            K.ACCEPTED,
            at,
            self._who(share.department_id),
            to=Status.ACCEPTED,
            data={"department": name},
            public=_("%(department)s has taken your item on.") % {"department": name},
        )

    def _op_progress(self, s, day):
        share = s.lead_share
        at = self._at(s, day)
        text = self.rng.choice(texts.PROGRESS)
        public = self.rng.random() < 0.8
        self._move(
            s,
            K.PROGRESS,
            at,
            self._who(share.department_id),
            to=Status.IN_PROGRESS,
            data={"department": self.names[share.department_id], "text": text, "public": public},
            public=_("Progress: %(text)s") % {"text": text} if public else "",
        )

    def _op_contribute(self, s, day):
        share = s.co_share
        if share is None or not share.is_open:
            return
        at = self._at(s, day)
        name = self.names[share.department_id]
        share.note = self.rng.choice(texts.CONTRIBUTIONS).format(dept=name)
        share.state, share.done_at, share.accepted_at = Assignment.State.DONE, at, at
        self._move(s, K.CONTRIBUTED, at, self._who(share.department_id), data={"department": name, "text": share.note})

    def _op_ext_request(self, s, day, kind):
        share = s.lead_share
        if share.department_id != self.housing or not self.dept_user:
            return
        at = self._at(s, day)
        if kind == "approved" and s.status in IN_HAND:
            # Granted up to a date still ahead: some of these are the amber ones.
            wanted = self.cal.add(self.last_work, self.rng.choice((1, 2, 3, 5, 8, 10)))
        else:
            wanted = self.cal.add(share.due_on, 10)
        request = ExtensionRequest(
            assignment=share,
            requested_by=self.dept_user,
            reason=self.rng.choice(texts.EXTENSION_REASONS),
            current_due_on=share.due_on,
            requested_due_on=max(wanted, self.cal.add(share.due_on, 1)),
            created_at=at,
        )
        s.request = request
        s.extensions.append(request)
        self._move(
            s,
            K.EXTENSION_REQUESTED,
            at,
            self._who(share.department_id),
            data={
                "department": self.names[share.department_id],
                "request": Ref(request),
                "from": str(request.current_due_on),
                "to": str(request.requested_due_on),
                "reason": request.reason,
            },
        )

    def _op_ext_decide(self, s, day, approve):
        request, share = s.request, s.lead_share
        if request is None:
            return
        at = self._at(s, day)
        office = self._handler_of(s)
        request.decided_by, request.decided_at = office, at
        name = self.names[share.department_id]
        if approve:
            request.state, request.decision_note = ExtensionRequest.State.APPROVED, texts.EXTENSION_APPROVED
            share.due_on = request.requested_due_on
            s.values["due_on"] = share.due_on
            self._move(
                s,
                K.EXTENSION_APPROVED,
                at,
                (office, ""),
                data={
                    "from": str(request.current_due_on),
                    "to": str(share.due_on),
                    "department": name,
                    "request": Ref(request),
                    "note": request.decision_note,
                },
                public=_("The deadline was extended to %(due)s.") % {"due": date_format(share.due_on, "Y-m-d")},
            )
        else:
            request.state, request.decision_note = ExtensionRequest.State.REFUSED, texts.EXTENSION_REFUSED
            self._move(
                s,
                K.EXTENSION_REFUSED,
                at,
                (office, ""),
                data={
                    "due_on": str(request.current_due_on),
                    "department": name,
                    "request": Ref(request),
                    "note": request.decision_note,
                },
            )
        s.request = None

    def _op_return(self, s, day, reason):
        share = s.lead_share
        at = self._at(s, day)
        share.state, share.done_at, share.note = Assignment.State.RETURNED, at, reason
        if s.co_share is not None and s.co_share.is_open:
            s.co_share.state, s.co_share.done_at = Assignment.State.LAPSED, at
        s.values.update(lead_department_id=None, due_on=None, assigned_at=None)
        self._move(
            s,
            K.RETURNED,
            at,
            self._who(share.department_id),
            to=Status.TRIAGED,
            data={"department": self.names[share.department_id], "reason": reason},
        )

    def _op_notice(self, s, day, answered):
        """A supervision notice (督办单) on the item: the office presses the lead department."""
        share = s.lead_share
        if self.office is None or not share.is_open:
            return
        at = self._at(s, day)
        local = timezone.localtime(at, self.tz).date()
        due = self.cal.add(local, self.rng.randint(3, 5))
        notice = SupervisionNotice(
            department_id=share.department_id,
            jurisdiction_id=self.office.jurisdiction_id,
            requirement=texts.SUPERVISION_REQUIREMENT.format(due=date_format(due, "Y年n月j日")),
            due_on=due,
            issued_by=self.office,
            issued_at=at,
        )
        s.notices.append((notice, answered))
        s.steps.append(
            Step(
                K.SUPERVISED,
                at,
                self.office,
                "",
                "",
                "",
                {
                    "number": Ref(notice, "number"),
                    "subject": Ref(notice, "subject"),
                    "due_on": str(due),
                    "department": self.names[share.department_id],
                    "notice": Ref(notice),
                },
                "",
            )
        )

    def _op_reply(self, s, day):
        rng, v, share = self.rng, s.values, s.lead_share
        at = self._at(s, day)
        outcome = _draw(rng, OUTCOMES)
        name = self.names[share.department_id]
        reply, result = rng.choice(self.replies.get((s.item.category, outcome)) or [texts.GENERIC_REPLIES[outcome]])
        when = timezone.localtime(at, self.tz) - timedelta(days=rng.randint(1, 5))
        fill = {"dept": name, "place": s.item.place, "m": when.month, "d": when.day, "n": rng.randint(2, 5)}
        text, s.result = reply.format(**fill), result.format(**fill)
        row = DepartmentReply(
            assignment=share,
            department_id=share.department_id,
            author=self._who(share.department_id)[0],
            outcome=outcome,
            text=text,
            round=s.round,
            created_at=at,
        )
        s.replies.append(row)
        share.state, share.done_at = Assignment.State.DONE, at
        if s.co_share is not None and s.co_share.is_open:
            s.co_share.state, s.co_share.done_at = Assignment.State.LAPSED, at
        for notice, answered in s.notices:
            if answered and not notice.responded_at:
                notice.state, notice.response = SupervisionNotice.State.ANSWERED, texts.SUPERVISION_ANSWER
                notice.responded_by, notice.responded_at = self._who(share.department_id)[0], at - timedelta(minutes=30)
        v.update(outcome=outcome, handling_summary=text, replied_at=at)
        self._move(
            s,
            K.DEPARTMENT_REPLIED,
            at,
            self._who(share.department_id),
            to=Status.REPLIED,
            data={
                "department": name,
                "outcome": outcome,
                "reply": Ref(row),
                "on_time": timezone.localtime(at, self.tz).date() <= share.due_on,
            },
            public=_("Reply from %(department)s (%(outcome)s): %(text)s")
            % {"department": name, "outcome": Outcome(outcome).label, "text": text},
        )
