"""The claim of an idempotency key, made in the transaction of the create it protects."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError

from .models import IdempotencyKey

PURGE_BATCH = 5000


class KeyReused(ServiceError):
    """The key was already used for a request with other content: nothing is done."""

    def __init__(self):
        super().__init__(
            _(
                "This request was already sent once with other values under the same idempotency key; "
                "nothing was done. Send the new values with a new key."
            )
        )


def key_ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


@dataclass
class Claim:
    row: IdempotencyKey
    replayed: bool

    def complete(self, *, status_code: int, body=None, location: str = "") -> None:
        """Record the result on the claimed row (in the same transaction): what repeats answer."""
        self.row.status_code = status_code
        self.row.body = body
        self.row.location = location
        self.row.save(update_fields=["status_code", "body", "location"])


def key_claim(*, user, scope: str, key: str, fingerprint: str, ttl: timedelta | None = None, now=None) -> Claim:
    """Claim ``key`` for this request, inside the caller's transaction (the transaction of the create).

    The unique index on (user, scope, key) decides: while another transaction holds the same key,
    the insert waits for it to end. It committed: this request is a repeat and answers its result
    (``replayed``), or is refused with ``KeyReused`` when its content differs. It rolled back: this
    request claims the key. A key past its expiry is a new key."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("key_claim() runs inside the transaction of the create.")
    now = now or timezone.now()
    owner = user if getattr(user, "is_authenticated", False) else None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=owner,
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                    expires_at=now + (ttl or key_ttl()),
                )
            return Claim(row, replayed=False)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user=owner, scope=scope, key=key).first()
        if existing is None:  # purged meanwhile
            continue
        if existing.expires_at <= now:
            IdempotencyKey.objects.filter(pk=existing.pk).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise KeyReused
        return Claim(existing, replayed=True)
    raise RuntimeError(f"Could not claim the idempotency key {key!r} of {scope}.")


def keys_purge(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the expired keys (``expires_at`` at or before ``now``) in batches; the number deleted."""
    now = now or timezone.now()
    deleted = 0
    while True:
        ids = list(IdempotencyKey.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch_size:
            return deleted


# --- fingerprint ------------------------------------------------------------------------------


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _canonical(value):
    if isinstance(value, UploadedFile):
        return {"file": value.name, "sha256": _file_digest(value)}
    if hasattr(value, "lists"):  # QueryDict, MultiValueDict: every value of every field
        return {str(name): [_canonical(item) for item in items] for name, items in value.lists()}
    if isinstance(value, Mapping):
        return {str(name): _canonical(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def request_fingerprint(request, *parts, ignore=frozenset()) -> str:
    """A hash of what the request asks: method, path and content (``parts``: parsed data, files),
    independent of key order and of the multipart boundary; fields in ``ignore`` left out."""
    content = []
    for part in parts:
        value = _canonical(part)
        if isinstance(value, dict):
            value = {name: item for name, item in value.items() if name not in ignore}
        content.append(value)
    text = json.dumps([request.method, request.path, content], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
