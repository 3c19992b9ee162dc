"""The statements of the SLA engine's bulk services (``deadlines_start_many``, ``deadlines_close``).

Each writes the deadlines of a batch and their audit events (the rows ``audit_record`` writes for
the single-row services) in one statement: INSERT/UPDATE ... FROM unnest() with a data-modifying
WITH. The tables and columns are the models'; every value is a parameter.
"""

from prm.audit.models import AuditEvent

from .models import ACTIVE_STATES, Deadline

_ACTIVE_SQL = ", ".join(f"'{state}'" for state in ACTIVE_STATES)

START_MANY_SQL = f"""
WITH started AS (
    INSERT INTO {Deadline._meta.db_table} (
        kind, content_type_id, object_id, partner_id, calendar_id, duration_seconds, consumed_seconds,
        started_at, resumed_at, due_at, reminder_fractions, reminders_sent, next_fire_at, state, attempts,
        last_error, created_at, updated_at)
    SELECT %(kind)s, %(content_type)s, v.object_id, v.partner_id, %(calendar)s, %(duration)s, 0,
        %(start)s, %(start)s, %(due_at)s, %(reminders)s::jsonb, 0, %(next_fire_at)s, %(state)s, 0,
        '', %(now)s, %(now)s
    FROM unnest(%(object_ids)s::bigint[], %(partner_ids)s::bigint[]) AS v(object_id, partner_id)
    ON CONFLICT (content_type_id, object_id, kind) WHERE state IN ({_ACTIVE_SQL}) DO NOTHING
    RETURNING id, object_id, partner_id
), audited AS (
    INSERT INTO {AuditEvent._meta.db_table} (
        at, actor_id, actor_label, action, content_type_id, object_id, object_repr, partner_id,
        from_state, to_state, reason, ip, data)
    SELECT %(now)s, %(actor)s, %(actor_label)s, 'sla.started', %(deadline_type)s, started.id::text,
        left(%(kind)s || ' #' || started.object_id || ' (' || %(state_label)s || ')', 255),
        started.partner_id, '', %(state)s, '', %(ip)s,
        jsonb_build_object('kind', %(kind)s::text, 'content_type_id', %(content_type)s::integer,
                           'object_id', started.object_id, 'due_at', %(due_iso)s::text)
    FROM started
)
SELECT id FROM started
"""  # noqa: S608 (model tables and fixed columns; values are parameters)

CLOSE_MANY_SQL = f"""
WITH closed AS (
    UPDATE {Deadline._meta.db_table} AS deadline
    SET state = %(state)s, consumed_seconds = v.consumed_seconds, next_fire_at = NULL, closed_at = %(at)s,
        updated_at = %(now)s
    FROM unnest(%(ids)s::bigint[], %(consumed)s::integer[], %(from_states)s::text[])
        AS v(id, consumed_seconds, from_state)
    WHERE deadline.id = v.id
    RETURNING deadline.id, deadline.kind, deadline.content_type_id, deadline.object_id, deadline.partner_id,
        v.from_state
), audited AS (
    INSERT INTO {AuditEvent._meta.db_table} (
        at, actor_id, actor_label, action, content_type_id, object_id, object_repr, partner_id,
        from_state, to_state, reason, ip, data)
    SELECT %(now)s, %(actor)s, %(actor_label)s, %(action)s, %(deadline_type)s, closed.id::text,
        left(closed.kind || ' #' || closed.object_id || ' (' || %(state_label)s || ')', 255),
        closed.partner_id, closed.from_state, %(state)s, %(reason)s, %(ip)s,
        jsonb_build_object('kind', closed.kind, 'content_type_id', closed.content_type_id,
                           'object_id', closed.object_id)
    FROM closed
)
SELECT id FROM closed
"""  # noqa: S608 (model tables and fixed columns; values are parameters)
