"""The Celery app. Beat's schedule is CELERY_BEAT_SCHEDULE in settings (exactly one beat runs)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
