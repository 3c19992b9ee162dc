"""Operations shared by the apps' migrations."""

from django.db import migrations


def drop_indexes(table: str, indexes: list[tuple[str, str]]) -> migrations.RunSQL:
    """Drop indexes by name (and create them again when the migration is reversed); ``indexes`` are
    (name, what the index is on, e.g. ``"partner_id"`` or ``"kind" varchar_pattern_ops``).

    For the single-column index of a field whose ``db_index`` goes off, used with
    ``SeparateDatabaseAndState``: Django's own ``AlterField`` drops every index on the column, a
    partial unique index over it included, and drops and re-creates a foreign key, checking every row."""
    return migrations.RunSQL(
        sql=[f'DROP INDEX IF EXISTS "{name}"' for name, _on in indexes],
        reverse_sql=[f'CREATE INDEX "{name}" ON "{table}" ({on})' for name, on in indexes],
    )
