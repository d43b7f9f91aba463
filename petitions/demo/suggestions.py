"""Representative suggestions in the demo handling story: three of them drawn from the petitions
(one answered, one assigned, one draft) with their own history (`petitions.demo.handling`)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.demo import texts
from petitions.demo.maker import Item
from petitions.demo.story import K, Ref, Story, _last_sequence, _resolve
from petitions.handling.deadlines import suggestion_deadline
from petitions.models import Route, Status, Suggestion, SuggestionEvent
from petitions.suggestions.drafting import NUMBER_FORMAT, NUMBER_PREFIX, NUMBER_SEQ


class Suggestions:
    """Plans and tells the demo suggestions. A mixin of `DemoHandling` (its `__init__` sets the
    attributes used here); `_tell_suggestions` builds unsaved `Suggestion` and `SuggestionEvent`
    rows, `_write_suggestion_events` saves the events once the suggestions are saved."""

    def _plan_suggestions(self) -> None:
        """Three suggestions: one answered (its petitions "replied"), one assigned, one draft."""
        if not self.office or not self.office.jurisdiction_id:
            return
        rng = self.rng
        plans = [
            (texts.SUGGESTIONS[0], 4, (110, 220), Suggestion.Status.REPLIED),
            (texts.SUGGESTIONS[1], 4, (45, 100), Suggestion.Status.ASSIGNED),
            (rng.choice(texts.SUGGESTIONS[2:]), 3, (6, 30), Suggestion.Status.DRAFT),
        ]
        for spec, n, (young, old), status in plans:
            category = spec[0]
            if category not in self.category_ids:
                continue
            stories = self._pick(n, since=self._days_ago(old), until=self._days_ago(young), categories=(category,))
            if len(stories) < 3:
                for s in stories:
                    s.scenario = ""
                continue
            for s in stories:
                s.scenario, s.status, s.route = "suggestion", Status.SUGGESTION, Route.SUGGESTION
            self.suggestions.append((spec, stories, status))

    def _tell_suggestions(self) -> None:
        rng, office = self.rng, self.office
        numbers = {}
        planned, self.suggestions = self.suggestions, []
        for spec, stories, status in planned:
            _category, title, content, department_name, outcome, reply_text, meeting_note = spec
            department = self.net.departments.get(department_name)
            last = max(s.received_on for s in stories)
            created_day = min(self.cal.add(last, rng.randint(2, 4)), self.last_work)
            clock = Story(Item({}, []), status, cursor=max(s.cursor for s in stories))
            created_at = self._at(clock, max(created_day, last))
            year = timezone.localtime(created_at, self.tz).year
            if year not in numbers:
                numbers[year] = _last_sequence(Suggestion, NUMBER_PREFIX.format(year=year), NUMBER_SEQ)
            numbers[year] += 1
            reps = list(dict.fromkeys(r for s in stories for r in s.item.reps))
            lead = (
                self.rep_id
                if status == Suggestion.Status.REPLIED and self.rep_id
                else (reps[0] if reps else self.rep_id)
            )
            if lead is None:
                continue
            co_signers = [r for r in reps if r != lead][:3]
            suggestion = Suggestion(
                number=NUMBER_FORMAT.format(year=year, seq=numbers[year]),
                title=title,
                content=content,
                jurisdiction_id=office.jurisdiction_id,
                lead_representative_id=lead,
                status=Suggestion.Status.DRAFT,
                created_by=office,
                created_at=created_at,
            )
            names = [self.net.rep_names.get(r, "") for r in co_signers]
            events = [
                SuggestionEvent(
                    kind="drafted",
                    actor=office,
                    at=created_at,
                    data={
                        "number": suggestion.number,
                        "title": title,
                        "lead": self.net.rep_names.get(lead, ""),
                        "co_signers": names,
                        "petitions": [Ref(s.item, "petition.tracking_number") for s in stories],
                        "to_status": Suggestion.Status.DRAFT,
                    },
                )
            ]
            for s in stories:
                s.cursor = max(s.cursor, created_at - timedelta(seconds=1))
                at = max(created_at, s.cursor + timedelta(seconds=1))
                s.cursor = at
                s.values["route"] = Route.SUGGESTION
                self._move(
                    s,
                    K.TO_SUGGESTION,
                    at,
                    (office, ""),
                    to=Status.SUGGESTION,
                    data={"suggestion": suggestion.number, "title": title},
                    public=_("Your item is part of a representative suggestion; you will receive its answer."),
                )
            if status != Suggestion.Status.DRAFT and department:
                assigned_at = self._at(clock, self.cal.add(created_day, rng.randint(2, 4)))
                assigned_day = timezone.localtime(assigned_at, self.tz).date()
                suggestion.department_id, suggestion.assigned_at = department, assigned_at
                suggestion.due_on = suggestion_deadline(start=assigned_day)
                suggestion.status = Suggestion.Status.ASSIGNED
                events.append(
                    SuggestionEvent(
                        kind="assigned",
                        actor=office,
                        at=assigned_at,
                        data={
                            "department": department_name,
                            "due_on": str(suggestion.due_on),
                            "is_complex": False,
                            "from_status": Suggestion.Status.DRAFT,
                            "to_status": Suggestion.Status.ASSIGNED,
                        },
                    )
                )
                meeting_day = self.cal.add(assigned_day, rng.randint(5, 12))
                if meeting_note and meeting_day <= self.last_work:
                    meeting_at = self._at(clock, meeting_day)
                    suggestion.pre_meeting_on, suggestion.pre_meeting_note = meeting_day, meeting_note
                    actor = self.dept_user if department == self.housing and self.dept_user else office
                    events.append(
                        SuggestionEvent(
                            kind="pre_meeting",
                            actor=actor,
                            at=meeting_at,
                            data={"held_on": str(meeting_day), "note": meeting_note},
                        )
                    )
                    reply_day = self.cal.add(meeting_day, rng.randint(20, 35))
                    if (
                        status == Suggestion.Status.REPLIED
                        and reply_text
                        and reply_day <= min(self.last_work, suggestion.due_on)
                    ):
                        self._reply_suggestion(
                            suggestion, stories, events, clock, reply_day, outcome, reply_text, department
                        )
            suggestion.version = len(events) - 1
            self.suggestions.append((suggestion, stories, events, co_signers))

    def _reply_suggestion(self, suggestion, stories, events, clock, day, outcome, text, department) -> None:
        """suggestions.suggestion_reply: every petition it came from gets the answer."""
        at = self._at(clock, day)
        actor = self.dept_user if department == self.housing and self.dept_user else self.office
        suggestion.status, suggestion.outcome, suggestion.reply_text, suggestion.replied_at = (
            Suggestion.Status.REPLIED,
            outcome,
            text,
            at,
        )
        events.append(
            SuggestionEvent(
                kind="replied",
                actor=actor,
                at=at,
                data={
                    "outcome": outcome,
                    "text": text,
                    "petitions": [Ref(s.item, "petition.tracking_number") for s in stories],
                    "on_time": timezone.localtime(at, self.tz).date() <= suggestion.due_on,
                    "from_status": Suggestion.Status.ASSIGNED,
                    "to_status": Suggestion.Status.REPLIED,
                },
            )
        )
        for s in stories:
            when = max(at, s.cursor + timedelta(seconds=1))
            s.cursor = when
            s.values.update(outcome=outcome, handling_summary=text, replied_at=when, lead_department_id=department)
            self._move(
                s,
                K.DEPARTMENT_REPLIED,
                when,
                (actor, ""),
                to=Status.REPLIED,
                data={"suggestion": suggestion.number, "outcome": outcome},
                public=_("Answer to the representative suggestion: %(text)s") % {"text": text[:2000]},
            )
            s.status = Status.REPLIED

    def _write_suggestion_events(self) -> None:
        rows = []
        for suggestion, _stories, events, _co in self.suggestions:
            for event in events:
                event.suggestion = suggestion
                event.data = _resolve(event.data)
                rows.append(event)
        SuggestionEvent.objects.bulk_create(rows)
