"""The 404 answer of a path that matches no URL: JSON under /api/ (the answer every operation
documents, ``{"detail": "Not found."}``), the site's page elsewhere."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


def page_not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
