"""A covering index for the people filters' check "has a current affiliation at such an organisation".

``actors.filters`` checks most criteria on people person by person (correlated EXISTS); for the
criteria on organisations that check looks up the person's affiliations with their dates. With
this index it reads only the index, not the affiliation rows (about a third less time for a
segment count at nation scale on SQLite).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("actors", "0004_followup_uuid_recipient_sending")]
    # The chain stays linear: the lead's text-search index follows this migration.
    run_before = [("actors", "0006_person_search_index")]

    operations = [
        migrations.AddIndex(
            model_name="affiliation",
            index=models.Index(
                fields=["person", "organisation", "start_date", "end_date"], name="affiliation_person_org_idx"
            ),
        ),
    ]
