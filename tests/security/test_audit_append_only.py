"""The audit log cannot be changed or deleted by the application's database role (PostgreSQL
trigger, migration liaison 0004), and nothing deletes a line inside the retention period.

Run against PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h14_audit ./dev test tests/security/test_audit_append_only.py
"""

import pytest
from django.db import DatabaseError, connection, transaction

from liaison import audit
from liaison.models import AuditEntry

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL (CI sets it)")


def _line():
    return audit.record(audit.Action.SIGN_IN, user_label="someone", area_code="110119000000", address="10.0.0.1")


@needs_postgres
@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(lambda e: AuditEntry.objects.filter(pk=e.pk).update(user_label="someone else"), id="update"),
        pytest.param(lambda e: (setattr(e, "result", "failure"), e.save()), id="save"),
        pytest.param(lambda e: AuditEntry.objects.filter(pk=e.pk).delete(), id="delete"),
        pytest.param(lambda e: AuditEntry.objects.all().delete(), id="delete-all"),
        pytest.param(
            lambda e: connection.cursor().execute("DELETE FROM liaison_auditentry WHERE id = %s", [e.pk]), id="raw-sql"
        ),
    ],
)
def test_the_database_refuses_to_change_or_delete_a_line(attempt):
    entry = _line()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt(entry)
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.user_label, kept.result) == ("someone", "success")
    # Appending still works.
    assert _line().pk > entry.pk


@needs_postgres
def test_the_trigger_is_installed_for_update_and_delete():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_manipulation FROM information_schema.triggers WHERE event_object_table = 'liaison_auditentry'"
        )
        assert {row[0] for row in cursor.fetchall()} == {"UPDATE", "DELETE"}


def test_no_code_deletes_or_updates_audit_lines():
    """Retention: the only writes to the table are `audit.record`'s inserts (PostgreSQL aside,
    this is what keeps lines for AUDIT_RETENTION_DAYS on any database)."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if any(part in {"tests", "migrations", ".venv"} for part in path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"AuditEntry\.objects\b[^\n]*\.(delete|update)\(", text):
            offenders.append(str(path))
    assert offenders == []
