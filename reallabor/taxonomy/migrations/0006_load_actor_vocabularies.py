from django.db import migrations

from reallabor.taxonomy.actor_vocabularies import load_actor_vocabularies


def load(apps, schema_editor):
    load_actor_vocabularies(apps.get_model("taxonomy", "Vocabulary"), apps.get_model("taxonomy", "Term"))


def unload(apps, schema_editor):
    apps.get_model("taxonomy", "Vocabulary").objects.filter(
        family__in=["needs", "motivations", "wz2008", "trades"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0005_tag_recorded_by_and_actor_kinds")]

    operations = [migrations.RunPython(load, unload)]
