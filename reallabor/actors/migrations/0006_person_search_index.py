"""A text-search index over the people's names and e-mail addresses (``reallabor.core.search``)."""

from django.db import migrations

from reallabor.core.search import search_operations


class Migration(migrations.Migration):
    dependencies = [("actors", "0005_segment_count_indexes")]

    operations = search_operations("actors_person")
