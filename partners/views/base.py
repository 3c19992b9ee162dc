"""What the partners pages share."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from prm.tenancy import is_vendor_staff, record_denied_access


def staff_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_vendor_staff(request.user):
            record_denied_access(request.user, request.path)
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
