# The product catalogue moved to the catalogue app (catalogue.0001 renamed its table): the relations
# point there in the state; the database keeps its columns and foreign keys as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_initial"),
        ("leads", "0004_program_settings_rows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignmentrule",
                    name="products",
                    field=models.ManyToManyField(blank=True, related_name="+", to="catalogue.product", verbose_name="product interests"),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="product",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="leads", to="catalogue.product", verbose_name="product interest"),
                ),
            ],
        ),
    ]
