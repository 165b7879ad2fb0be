"""A table of facts per person, kept by triggers, for counting broad segments on SQLite
(``reallabor.actors.facts``; nothing on PostgreSQL)."""

from django.db import migrations

from reallabor.actors.facts import facts_operations


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0007_person_email_confirmed"),
        ("organisations", "0003_search_index"),
    ]

    operations = facts_operations()
