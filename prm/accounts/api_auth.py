from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import token_failures
from .middleware import mfa_required_message, staff_needs_mfa
from .models import ApiToken, hash_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer prm_...` with a personal token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        # Failures are counted per client IP: past the limit, 429 before any token is looked at.
        token_failures.refuse_if_throttled(request)
        try:
            token = self.active_token(header)
        except exceptions.AuthenticationFailed:
            token_failures.record_failure(request)
            raise
        if staff_needs_mfa(token.user):
            # Staff tokens work only while their user has TOTP: removing it disables them.
            raise exceptions.AuthenticationFailed(mfa_required_message(), code="mfa_required")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def active_token(self, header: list[bytes]) -> ApiToken:
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return token

    def authenticate_header(self, request):
        return self.keyword
