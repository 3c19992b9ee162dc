from .kinds import all_kinds
from .models import Notification, NotificationPreference


def notifications_for(user):
    """A user's own notifications (the only scope a notification has)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return notifications_for(user).filter(read_at__isnull=True).count()


def email_preferences(user) -> list[tuple]:
    """Every registered kind with whether the user wants it by email (default: yes)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return [(kind, chosen.get(kind.key, True)) for kind in all_kinds()]
