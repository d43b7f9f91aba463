"""The full-text index (PostgreSQL only) and the seeded category taxonomy.

The categories are those of the seeds (DOMAIN.md); the system administrator
edits them in admin afterwards.
"""

from django.db import migrations

from petitions.ledger.taxonomy import seed_taxonomy


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS petition_search_gin ON petitions_petition "
        "USING gin (to_tsvector('simple'::regconfig, search_text))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS petition_search_gin")


def seed_categories(apps, schema_editor):
    seed_taxonomy(apps.get_model("petitions", "Category"))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_ledger")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
    ]
