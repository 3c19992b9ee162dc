"""Invitations to join a partner: a link that sets the password, works once and expires.

The link carries a token that is a keyed hash (HMAC with SECRET_KEY) of the invitation's
identity; the database stores only the SHA-256 of that token. The invitation email is
rendered from the invitation's id when it is sent, so the token is never written anywhere.

Language of the invitation email: the language active when the invitation is made, that is
the inviter's current language (a partner admin inviting a colleague writes in the team's
language; an approval runs in the applicant's language). Where no language is active (a
shell, a task), the default language of the partner's country. A new account starts with
that language, so its later emails are written in it until the person chooses another.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string, salted_hmac
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import hash_token
from prm.accounts.services import user_end_sessions
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.notifications.services import notify

from .models import Invitation, Membership, Partner, PartnerRole

INVITATION_KIND = "partner.invitation"
_TOKEN_SALT = "partners.invitations.token"

# The language an invitation is written in when nobody of the partner sends it.
COUNTRY_LANGUAGES = {
    "BR": "pt-br",
    "PT": "pt-br",
    "AO": "pt-br",
    "MZ": "pt-br",
    "FR": "fr",
    "BE": "fr",
    "LU": "fr",
    "MC": "fr",
    "SN": "fr",
    "CI": "fr",
    "MA": "fr",
    "TN": "fr",
}


class InvitationUnusable(ServiceError):
    """The link cannot be used. ``gone`` is True for a real invitation that expired, was used or withdrawn."""

    def __init__(self, message, *, gone: bool):
        super().__init__(message)
        self.gone = gone


def invitation_token(invitation: Invitation) -> str:
    """The token of the invitation's link (derived, never stored)."""
    value = f"{invitation.pk}:{invitation.user_id}:{invitation.expires_at.isoformat()}"
    return salted_hmac(_TOKEN_SALT, value, algorithm="sha256").hexdigest()


def invitation_path(invitation: Invitation) -> str:
    return reverse("invitation_accept", args=[invitation_token(invitation)])


def invitation_is_pending(invitation: Invitation, now=None) -> bool:
    now = now or timezone.now()
    return invitation.accepted_at is None and invitation.revoked_at is None and invitation.expires_at > now


def _invitation_language(partner: Partner) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    current = (translation.get_language() or "").lower()
    if current in codes:
        return current
    return COUNTRY_LANGUAGES.get(partner.country.upper(), settings.LANGUAGE_CODE)


def _issue(*, actor, partner: Partner, user, role: str, language: str) -> Invitation:
    """Writes a new invitation and its email. Called inside the caller's transaction."""
    invitation = Invitation.objects.create(
        partner=partner,
        user=user,
        role=role,
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        # Replaced below, once the row has its id; unique and unguessable in the meantime.
        token_hash=get_random_string(64),
    )
    invitation.token_hash = hash_token(invitation_token(invitation))
    invitation.save(update_fields=["token_hash"])
    inviter = ""
    if getattr(actor, "is_authenticated", False):
        inviter = actor.get_full_name() or actor.email
    notify(
        to_email=user.email,
        language=language,
        kind=INVITATION_KIND,
        dedupe_key=f"invitation:{invitation.pk}",
        params={"invitation": invitation.pk, "partner": partner.name, "inviter": inviter, "role": role},
    )
    return invitation


@transaction.atomic
def invitation_create(*, actor, partner: Partner, email: str, role: str, first_name: str = "", last_name: str = ""):
    """Invites someone to the partner with a role: the account, the membership and the link.

    The account cannot sign in until the invitation is accepted (it has no password and is
    inactive). An email that belongs to vendor staff or to another partner's member is refused
    with one message that does not say which.
    """
    from .services import authorize_team_action, membership_add

    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    authorize_team_action(actor=actor, partner=partner)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Enter a valid email address."), field="email")
    if role not in PartnerRole.values:
        raise ServiceError(_("Choose a valid role."), field="role")
    language = _invitation_language(partner)
    User = get_user_model()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None:
        membership = Membership.objects.filter(user=user).first()
        if user.is_staff or (membership is not None and membership.partner_id != partner.pk):
            raise ServiceError(
                _("This email address cannot be invited. Ask the person for another address."), field="email"
            )
        if membership is not None:
            if Invitation.objects.filter(user=user, partner=partner, accepted_at=None, revoked_at=None).exists():
                raise ServiceError(
                    _("This person is already invited. Send the invitation again from the team page."), field="email"
                )
            raise ServiceError(_("This person is already a member of your team."), field="email")
        # A former member invited again: the account works again once the invitation is accepted.
        user.is_active = False
        user.set_unusable_password()
        user.first_name = first_name.strip()[:150] or user.first_name
        user.last_name = last_name.strip()[:150] or user.last_name
        user.save(update_fields=["is_active", "password", "first_name", "last_name"])
        user_end_sessions(user=user)
    else:
        user = User.objects.create_user(
            email=email,
            password=None,
            is_active=False,
            language=language,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
        )
    membership_add(actor=actor, user=user, partner=partner, role=role)
    invitation = _issue(actor=actor, partner=partner, user=user, role=role, language=language)
    audit_record(actor=actor, action="invitation.created", obj=invitation, to_state=role, data={"email": email})
    _evaluate_onboarding(partner=partner, actor=actor)
    return invitation


def _evaluate_onboarding(*, partner, actor=None):
    from .onboarding import onboarding_evaluate

    onboarding_evaluate(partner=partner, actor=actor)


def _pending_for_update(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("partner", "user").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError(_("This invitation has been accepted already."))
    if invitation.revoked_at is not None:
        raise ServiceError(_("This invitation was withdrawn."))
    return invitation


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> Invitation:
    """Sends a new link (a new invitation with a fresh expiry); the old link stops working."""
    from .services import authorize_team_action

    authorize_team_action(actor=actor, partner=invitation.partner)
    old = _pending_for_update(invitation)
    old.revoked_at = timezone.now()
    old.save(update_fields=["revoked_at"])
    new = _issue(
        actor=actor,
        partner=old.partner,
        user=old.user,
        role=Membership.objects.get(user=old.user).role,
        language=old.user.language or _invitation_language(old.partner),
    )
    audit_record(
        actor=actor, action="invitation.resent", obj=new, from_state=str(old.pk), data={"email": old.user.email}
    )
    return new


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    """Withdraws a pending invitation; the person, who never joined, leaves the team."""
    from .services import authorize_team_action

    authorize_team_action(actor=actor, partner=invitation.partner)
    invitation = _pending_for_update(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="invitation.revoked",
        obj=invitation,
        from_state="pending",
        to_state="revoked",
        data={"email": invitation.user.email},
    )
    user = invitation.user
    if not user.is_active and not Invitation.objects.filter(user=user, accepted_at__isnull=False).exists():
        Membership.objects.filter(user=user, partner=invitation.partner).delete()
    return invitation


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The pending invitation of a link, or InvitationUnusable (gone=False when no such link exists)."""
    queryset = Invitation.objects.select_related("partner", "user")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=hash_token(token or "")).first() if token else None
    if invitation is None:
        raise InvitationUnusable(_("This invitation link is not valid. Check that you copied all of it."), gone=False)
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            _("This invitation has been used already. Log in with your email address and password."), gone=True
        )
    if invitation.revoked_at is not None:
        raise InvitationUnusable(
            _("This invitation was withdrawn. Ask your partner administrator for a new one."), gone=True
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(
            _("This invitation has expired. Ask your partner administrator to send it again."), gone=True
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str):
    """Sets the invitee's password and activates the account. Works once, before expiry."""
    invitation = invitation_for_token(token, for_update=True)
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    try:
        validate_password(password or "", user)
    except ValidationError as error:
        failure = ServiceError(" ".join(error.messages), field="password")
        failure.messages = list(error.messages)
        raise failure
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    now = timezone.now()
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    # Any other link still open for the same person stops working.
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).exclude(pk=invitation.pk).update(
        revoked_at=now
    )
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(primary=False)
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    audit_record(actor=user, action="invitation.accepted", obj=invitation, from_state="pending", to_state="accepted")
    _evaluate_onboarding(partner=invitation.partner, actor=user)
    return user


def _invitation_params(params: dict) -> dict:
    """Display values in the language of the email, and the link, derived when the email is written."""
    role = params.get("role", "")
    invitation = Invitation.objects.filter(pk=params.get("invitation")).first()
    link = f"{settings.SITE_URL}{invitation_path(invitation)}" if invitation is not None else settings.SITE_URL
    return {
        **params,
        "role": str(PartnerRole(role).label) if role in PartnerRole.values else role,
        "inviter": params.get("inviter") or str(_("The partner program team")),
        "link": link,
        "days": settings.INVITATION_MAX_AGE_DAYS,
    }


def register() -> None:
    from prm.notifications.kinds import register_kind

    register_kind(
        INVITATION_KIND,
        label=_("Invitations to join a partner"),
        subject=_("You are invited to join {partner} on the partner portal"),
        body=_(
            "{inviter} invites you to join {partner} on the partner portal as “{role}”.\n\n"
            "Choose your password with this link (it works once and expires in {days} days):\n{link}"
        ),
        prepare=_invitation_params,
    )
