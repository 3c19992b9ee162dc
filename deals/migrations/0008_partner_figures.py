"""The partner figures of deal registration (ADR 0015): two tables of sums kept by statement triggers
on the deal table, filled from the registrations already there."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


def install(apps, schema_editor):
    from deals.figures import rebuild

    rebuild(using=schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    from deals.figures import DROP_SQL

    schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0007_search_trigram_indexes'),
        ('partners', '0004_program_branding'),
    ]

    operations = [
        migrations.CreateModel(
            name='PartnerDealDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('currency', models.CharField(max_length=3)),
                ('submitted', models.IntegerField(default=0)),
                ('approved', models.IntegerField(default=0)),
                ('won', models.IntegerField(default=0)),
                ('priced', models.IntegerField(default=0)),
                ('won_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=20)),
                ('partner', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('partner', 'day', 'currency'), name='deal_day_key')],
            },
        ),
        migrations.CreateModel(
            name='PartnerStatusCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('submitted', 'submitted'), ('info_requested', 'more information requested'), ('approved', 'approved'), ('rejected', 'rejected'), ('won', 'won'), ('lost', 'lost'), ('expired', 'expired')], max_length=20)),
                ('count', models.IntegerField(default=0)),
                ('partner', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('partner', 'status'), name='deal_status_count_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
