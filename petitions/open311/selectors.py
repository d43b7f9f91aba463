"""What a client may read, shaped as the spec's records.

Scope: a client reads the items whose place lies in its jurisdiction; a request without
a key reads every item but only public-safe fields (status, service, dates, department;
no free text, no place). Never a petitioner's name, phone, email, ID number or address.

Free text follows the public tracking page (`petitions.intake.tracking`): an item's content is
scrubbed of phone and ID numbers and of its petitioner's name and address; another
client's or a desk item's content is cut to the page's excerpt; a confidential item has
no description. Status notes and updates are the item's public history (the
`PetitionEvent` rows marked public, as the tracking page shows them), scrubbed alike.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from liaison.jurisdictions import is_under, under_q
from liaison.models import Jurisdiction
from petitions.handling.workflow import OPEN311_CLOSED
from petitions.intake.tracking import _excerpt, _scrub, normalise_tracking_number  # the tracking page's own scrubbing
from petitions.models import Category, Petition, PetitionEvent
from petitions.open311.render import ApiError

MAX_RESULTS = 1000
DEFAULT_SPAN = timedelta(days=90)
MAX_IDS = 1000

# Answered or handed on: nothing more is owed on the item itself (the spec's "closed").
CLOSED_STATUSES = OPEN311_CLOSED


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def w3c(value, tz=None) -> str | None:
    """A datetime as the spec writes it (ISO 8601 with the offset), in the site's time zone."""
    if value is None:
        return None
    return value.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


def end_of_day(day, tz=None) -> str | None:
    if day is None:
        return None
    tz = tz or timezone.get_current_timezone()
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).isoformat(timespec="seconds")


# -- services ---------------------------------------------------------------------------------------


def services() -> list[dict]:
    """Every category in use as a service; a subcategory's group is its parent."""
    rows = Category.objects.filter(is_active=True).filter(Q(parent__isnull=True) | Q(parent__is_active=True))
    return [
        service_record(c)
        for c in rows.select_related("parent").order_by("parent__position", "parent_id", "position", "pk")
    ]


def service_record(category: Category) -> dict:
    group = category.parent.name if category.parent_id else category.name
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": str(category),
        "metadata": True,
        "type": "realtime",
        "keywords": group,
        "group": group,
    }


def find_service(code: str) -> Category:
    """An active category by its service code, or 404."""
    if not (code or "").isdigit() or len(code) > 10:
        raise ApiError(404, "service_code not found")
    category = Category.objects.filter(pk=int(code), is_active=True).select_related("parent").first()
    if category is None or (category.parent_id and not category.parent.is_active):
        raise ApiError(404, "service_code not found")
    return category


# The same attributes for every service: what the desk form asks besides the content.
ATTRIBUTES = [
    {
        "variable": True,
        "code": "urgency",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "normal or urgent",
        "order": 1,
        "description": "How urgent the matter is (default normal)",
        "values": [{"key": "normal", "name": "Normal"}, {"key": "urgent", "name": "Urgent"}],
    },
    {
        "variable": True,
        "code": "confidential",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true or false",
        "order": 2,
        "description": "The petitioner asks that departments never learn who they are",
        "values": [{"key": "false", "name": "No"}, {"key": "true", "name": "Yes"}],
    },
    {
        "variable": True,
        "code": "co_petitioners",
        "datatype": "number",
        "required": False,
        "datatype_description": "a whole number from 0 to 100000",
        "order": 3,
        "description": "Further residents who raise the same matter together",
    },
]


def service_definition(category: Category) -> dict:
    return {"service_code": str(category.pk), "attributes": ATTRIBUTES}


# -- places -----------------------------------------------------------------------------------------


def place(client, code: str) -> Jurisdiction:
    """The jurisdiction a request names by its 12-digit code; it must lie in the client's (400)."""
    code = (code or "").strip()
    found = Jurisdiction.objects.filter(code=code).first() if len(code) == 12 and code.isdigit() else None
    if found is None or (client is not None and not is_under(found.code, client.jurisdiction)):
        raise ApiError(400, "jurisdiction_id / address_id is not a place this client serves")
    return found


# -- filters ----------------------------------------------------------------------------------------


def parse_w3c(value: str, name: str) -> datetime:
    """A w3c datetime (a date alone means its midnight; no offset means the site's time zone)."""
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2999:
        raise ApiError(400, f"{name} must be a w3c datetime such as 2026-01-01T00:00:00+08:00")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@dataclass
class Filters:
    ids: list[str] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: set[str] = field(default_factory=set)
    place: Jurisdiction | None = None


def parse_filters(client, params, *, default_span=True) -> Filters:
    """The spec's query arguments (400 for any malformed one).

    `service_request_id` overrides the others, as the spec says; otherwise, without
    dates, the last 90 days (or the 90 days up to `end_date`)."""
    f = Filters()
    raw_ids = params.get("service_request_id", "")
    if raw_ids.strip():
        f.ids = [normalise_tracking_number(i) for i in raw_ids.split(",") if i.strip()]
        if len(f.ids) > MAX_IDS:
            raise ApiError(400, f"at most {MAX_IDS} service_request_id values")
    raw_codes = params.get("service_code", "")
    if raw_codes.strip():
        codes = [c.strip() for c in raw_codes.split(",") if c.strip()]
        if not all(c.isdigit() and len(c) <= 10 for c in codes):
            raise ApiError(400, "service_code must be a comma-separated list of service codes")
        f.categories = [int(c) for c in codes]
    raw_status = params.get("status", "")
    if raw_status.strip():
        f.statuses = {s.strip().lower() for s in raw_status.split(",") if s.strip()}
        if not f.statuses <= {"open", "closed"}:
            raise ApiError(400, "status must be open, closed or open,closed")
    if params.get("start_date", "").strip():
        f.start = parse_w3c(params["start_date"], "start_date")
    if params.get("end_date", "").strip():
        f.end = parse_w3c(params["end_date"], "end_date")
    if f.start and f.end and f.start > f.end:
        raise ApiError(400, "start_date is after end_date")
    if params.get("jurisdiction_id", "").strip():
        f.place = place(client, params["jurisdiction_id"])
    if default_span and not f.ids and f.start is None:
        f.start = (f.end or timezone.now()) - DEFAULT_SPAN
    return f


def _status_q(statuses: set[str]) -> Q:
    if statuses == {"closed"}:
        return Q(status__in=CLOSED_STATUSES)
    if statuses == {"open"}:
        return ~Q(status__in=CLOSED_STATUSES)
    return Q()


# -- requests ---------------------------------------------------------------------------------------


REQUEST_FIELDS = (
    "pk",
    "tracking_number",
    "status",
    "category_id",
    "category__name",
    "content",
    "is_confidential",
    # Read only to scrub them out of free text, never returned:
    "petitioner_name",
    "petitioner_address",
    "lead_department__name",
    "registered_at",
    "updated_at",
    "due_on",
    "address",
    "latitude",
    "longitude",
    "public_result",
    "jurisdiction__code",
    "api_submission__client_id",
    "api_submission__media_url",
)


def scoped(client):
    return client.petitions() if client is not None else Petition.objects.all()


def find_requests(client, f: Filters) -> list[dict]:
    """At most MAX_RESULTS records, newest first (two queries: the rows, with their last public text)."""
    qs = scoped(client)
    if f.ids:
        qs = qs.filter(tracking_number__in=f.ids)
    else:
        if f.categories:
            qs = qs.filter(Q(category_id__in=f.categories) | Q(category__parent_id__in=f.categories))
        if f.start:
            qs = qs.filter(registered_at__gte=f.start)
        if f.end:
            qs = qs.filter(registered_at__lte=f.end)
        if f.statuses:
            qs = qs.filter(_status_q(f.statuses))
        if f.place is not None:
            qs = qs.filter(under_q(f.place, "area_code"))
    rows = list(
        _with_notes(qs).order_by("-registered_at", "-pk").values(*REQUEST_FIELDS, "last_public_text")[:MAX_RESULTS]
    )
    tz = timezone.get_current_timezone()  # looked up once: per row it costs more than the row
    return [request_record(row, client, tz) for row in rows]


def find_request(client, number: str) -> dict:
    number = normalise_tracking_number(number)
    row = _with_notes(scoped(client).filter(tracking_number=number)).values(*REQUEST_FIELDS, "last_public_text").first()
    if row is None:
        raise ApiError(404, "service_request_id not found")
    return request_record(row, client)


def _with_notes(qs):
    latest = (
        PetitionEvent.objects.filter(petition=OuterRef("pk"), is_public=True)
        .exclude(public_text="")
        .order_by("-at", "-pk")
        .values("public_text")[:1]
    )
    return qs.annotate(last_public_text=Subquery(latest))


def _clean(text: str, row, prefix: str = "") -> str:
    return _scrub(" ".join((text or "").split()), row[f"{prefix}petitioner_name"], row[f"{prefix}petitioner_address"])


def request_record(row: dict, client, tz=None) -> dict:
    """One item as the spec's `request`; what a client without a key may not read is None."""
    keyed = client is not None
    own = keyed and row["api_submission__client_id"] == client.pk
    status = open311_status(row["status"])
    description = notes = address = None
    if keyed:
        if not row["is_confidential"]:
            content = _clean(row["content"], row)
            description = content if own else _excerpt(content)
        public = row["public_result"] if status == "closed" and row["public_result"] else row["last_public_text"]
        notes = _clean(public, row) or None
        address = _clean(row["address"], row) or None
    return {
        "service_request_id": row["tracking_number"],
        "status": status,
        "status_notes": notes,
        "service_name": row["category__name"],
        "service_code": str(row["category_id"]) if row["category_id"] else None,
        "description": description,
        "agency_responsible": row["lead_department__name"],
        "service_notice": None,
        "requested_datetime": w3c(row["registered_at"], tz),
        "updated_datetime": w3c(row["updated_at"], tz),
        "expected_datetime": end_of_day(row["due_on"], tz),
        "address": address,
        "address_id": row["jurisdiction__code"] if keyed else None,
        "zipcode": None,
        "lat": float(row["latitude"]) if keyed and row["latitude"] is not None else None,
        "long": float(row["longitude"]) if keyed and row["longitude"] is not None else None,
        "media_url": (row["api_submission__media_url"] or None) if own else None,
    }


def find_token(client, token: str) -> dict:
    from petitions.models import ApiSubmission

    token = (token or "").strip().lower()
    qs = ApiSubmission.objects.filter(token=token) if len(token) == 32 else ApiSubmission.objects.none()
    if client is not None:
        qs = qs.filter(client.scope_q("petition__area_code"))
    row = qs.values("token", "petition__tracking_number").first()
    if row is None:
        raise ApiError(404, "token not found")
    return {"service_request_id": row["petition__tracking_number"], "token": row["token"]}


# -- updates (the servicerequestupdates extension) ---------------------------------------------------


def find_updates(client, f: Filters) -> list[dict]:
    """The public history of the items in scope within the window, oldest first, at most MAX_RESULTS.

    Each update carries the status the item moved to, or its current one for an update that
    moved nothing (progress, a reply); its description is the public text, scrubbed as on
    the tracking page, and only with a key. A confidential item's updates carry no text."""
    qs = PetitionEvent.objects.filter(is_public=True)
    if client is not None:
        qs = qs.filter(client.scope_q("petition__area_code"))
    if f.ids:
        qs = qs.filter(petition__tracking_number__in=f.ids)
    if f.start:
        qs = qs.filter(at__gte=f.start)
    if f.end:
        qs = qs.filter(at__lte=f.end)
    if f.place is not None:
        qs = qs.filter(under_q(f.place, "petition__area_code"))
    rows = qs.order_by("at", "pk").values(
        "pk",
        "at",
        "public_text",
        "to_status",
        "petition__tracking_number",
        "petition__status",
        "petition__is_confidential",
        "petition__petitioner_name",
        "petition__petitioner_address",
    )[:MAX_RESULTS]
    updates, tz = [], timezone.get_current_timezone()
    for row in rows:
        text = None
        if client is not None and not row["petition__is_confidential"]:
            text = _clean(row["public_text"], row, "petition__") or None
        updates.append(
            {
                "update_id": str(row["pk"]),
                "service_request_id": row["petition__tracking_number"],
                "status": open311_status(row["to_status"] or row["petition__status"]),
                "updated_datetime": w3c(row["at"], tz),
                "description": text,
                "media_url": None,
            }
        )
    return updates
