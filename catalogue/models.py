"""The staff-managed product catalogue, shared by deal registration and lead distribution."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.i18n import TranslatedMixin


class Product(TranslatedMixin, models.Model):
    """A product of the catalogue. Deals and leads refer to it: it is deactivated, never deleted."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_pt_br = models.CharField(_("name (Portuguese, Brazil)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.tr("name")
