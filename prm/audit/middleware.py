from prm.client_ip import client_ip

from .services import current_ip


class AuditContextMiddleware:
    """Records the client's address (prm.client_ip's rule) for the audit events of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
