"""Staff preview of every notification e-mail in each language (vendor staff only; others: 404).

The values of a kind's placeholders are shown as their names (‹customer›), so the page needs no
data. The e-mail itself is served with a policy of its own: its inlined ``style`` attributes are
what mail clients see, and it carries no script.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from prm.tenancy import is_vendor_staff

from .emails import render_message
from .kinds import UnknownNotificationKind, all_kinds, get_kind

EMAIL_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


class _Placeholders(dict):
    def __missing__(self, key):
        return f"‹{key}›"


def _staff_only(request):
    if not is_vendor_staff(request.user):
        raise Http404


@require_GET
def email_preview_list(request):
    _staff_only(request)
    languages = [code for code, _name in settings.LANGUAGES]
    return render(request, "notifications/email_previews.html", {"kinds": all_kinds(), "languages": languages})


@require_GET
def email_preview(request, kind, language):
    _staff_only(request)
    if language not in dict(settings.LANGUAGES):
        raise Http404
    try:
        definition = get_kind(kind)
    except UnknownNotificationKind:
        raise Http404 from None
    with translation.override(language):
        subject = str(definition.subject).format_map(_Placeholders())
        body = str(definition.body).format_map(_Placeholders())
    _subject, _text, html = render_message(subject=subject, body=body, url="/", language=language)
    response = HttpResponse(html)
    response.headers["Content-Security-Policy"] = EMAIL_POLICY
    return response
