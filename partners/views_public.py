"""The public pages moved to ``partners.views.public``; this path keeps the names the application API
imports from it."""

from .views.public import HONEYPOT_FIELD, SUBMISSION_REFUSED, ApplicationForm, public_program_page

__all__ = ["HONEYPOT_FIELD", "SUBMISSION_REFUSED", "ApplicationForm", "public_program_page"]
