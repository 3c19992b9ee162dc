from django import template
from django.utils.html import format_html

from prm.idempotency.forms import FIELD_NAME, form_token

register = template.Library()


@register.simple_tag
def idempotency_field():
    """``{% idempotency_field %}`` in every create form: its one-time token (see prm.idempotency.forms)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, form_token())
