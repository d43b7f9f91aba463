"""liaison: project package and core (users, roles, jurisdictions, jobs, Celery app)."""

from liaison.celery import app as celery_app

__all__ = ["celery_app"]
