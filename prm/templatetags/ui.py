"""Template helpers of the design system (ADR 0014): ``{% icon %}``, status colours, initials."""

from functools import cache
from pathlib import Path

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from prm import ui
from prm.countries import country_name as _country_name

register = template.Library()

ICONS = Path(settings.BASE_DIR) / "static" / "vendor" / "tabler-icons"


@cache
def _svg_body(name: str) -> str:
    path = ICONS / f"{name}.svg"
    if not name.replace("-", "").isalnum() or not path.is_file():
        raise template.TemplateSyntaxError(f"Unknown icon {name!r}: add it to {ICONS / 'ICON_NAMES'}.")
    text = path.read_text()
    return text[text.index(">", text.index("<svg")) + 1 : text.rindex("</svg>")].strip()


@register.simple_tag
def icon(name, extra=""):
    """{% icon "home" %}: an inline Tabler icon, hidden from screen readers (the text beside it speaks)."""
    body = _svg_body(name)
    classes = f"icon {extra}".strip()
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="24" height="24" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        'focusable="false">{}</svg>',
        classes,
        mark_safe(body),  # noqa: S308 - a vendored SVG file of ours, read from disk, never user input
    )


@register.filter
def tone(code):
    """{{ deal.status|tone }}: the meaning of a status code (prm.ui), for the ``tone-<meaning>`` badge classes."""
    return ui.meaning(code)


@register.filter
def country_name(code):
    """{{ deal.customer_country|country_name }}: the country's name in the reader's language (the code if unknown)."""
    return _country_name(code)


@register.filter
def pct(value):
    """{{ share|pct }}: a whole percentage from 0 to 100 for the ``w-pct-N`` width classes."""
    try:
        return max(0, min(100, round(float(value))))
    except (TypeError, ValueError):
        return 0


@register.filter
def initials(user_or_name):
    """{{ cam|initials }}: up to two letters for an avatar."""
    if hasattr(user_or_name, "get_full_name"):
        text = user_or_name.get_full_name() or user_or_name.email
    else:
        text = str(user_or_name or "")
    words = [w for w in text.replace("@", " ").replace(".", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.simple_tag(takes_context=True)
def sort_header(context, field, label):
    """{% sort_header "amount" _("Amount") %}: a table header that sorts the list by ``?sort=``.

    The link keeps the other query parameters (filters, search) and starts again at page one; the
    header says how the list is sorted (``aria-sort``) to screen readers."""
    request = context["request"]
    current = request.GET.get("sort", "")
    ascending = current == field
    descending = current == f"-{field}"
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = f"-{field}" if ascending else field
    state = "ascending" if ascending else "descending" if descending else "none"
    arrow = " ▲" if ascending else " ▼" if descending else ""
    hint = _("Sort by %(column)s") % {"column": label}
    return format_html(
        '<th scope="col" aria-sort="{}"><a class="table-sort-link" href="?{}" title="{}">{}{}</a></th>',
        state,
        query.urlencode(),
        hint,
        label,
        arrow,
    )


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumbs(*pairs):
    """{% breadcrumbs home_url _("Home") "" _("This page") %}: url and label pairs, the last being the page."""
    return {"trail": list(zip(pairs[::2], pairs[1::2], strict=True))}


# --- per-row badges, rendered in Python: a list page shows one per row (ADR 0014) -------------------

_STATUS_BADGE = '<span class="badge tone-{} status-badge">{}</span>'


@register.simple_tag
def status_badge(code, label):
    """{% status_badge deal.status deal.get_status_display|capfirst %}: what components/status.html renders,
    without an include per row of a list."""
    return format_html(_STATUS_BADGE, ui.meaning(code), label)


def _due_title(clock) -> str:
    return date_filter(template_localtime(clock.due_at), "SHORT_DATETIME_FORMAT")


def _clock_badge(clock, due: str, overdue: str, paused: str | None = None) -> str:
    """A clock's badge as the ``_clock.html`` templates render it: ``due``, ``overdue`` and ``paused`` are
    translated texts with ``%(left)s`` or, once overdue, ``%(late)s`` (the remaining time, escaped as ``{% blocktranslate %}`` does)."""
    if not clock:
        return ""
    state = clock.state
    if state in ("on_time", "due_soon"):
        text, icon_name, classes, title = due, "clock", state, _due_title(clock)
    elif state == "breached":
        text, icon_name, classes, title = overdue, "alert-triangle", "breached", _due_title(clock)
    elif state == "paused" and paused is not None:
        text, icon_name, classes, title = paused, "player-pause", "paused", None
    else:
        return ""
    remaining = conditional_escape(clock.remaining_text)
    text = mark_safe(text % {"left": remaining, "late": remaining})  # noqa: S308 - our msgid, value escaped
    title_attr = format_html(' title="{}"', title) if title is not None else ""
    return format_html(
        '<span class="badge tone-{} clock {}"{}>{}{}</span>',
        ui.meaning(state),
        classes,
        title_attr,
        icon(icon_name),
        text,
    )


@register.simple_tag
def deal_clock(clock):
    """{% deal_clock clock %}: a deal's decision clock, as deals/_clock.html renders it."""
    return _clock_badge(
        clock,
        _("decision due in %(left)s"),
        _("decision overdue by %(late)s"),
        _("clock paused, %(left)s left: waiting for your answer"),
    )


@register.simple_tag
def lead_clock(clock, kind):
    """{% lead_clock row.clock row.kind %}: a lead's acceptance or first-contact clock, as leads/_clock.html
    renders it."""
    if kind == "acceptance":
        return _clock_badge(clock, _("answer due in %(left)s"), _("answer overdue by %(late)s"))
    if kind == "first_contact":
        return _clock_badge(clock, _("first contact due in %(left)s"), _("first contact overdue by %(late)s"))
    return ""
