"""What the API accepts from a client, bounded: the parsers and the pagination of every view.

- JSON: at most ``MAX_JSON_DEPTH`` levels of nesting, finite numbers, and no character PostgreSQL
  cannot store (NUL, an unpaired surrogate) in a key or a string; otherwise 400 with the reason.
- Form and multipart bodies: no NUL in a field name or value (the HTML pages get the same rule
  from ``prm.http_guards``).
- Pages: ``limit`` at most ``Pagination.max_limit``; a limit or offset that is not a count is
  ignored (the default applies).

Settings point ``DEFAULT_PARSER_CLASSES`` and ``DEFAULT_PAGINATION_CLASS`` here; a view that names
its own parsers takes them from this module (a test holds every view to it).
"""

from __future__ import annotations

import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.pagination import LimitOffsetPagination

from prm.http_guards import NUL_REFUSED, has_nul, has_unstorable

MAX_JSON_DEPTH = 32


class InputRefused(exceptions.ParseError):
    """A body that was read but cannot be accepted; its message says why (kept by the error handler)."""


TOO_DEEP = _("The JSON body is nested too deeply (at most %(depth)d levels).")
UNSTORABLE = _("The JSON body contains a character that cannot be stored (NUL or an unpaired surrogate).")
TOO_LARGE = _("The JSON body contains a number too large to be read.")
IGNORED = _("A value that is not a count is ignored.")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputRefused(TOO_LARGE)
    return value


def check_json(data, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Walks parsed JSON without recursion: depth, and the characters of keys and strings."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if has_unstorable(value):
                raise InputRefused(UNSTORABLE)
        elif isinstance(value, (list, dict)):
            if depth > max_depth:
                raise InputRefused(TOO_DEEP % {"depth": max_depth})
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                value = value.values()
            pending.extend((item, depth + 1) for item in value)


class SafeJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
        except RecursionError:
            raise InputRefused(TOO_DEEP % {"depth": MAX_JSON_DEPTH}) from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        check_json(data)
        return data


def _check_fields(data) -> None:
    for key, values in data.lists():
        if has_nul(key) or any(isinstance(value, str) and has_nul(value) for value in values):
            raise InputRefused(NUL_REFUSED)


class SafeFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_fields(data)
        return data


class SafeMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_fields(result.data)
        for name, uploads in result.files.lists():
            if has_nul(name) or any(has_nul(upload.name or "") for upload in uploads):
                raise InputRefused(NUL_REFUSED)
        return result


SAFE_PARSERS = (SafeJSONParser, SafeFormParser, SafeMultiPartParser)


class Pagination(LimitOffsetPagination):
    """``limit`` capped at ``max_limit``; a limit or offset that is not a count is ignored."""

    max_limit = 200

    def get_schema_operation_parameters(self, view):
        """Documented as counts; any other value is accepted and ignored (the default applies)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]}
            parameter["description"] = f"{parameter.get('description', '')} {IGNORED}".strip()
        return parameters
