"""The program's branding as the browser fetches it: a style sheet of colours, the logo, the icon.

Public (the sign-in and application pages show them too) and cached a few minutes, so a page of
the portal reads nothing for its branding. Without a program, or before the channel manager sets
anything, the portal's defaults.
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.views.decorators.http import require_GET

from prm.branding import rgb

from ..selectors.branding import the_program

MAX_AGE = 300
DEFAULT_LOGO = Path(settings.BASE_DIR) / "static" / "img" / "logo.svg"


def _cached(response):
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@require_GET
def brand_css(request):
    program = the_program()
    if program is None:
        return _cached(HttpResponse("", content_type="text/css"))
    primary, accent = program.primary_color, program.accent_color
    css = (
        ":root,[data-bs-theme=light]{"
        f"--tblr-primary:{primary};--tblr-primary-rgb:{','.join(map(str, rgb(primary)))};"
        f"--tblr-link-color:{primary};--tblr-link-color-rgb:{','.join(map(str, rgb(primary)))};"
        f"--portal-accent:{accent};"
        "}\n"
    )
    return _cached(HttpResponse(css, content_type="text/css; charset=utf-8"))


def _image(field_file):
    try:
        return FileResponse(field_file.open("rb"), content_type="image/png")
    except (FileNotFoundError, OSError):
        return None


@require_GET
def brand_logo(request):
    program = the_program()
    response = _image(program.logo) if program is not None and program.logo else None
    if response is None:
        response = HttpResponse(DEFAULT_LOGO.read_bytes(), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'"
    return _cached(response)


@require_GET
def brand_favicon(request):
    program = the_program()
    field = program.favicon or program.logo if program is not None else None
    response = _image(field) if field else None
    if response is None:
        response = HttpResponse(DEFAULT_LOGO.read_bytes(), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'"
    return _cached(response)
