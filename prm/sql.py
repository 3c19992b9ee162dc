"""Small SQL helpers shared by the apps."""

from django.db.models.expressions import RawSQL


def id_array(ids) -> RawSQL:
    """``field__in=id_array(ids)``: the ids passed as one array parameter (``SELECT unnest(%s::bigint[])``)
    rather than one parameter per id, which Django prepares one by one (slow at thousands of ids)."""
    return RawSQL("SELECT unnest(%s::bigint[])", [[int(pk) for pk in ids]])
