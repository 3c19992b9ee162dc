"""The partner figures of deal registration, kept by PostgreSQL as registrations change (ADR 0015).

Two tables of sums, never written by Python code:

- ``PartnerStatusCount``: how many registrations a partner has in each status (the home's tiles);
- ``PartnerDealDay``: per partner, calendar day and currency, the registrations submitted and
  approved that day, those closed as won with that close date with their final amounts (the
  metrics of ``deals.metrics``: tier progress, won revenue), those closed as lost and those rejected
  that day, and the decisions of the day with their time from submission:

  - ``lost``, ``rejected``: registrations in that status, on the day of their ``closed_at`` (none
    without one);
  - ``decided``: the approvals of the day of ``approved_at`` (counted as long as ``approved_at`` is
    set, like ``approved``: also once the deal is won, lost or expired) and the rejections of the
    day of ``closed_at``, of registrations that have a ``submitted_at``;
  - ``decision_seconds``: their whole seconds from ``submitted_at`` to that decision (the fraction
    of a second dropped), summed. The average time to decide is ``decision_seconds / decided``.

Statement triggers on ``deals_deal`` (after INSERT, UPDATE and DELETE, with transition tables) add
what the new rows bring and take away what the old rows brought, in the transaction of the write,
whoever writes (a service, the admin, a bulk ``update()``, SQL). The increments are
``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``: two transactions changing the same
partner's figures queue on the row lock, each adding its own difference to what the other
committed, in key order (no deadlock between two such statements).

The days of ``submitted_at``, ``approved_at`` and ``closed_at`` are their dates in
``settings.TIME_ZONE``, the zone of ``prm.metrics.Period.moments`` (``closed_on``, the won deals'
close date, is a date already). The zone is written into the trigger function: after a change of
``TIME_ZONE``, run ``manage.py deal_figures_rebuild``, which installs the function again and
recomputes every figure from the registrations.

Migration ``deals.0008`` installed the figures; its text is frozen in it. Migration ``deals.0011``
(lost, rejected, decided, decision_seconds) installs the current text by calling ``rebuild()``.
Before changing the SQL of this module (a new column, another sum), copy the text that 0011 ran into
that migration, as 0008 holds its own, and install the new text with a migration of its own: an old
migration must not run newer SQL.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# The registrations changed by a statement, each with the sign of its contribution.
_SOURCES = {
    "INSERT": "SELECT 1 AS sign, * FROM new_rows",
    "DELETE": "SELECT -1 AS sign, * FROM old_rows",
    "UPDATE": "SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows",
    "REBUILD": "SELECT 1 AS sign, * FROM deals_deal",
}


def _zone() -> str:
    """The configured zone's name, checked to be a plain zone name before it is written into SQL."""
    zone = settings.TIME_ZONE or "UTC"
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
        raise ValueError(f"Unexpected time zone name {zone!r}")
    return zone


def _seconds(moment: str) -> str:
    """The whole seconds from a row's ``submitted_at`` to its column ``moment`` (the fraction dropped)."""
    return f"trunc(extract(epoch FROM {moment}) - extract(epoch FROM submitted_at))::bigint"


def _apply(source: str) -> str:
    """Two statements adding the contributions of ``source``'s rows to the figures (zero sums skipped)."""
    zone = _zone()
    to_approval, to_rejection = _seconds("approved_at"), _seconds("closed_at")
    # Only constants of this module and a checked zone name go into the text.
    return f"""
    WITH changed AS ({source})
    INSERT INTO deals_partnerstatuscount AS t (partner_id, status, count)
    SELECT partner_id, status, SUM(sign) FROM changed
    GROUP BY partner_id, status HAVING SUM(sign) <> 0
    ORDER BY partner_id, status
    ON CONFLICT (partner_id, status) DO UPDATE SET count = t.count + excluded.count;

    WITH changed AS ({source}),
    contributions AS (
        SELECT partner_id, (submitted_at AT TIME ZONE '{zone}')::date AS day, currency,
               sign AS submitted, 0 AS approved, 0 AS won, 0 AS priced, 0::numeric AS won_amount,
               0 AS lost, 0 AS rejected, 0 AS decided, 0::bigint AS decision_seconds
        FROM changed WHERE submitted_at IS NOT NULL
        UNION ALL
        SELECT partner_id, (approved_at AT TIME ZONE '{zone}')::date, currency, 0, sign, 0, 0, 0, 0, 0,
               CASE WHEN submitted_at IS NULL THEN 0 ELSE sign END,
               CASE WHEN submitted_at IS NULL THEN 0 ELSE sign * {to_approval} END
        FROM changed WHERE approved_at IS NOT NULL
        UNION ALL
        SELECT partner_id, closed_on, currency, 0, 0, sign,
               CASE WHEN final_amount IS NULL THEN 0 ELSE sign END, sign * COALESCE(final_amount, 0), 0, 0, 0, 0
        FROM changed WHERE status = 'won' AND closed_on IS NOT NULL
        UNION ALL
        SELECT partner_id, (closed_at AT TIME ZONE '{zone}')::date, currency, 0, 0, 0, 0, 0,
               CASE WHEN status = 'lost' THEN sign ELSE 0 END,
               CASE WHEN status = 'rejected' THEN sign ELSE 0 END,
               CASE WHEN status = 'rejected' AND submitted_at IS NOT NULL THEN sign ELSE 0 END,
               CASE WHEN status = 'rejected' AND submitted_at IS NOT NULL THEN sign * {to_rejection} ELSE 0 END
        FROM changed WHERE status IN ('lost', 'rejected') AND closed_at IS NOT NULL
    )
    INSERT INTO deals_partnerdealday AS t (
        partner_id, day, currency, submitted, approved, won, priced, won_amount,
        lost, rejected, decided, decision_seconds
    )
    SELECT partner_id, day, currency, SUM(submitted), SUM(approved), SUM(won), SUM(priced), SUM(won_amount),
           SUM(lost), SUM(rejected), SUM(decided), SUM(decision_seconds)
    FROM contributions
    GROUP BY partner_id, day, currency
    HAVING SUM(submitted) <> 0 OR SUM(approved) <> 0 OR SUM(won) <> 0 OR SUM(priced) <> 0 OR SUM(won_amount) <> 0
        OR SUM(lost) <> 0 OR SUM(rejected) <> 0 OR SUM(decided) <> 0 OR SUM(decision_seconds) <> 0
    ORDER BY partner_id, day, currency
    ON CONFLICT (partner_id, day, currency) DO UPDATE SET
        submitted = t.submitted + excluded.submitted,
        approved = t.approved + excluded.approved,
        won = t.won + excluded.won,
        priced = t.priced + excluded.priced,
        won_amount = t.won_amount + excluded.won_amount,
        lost = t.lost + excluded.lost,
        rejected = t.rejected + excluded.rejected,
        decided = t.decided + excluded.decided,
        decision_seconds = t.decision_seconds + excluded.decision_seconds;
    """  # noqa: S608


def function_sql() -> str:
    branches = "\n".join(
        f"    {'IF' if n == 0 else 'ELSIF'} TG_OP = '{op}' THEN\n{_apply(_SOURCES[op])}"
        for n, op in enumerate(("INSERT", "UPDATE", "DELETE"))
    )
    return f"""
CREATE OR REPLACE FUNCTION deals_figures_apply() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
{branches}
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


def rebuild(using=None) -> None:
    """Install the trigger function for the current ``TIME_ZONE`` and recompute every figure from the
    registrations, with the table locked against writes meanwhile."""
    using = using or DEFAULT_DB_ALIAS
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("LOCK TABLE deals_deal IN SHARE MODE")
        cursor.execute(DROP_SQL)
        cursor.execute(function_sql())
        cursor.execute(TRIGGERS_SQL)
        cursor.execute("DELETE FROM deals_partnerstatuscount")
        cursor.execute("DELETE FROM deals_partnerdealday")
        cursor.execute(_apply(_SOURCES["REBUILD"]))
