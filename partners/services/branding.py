"""The vendor's branding of its program: logo, favicon, primary and accent colours.

Edited by whoever may change the program (the channel manager); refused when a colour is not
``#rrggbb`` or too pale against white (``prm.branding`` says how much each needs). Images are
checked by content and re-encoded like partner logos. One transaction, one audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from prm.audit.services import audit_record
from prm.branding import ACCENT_MIN_CONTRAST, HEX_COLOUR, PRIMARY_MIN_CONTRAST, contrast_ratio
from prm.config_writes import require_staff_permission
from prm.errors import ServiceError

from ..models import Program
from .profile import logo_reencode

WHITE = "#ffffff"


def colour_validate(value: str, *, field: str, minimum: float) -> str:
    value = (value or "").strip().lower()
    if not HEX_COLOUR.match(value):
        raise ServiceError(_("Enter a colour as # and six hexadecimal digits, e.g. #066fd1."), field=field)
    ratio = contrast_ratio(value, WHITE)
    if ratio < minimum:
        raise ServiceError(
            _(
                "This colour is too pale: its contrast with white is %(ratio)s:1, and at least %(minimum)s:1 is "
                "needed for everyone to read it. Choose a darker shade."
            )
            % {"ratio": f"{ratio:.2f}", "minimum": f"{minimum:g}"},
            field=field,
        )
    return value


@transaction.atomic
def program_branding_update(
    *, actor, program: Program, primary_color: str, accent_color: str, logo=None, favicon=None, clear_logo=False
) -> Program:
    require_staff_permission(actor, "partners.change_program", _("You may not change the program."))
    primary = colour_validate(primary_color, field="primary_color", minimum=PRIMARY_MIN_CONTRAST)
    accent = colour_validate(accent_color, field="accent_color", minimum=ACCENT_MIN_CONTRAST)
    new_logo = logo_reencode(logo) if logo else None
    new_favicon = _favicon(favicon) if favicon else None
    program = Program.objects.select_for_update().get(pk=program.pk)
    changes = {}
    if (program.primary_color, program.accent_color) != (primary, accent):
        changes.update(primary_color=primary, accent_color=accent)
        program.primary_color, program.accent_color = primary, accent
    if new_logo is not None:
        program.logo.save(f"program-{program.pk}.png", new_logo, save=False)
        changes["logo"] = program.logo.name
    elif clear_logo and program.logo:
        program.logo = ""
        changes["logo"] = ""
    if new_favicon is not None:
        program.favicon.save(f"program-{program.pk}-icon.png", new_favicon, save=False)
        changes["favicon"] = program.favicon.name
    if changes:
        program.save()
        audit_record(actor=actor, action="program.branding_changed", obj=program, data=changes)
    return program


def _favicon(upload):
    try:
        return logo_reencode(upload)
    except ServiceError as error:
        raise ServiceError(error.message, field="favicon") from None
