"""Trigram indexes for the searches of registrations (``customer_company__icontains``,
``customer_email__icontains``): on ``UPPER(column)``, the expression Django's ``icontains`` compares.
Built concurrently: a table of a million registrations stays writable while they are made."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("deals", "0006_product_in_catalogue"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="deal",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("customer_company"), name="gin_trgm_ops"
                ),
                name="deal_company_search_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="deal",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("customer_email"), name="gin_trgm_ops"
                ),
                name="deal_email_search_trgm",
            ),
        ),
    ]
