from django.db import migrations

from reallabor.offers.vocabulary import FUNDING_AREAS_FAMILY, load_funding_areas


def load(apps, schema_editor):
    load_funding_areas(apps.get_model("taxonomy", "Vocabulary"), apps.get_model("taxonomy", "Term"))


def unload(apps, schema_editor):
    apps.get_model("taxonomy", "Vocabulary").objects.filter(family=FUNDING_AREAS_FAMILY).delete()


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_offers_recommendations_uptakes"), ("taxonomy", "0006_load_actor_vocabularies")]

    operations = [migrations.RunPython(load, unload)]
