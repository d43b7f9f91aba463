"""Tests: the same code paths as production, fast hashing, tasks run in-process.

DATABASE_URL and REDIS_URL are honoured, so CI runs on PostgreSQL and Redis.
"""

import os
import re

from liaison.settings.base import *  # noqa: F403
from liaison.settings.base import REDIS_URL

# pytest-xdist runs the suite in several processes, each with a database of its own
# (pytest-django adds the suffix); each gets a Redis database of its own as well, so a
# worker's Celery queue, cache and `cache.clear()` never reach another's.
_XDIST = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST.startswith("gw"):
    _match = re.match(r"^(redis://[^/]*)(?:/(\d+))?(.*)$", REDIS_URL)
    _base = int(_match.group(2) or 0)
    REDIS_URL = f"{_match.group(1)}/{(_base + 1 + int(_XDIST[2:])) % 16}{_match.group(3)}"

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run in the test process; tests/liaison/test_celery_worker.py runs a real
# worker against Redis when REDIS_URL is set.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests
if REDIS_URL:
    # A database of its own, so tests never touch a developer's cache.
    CACHES = {
        "default": {
            "BACKEND": "liaison.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,  # noqa: F405
            "KEY_PREFIX": "liaison-test",
        }
    }
# Every test counts afresh (users' primary keys repeat across rolled-back tests);
# tests/petitions/test_dashboard.py turns the cache on where it tests it.
LIAISON_DASHBOARD_CACHE_SECONDS = 0
