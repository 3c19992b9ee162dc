# The single-column indexes of these foreign keys are dropped by name: an AlterField(db_index=False)
# would also drop the partial unique index on leadassignment.lead_id (leadassign_one_current_per_lead).

import django.db.models.deletion
from django.db import migrations, models

from prm.schema import drop_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_lead_import"),
        ("partners", "0002_recruitment_onboarding"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lead",
                    name="partner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Empty while the lead is in the vendor pool.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="leads",
                        to="partners.partner",
                        verbose_name="partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="leadassignment",
                    name="lead",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="leads.lead",
                    ),
                ),
                migrations.AlterField(
                    model_name="leadassignment",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_assignments",
                        to="partners.partner",
                    ),
                ),
            ],
            database_operations=[
                drop_indexes("leads_lead", [("leads_lead_partner_id_0fa90f5e", '"partner_id"')]),
                drop_indexes(
                    "leads_leadassignment",
                    [
                        ("leads_leadassignment_lead_id_f8a37b22", '"lead_id"'),
                        ("leads_leadassignment_partner_id_5ee93e49", '"partner_id"'),
                    ],
                ),
            ],
        )
    ]
