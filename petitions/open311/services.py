"""Filing an item through the API: the form's checks, then the one registration service.

An item a client files is registered like any other (`petitions.ledger.services.petition_register`:
status registered, one `registered` event, search text, tracking number), on the channel
"city platform / 12345", in the client's jurisdiction or the place below it that the
request names, at the client's default station when the place lies in that station's
area. It then waits in the committee office's triage list like every other item.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from liaison.jurisdictions import is_under
from petitions.ledger.services import PetitionDraft, PetitionError, petition_register
from petitions.models import ApiClient, ApiSubmission, Channel, Petition, Urgency
from petitions.open311.render import ApiError
from petitions.open311.selectors import find_service, place

MAX_CONTENT = Petition._meta.get_field("content").max_length
MAX_NAME = Petition._meta.get_field("petitioner_name").max_length
MAX_ADDRESS = Petition._meta.get_field("address").max_length
MAX_REFERENCE = 100
MAX_MEDIA_URL = 500
MAX_CO_PETITIONERS = 100000
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SIX_PLACES = Decimal("0.000001")


@dataclass
class RequestValues:
    """What a POST requests carries, checked."""

    category: object
    content: str
    jurisdiction: object | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    name: str = ""
    phone: str = ""
    account_id: str = ""
    device_id: str = ""
    media_url: str = ""
    urgency: str = Urgency.NORMAL
    is_confidential: bool = False
    co_petitioners: int = 0
    extra: dict = field(default_factory=dict)


def _text(params, name: str, limit: int) -> str:
    value = " ".join((params.get(name) or "").split()) if name != "description" else (params.get(name) or "").strip()
    if len(value) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise ApiError(400, f"{name} contains a NUL character")
    return value


def _coordinate(raw: str, name: str, bound: int) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        raise ApiError(400, f"{name} must be a decimal number") from None
    if not value.is_finite() or not -bound <= value <= bound:
        raise ApiError(400, f"{name} must lie between -{bound} and {bound}")
    return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def _phone(raw: str) -> str:
    digits = re.sub(r"[\s\-()+]", "", raw or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if digits and not _MOBILE.match(digits):
        raise ApiError(400, "phone must be a mainland mobile number (11 digits)")
    return digits


def parse_request(client: ApiClient, params) -> RequestValues:
    """The POST arguments checked (400 for a missing or malformed one, 404 for an unknown service)."""
    code = (params.get("service_code") or "").strip()
    if not code:
        raise ApiError(400, "service_code is required")
    category = find_service(code)
    content = _text(params, "description", MAX_CONTENT)
    if not content:
        raise ApiError(400, "description is required")

    lat, long_ = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    address = _text(params, "address_string", MAX_ADDRESS)
    place_code = (params.get("address_id") or params.get("jurisdiction_id") or "").strip()
    if bool(lat) != bool(long_):
        raise ApiError(400, "lat and long go together")
    if not (lat or address or place_code):
        raise ApiError(400, "a location is required: lat and long, address_string or address_id")
    values = RequestValues(category=category, content=content, address=address)
    if lat:
        values.latitude, values.longitude = _coordinate(lat, "lat", 90), _coordinate(long_, "long", 180)
    if place_code:
        values.jurisdiction = place(client, place_code)

    first, last = _text(params, "first_name", MAX_NAME), _text(params, "last_name", MAX_NAME)
    # Chinese names are written family name first, without a space; Latin ones given name first.
    name = f"{first} {last}" if first.isascii() and last.isascii() else f"{last}{first}"
    values.name = name.strip()[:MAX_NAME]
    values.phone = _phone(params.get("phone") or "")
    _text(params, "email", 254)  # accepted and checked for length; the ledger keeps no e-mail addresses
    values.account_id = _text(params, "account_id", MAX_REFERENCE)
    values.device_id = _text(params, "device_id", MAX_REFERENCE)
    media_url = (params.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ApiError(400, "media_url must be an http or https URL") from None
        if len(media_url) > MAX_MEDIA_URL:
            raise ApiError(400, f"media_url is longer than {MAX_MEDIA_URL} characters")
        values.media_url = media_url

    urgency = (params.get("attribute[urgency]") or "").strip() or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise ApiError(400, "attribute[urgency] must be normal or urgent")
    values.urgency = urgency
    confidential = (params.get("attribute[confidential]") or "false").strip().lower()
    if confidential not in {"true", "false"}:
        raise ApiError(400, "attribute[confidential] must be true or false")
    values.is_confidential = confidential == "true"
    co = (params.get("attribute[co_petitioners]") or "0").strip()
    if not co.isdigit() or int(co) > MAX_CO_PETITIONERS:
        raise ApiError(400, f"attribute[co_petitioners] must be a whole number from 0 to {MAX_CO_PETITIONERS}")
    values.co_petitioners = int(co)
    return values


@transaction.atomic
def open311_request_create(*, client: ApiClient, values: RequestValues) -> ApiSubmission:
    """Register the item through `petition_register` (its `registered` event included) and
    keep which client filed it with the token the spec hands back. No other event is written."""
    jurisdiction = values.jurisdiction or client.jurisdiction
    station = client.default_station
    if (
        station is not None
        and values.jurisdiction is not None
        and not is_under(jurisdiction.code, station.jurisdiction)
    ):
        station = None  # a place outside the station's area: the office routes it without one
    draft = PetitionDraft(
        jurisdiction=jurisdiction,
        content=values.content,
        station=station,
        address=values.address,
        latitude=values.latitude,
        longitude=values.longitude,
        petitioner_name=values.name,
        petitioner_phone=values.phone,
        is_confidential=values.is_confidential,
        co_petitioners=values.co_petitioners,
        category=values.category,
        urgency=values.urgency,
        channel=Channel.API,
    )
    try:
        petition = petition_register(actor=None, draft=draft, actor_label=client.name[:64])
    except PetitionError as exc:
        raise ApiError(400, str(exc)) from exc
    return ApiSubmission.objects.create(
        petition=petition,
        client=client,
        account_id=values.account_id,
        device_id=values.device_id,
        media_url=values.media_url,
    )


def api_client_touch(*, client: ApiClient, now) -> None:
    """Record when the client's key was last used (callers limit this to once a minute)."""
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now
