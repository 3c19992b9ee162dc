"""The program's look, for the pages and the e-mails (ADR 0014).

The pages never read it: ``base.html`` links ``/brand.css`` and ``/brand/logo/``, served by the
``partners`` app from the program's settings, so a page costs no query for its branding. The
e-mails read it through the reader that ``partners`` registers (``register_brand_reader``); without
one, the portal's defaults.

Colours are checked against white, as the portal draws them: the primary colour carries white text
(buttons, the e-mail header), so it needs the 4.5:1 of WCAG AA for text; the accent marks
interface parts (the current page), which need 3:1 (WCAG 1.4.11).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

DEFAULT_PRIMARY = "#066fd1"
DEFAULT_ACCENT = "#b45309"
PRIMARY_MIN_CONTRAST = 4.5
ACCENT_MIN_CONTRAST = 3.0
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Brand:
    name: str
    primary: str = DEFAULT_PRIMARY
    accent: str = DEFAULT_ACCENT
    logo_path: str = ""  # a path of the portal (absolute URLs are made with SITE_URL), or empty


_reader: Callable[[], Brand | None] | None = None


def register_brand_reader(reader: Callable[[], Brand | None]) -> None:
    global _reader
    _reader = reader


def current_brand() -> Brand:
    brand = _reader() if _reader is not None else None
    return brand or Brand(name=str(_("Partner Portal")))


def rgb(colour: str) -> tuple[int, int, int]:
    if not HEX_COLOUR.match(colour or ""):
        raise ValueError(f"Not a colour #rrggbb: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
