"""Idempotency keys: a create sent twice (a double click, a retried request) has one effect.

The key is claimed by a row with a unique index in the transaction of the create itself, so the
database, not a Python check, decides which request creates; the others wait on the index and
answer the first one's result (docs/adr/0011-idempotency-keys.md).

- ``services``: the claim, the record of the result, the request fingerprint and the purge;
- ``api``: ``@idempotent``, the ``Idempotency-Key`` header of every create of the API;
- ``forms``: ``form_once``, the hidden token of every create form (``{% idempotency_field %}``).
"""
