"""The leads app's API (mounted in ``prm.urls``).

Modules: ``leads`` (/api/v1/leads/: lead distribution, its viewset and serializers) and ``imports``
(/api/v1/lead-imports/: the staff's CSV import of leads, its views and serializers; URLs in
``leads.urls.api_imports``).
"""

from .leads import LeadViewSet

__all__ = ["LeadViewSet"]
