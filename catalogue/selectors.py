"""Reads of the product catalogue (the catalogue belongs to no partner: every reader sees it whole)."""

from .models import Product


def active_products():
    """The products still offered, by English name."""
    return Product.objects.filter(is_active=True)
