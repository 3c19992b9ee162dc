"""Admin screens of what staff configure, validated beside the fields and saved through services.

- ``ServiceValidatedForm``: a model form whose ``clean()`` runs the service's validator (``validator``,
  given the ``validated_fields``), so a refusal shows beside its field.
- ``ServiceSavedAdmin``: a model admin (with the audit trail) whose ``_saved(request, obj, save)`` calls
  the service; a refusal that slipped past the form is an error message and a 403, never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from prm.audit.admin import AuditTrailAdminMixin
from prm.errors import ServiceError


class ServiceValidatedForm(forms.ModelForm):
    """A model form whose clean() runs the service's validator, so refusals show beside the fields."""

    validator = None
    validated_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            type(self).validator(**{name: cleaned.get(name) for name in self.validated_fields})
        except ServiceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class ServiceSavedAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Saves through services: a refusal that slipped past the form is a message and a 403, never a 500."""

    def _saved(self, request, obj, save):
        try:
            saved = save()
        except ServiceError as error:
            messages.error(request, error.message)
            raise PermissionDenied(str(error.message)) from error
        obj.pk = saved.pk
        for field in saved._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
