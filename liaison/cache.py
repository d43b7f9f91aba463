"""The cache fails open: with Redis down every read is a miss and every write is dropped.

Nothing in the product keeps state only in the cache (the dashboard's figures,
the rate limiters' counters), so a page answers from the database instead of a
500 while Redis is away, and uses the cache again as soon as it is back. This
is the one place that decides it: `settings.CACHES` names `FailOpenRedisCache`
whenever REDIS_URL is set. Errors other than a lost connection (a wrong
command, a bad value) still raise.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Seconds between two warnings while Redis stays down (one per process, not one per read).
WARN_EVERY = 60


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache that answers as if empty while the server cannot be reached."""

    _warned_at = 0.0

    def _unavailable(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - FailOpenRedisCache._warned_at >= WARN_EVERY or not FailOpenRedisCache._warned_at:
            FailOpenRedisCache._warned_at = now
            log.warning("cache unavailable (%s: %s); answering as a miss", operation, exc)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as exc:
            self._unavailable("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as exc:
            self._unavailable("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as exc:
            self._unavailable("has_key", exc)
            return False

    def add(self, key, value, timeout=None, version=None):
        # A miss: the value "would have been stored", so callers go on as on a first hit.
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("add", exc)
            return True

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("set", exc)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("set_many", exc)
            return []

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as exc:
            self._unavailable("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as exc:
            self._unavailable("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as exc:
            self._unavailable("delete_many", exc)

    def incr(self, key, delta=1, version=None):
        # As Django's API says for a missing key: ValueError (callers already handle it).
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            self._unavailable("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE as exc:
            self._unavailable("clear", exc)
            return False
