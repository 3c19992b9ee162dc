from django import template

register = template.Library()


@register.filter
def tr(obj, name):
    """{{ page|tr:"mission" }}: the attribute in the active language, English when missing."""
    return obj.tr(name) if obj is not None else ""
