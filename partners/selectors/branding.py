"""The program whose branding the portal shows: a portal serves one vendor, its first program."""

from prm.branding import Brand

from ..models import Program


def the_program():
    return Program.objects.order_by("pk").first()


def program_brand() -> Brand | None:
    """The brand of the e-mails (``prm.branding.register_brand_reader``); None without a program."""
    program = the_program()
    if program is None:
        return None
    return Brand(
        name=program.name,
        primary=program.primary_color,
        accent=program.accent_color,
        logo_path="/brand/logo/" if program.logo else "",
    )
