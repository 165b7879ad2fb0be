from django.db import migrations

from reallabor.taxonomy.sdg import load_sdg_vocabulary


def reload(apps, schema_editor):
    """Load the SDG texts again: the loader now repairs cp1252 quotes given as C1 control characters."""
    load_sdg_vocabulary(apps.get_model("taxonomy", "Vocabulary"), apps.get_model("taxonomy", "Term"))


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0003_tag_index_by_term")]

    operations = [migrations.RunPython(reload, migrations.RunPython.noop)]
