"""The one writer of the audit trail."""

from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType

from prm.client_ip import client_ip  # noqa: F401  (the one rule; imported from here by older callers)

from .models import AuditEvent

# The client IP of the request being served, set by AuditContextMiddleware.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    partner_id: int | None = None,
    ip: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if partner_id is None and obj is not None:
        partner_id = getattr(obj, "partner_id", None)
        if partner_id is None and obj._meta.label == "partners.Partner":
            partner_id = obj.pk
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        partner_id=partner_id,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        ip=ip or current_ip.get(),
        data=data or {},
    )
