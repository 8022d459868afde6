"""Load the census states, territories and counties from plotly-geo's shapefiles."""

from django.db import migrations


def load(apps, schema_editor):
    from survmap.geo.census import load_into

    load_into(apps.get_model("geo", "State"), apps.get_model("geo", "County"))


def unload(apps, schema_editor):
    apps.get_model("geo", "County").objects.all().delete()
    apps.get_model("geo", "State").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
