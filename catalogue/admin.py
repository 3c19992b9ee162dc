"""The product catalogue in the admin: validated beside the fields and saved through ``catalogue.services``."""

from __future__ import annotations

from django.contrib import admin

from prm.admin_services import ServiceSavedAdmin, ServiceValidatedForm

from . import services
from .models import Product


class ProductForm(ServiceValidatedForm):
    validator = staticmethod(services.product_validate)
    validated_fields = services.PRODUCT_FIELDS

    class Meta:
        model = Product
        fields = services.PRODUCT_FIELDS


@admin.register(Product)
class ProductAdmin(ServiceSavedAdmin):
    form = ProductForm
    list_display = ("name_en", "name_pt_br", "name_fr", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_pt_br", "name_fr")
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False  # deals and leads refer to products: deactivate one instead

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ProductForm.validated_fields}
        if change:
            self._saved(request, obj, lambda: services.product_update(actor=request.user, product=obj, **data))
        else:
            self._saved(request, obj, lambda: services.product_create(actor=request.user, **data))
