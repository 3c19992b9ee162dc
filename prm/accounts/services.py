from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.notifications.services import notify

from .middleware import staff_needs_mfa
from .models import ApiToken, User, hash_token
from .timezones import time_zone_names

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def user_set_language(*, actor: User, language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ServiceError(_("Choose one of the offered languages."), field="language")
    if actor.is_authenticated and actor.language != language:
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language


def user_set_time_zone(*, actor: User, time_zone: str) -> None:
    """The zone the user's dates show in: an IANA name, or "" for the program's zone."""
    time_zone = (time_zone or "").strip()
    if time_zone and time_zone not in time_zone_names():
        raise ServiceError(_("Choose one of the offered time zones."), field="time_zone")
    if actor.time_zone != time_zone:
        User.objects.filter(pk=actor.pk).update(time_zone=time_zone)
        audit_record(
            actor=actor, action="user.time_zone_set", obj=actor, from_state=actor.time_zone, to_state=time_zone
        )
        actor.time_zone = time_zone


def user_end_sessions(*, user: User) -> None:
    """Invalidates every session and API token of the user at their next request."""
    User.objects.filter(pk=user.pk).update(auth_version=F("auth_version") + 1)
    user.refresh_from_db(fields=["auth_version"])


@transaction.atomic
def user_deactivate(*, actor, user: User, reason: str = "") -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_end_sessions(user=user)
    audit_record(
        actor=actor, action="user.deactivated", obj=user, from_state="active", to_state="inactive", reason=reason
    )
    return user


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Creates a personal token; returns it and its raw key (shown once, never stored).

    Vendor staff get one only once they have set up TOTP (the token stops working if they remove it)."""
    if staff_needs_mfa(actor):
        raise ServiceError(_("Set up two-factor authentication before you create an API token."))
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give the token a name."), field="name")
    if len(name) > 100:
        raise ServiceError(_("The name can have at most 100 characters."), field="name")
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= 20:
        raise ServiceError(_("You have 20 active tokens. Revoke one before you create another."), field="name")
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=actor, name=name, key_prefix=raw[:10], key_hash=hash_token(raw), auth_version=actor.auth_version
    )
    audit_record(actor=actor, action="token.created", obj=token, to_state="active")
    notify(
        recipient=actor,
        kind="account.token_created",
        dedupe_key=f"token-created:{token.pk}",
        params={"name": token.name},
        url="/profile/",
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise ApiToken.DoesNotExist
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoked", obj=token, from_state="active", to_state="revoked")
    return token
