"""Security events go to the audit trail (recording only; no business rule lives here)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from prm.audit.services import audit_record, client_ip


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None:
        import time

        request.session["prm_started"] = int(time.time())
        request.session["prm_seen"] = int(time.time())
    audit_record(actor=user, action="login.succeeded", obj=user, ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="logout", obj=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        action="login.failed",
        obj=user,
        reason=email,
        ip=client_ip(request) if request is not None else None,
    )
