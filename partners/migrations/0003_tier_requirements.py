"""Tier requirements become rows keyed by metric name (``prm.metrics``) instead of three columns."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import partners.models.core

# The metric that each former column measured, frozen here as it was when the columns went.
COLUMNS = {
    "min_revenue_12m": "deals.won_revenue",
    "min_certified_people": "partners.certified_people",
    "min_approved_deals": "deals.approved",
}


def columns_to_rows(apps, schema_editor):
    """Every tier's three thresholds as requirement rows, zeros included (the partner home listed
    them all), so that what each tier takes reads the same afterwards."""
    Tier = apps.get_model("partners", "Tier")
    TierRequirement = apps.get_model("partners", "TierRequirement")
    TierRequirement.objects.bulk_create(
        TierRequirement(tier_id=tier["pk"], metric=metric, threshold=tier[column])
        for tier in Tier.objects.order_by("pk").values("pk", *COLUMNS)
        for column, metric in COLUMNS.items()
    )


def rows_to_columns(apps, schema_editor):
    """The way back: each column from its metric's row (0 where a tier has none)."""
    Tier = apps.get_model("partners", "Tier")
    TierRequirement = apps.get_model("partners", "TierRequirement")
    for column, metric in COLUMNS.items():
        for tier_id, threshold in TierRequirement.objects.filter(metric=metric).values_list("tier_id", "threshold"):
            Tier.objects.filter(pk=tier_id).update(**{column: threshold})


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_recruitment_onboarding"),
    ]

    operations = [
        migrations.CreateModel(
            name="TierRequirement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "metric",
                    models.CharField(
                        max_length=100,
                        validators=[partners.models.core.validate_metric],
                        verbose_name="metric",
                    ),
                ),
                (
                    "threshold",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="threshold",
                    ),
                ),
                (
                    "tier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="requirements",
                        to="partners.tier",
                    ),
                ),
            ],
            options={
                "verbose_name": "tier requirement",
                "verbose_name_plural": "tier requirements",
                "ordering": ["pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("tier", "metric"), name="tier_requirement_unique_metric")
                ],
            },
        ),
        migrations.RunPython(columns_to_rows, rows_to_columns),
        migrations.RemoveField(model_name="tier", name="min_approved_deals"),
        migrations.RemoveField(model_name="tier", name="min_certified_people"),
        migrations.RemoveField(model_name="tier", name="min_revenue_12m"),
    ]
