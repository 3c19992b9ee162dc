# The product catalogue moves out of deals: the model and its rows, ids, permissions and audit trail
# stay; only its app changes. deals.0006 and leads.0005 point their relations here in the state.

import prm.i18n
from django.db import migrations, models

RENAME_TABLE = [
    "ALTER TABLE deals_product RENAME TO catalogue_product",
    "ALTER SEQUENCE IF EXISTS deals_product_id_seq RENAME TO catalogue_product_id_seq",
    "ALTER INDEX IF EXISTS deals_product_pkey RENAME TO catalogue_product_pkey",
]
RENAME_TABLE_BACK = [
    "ALTER TABLE catalogue_product RENAME TO deals_product",
    "ALTER SEQUENCE IF EXISTS catalogue_product_id_seq RENAME TO deals_product_id_seq",
    "ALTER INDEX IF EXISTS catalogue_product_pkey RENAME TO deals_product_pkey",
]


def _move_content_type(apps, schema_editor, source: str, target: str):
    """The content type of products changes app, so that the permissions (and the groups and users
    holding them), audit events and object permissions that point at it follow the model."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=target, model="product").exists():
        ContentType.objects.using(db).filter(app_label=source, model="product").update(app_label=target)
    ContentType.objects.clear_cache()


def content_type_to_catalogue(apps, schema_editor):
    _move_content_type(apps, schema_editor, "deals", "catalogue")


def content_type_to_deals(apps, schema_editor):
    _move_content_type(apps, schema_editor, "catalogue", "deals")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("deals", "0005_program_settings_rows"),
        # Every migration that still names deals.Product (leads' relations to it) runs before its table is renamed.
        ("leads", "0004_program_settings_rows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Product",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name_en", models.CharField(max_length=200, verbose_name="name (English)")),
                        ("name_pt_br", models.CharField(blank=True, max_length=200, verbose_name="name (Portuguese, Brazil)")),
                        ("name_fr", models.CharField(blank=True, max_length=200, verbose_name="name (French)")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "product",
                        "verbose_name_plural": "products",
                        "ordering": ["name_en"],
                    },
                    bases=(prm.i18n.TranslatedMixin, models.Model),
                ),
            ],
            database_operations=[migrations.RunSQL(RENAME_TABLE, RENAME_TABLE_BACK)],
        ),
        migrations.RunPython(content_type_to_catalogue, content_type_to_deals),
    ]
