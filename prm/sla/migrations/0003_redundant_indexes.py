# Clocks are looked up by object (sla_deadline_object) or by due time (sla_deadline_due_open): the
# single-column indexes of the kind and the content type go.

import django.db.models.deletion
from django.db import migrations, models

from prm.schema import drop_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("sla", "0002_deadline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deadline",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                migrations.AlterField(
                    model_name="deadline",
                    name="kind",
                    field=models.CharField(max_length=64, verbose_name="kind"),
                ),
            ],
            database_operations=[
                drop_indexes(
                    "sla_deadline",
                    [
                        ("sla_deadline_content_type_id_faab54a3", '"content_type_id"'),
                        ("sla_deadline_kind_6f46c6ce", '"kind"'),
                        ("sla_deadline_kind_6f46c6ce_like", '"kind" varchar_pattern_ops'),
                    ],
                )
            ],
        )
    ]
