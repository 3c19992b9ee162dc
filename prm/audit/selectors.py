from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def audit_events_for(obj):
    """The trail of one object, newest first (shown on its staff page)."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
