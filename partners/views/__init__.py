"""Pages of the partners app (URLs in ``partners.urls``).

Modules: ``pages`` (home, staff page of a partner), ``public`` (landing page, application form),
``team`` (team, invitations, company profile), ``onboarding`` (agreement, checklist steps) and
``base`` (what they share).
"""
