"""What other apps add to the pages of the ``partners`` app, so that ``partners`` imports none of them.

Each app registers in its AppConfig.ready():

- ``register_home_context(name, read)``: ``read(partner)`` gives the template variable ``name`` of
  the partner's home page (deals: ``deal_summary``).
- ``register_staff_section(name, read)``: ``read(viewer, partner)`` gives a section of the staff page of
  a partner (``/staff/partners/<id>/``), as a ``StaffSection``: its KPI tiles, its template (included
  with the section as ``section``) and what that template reads (deals: the latest registrations;
  leads: the latest leads). Sections show in the order the apps register them (INSTALLED_APPS).
- ``register_partner_nav(name, read)``: ``read(membership)`` gives the main navigation's item of a
  partner user, ``(url, label, icon)``, or None (analytics: the dashboard, for the roles that read it).
- ``register_trail_scope(model, readable)``: the audit events of ``model`` on a partner's trail
  show only for the objects in ``readable(viewer)`` (deals: drafts and deals out of scope are left out).

Registering the same name or model again with the same callable changes nothing; another callable
is refused, as in the other registries (``prm.sla.registry``, ``prm.notifications.kinds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

_home: dict[str, Callable] = {}
_trail: dict[str, tuple[type, Callable]] = {}
_staff: dict[str, Callable] = {}
_nav: dict[str, Callable] = {}


@dataclass(frozen=True)
class Kpi:
    """A KPI tile (``components/kpi.html``)."""

    label: str
    value: object
    icon: str = ""
    tone: str = "primary"
    href: str = ""
    hint: str = ""


@dataclass(frozen=True)
class StaffSection:
    """A section an app adds to the staff page of a partner."""

    name: str  # the anchor of the section (``#deals``)
    title: str
    icon: str
    template: str
    kpis: list[Kpi] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # what the template reads, as ``section.data``


def _register(registry: dict, key: str, value, what: str) -> None:
    existing = registry.get(key)
    if existing is not None and existing != value:
        raise ImproperlyConfigured(f"{what} {key!r} is already registered with another reader.")
    registry[key] = value


def register_home_context(name: str, read: Callable) -> None:
    _register(_home, name, read, "Partner home context")


def home_context(partner) -> dict:
    """The variables the apps add to a partner's home page, by name."""
    return {name: read(partner) for name, read in _home.items()}


def register_partner_nav(name: str, read: Callable) -> None:
    _register(_nav, name, read, "Partner navigation item")


def partner_nav(membership) -> list[tuple]:
    """The navigation items the apps add for a partner user, in the order they registered."""
    return [item for item in (read(membership) for read in _nav.values()) if item is not None]


def register_staff_section(name: str, read: Callable) -> None:
    _register(_staff, name, read, "Staff partner section")


def staff_sections(viewer, partner) -> list[StaffSection]:
    """The sections the apps add to the staff page of ``partner``, as ``viewer`` may read them."""
    return [read(viewer, partner) for read in _staff.values()]


def register_trail_scope(model, readable: Callable) -> None:
    _register(_trail, model._meta.label, (model, readable), "Trail scope of")


def trail_hidden_q(viewer) -> Q:
    """A Q on AuditEvent leaving out the events of objects the viewer may not read."""
    hidden = Q(pk__in=[])
    for model, readable in _trail.values():
        readable_keys = (
            readable(viewer).annotate(key=Cast("pk", CharField())).filter(key=OuterRef("object_id")).values("pk")
        )
        hidden |= Q(content_type=ContentType.objects.get_for_model(model)) & ~Exists(readable_keys)
    return hidden


def unregister(name_or_model) -> None:
    """Forget a registration (tests)."""
    if isinstance(name_or_model, str):
        _home.pop(name_or_model, None)
        _staff.pop(name_or_model, None)
        _nav.pop(name_or_model, None)
    else:
        _trail.pop(name_or_model._meta.label, None)
