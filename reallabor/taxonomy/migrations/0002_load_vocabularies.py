from django.db import migrations

from reallabor.taxonomy.sdg import load_sdg_vocabulary


def load(apps, schema_editor):
    Vocabulary = apps.get_model("taxonomy", "Vocabulary")
    Term = apps.get_model("taxonomy", "Term")
    load_sdg_vocabulary(Vocabulary, Term)
    # The city's own vocabularies start empty; administrators fill them.
    for family, kind, name, name_en, abbreviation in [
        ("megatrends", "megatrend", "Megatrends", "Megatrends", "MT"),
        ("strategy", "strategy", "Strategieziele", "Strategy goals", ""),
        ("target-groups", "target_group", "Zielgruppen", "Target groups", ""),
    ]:
        Vocabulary.objects.get_or_create(
            family=family,
            version=1,
            defaults={"kind": kind, "name": name, "name_en": name_en, "abbreviation": abbreviation},
        )


def unload(apps, schema_editor):
    apps.get_model("taxonomy", "Vocabulary").objects.filter(
        family__in=["sdg", "megatrends", "strategy", "target-groups"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
