"""Load the census states, territories and counties from plotly-geo's shapefiles."""

from django.db import migrations


def load(apps, schema_editor):
    from survmap.geo import census

    State = apps.get_model("geo", "State")
    County = apps.get_model("geo", "County")
    states = {s.fips: s for s in census.states()}
    State.objects.bulk_create(
        [State(code=s.code, fips=s.fips, name=s.name) for s in states.values()],
        ignore_conflicts=True,
    )
    County.objects.bulk_create(
        [
            County(
                fips=c.fips,
                state_id=states[c.state_fips].code,
                name=c.name,
                full_name=c.full_name,
            )
            for c in census.counties()
        ],
        ignore_conflicts=True,
        batch_size=500,
    )


def unload(apps, schema_editor):
    apps.get_model("geo", "County").objects.all().delete()
    apps.get_model("geo", "State").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
