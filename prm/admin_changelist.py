"""The admin's change lists answer filter values out of range as wrong lookups, never a 500.

Django's ``ChangeList.get_filters`` builds the date hierarchy's range with ``datetime(int(year), …)``
and catches only part of what that raises: ``?created_at__year=99999999999999999999`` raises
``OverflowError`` and ``?created_at__year=9999`` a ``ValueError`` outside its ``try`` (Django ticket
#37357, fixed after 5.2). ``guard_every_changelist`` (called once in ``PrmConfig.ready``) gives
every ModelAdmin a change list that turns those into ``IncorrectLookupParameters``: the admin's
usual answer to a wrong filter, the list with ``?e=1``.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class GuardedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


def _guarded_changelist(model_admin, request, **kwargs):
    return GuardedChangeList


def guard_every_changelist() -> None:
    """Every ModelAdmin that does not bring its own change list gets the guarded one."""
    if admin.ModelAdmin.get_changelist is not _guarded_changelist:
        admin.ModelAdmin.get_changelist = _guarded_changelist
