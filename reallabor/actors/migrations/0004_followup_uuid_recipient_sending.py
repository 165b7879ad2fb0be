"""Give follow-ups a public UUID and mailing recipients a "sending" state (with the time the
worker took the recipient up).

The UUID column is added nullable, filled in batches (the nation benchmark database holds 40,000
follow-ups; one UPDATE per row through ``executemany`` is fast on SQLite and PostgreSQL alike), and
then made unique and non-null.
"""

import uuid

from django.db import migrations, models

BATCH = 2000


def fill_follow_up_uuids(apps, schema_editor):
    FollowUp = apps.get_model("actors", "FollowUp")
    connection = schema_editor.connection
    table = connection.ops.quote_name(FollowUp._meta.db_table)
    field = FollowUp._meta.get_field("uuid")
    column = connection.ops.quote_name(field.column)
    sql = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608 - quoted names, values are parameters
    ids = list(
        FollowUp.objects.using(connection.alias)
        .filter(uuid__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            cursor.executemany(
                sql,
                [
                    (field.get_db_prep_value(uuid.uuid4(), connection), pk)
                    for pk in ids[start : start + BATCH]
                ],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0003_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_follow_up_uuids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="followup",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="mailingrecipient",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="taken up for delivery"),
        ),
        migrations.AlterField(
            model_name="mailingrecipient",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("sending", "sending (delivery unconfirmed)"),
                    ("sent", "sent"),
                    ("failed", "failed"),
                    ("skipped", "skipped (no valid consent any more)"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
