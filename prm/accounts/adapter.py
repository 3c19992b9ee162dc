from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from prm.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Partner users are invited or come through the application process; no open sign-up.
        return False

    def get_client_ip(self, request):
        # The portal's one client-IP rule (TRUSTED_PROXY_COUNT), for allauth's rate limits too.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
