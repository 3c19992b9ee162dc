"""The partner figures of deal registration (ADR 0015): two tables of sums kept by statement triggers
on the deal table, filled from the registrations already there."""

import re

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

# The text this migration ran, frozen here (deals.figures changes with later migrations, which install
# their own): the trigger function, its triggers, their removal, and the statements that recompute
# the figures from the registrations. ``{zone}`` is settings.TIME_ZONE, checked by ``_zone()``.
FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION deals_figures_apply() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN

    WITH changed AS (SELECT 1 AS sign, * FROM new_rows)
    INSERT INTO deals_partnerstatuscount AS t (partner_id, status, count)
    SELECT partner_id, status, SUM(sign) FROM changed
    GROUP BY partner_id, status HAVING SUM(sign) <> 0
    ORDER BY partner_id, status
    ON CONFLICT (partner_id, status) DO UPDATE SET count = t.count + excluded.count;

    WITH changed AS (SELECT 1 AS sign, * FROM new_rows),
    contributions AS (
        SELECT partner_id, (submitted_at AT TIME ZONE '{zone}')::date AS day, currency,
               sign AS submitted, 0 AS approved, 0 AS won, 0 AS priced, 0::numeric AS won_amount
        FROM changed WHERE submitted_at IS NOT NULL
        UNION ALL
        SELECT partner_id, (approved_at AT TIME ZONE '{zone}')::date, currency, 0, sign, 0, 0, 0
        FROM changed WHERE approved_at IS NOT NULL
        UNION ALL
        SELECT partner_id, closed_on, currency, 0, 0, sign,
               CASE WHEN final_amount IS NULL THEN 0 ELSE sign END, sign * COALESCE(final_amount, 0)
        FROM changed WHERE status = 'won' AND closed_on IS NOT NULL
    )
    INSERT INTO deals_partnerdealday AS t (partner_id, day, currency, submitted, approved, won, priced, won_amount)
    SELECT partner_id, day, currency, SUM(submitted), SUM(approved), SUM(won), SUM(priced), SUM(won_amount)
    FROM contributions
    GROUP BY partner_id, day, currency
    HAVING SUM(submitted) <> 0 OR SUM(approved) <> 0 OR SUM(won) <> 0 OR SUM(priced) <> 0 OR SUM(won_amount) <> 0
    ORDER BY partner_id, day, currency
    ON CONFLICT (partner_id, day, currency) DO UPDATE SET
        submitted = t.submitted + excluded.submitted,
        approved = t.approved + excluded.approved,
        won = t.won + excluded.won,
        priced = t.priced + excluded.priced,
        won_amount = t.won_amount + excluded.won_amount;
    
    ELSIF TG_OP = 'UPDATE' THEN

    WITH changed AS (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows)
    INSERT INTO deals_partnerstatuscount AS t (partner_id, status, count)
    SELECT partner_id, status, SUM(sign) FROM changed
    GROUP BY partner_id, status HAVING SUM(sign) <> 0
    ORDER BY partner_id, status
    ON CONFLICT (partner_id, status) DO UPDATE SET count = t.count + excluded.count;

    WITH changed AS (SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows),
    contributions AS (
        SELECT partner_id, (submitted_at AT TIME ZONE '{zone}')::date AS day, currency,
               sign AS submitted, 0 AS approved, 0 AS won, 0 AS priced, 0::numeric AS won_amount
        FROM changed WHERE submitted_at IS NOT NULL
        UNION ALL
        SELECT partner_id, (approved_at AT TIME ZONE '{zone}')::date, currency, 0, sign, 0, 0, 0
        FROM changed WHERE approved_at IS NOT NULL
        UNION ALL
        SELECT partner_id, closed_on, currency, 0, 0, sign,
               CASE WHEN final_amount IS NULL THEN 0 ELSE sign END, sign * COALESCE(final_amount, 0)
        FROM changed WHERE status = 'won' AND closed_on IS NOT NULL
    )
    INSERT INTO deals_partnerdealday AS t (partner_id, day, currency, submitted, approved, won, priced, won_amount)
    SELECT partner_id, day, currency, SUM(submitted), SUM(approved), SUM(won), SUM(priced), SUM(won_amount)
    FROM contributions
    GROUP BY partner_id, day, currency
    HAVING SUM(submitted) <> 0 OR SUM(approved) <> 0 OR SUM(won) <> 0 OR SUM(priced) <> 0 OR SUM(won_amount) <> 0
    ORDER BY partner_id, day, currency
    ON CONFLICT (partner_id, day, currency) DO UPDATE SET
        submitted = t.submitted + excluded.submitted,
        approved = t.approved + excluded.approved,
        won = t.won + excluded.won,
        priced = t.priced + excluded.priced,
        won_amount = t.won_amount + excluded.won_amount;
    
    ELSIF TG_OP = 'DELETE' THEN

    WITH changed AS (SELECT -1 AS sign, * FROM old_rows)
    INSERT INTO deals_partnerstatuscount AS t (partner_id, status, count)
    SELECT partner_id, status, SUM(sign) FROM changed
    GROUP BY partner_id, status HAVING SUM(sign) <> 0
    ORDER BY partner_id, status
    ON CONFLICT (partner_id, status) DO UPDATE SET count = t.count + excluded.count;

    WITH changed AS (SELECT -1 AS sign, * FROM old_rows),
    contributions AS (
        SELECT partner_id, (submitted_at AT TIME ZONE '{zone}')::date AS day, currency,
               sign AS submitted, 0 AS approved, 0 AS won, 0 AS priced, 0::numeric AS won_amount
        FROM changed WHERE submitted_at IS NOT NULL
        UNION ALL
        SELECT partner_id, (approved_at AT TIME ZONE '{zone}')::date, currency, 0, sign, 0, 0, 0
        FROM changed WHERE approved_at IS NOT NULL
        UNION ALL
        SELECT partner_id, closed_on, currency, 0, 0, sign,
               CASE WHEN final_amount IS NULL THEN 0 ELSE sign END, sign * COALESCE(final_amount, 0)
        FROM changed WHERE status = 'won' AND closed_on IS NOT NULL
    )
    INSERT INTO deals_partnerdealday AS t (partner_id, day, currency, submitted, approved, won, priced, won_amount)
    SELECT partner_id, day, currency, SUM(submitted), SUM(approved), SUM(won), SUM(priced), SUM(won_amount)
    FROM contributions
    GROUP BY partner_id, day, currency
    HAVING SUM(submitted) <> 0 OR SUM(approved) <> 0 OR SUM(won) <> 0 OR SUM(priced) <> 0 OR SUM(won_amount) <> 0
    ORDER BY partner_id, day, currency
    ON CONFLICT (partner_id, day, currency) DO UPDATE SET
        submitted = t.submitted + excluded.submitted,
        approved = t.approved + excluded.approved,
        won = t.won + excluded.won,
        priced = t.priced + excluded.priced,
        won_amount = t.won_amount + excluded.won_amount;
    
    END IF;
    RETURN NULL;
END
$body$;
"""

TRIGGERS_SQL = """
CREATE TRIGGER deals_figures_insert AFTER INSERT ON deals_deal
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_figures_apply();
CREATE TRIGGER deals_figures_update AFTER UPDATE ON deals_deal
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_figures_apply();
CREATE TRIGGER deals_figures_delete AFTER DELETE ON deals_deal
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_figures_apply();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS deals_figures_insert ON deals_deal;
DROP TRIGGER IF EXISTS deals_figures_update ON deals_deal;
DROP TRIGGER IF EXISTS deals_figures_delete ON deals_deal;
DROP FUNCTION IF EXISTS deals_figures_apply();
"""

REBUILD_SQL = """
    WITH changed AS (SELECT 1 AS sign, * FROM deals_deal)
    INSERT INTO deals_partnerstatuscount AS t (partner_id, status, count)
    SELECT partner_id, status, SUM(sign) FROM changed
    GROUP BY partner_id, status HAVING SUM(sign) <> 0
    ORDER BY partner_id, status
    ON CONFLICT (partner_id, status) DO UPDATE SET count = t.count + excluded.count;

    WITH changed AS (SELECT 1 AS sign, * FROM deals_deal),
    contributions AS (
        SELECT partner_id, (submitted_at AT TIME ZONE '{zone}')::date AS day, currency,
               sign AS submitted, 0 AS approved, 0 AS won, 0 AS priced, 0::numeric AS won_amount
        FROM changed WHERE submitted_at IS NOT NULL
        UNION ALL
        SELECT partner_id, (approved_at AT TIME ZONE '{zone}')::date, currency, 0, sign, 0, 0, 0
        FROM changed WHERE approved_at IS NOT NULL
        UNION ALL
        SELECT partner_id, closed_on, currency, 0, 0, sign,
               CASE WHEN final_amount IS NULL THEN 0 ELSE sign END, sign * COALESCE(final_amount, 0)
        FROM changed WHERE status = 'won' AND closed_on IS NOT NULL
    )
    INSERT INTO deals_partnerdealday AS t (partner_id, day, currency, submitted, approved, won, priced, won_amount)
    SELECT partner_id, day, currency, SUM(submitted), SUM(approved), SUM(won), SUM(priced), SUM(won_amount)
    FROM contributions
    GROUP BY partner_id, day, currency
    HAVING SUM(submitted) <> 0 OR SUM(approved) <> 0 OR SUM(won) <> 0 OR SUM(priced) <> 0 OR SUM(won_amount) <> 0
    ORDER BY partner_id, day, currency
    ON CONFLICT (partner_id, day, currency) DO UPDATE SET
        submitted = t.submitted + excluded.submitted,
        approved = t.approved + excluded.approved,
        won = t.won + excluded.won,
        priced = t.priced + excluded.priced,
        won_amount = t.won_amount + excluded.won_amount;
    """


def _zone() -> str:
    zone = settings.TIME_ZONE or "UTC"
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
        raise ValueError(f"Unexpected time zone name {zone!r}")
    return zone


def install(apps, schema_editor):
    """What deals.figures.rebuild() did when this migration was written: the function for the
    configured zone, the triggers, and every figure recomputed, with the deal table locked."""
    zone = _zone()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE deals_deal IN SHARE MODE")
        cursor.execute(DROP_SQL)
        cursor.execute(FUNCTION_SQL.replace("{zone}", zone))
        cursor.execute(TRIGGERS_SQL)
        cursor.execute("DELETE FROM deals_partnerstatuscount")
        cursor.execute("DELETE FROM deals_partnerdealday")
        cursor.execute(REBUILD_SQL.replace("{zone}", zone))


def uninstall(apps, schema_editor):
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
