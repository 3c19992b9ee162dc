from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.choices import ChoiceLabels


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not wanted")
    FAILED = "failed", _("Failed")


class Notification(ChoiceLabels, models.Model):
    """Outbox row and in-app notification at once.

    Written in the transaction of the change it reports; delivered by email after commit by a
    Celery task, or by the outbox sweeper when the broker or the worker was down.
    """

    # A user (email + in-app bell), or, for people without an account yet (applicants), an
    # email address and a language.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    to_email = models.EmailField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    dedupe_key = models.CharField(max_length=200, unique=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(to_email=""), name="notification_has_address"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["created_at"], condition=models.Q(email_status="pending"), name="notification_pending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def spec(self):
        from .kinds import get_kind

        return get_kind(self.kind)

    def subject(self) -> str:
        return self.spec.render_subject(self.params)

    def body(self) -> str:
        return self.spec.render_body(self.params)


class NotificationPreference(models.Model):
    """Whether a user also wants email for one kind of notification (default: yes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self):
        return f"{self.kind}: {'email' if self.email else 'in-app only'}"
