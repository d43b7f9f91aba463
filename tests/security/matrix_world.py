"""The objects the role x URL x object matrix (test_matrix.py) requests, one "inside" and one "outside".

Inside: in 延庆区 (K), reachable by the district roles of tests/conftest.py's `world` (the office of
K, the township office of 延庆镇 T1 where the object lies under it, S1's staff, R1's account, D's
member, the staff of K's working body coordinating D); outside: in 朝阳区 (K2), reachable by office_k2 and the system administrator only. Objects
that belong to one account (jobs, inbox messages, saved filters) belong to `office` inside and to
`office_k2` outside.

`build(world, ledger)` makes them (through the project's services where one exists) and returns
`Objects`: for each kind of object the URL keyword arguments of the inside and of the outside one,
and the model row whose fields a refused POST must leave as they were.
"""

import io
from dataclasses import dataclass, field
from datetime import time, timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone
from PIL import Image

from liaison import workdays
from liaison.jobs import job_start
from liaison.models import CalendarDay, Job, Notification, OutboxMessage, WorkingBody
from petitions.handling.models import Suggestion
from petitions.ledger.export import EXPORT_KIND
from petitions.models import Category, PetitionAttachment, SavedFilter
from petitions.open311.models import ApiClient
from petitions.open311.services import open311_request_create, parse_request
from petitions.suggestions import services as suggestions
from petitions.supervision import services as supervision
from stations.models import Campaign, EventPhoto, Membership, ReceptionEvent, ReceptionPlan, ReceptionRule, RosterEntry
from stations.performance.services import current_year


@dataclass
class Side:
    """One object as a URL names it: its keyword arguments and the row a refused POST must not change."""

    kwargs: dict
    row: Model | None = None


@dataclass
class Objects:
    inside: dict[str, Side] = field(default_factory=dict)
    outside: dict[str, Side] = field(default_factory=dict)

    def add(self, kind: str, inside: Side, outside: Side | None = None) -> None:
        self.inside[kind] = inside
        if outside is not None:
            self.outside[kind] = outside

    def rows(self, kind: str, rows: dict[str, Model]) -> None:
        """Objects a URL names by their primary key alone: `rows` = {"inside": row, "outside": row}."""
        self.add(kind, *(Side({"pk": row.pk}, row) for row in rows.values()))


def png(size=(8, 6), colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _photo(instance, name: str) -> None:
    instance.photo.save(name, ContentFile(png()), save=True)


def _job(owner) -> Job:
    job = job_start(owner=owner, kind=EXPORT_KIND, title="导出")  # queued on commit: never run in a test
    job.status = Job.Status.SUCCEEDED
    job.result_file.save("matrix.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=False)
    job.result_name = "matrix.xlsx"
    job.save()
    return job


def _event(station, days: int, status=ReceptionEvent.Status.SCHEDULED) -> ReceptionEvent:
    return ReceptionEvent.objects.create(
        station=station,
        date=timezone.localdate() + timedelta(days=days),
        start_time=time(9),
        end_time=time(11, 30),
        place=station.address,
        status=status,
        open_slots=2,
    )


def _api_item(client: ApiClient, key: str, service: Category, place_code: str):
    params = QueryDict(mutable=True)
    params.update({"api_key": key, "service_code": str(service.pk), "description": "路灯不亮，晚上很黑"})
    params["address_id"] = place_code
    return open311_request_create(client=client, values=parse_request(client, params))


def build(world, ledger) -> Objects:
    w, L, o = world, ledger, Objects()
    today = timezone.localdate()
    year = current_year()

    # -- petitions, their files, saved filters ---------------------------------------------------
    o.add("petition", Side({"pk": L.a.pk}, L.a), Side({"pk": L.e.pk}, L.e))
    files = {}
    for name, petition in (("inside", L.a), ("outside", L.e)):
        files[name] = PetitionAttachment.objects.create(
            petition=petition,
            file=SimpleUploadedFile("photo.png", png(), content_type="image/png"),
            original_name="photo.png",
            content_type="image/png",
            size=1,
            uploaded_by=w.staff,
        )
    o.add(
        "attachment",
        Side({"pk": L.a.pk, "file_pk": files["inside"].pk}, files["inside"]),
        Side({"pk": L.e.pk, "file_pk": files["outside"].pk}, files["outside"]),
    )
    o.add(
        "tracking",
        Side({"number": L.a.tracking_number}, L.a),
        Side({"number": L.e.tracking_number}, L.e),
    )
    mine = SavedFilter.objects.create(owner=w.office, name="路灯", query="q=路灯")
    theirs = SavedFilter.objects.create(owner=w.office_k2, name="电梯", query="q=电梯")
    o.add("filter", Side({"pk": mine.pk}, mine), Side({"pk": theirs.pk}, theirs))
    # Committee offices: 延庆区's (office's own) and 朝阳区's (office_k2's own).
    o.rows("office", {"inside": w.OK, "outside": w.OK2})

    # -- the network ------------------------------------------------------------------------------
    _photo(w.S1, "s1.png")
    _photo(w.S3, "s3.png")
    _photo(w.R1, "r1.png")
    _photo(w.R3, "r3.png")
    o.add("station", Side({"pk": w.S1.pk}, w.S1), Side({"pk": w.S3.pk}, w.S3))
    o.add("station_pk", Side({"station_pk": w.S1.pk}, w.S1), Side({"station_pk": w.S3.pk}, w.S3))
    o.add("public_code", Side({"public_code": w.S1.public_code}, w.S1), Side({"public_code": w.S3.public_code}, w.S3))
    o.add("representative", Side({"pk": w.R1.pk}, w.R1), Side({"pk": w.R3.pk}, w.R3))
    m1 = Membership.objects.get(representative=w.R1, station=w.S1)
    m3 = Membership.objects.get(representative=w.R3, station=w.S3)
    o.add(
        "membership",
        Side({"pk": w.S1.pk, "membership_pk": m1.pk}, m1),
        Side({"pk": w.S3.pk, "membership_pk": m3.pk}, m3),
    )
    docs = {}
    for name, station in (("inside", w.S1), ("outside", w.S3)):
        docs[name] = station.documents.create(
            kind="rules",
            title="工作制度",
            file=SimpleUploadedFile("rules.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf"),
            original_name="rules.pdf",
            content_type="application/pdf",
            size=17,
            uploaded_by=w.staff,
        )
    o.rows("document", docs)
    o.add(
        "performance",
        Side({"pk": w.R1.pk, "year": year}, w.R1),
        Side({"pk": w.R3.pk, "year": year}, w.R3),
    )

    # -- the calendar, the inbox, the outbox, jobs --------------------------------------------------
    # Calendar entries: a local entry of 延庆区's office inside, one of 朝阳区's outside (the deployment's
    # entries have no outside; tests/security/test_calendar.py covers them).
    days = {
        name: CalendarDay.objects.create(
            date=today.replace(year=year + 1, month=1, day=2), office=office, is_working_day=False, name="测试"
        )
        for name, office in (("inside", w.OK), ("outside", w.OK2))
    }
    workdays.forget()
    o.add("calendar_year", Side({"year": year}))
    o.rows("calendar_day", days)
    notes = {
        name: Notification.objects.create(recipient=user, subject="接待日通知", body="请参加", url="/inbox/")
        for name, user in (("inside", w.office), ("outside", w.office_k2))
    }
    o.rows("notification", notes)
    sent = {}
    for name, station in (("inside", w.S1), ("outside", w.S3)):
        sent[name] = OutboxMessage.objects.create(
            key=f"matrix:{name}",
            channel="sms",
            topic="matrix",
            recipient_name="张三",
            address="13812345678",
            subject="通知",
            body="通知",
            station=station,
            status=OutboxMessage.Status.FAILED,
            attempts=3,
        )
    o.rows("outbox", sent)
    jobs = {"inside": _job(w.office), "outside": _job(w.office_k2)}
    o.rows("job", jobs)

    # -- reception: rules, plans, campaigns, events, rosters, photos --------------------------------
    rules = {
        name: ReceptionRule.objects.create(
            station=station, pattern="monthly_day", day_of_month=15, start_time=time(9), end_time=time(11)
        )
        for name, station in (("inside", w.S1), ("outside", w.S3))
    }
    o.rows("rule", rules)
    plans = {
        name: ReceptionPlan.objects.create(
            jurisdiction=place, year=year + 1, generated_by=user, generated_at=timezone.now()
        )
        for name, place, user in (("inside", w.j.K, w.office), ("outside", w.j.K2, w.office_k2))
    }
    o.rows("plan", plans)
    campaigns = {
        name: Campaign.objects.create(
            name="集中联系选民月",
            jurisdiction=place,
            start_date=today,
            end_date=today + timedelta(days=30),
            created_by=user,
        )
        for name, place, user in (("inside", w.j.K, w.office), ("outside", w.j.K2, w.office_k2))
    }
    o.rows("campaign", campaigns)
    events = {"inside": _event(w.S1, 20), "outside": _event(w.S3, 20)}
    o.rows("event", events)
    o.add(
        "public_event",
        Side({"public_code": w.S1.public_code, "pk": events["inside"].pk}, events["inside"]),
        Side({"public_code": w.S3.public_code, "pk": events["outside"].pk}, events["outside"]),
    )
    entries = {
        "inside": RosterEntry.objects.create(event=events["inside"], representative=w.R1),
        "outside": RosterEntry.objects.create(event=events["outside"], representative=w.R3),
    }
    o.add(
        "roster_entry",
        Side({"pk": events["inside"].pk, "entry_pk": entries["inside"].pk}, entries["inside"]),
        Side({"pk": events["outside"].pk, "entry_pk": entries["outside"].pk}, entries["outside"]),
    )
    past = {"inside": _event(w.S1, -1), "outside": _event(w.S3, -1)}
    photos = {
        name: EventPhoto.objects.create(
            event=event, file=SimpleUploadedFile("p.png", png()), size=1, uploaded_by=w.staff
        )
        for name, event in past.items()
    }
    o.rows("photo", photos)

    # -- suggestions, supervision notices, commitments ----------------------------------------------
    drafted = {
        "inside": suggestions.suggestion_draft(
            actor=w.office, title="关于路灯的建议", content="案由……", lead_representative=w.R1, co_signers=[w.R4]
        ),
        "outside": suggestions.suggestion_draft(
            actor=w.office_k2, title="关于电梯的建议", content="案由……", lead_representative=w.R3
        ),
    }
    assigned = {
        "inside": suggestions.suggestion_assign(actor=w.office, suggestion=drafted["inside"], department=w.D),
        "outside": suggestions.suggestion_assign(actor=w.office_k2, suggestion=drafted["outside"], department=w.D2),
    }
    o.add(
        "suggestion",
        Side({"pk": assigned["inside"].pk}, Suggestion.objects.get(pk=assigned["inside"].pk)),
        Side({"pk": assigned["outside"].pk}, Suggestion.objects.get(pk=assigned["outside"].pk)),
    )
    due = workdays.add_working_days(today, 5)
    notices = {
        "inside": supervision.supervision_notice_issue(
            actor=w.office, department=w.D, subject="路灯维修进度", requirement="请书面报告", due_on=due
        ),
        "outside": supervision.supervision_notice_issue(
            actor=w.office_k2, department=w.D2, subject="电梯进度", requirement="请书面报告", due_on=due
        ),
    }
    o.rows("notice", notices)
    commitments = {
        name: supervision.commitment_record(
            actor=actor,
            source="visit",
            held_on=today - timedelta(days=2),
            department=department,
            head_name="刘局长",
            station=station,
            text="年底前完成",
            due_on=workdays.add_working_days(today, 10),
        )
        for name, actor, department, station in (
            ("inside", w.office, w.D, w.S1),
            ("outside", w.office_k2, w.D2, w.S3),
        )
    }
    o.rows("commitment", commitments)

    # -- working bodies: OK's 城建环保委 (the `body` account's) and one of 朝阳区's office -----------------
    theirs = WorkingBody.objects.create(office=w.OK2, name="城建环保委")
    theirs.departments.add(w.D2)
    o.rows("working_body", {"inside": w.B, "outside": theirs})

    # -- Open311: a client per district, an item filed by each -------------------------------------
    service = Category.objects.filter(parent__isnull=False, is_active=True).order_by("pk").first()
    o.add("open311_service", Side({"code": str(service.pk), "fmt": "json"}))
    filed = {}
    for name, place, station, code in (
        ("inside", w.j.K, w.S1, w.j.C1.code),
        ("outside", w.j.K2, w.S3, w.j.C3.code),
    ):
        client = ApiClient(name=f"12345-{name}", jurisdiction=place, default_station=station)
        key = client.set_new_key()
        client.save()
        filed[name] = _api_item(client, key, service, code)
    o.add(
        "open311_request",
        Side({"number": filed["inside"].petition.tracking_number, "fmt": "json"}, filed["inside"].petition),
        Side({"number": filed["outside"].petition.tracking_number, "fmt": "json"}, filed["outside"].petition),
    )
    o.add(
        "open311_token",
        Side({"token": filed["inside"].token, "fmt": "json"}, filed["inside"]),
        Side({"token": filed["outside"].token, "fmt": "json"}, filed["outside"]),
    )
    return o
