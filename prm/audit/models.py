from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy import ScopedQuerySet

from .labels import action_label, state_label


class AuditEventQuerySet(ScopedQuerySet):
    # Events of a partner follow its scope; events with no partner only program-wide staff see.
    partner_path = "partner_id"


class AuditEvent(models.Model):
    """One line of the append-only audit trail (the database refuses UPDATE and DELETE)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    partner_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    from_state = models.CharField(_("from"), max_length=64, blank=True)
    to_state = models.CharField(_("to"), max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        """The action in the reader's words (prm.audit.labels); the code stays in ``action``."""
        return action_label(self.action)

    @property
    def from_state_label(self) -> str:
        return state_label(self.action, self.from_state)

    @property
    def to_state_label(self) -> str:
        return state_label(self.action, self.to_state)
