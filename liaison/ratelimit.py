"""A small fixed-window rate limiter on the Django cache, for the public pages.

    if not ratelimit.allow(f"petition:ip:{ratelimit.client_ip(request)}", settings.LIAISON_RATE_PETITION_IP):
        ...answer 429...

Each call counts one hit in the current window (`count/seconds`, e.g. "10/3600")
and says whether the caller is still within the limit. The counter is created
with `cache.add` and raised with `cache.incr`, both atomic on Redis (and under a
lock in the local-memory cache), so parallel requests cannot slip past it. A
fixed window lets a burst of up to twice the count straddle a window's edge;
that is good enough against form spam and number guessing. When the cache is
down the limiter lets everything through (and logs it): residents come first.

Keys are hashed with the secret key, so a phone number or address never sits
in the cache in clear. With the local-memory cache (no REDIS_URL) each server
process counts for itself: production runs Redis.

Client address: `REMOTE_ADDR`. Behind a reverse proxy, either the proxy hands
the real address to the application server as REMOTE_ADDR, or
`settings.LIAISON_TRUSTED_PROXY_COUNT` says how many proxies in front of the
application append to X-Forwarded-For (the header is ignored otherwise, since
any client can send it).
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

KEY_PREFIX = "ratelimit"

log = logging.getLogger(__name__)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/3600" → (10, 3600): at most 10 hits per 3600 seconds."""
    count, _, seconds = str(rate).partition("/")
    count, seconds = int(count), int(seconds or 1)
    if count < 0 or seconds < 1:
        raise ValueError(f"bad rate {rate!r}: expected 'count/seconds'")
    return count, seconds


def _cache_key(key: str, period: int) -> str:
    window = int(time.time() // period)
    digest = salted_hmac(KEY_PREFIX, key, algorithm="sha256").hexdigest()[:32]
    return f"{KEY_PREFIX}:{digest}:{period}:{window}"


def exceeded(key: str, rate: str) -> bool:
    """Whether the hits counted for `key` in this window already reach the rate's count (counts nothing).

    For limits counted elsewhere (failed sign-ins are counted as they fail, checked before the next try).
    """
    limit, period = parse_rate(rate)
    try:
        hits = cache.get(_cache_key(key, period)) or 0
    except Exception:
        log.warning("rate limiter: cache unavailable, letting %s through", key.split(":", 1)[0], exc_info=True)
        return False
    return hits >= limit


def allow(key: str, rate: str = "10/3600") -> bool:
    """Count one hit for `key`; True while the hits of this window are within the rate."""
    limit, period = parse_rate(rate)
    cache_key = _cache_key(key, period)
    # The window's first hit creates the counter; every later one raises it. The
    # counter outlives its window, so it never expires while it is being raised.
    try:
        if cache.add(cache_key, 1, timeout=period + 1):
            hits = 1
        else:
            try:
                hits = cache.incr(cache_key)
            except ValueError:  # culled from a full local-memory cache meanwhile
                cache.add(cache_key, 1, timeout=period + 1)
                hits = 1
    except Exception:
        log.warning("rate limiter: cache unavailable, letting %s through", key.split(":", 1)[0], exc_info=True)
        return True
    return hits <= limit


def client_ip(request) -> str:
    """The address to count a visitor by (see the module docstring).

    IPv6 addresses count by their /64 network, since one subscriber line gets a
    whole /64 and may change address within it at will.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "LIAISON_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def retry_after(rate: str) -> int:
    """Seconds until the current window of `rate` ends (for a Retry-After header)."""
    _limit, period = parse_rate(rate)
    return max(1, period - int(time.time()) % period)
