"""Fault fixtures: a Redis that is not there, a broker that is not there, free ports."""

import socket

import pytest

from liaison.celery import app as celery_app


def free_port() -> int:
    """A TCP port nobody listens on (closed again at once: connecting to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_redis_url():
    return f"redis://127.0.0.1:{free_port()}/1"


@pytest.fixture
def cache_down(settings, dead_redis_url):
    """The cache points at a closed port, as when Redis is stopped."""
    settings.CACHES = {
        "default": {
            "BACKEND": "liaison.cache.FailOpenRedisCache",
            "LOCATION": dead_redis_url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    settings.LIAISON_DASHBOARD_CACHE_SECONDS = 600  # the cached path, which used to 500
    return dead_redis_url


@pytest.fixture
def broker_down(dead_redis_url):
    """Celery publishes for real (not eagerly) to a broker on a closed port."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = dead_redis_url, False
    celery_app._after_fork()  # forget pooled connections to the old broker
    try:
        yield dead_redis_url
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        celery_app._after_fork()
