"""The partner figures count, per day, the registrations lost and rejected and the decisions with their
time from submission (ADR 0015): four columns of the partners' days, the moment of the rejections made
before the service recorded it, then the trigger function of deals.figures installed again and every
figure recomputed."""

import importlib

from django.db import migrations, models

# Rejected registrations closed at the latest audit event of their rejection, else at their last
# change. The triggers of 0008 see no change of theirs in this statement (status, dates and amounts
# of their sums stay); the rebuild that follows counts the rejections.
REJECTED_CLOSED_AT = """
UPDATE deals_deal AS d SET closed_at = COALESCE(
    (
        SELECT e.at FROM audit_auditevent AS e
        WHERE e.content_type_id = (
                SELECT ct.id FROM django_content_type AS ct WHERE ct.app_label = 'deals' AND ct.model = 'deal'
            )
            AND e.object_id = d.id::text AND e.action = 'deal.rejected'
        ORDER BY e.at DESC, e.id DESC
        LIMIT 1
    ),
    d.updated_at
)
WHERE d.status = 'rejected' AND d.closed_at IS NULL;
"""


def _figures_0008():
    return importlib.import_module("deals.migrations.0008_partner_figures")


def install(apps, schema_editor):
    from deals.figures import rebuild

    schema_editor.execute(REJECTED_CLOSED_AT)
    rebuild(using=schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    # The function of this migration reads the columns removed next: no trigger until 0008's is back.
    schema_editor.execute(_figures_0008().DROP_SQL)


def reinstall_0008(apps, schema_editor):
    """Back before this migration: 0008's function and figures (the rejections keep their closed_at)."""
    _figures_0008().install(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('deals', '0010_partner_list_index_covers_search'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, reinstall_0008),
        migrations.AddField(
            model_name='partnerdealday',
            name='lost',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='partnerdealday',
            name='rejected',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='partnerdealday',
            name='decided',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='partnerdealday',
            name='decision_seconds',
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(install, uninstall),
    ]
