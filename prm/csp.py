"""Content-Security-Policy on every answer (ADR 0012).

Scripts and styles come only from the portal's own static files: no inline script, no ``on…=``
handler, no inline style (tests/security/test_csp.py scans the templates). htmx and the vendored
libraries are static files ('self'); the API docs load Swagger UI from drf-spectacular-sidecar's
static files and their start-up script from the docs URL itself (SpectacularSwaggerSplitView).
Images may be data: URIs (the TOTP QR code, Swagger UI's icons).
"""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
