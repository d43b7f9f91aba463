"""The audit log is append-only in the database itself: on PostgreSQL a trigger refuses every
UPDATE and DELETE of a `liaison_auditentry` row, whoever runs it, the application's role
included. (TRUNCATE is left to the table's owner: it is how a test database is emptied, and no
code path of the application issues it.) SQLite (tests, development) has no such guard; nothing
in the code updates or deletes a row.
"""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION liaison_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER liaison_auditentry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON liaison_auditentry
    FOR EACH ROW EXECUTE FUNCTION liaison_audit_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS liaison_auditentry_no_update_or_delete ON liaison_auditentry;
DROP FUNCTION IF EXISTS liaison_audit_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID, None)  # None: no placeholders (the % is plpgsql's)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW, None)


class Migration(migrations.Migration):
    dependencies = [("liaison", "0004_audit_log")]

    operations = [migrations.RunPython(forbid, allow, elidable=False)]
