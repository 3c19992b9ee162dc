from django.contrib.admin.apps import AdminConfig


class PrmAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the portal's site (``prm.admin_site.PrmAdminSite``) as ``admin.site``."""

    default_site = "prm.admin_site.PrmAdminSite"
