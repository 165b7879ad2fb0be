"""A text-search index over the organisations' name and city (``reallabor.core.search``)."""

from django.db import migrations

from reallabor.core.search import search_operations


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_actor_profile_fields")]

    operations = search_operations("organisations_organisation")
