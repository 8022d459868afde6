"""Text search on the database's own engine: SQLite FTS5 (trigram) or PostgreSQL pg_trgm and
tsvector, with the triggers that keep it in step (survmap/records/fulltext.py)."""

from django.db import migrations

from survmap.records import fulltext


def install(apps, schema_editor):
    fulltext.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    fulltext.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0007_agency_name_key_and_aliases"),
        ("geo", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
