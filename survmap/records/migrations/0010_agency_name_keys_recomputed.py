"""The matcher reads more ways of writing a name (a college's campus after a colon, the FBI's
', X County' qualifiers, Miami-Dade): stored keys recomputed with the current rules."""

from django.db import migrations


def refill_name_keys(apps, schema_editor):
    from survmap.records.normalize import agency_name_key

    for model_name in ("Agency", "HistoricalAgency", "AgencyAlias", "HistoricalAgencyAlias"):
        model = apps.get_model("records", model_name)
        changed = []
        for record in model.objects.only("pk", "name", "name_key").iterator(chunk_size=2000):
            key = agency_name_key(record.name)
            if key != record.name_key:
                record.name_key = key
                changed.append(record)
        model.objects.bulk_update(changed, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0009_approved_status_and_reported_counts"),
    ]

    operations = [
        migrations.RunPython(refill_name_keys, migrations.RunPython.noop),
    ]
