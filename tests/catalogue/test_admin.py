"""The product catalogue: its admin and its services write through the services, for the channel manager only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalogue import services
from catalogue.models import Product
from catalogue.selectors import active_products
from prm.audit.models import AuditEvent
from prm.errors import ServiceError


def test_product_admin_writes_through_services(world, login):
    client = login(world["channel_manager"])
    data = {"name_en": " Firewall  X ", "name_pt_br": "Firewall X", "name_fr": "Pare-feu X", "is_active": "on"}
    response = client.post(reverse("admin:catalogue_product_add"), {**data, "_save": "1"})
    assert response.status_code == 302
    product = Product.objects.get()
    assert product.name_en == "Firewall X"
    assert AuditEvent.objects.filter(action="product.created", object_id=str(product.pk)).count() == 1
    response = client.post(
        reverse("admin:catalogue_product_change", args=[product.pk]), {**data, "is_active": "", "_save": "1"}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.is_active is False
    event = AuditEvent.objects.get(action="product.changed", object_id=str(product.pk))
    assert event.data["is_active"] == ["True", "False"]
    assert not active_products().exists()
    response = client.post(reverse("admin:catalogue_product_add"), {"name_en": "   ", "_save": "1"})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert client.get(reverse("admin:catalogue_product_delete", args=[product.pk])).status_code == 403


def test_cam_reads_but_does_not_change_the_catalogue(world, login):
    product = Product.objects.create(name_en="Router")
    client = login(world["cam_a"])
    assert client.get(reverse("admin:catalogue_product_change", args=[product.pk])).status_code == 200
    response = client.post(reverse("admin:catalogue_product_change", args=[product.pk]), {"name_en": "Hacked"})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name_en == "Router"


def test_product_services_check_the_actor_and_the_fields(world):
    product = Product.objects.create(name_en="Switch")
    for outsider in (world["cam_a"], world["executive"], world["partner_a_admin"], None):
        with pytest.raises(PermissionDenied):
            services.product_update(actor=outsider, product=product, name_en="X")
        with pytest.raises(PermissionDenied):
            services.product_create(actor=outsider, name_en="X")
    manager = world["channel_manager"]
    with pytest.raises(ServiceError):
        services.product_update(actor=manager, product=product, name_en="X", id=5)
    services.product_update(actor=manager, product=product, name_en="Switch")  # unchanged: no event
    assert not AuditEvent.objects.filter(action="product.changed").exists()
    assert manager.has_perm("catalogue.change_product") and not manager.has_perm("deals.change_product")
