"""The handling story of the demo petitions (`seed_demo`): who each item went to, what was
answered, fed back and rated, with one history row per move, as `petitions.handling.services` writes them.

`demo.petitions.seed_demo_petitions` draws the items (`demo.maker.Maker`: a status that fits each item's age);
`DemoHandling.plan` then settles how far each item's handling has come and writes on the item
the values its row needs (status, route, department, deadline, dates, outcome, feedback,
rating, round), move by move in time order: triage (分类), assignment with a lead and sometimes
a co-handler (交办, deadlines by the office's working-day rules), acceptance (接单), progress,
the co-handler's part, extension requests, returns (退回), the reply with its class A–D (办复),
feedback (反馈), ratings (测评; "dissatisfied" in the first round reopens the item for round 2),
close-out (销号), and the routes without a department (consultation, on the spot, referred up,
cannot be handled, representative suggestion). `DemoHandling.write` writes the rows once the
petitions exist, every table with bulk_create: the services stamp "now", the demo lives in
the past. Nothing is dated after the moment the demo is made.

Demo accounts act where one exists (each office's, `staff`, `rep`, `dept` of 区住房和城乡建设委员会,
`dept_city` of 北京市住房和城乡建设委员会);
other departments, representatives and stations' liaison officers appear by name
(`actor_label`), residents rating online as `services.RESIDENT`. The public texts are the
services' own sentences, so the tracking page reads as for a real case.

Besides the ordinary flow a few cases are set up on purpose, so every page has something
to show: items for the demo department in each tab of its desk (to accept, in hand,
co-handling, answered, returned), extension requests (approved, refused, one pending), a
handful of returned items back in triage, 10–20 items in the office's triage list, a few
overdue and a few amber deadlines, one item in its second round, three representative
suggestions (one answered), three supervision notices (one answered) and the department
heads' commitments of the seeds ("16 heads rated: 13 satisfied, 3 basically satisfied").
In both districts a township (street) office hands about one item in sixteen to its district's
standing committee, and each district a few of its own to 北京市人大常委会 (`demo.escalation`).

`DemoHandling` runs the story and writes the rows; its phases live beside it as mixins:
`demo.scenarios` (what happens to whom), `demo.routing` (routing and assignment, the moves laid
out in time), `demo.escalation` (items handed to an office above, sent back down, taken over),
`demo.department_work` (acceptance to reply), `demo.feedback` (feedback, rating,
close-out, answers without a department) and `demo.suggestions`; `demo.story` holds the shares
they _draw from, the `Story` of one item and the working-day `Calendar`.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from petitions.demo import texts
from petitions.demo.department_work import DepartmentWork
from petitions.demo.escalation import Escalations
from petitions.demo.feedback import FeedbackAndRating
from petitions.demo.maker import Item, Network
from petitions.demo.offices import office_accounts
from petitions.demo.routing import Routing
from petitions.demo.scenarios import Scenarios
from petitions.demo.story import DIRECT, Calendar, Story, _last_sequence, _resolve
from petitions.demo.suggestions import Suggestions
from petitions.models import (
    Assignment,
    Category,
    Commitment,
    DeadlineRule,
    DepartmentReply,
    ExtensionRequest,
    PetitionEvent,
    Rating,
    ReplyTemplate,
    Route,
    Satisfaction,
    Status,
    Suggestion,
    SuggestionEvent,
    SupervisionNotice,
    Urgency,
)
from petitions.supervision.services import NOTICE_NUMBER_PREFIX, NOTICE_NUMBER_SUFFIX
from stations.demo.network import HOUSING_DEPARTMENT
from stations.demo.people import person_name
from stations.models import LiaisonOfficer, Representative, StationKind


def _head_title(name: str) -> str:
    for ending, title in (
        ("委员会", "主任"),
        ("分局", "局长"),
        ("局", "局长"),
        ("支队", "支队长"),
        ("公司", "总经理"),
        ("检察院", "检察长"),
        ("法院", "院长"),
        ("办公室", "主任"),
    ):
        if name.endswith(ending):
            return title
    return "负责人"


# --------------------------------------------------------------------------- the plan


class DemoHandling(Scenarios, Escalations, Routing, DepartmentWork, FeedbackAndRating, Suggestions):
    """Used in three steps by `demo.seed_demo_petitions`: `plan(items)` before anything is saved (it
    sets the items' values), `before_petitions(items, report)` inside the transaction (the
    suggestions the petitions point to), `write(petitions, report)` once the petitions are saved.

    `users["office"]` is the district office's account; each item's routing moves (triage, assignment,
    extensions, answers, escalation) are done by the account of the office that handles it then
    (`_handler_of`), feedback, recorded ratings and close-out by that of the office that owns it
    (`_office_of`). Without `extras` only the ordinary flow is told: no cases set up on purpose,
    suggestions, supervision notices or commitments (the second district's items)."""

    def __init__(
        self, *, net: Network, rng: random.Random, today: date, now: datetime, users: dict, staffed, extras=True
    ):
        self.net, self.rng, self.today, self.now, self.extras = net, rng, today, now, extras
        self.tz = timezone.get_current_timezone()
        self.cal = Calendar(today)
        self.last_work = self.cal.previous_working_day(today)
        self.office, self.staff, self.rep_user, self.dept_user = (
            users.get(k) for k in ("office", "staff", "rep", "dept")
        )
        self.rep_id = (
            Representative.objects.filter(user=self.rep_user).values_list("pk", flat=True).first()
            if self.rep_user
            else None
        )
        self.staffed = set(staffed)
        self.office_users = office_accounts()
        # Departments with a demo account act as it (the desk of `dept`, of `dept_city`); the others by name.
        self.desk_users = {}
        for user in (self.dept_user, users.get("dept_city")):
            for department_id in user.departments.values_list("pk", flat=True) if user else ():
                self.desk_users.setdefault(department_id, user)
        self.officers = {}
        for station_id, name in (
            LiaisonOfficer.objects.filter(station__in=[s.pk for s in net.stations])
            .order_by("pk")
            .values_list("station_id", "name")
        ):
            self.officers.setdefault(station_id, name)
        self.housing = net.departments.get(HOUSING_DEPARTMENT)
        self.names = net.department_names
        self.stations = {s.pk: s for s in net.stations}
        self.rules = {Urgency.URGENT: (3, 2), Urgency.NORMAL: (15, 10)}
        for urgency, days, co_days in DeadlineRule.objects.filter(route=Route.DIRECT).values_list(
            "urgency", "working_days", "co_working_days"
        ):
            self.rules[urgency] = (days, co_days)
        self.category_ids = net.categories
        self.templates = {}
        for category, text in texts.TEMPLATES:
            self.templates.setdefault(category, []).append(text)
        self.replies = {}
        for category, outcome, reply, result in texts.REPLIES:
            self.replies.setdefault((category, outcome), []).append((reply, result))
        self.stories: list[Story] = []
        self.suggestions: list[tuple[Suggestion, list[Story], list[SuggestionEvent], list[int]]] = []

    def plan(self, items: list[Item]) -> None:
        """Settle every item's handling and write its values; rows come in `write`."""
        for item in items:
            v = item.values
            story = Story(item, v["status"], age=(self.today - v["received_on"]).days)
            # Online items a representative still owes a first reply to came in hours ago: not routed yet.
            story.protected = bool(v["first_reply_due_at"] and not v["first_replied_at"])
            if story.protected:
                story.status = Status.REGISTERED
            story.cursor = v["registered_at"]
            self.stories.append(story)
        # Nothing waits for triage for weeks, and an item is part of a suggestion only when one was drafted.
        cut = self.cal.back(self.last_work, 3)
        for s in self.stories:
            if s.protected:
                continue
            if s.status == Status.SUGGESTION or (
                s.status in (Status.REGISTERED, Status.TRIAGED) and s.received_on < cut
            ):
                s.status = self._redraw(s)
        if self.extras:
            self._scenarios()
        # Items handed to an office above (township → district → city), in both districts.
        self._plan_escalations()
        self._triage_list(cut)
        for s in self.stories:
            if s.status in DIRECT and not s.scenario:
                self._prepare_direct(s)
        self._overdue()
        if self.extras:
            self._notice_on_red()
        for s in self.stories:
            self._tell(s)
        for s in self.stories:
            self._finish_values(s)

    def _office_of(self, s: Story):
        """The account of the office that owns the item now (`petitions.demo.offices`; the office above
        once it took the item over), else the district's: it feeds back, records ratings, closes out."""
        return self.office_users.get(s.values["owner_office_id"]) or self.office

    def _handler_of(self, s: Story):
        """The account of the office that handles the item now (its owner, or the office above it was
        escalated to), else the district's: it triages, assigns, decides extensions, suspends."""
        return self.office_users.get(s.values["handling_office_id"]) or self.office

    def _station_office(self, station_id: int):
        return self.office_users.get(self.net.owners.get(station_id)) or self.office

    def registrar(self, station_id: int):
        """Who registered an item brought to the station: the demo staff at their stations, else
        the account of the office that owns the station's items."""
        if self.staff and station_id in self.staffed:
            return self.staff
        return self._station_office(station_id)

    # ----------------------------------------------------------------- the item's row

    def _finish_values(self, s: Story) -> None:
        """The fields of the petition's row as the moves left them; nothing a move did not set."""
        v = s.values
        if s.status == Status.SUGGESTION or s.scenario == "suggestion":
            return  # _tell_suggestions writes them
        if not s.steps:
            v.update(
                status=Status.REGISTERED,
                lead_department_id=None,
                due_on=None,
                handling_summary="",
                feedback_summary="",
                satisfaction="",
            )
            return
        s.status = s.state
        v["status"] = s.state
        v["version"] = s.version
        v["round"] = s.round
        for name in ("feedback_summary", "satisfaction", "handling_summary"):
            v.setdefault(name, "")
        if s.state not in (Status.FED_BACK, Status.RATED, Status.CLOSED):
            v.update(feedback_summary="", feedback_method="", fed_back_at=None)
        if s.state not in (Status.RATED, Status.CLOSED) and s.round == 1:
            v["satisfaction"] = ""
        if not s.replies and not s.answer:
            v["handling_summary"] = ""
        if s.route != Route.DIRECT:
            v.update(lead_department_id=None, due_on=None, assigned_at=None)
        v["updated_at"] = s.steps[-1].at

    # ----------------------------------------------------------------- writing

    def write(self, petitions, report: Counter) -> None:
        """All rows of the plan for the saved petitions (same order as the items given to `plan`)."""
        by_item = {id(s.item): s for s in self.stories}
        stories = [by_item[id(item)] for item in self._items]
        for petition, s in zip(petitions, stories, strict=True):
            s.item.petition = petition
        shares, requests, replies, ratings, notices, events = [], [], [], [], [], []
        for petition, s in zip(petitions, stories, strict=True):
            for share in s.shares:
                share.petition = petition
            shares += s.shares
        Assignment.objects.bulk_create(shares, batch_size=1000)
        year_numbers = {}
        for petition, s in zip(petitions, stories, strict=True):
            # Their shares are saved now: bulk_create takes the pk from the related instance.
            for request in s.extensions:
                request.petition = petition
            for reply in s.replies:
                reply.petition = petition
            for rating in s.ratings:
                rating.petition = petition
            for notice, _answered in s.notices:
                year = timezone.localtime(notice.issued_at, self.tz).year
                if year not in year_numbers:
                    year_numbers[year] = _last_sequence(SupervisionNotice, NOTICE_NUMBER_PREFIX.format(year=year), None)
                year_numbers[year] += 1
                notice.number = f"{NOTICE_NUMBER_PREFIX.format(year=year)}{year_numbers[year]}{NOTICE_NUMBER_SUFFIX}"
                notice.petition = petition
                notice.subject = texts.SUPERVISION_SUBJECT.format(number=petition.tracking_number)
                notices.append(notice)
            requests += s.extensions
            replies += s.replies
            ratings += s.ratings
        ExtensionRequest.objects.bulk_create(requests, batch_size=1000)
        DepartmentReply.objects.bulk_create(replies, batch_size=1000)
        Rating.objects.bulk_create(ratings, batch_size=1000)
        SupervisionNotice.objects.bulk_create(notices, batch_size=1000)
        for petition, s in zip(petitions, stories, strict=True):
            for step in sorted(s.steps, key=lambda st: st.at):
                events.append(
                    PetitionEvent(
                        petition=petition,
                        kind=step.kind,
                        actor=step.actor,
                        actor_label=step.label,
                        actor_name=step.actor.display_name[:64] if step.actor else "",
                        at=step.at,
                        from_status=step.from_status,
                        to_status=step.to_status,
                        data=_resolve(step.data),
                        is_public=bool(step.public_text),
                        public_text=step.public_text,
                    )
                )
        PetitionEvent.objects.bulk_create(events, batch_size=2000)
        self._write_suggestion_events()
        report["assignment"] += len(shares)
        report["extensionrequest"] += len(requests)
        report["departmentreply"] += len(replies)
        report["rating"] += len(ratings)
        report["supervisionnotice"] += len(notices)
        report["petitionevent"] += len(events)
        if self.extras:
            self._write_commitments(report)

    def before_petitions(self, items: list[Item], report: Counter) -> None:
        """Rows the petitions point to (their suggestion), and the suggestions' story."""
        self._items = items
        self._tell_suggestions()
        for suggestion, stories, _events, co_signers in self.suggestions:
            suggestion.save(force_insert=True)
            suggestion.co_signers.set(co_signers)
            for s in stories:
                s.status = s.state
                s.values.update(
                    suggestion_id=suggestion.pk,
                    status=s.state,
                    version=s.version,
                    updated_at=s.steps[-1].at,
                    due_on=None,
                    feedback_summary="",
                    satisfaction="",
                    assigned_at=None,
                )
                if s.state != Status.REPLIED:
                    s.values.update(lead_department_id=None, handling_summary="", outcome="", replied_at=None)
        report["suggestion"] += len(self.suggestions)
        for s in self.stories:  # as petition_reply fixes it: working days from the assignment to the answer
            v = s.values
            v["reply_working_days"] = None
            if v.get("lead_department_id") and v.get("assigned_at") and v.get("replied_at"):
                start, end = (
                    timezone.localtime(v["assigned_at"], self.tz).date(),
                    timezone.localtime(v["replied_at"], self.tz).date(),
                )
                v["reply_working_days"] = self.cal.between(start, end) if end > start else 0

    def _write_commitments(self, report: Counter) -> None:
        """Department heads' commitments at their visits (局长进站): 16 followed up (13 satisfied, 3 basically),
        the rest still open."""
        rng, office = self.rng, self.office
        if not office or not office.jurisdiction_id:
            return
        homes = [s.pk for s in self.net.stations if s.kind == StationKind.HOME]
        if not homes:
            return
        rows = []
        entries = [e for e in texts.COMMITMENTS if e[0] in self.net.departments]
        visited = [e for e in entries if e[3]]
        for n, (name, text, progress, note) in enumerate(entries):
            department = self.net.departments[name]
            head = f"{person_name(rng, rng.choice('MF'))}"
            if note:
                k = visited.index((name, text, progress, note))
                held_on = self.cal.next_working_day(self.today - timedelta(days=330 - k * 17))
                due_on = self.cal.add(held_on, rng.randint(20, 45))
                done_day = self.cal.add(held_on, rng.randint(10, 19))
                follow_day = self.cal.add(due_on, rng.randint(3, 10))
                rating = Satisfaction.BASICALLY if name in texts.COMMITMENTS_BASICALLY else Satisfaction.SATISFIED
                row = Commitment(
                    state=Commitment.State.VISITED,
                    progress=progress,
                    done_at=self._moment(done_day),
                    follow_up_on=min(follow_day, self.last_work),
                    follow_up_note=note,
                    follow_up_satisfaction=rating,
                    held_on=held_on,
                    due_on=due_on,
                )
            else:
                held_on = self.cal.back(self.last_work, rng.randint(8, 30) + n)
                due_on = self.cal.add(held_on, rng.randint(20, 45))
                row = Commitment(state=Commitment.State.OPEN, progress=progress, held_on=held_on, due_on=due_on)
            row.source, row.department_id, row.head_name, row.head_title = (
                Commitment.Source.VISIT,
                department,
                head,
                _head_title(name),
            )
            row.station_id, row.jurisdiction_id, row.text = homes[n % len(homes)], office.jurisdiction_id, text
            row.created_by, row.created_at = office, self._moment(held_on, evening=True)
            rows.append(row)
        Commitment.objects.bulk_create(rows)
        report["commitment"] += len(rows)

    def _moment(self, day: date, *, evening=False) -> datetime:
        at = timezone.make_aware(datetime.combine(day, time(17, 40) if evening else time(10, 15)), self.tz)
        return min(at, self.now)


def seed_reply_templates(report: Counter) -> None:
    """Reply templates of the most common categories (texts.REPLY_TEMPLATES); only the missing ones."""
    categories = dict(Category.objects.filter(parent__isnull=False).values_list("name", "pk"))
    have = set(ReplyTemplate.objects.filter(category__isnull=False).values_list("category_id", "title"))
    rows = [
        ReplyTemplate(category_id=categories[name], outcome=outcome, title=title, text=text)
        for name, outcome, title, text in texts.REPLY_TEMPLATES
        if name in categories and (categories[name], title) not in have
    ]
    if rows:  # a report with any key counts as "something added"
        ReplyTemplate.objects.bulk_create(rows)
        report["replytemplate"] += len(rows)
