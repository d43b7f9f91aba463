"""API keys: `api_key` in the query string or the form body, as the spec passes it."""

from datetime import timedelta

from django.utils import timezone

from petitions.models import ApiClient
from petitions.open311.models import hash_key
from petitions.open311.render import ApiError
from petitions.open311.services import api_client_touch

# last_used_at is written at most this often per client, so reads stay reads.
TOUCH_EVERY = timedelta(minutes=1)
MAX_KEY_LENGTH = 128


def api_client(request, *, required: bool) -> ApiClient | None:
    """The active client whose key the request carries; None without a key when none is required.

    A key that is given but wrong or inactive is refused (403) even where none is needed,
    so a client with a revoked key learns it at once instead of reading less than before."""
    raw = (request.POST.get("api_key") if request.method == "POST" else None) or request.GET.get("api_key") or ""
    raw = raw.strip()
    if not raw:
        if required:
            raise ApiError(403, "api_key is required")
        return None
    client = None
    if len(raw) <= MAX_KEY_LENGTH:
        client = ApiClient.objects.select_related("jurisdiction").filter(key_hash=hash_key(raw), is_active=True).first()
    if client is None:
        raise ApiError(403, "Invalid api_key")
    now = timezone.now()
    if client.last_used_at is None or client.last_used_at < now - TOUCH_EVERY:
        api_client_touch(client=client, now=now)
    return client
