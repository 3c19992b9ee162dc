"""``form_once``: the hidden token of every create form, so that a double click creates one record.

Every create form renders ``{% idempotency_field %}`` (a fresh signed token per rendering) and its
view wraps the create::

    with form_once(request, "deals.create") as once:
        if once.replayed:
            return once.replay()
        deal = services.deal_create_draft(...)
        response = once.done(reverse("deal_detail", args=[deal.pk]))

A second POST of the same rendering waits for the first and is sent where the first was (no second
row); the same token with other values raises ``KeyReused`` (a ``ServiceError``: shown on the form).
A POST without a valid token is keyed on its content for ``CONTENT_KEY_WINDOW``."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.core.signing import BadSignature, Signer
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from .services import key_claim, request_fingerprint

FIELD_NAME = "idempotency_key"
CONTENT_KEY_WINDOW = timedelta(seconds=60)
ALREADY_SENT = _("This form was sent more than once; it was recorded once.")

_signer = Signer(salt="prm.idempotency.form")
_IGNORED = frozenset({"csrfmiddlewaretoken", FIELD_NAME})


def form_token() -> str:
    """A new token for one rendering of a form: random, signed by the server."""
    return _signer.sign(secrets.token_urlsafe(16))


def _posted_token(request) -> str | None:
    value = request.POST.get(FIELD_NAME, "")
    if not value or len(value) > 200:
        return None
    try:
        return _signer.unsign(value)
    except BadSignature:
        return None


class form_once:  # noqa: N801 - used as a context manager, like transaction.atomic
    """The create of a form, at most once per token: a transaction holding the claimed key."""

    def __init__(self, request, scope: str):
        self.request = request
        self.scope = f"form:{scope}"
        self.claim = None
        self._atomic = transaction.atomic()
        self._done = False

    def __enter__(self):
        request = self.request
        fingerprint = request_fingerprint(request, request.POST, request.FILES, ignore=_IGNORED)
        token = _posted_token(request)
        key, ttl = (token, None) if token else (f"content:{fingerprint}", CONTENT_KEY_WINDOW)
        self._atomic.__enter__()
        try:
            self.claim = key_claim(user=request.user, scope=self.scope, key=key, fingerprint=fingerprint, ttl=ttl)
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    @property
    def replayed(self) -> bool:
        return self.claim.replayed

    def replay(self, message=ALREADY_SENT) -> HttpResponseRedirect:
        """Where the first submission went, with a word that it counted once."""
        messages.info(self.request, message)
        return HttpResponseRedirect(self.claim.row.location)

    def done(self, location: str) -> HttpResponseRedirect:
        """Record where this submission sends the browser (the created record); the redirect there."""
        self.claim.complete(status_code=302, location=location)
        self._done = True
        return HttpResponseRedirect(location)

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None and not self.claim.replayed and not self._done:
            transaction.set_rollback(True)  # nothing was created: the key stays free
        return self._atomic.__exit__(exc_type, exc, traceback)
