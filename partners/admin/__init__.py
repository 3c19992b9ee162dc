"""Staff screens of the partners app; importing the package registers every ModelAdmin.

Modules: ``programs`` (program, tiers), ``partners`` (partners, members), ``onboarding``
(agreement, checklist) and ``recruitment`` (applications, program page, configured lists).
"""

from . import onboarding, partners, programs, queue, recruitment  # noqa: F401
