"""Writes of what the channel manager configures for lead distribution: assignment rules, program
settings and partner locations (for the nearest strategy); ``program_settings`` gives a program's
settings, made with the defaults on first use.

Same rules as the other lead services: an explicit ``actor`` whose permission is checked here, one
transaction, one audit event per write. The admin builds the row from its form and hands it over;
the checks that need no database live in the ``*_problems`` functions, which the admin forms show
beside the fields and the services run again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from partners.models import Program
from prm.audit.services import audit_record
from prm.errors import ServiceError

from ..models import AssignmentRule, LeadProgramSettings, PartnerLocation

CLOCK_DAY_FIELDS = ("acceptance_days", "first_contact_days_a", "first_contact_days_b", "first_contact_days_c")


def _require(actor, permission: str) -> None:
    if not (actor is not None and actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise PermissionDenied(_("You may not change how leads are distributed."))


def _raise_first(problems: dict) -> None:
    for field, message in problems.items():
        raise ServiceError(message, field=field)


def settings_problems(values: dict) -> dict:
    """Field -> message for lead settings out of range."""
    problems = {}
    for name in CLOCK_DAY_FIELDS:
        value = values.get(name)
        if value is not None and not 1 <= value <= 60:
            problems[name] = _("Between 1 and 60 business days.")
    if values.get("max_open_leads") == 0:
        problems["max_open_leads"] = _("At least 1, or empty for no limit.")
    return problems


def location_problems(values: dict) -> dict:
    problems = {}
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = values.get(name)
        if value is not None and not -limit <= value <= limit:
            problems[name] = _("Enter a number of degrees.")
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        problems["latitude"] = _("Give both the latitude and the longitude, or neither.")
    return problems


@transaction.atomic
def assignment_rule_save(*, actor, rule: AssignmentRule, changed=(), save_related=None) -> AssignmentRule:
    """Create or change a rule (and, with ``save_related``, its products and specialties)."""
    created = rule._state.adding
    _require(actor, "leads.add_assignmentrule" if created else "leads.change_assignmentrule")
    rule.save()
    if save_related is not None:
        save_related()
    audit_record(
        actor=actor,
        action="lead_rule.created" if created else "lead_rule.changed",
        obj=rule,
        reason=", ".join(sorted(changed)),
    )
    return rule


@transaction.atomic
def assignment_rule_delete(*, actor, rule: AssignmentRule) -> None:
    _require(actor, "leads.delete_assignmentrule")
    audit_record(actor=actor, action="lead_rule.deleted", obj=rule, reason=rule.name)
    rule.delete()


@transaction.atomic
def lead_settings_save(*, actor, settings: LeadProgramSettings, changes: dict) -> LeadProgramSettings:
    """Save a program's settings; ``changes`` maps each changed field to [before, after] for the trail."""
    _require(actor, "leads.change_leadprogramsettings")
    _raise_first(settings_problems({name: getattr(settings, name) for name in (*CLOCK_DAY_FIELDS, "max_open_leads")}))
    settings.save()
    if changes:
        audit_record(
            actor=actor, action="lead_settings.changed", obj=settings, reason=", ".join(sorted(changes)), data=changes
        )
    return settings


@transaction.atomic
def partner_location_save(*, actor, location: PartnerLocation, changed=()) -> PartnerLocation:
    created = location._state.adding
    _require(actor, "leads.add_partnerlocation" if created else "leads.change_partnerlocation")
    location.region = " ".join((location.region or "").split())
    _raise_first(location_problems({"latitude": location.latitude, "longitude": location.longitude}))
    location.save()
    audit_record(
        actor=actor,
        action="partner_location.created" if created else "partner_location.changed",
        obj=location,
        partner_id=location.partner_id,
        reason=", ".join(sorted(changed)),
    )
    return location


def program_settings(program) -> LeadProgramSettings:
    """The lead settings of a program; a program without its row (it is made with the program) reads
    the defaults, from an unsaved instance. Writes nothing."""
    program_id = program.pk if isinstance(program, Program) else program
    settings = LeadProgramSettings.objects.filter(program_id=program_id).first()
    return settings if settings is not None else LeadProgramSettings(program_id=program_id)


def lead_program_settings_create(*, program) -> LeadProgramSettings:
    """The settings row of a new program, with the defaults (the system makes it with the program)."""
    return LeadProgramSettings.objects.get_or_create(program=program)[0]


def program_settings_cache(program) -> LeadProgramSettings:
    """Settings attached to the program object for the duration of one service call."""
    cached = getattr(program, "_lead_settings", None)
    if cached is None:
        cached = program._lead_settings = program_settings(program)
    return cached
