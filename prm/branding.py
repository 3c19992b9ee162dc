"""The program's look: its name and colours, for the pages and the e-mails (issue 12 §2 adds the
channel manager's own logo and colours; until then the portal's defaults)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

DEFAULT_PRIMARY = "#066fd1"


@dataclass(frozen=True)
class Brand:
    name: str
    primary: str


def current_brand() -> Brand:
    return Brand(name=str(_("Partner Portal")), primary=DEFAULT_PRIMARY)
