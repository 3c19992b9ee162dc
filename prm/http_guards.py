"""Refuses, before any view reads them, request values PostgreSQL cannot store or compare.

PostgreSQL refuses the NUL character in text (psycopg raises ``ValueError`` before the query is
sent), so a NUL in a search box, an admin filter or a form field would end as a 500 wherever the
value reaches a query. ``NulRefusedMiddleware`` answers 400 instead, for the query string, the
path's arguments and the fields of posted forms, on every route: the API gets
``{"detail": …}``, the pages the 400 page, both in the reader's language. The API's bodies are
checked by its parsers (``prm.api_input``), which also refuse unpaired surrogates a JSON string
can carry.
"""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

NUL_REFUSED = _("The request contains a null character (NUL), which cannot be accepted.")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_nul(text: str) -> bool:
    return "\x00" in text


def has_unstorable(text: str) -> bool:
    """A NUL or an unpaired surrogate: text PostgreSQL (UTF-8) cannot store."""
    return _UNSTORABLE.search(text) is not None


def _is_api_view(view_func) -> bool:
    from rest_framework.views import APIView

    cls = getattr(view_func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def _any_nul(data) -> bool:
    return any(has_nul(key) or any(isinstance(v, str) and has_nul(v) for v in values) for key, values in data.lists())


def bad_request(request, message, *, api: bool):
    """A 400 in the reader's language: JSON for the API, the 400 page otherwise."""
    if api:
        return JsonResponse({"detail": str(message)}, status=400)
    return render(request, "400.html", {"reason": message}, status=400)


class NulRefusedMiddleware:
    """400 for a NUL in a query parameter, a path argument or a posted form field (name or value).

    Runs in ``process_view``: after the language is chosen (the 400 page is translated), after the
    CSRF check has read the posted form, and before any view. API bodies are left to the API's
    parsers, which answer in the API's format.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        api = _is_api_view(view_func)
        refused = (
            _any_nul(request.GET)
            or any(isinstance(value, str) and has_nul(value) for value in [*view_args, *view_kwargs.values()])
            or (request.method == "POST" and not api and _any_nul(request.POST))
        )
        if refused:
            return bad_request(request, NUL_REFUSED, api=api)
        return None
