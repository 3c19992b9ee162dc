# The product catalogue moved to the catalogue app (catalogue.0001 renamed its table and moved its
# content type): deals' relation points there and the model leaves deals, in the state only.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_initial"),
        ("deals", "0005_program_settings_rows"),
        # leads' relations leave deals.Product before it goes.
        ("leads", "0005_product_in_catalogue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deal",
                    name="products",
                    field=models.ManyToManyField(blank=True, related_name="deals", to="catalogue.product", verbose_name="products"),
                ),
                migrations.DeleteModel(name="Product"),
            ],
        ),
    ]
