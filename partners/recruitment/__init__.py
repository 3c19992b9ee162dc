"""Recruitment: applications to the partner program, their duplicates and their review.

- Company identity (normalised name, tax ID and e-mail domain, ``prm.identity``) finds duplicates;
  countries come from ``prm.countries``.
- ``application_submit``: stores an application, tells the applicant it arrived and starts the
  review clock (SLA kind ``application.review``: reminders to channel acquisition, escalation to
  the channel managers on breach).
- ``application_duplicates``: existing partners and open applications with the same company
  email domain (never a free-mail domain), the same tax ID or a similar name (pg_trgm).
- ``application_check_set``, ``application_approve``, ``application_reject``: the review.

Modules: ``validators`` (email domain, phone), ``throttling`` (submissions per IP), ``selectors``
(reads), ``duplicates``, ``services`` (writes) and ``handlers`` (the review clock, notification
kinds). The names used elsewhere are importable from the package.
"""

from prm.identity import (
    is_free_mail_domain,
    normalize_company_name,
    normalize_email_domain,
    normalize_tax_id,
    normalized_name_sql,
)

from ._common import REVIEW_KIND, REVIEW_REMINDERS
from .duplicates import SIMILAR_NAME_THRESHOLD, DuplicateMatch, application_duplicates
from .handlers import register, review_breach, review_reminder
from .selectors import (
    application_answers,
    application_checklist,
    cam_choices,
    cam_for_country,
    icp_questions,
    review_deadline,
    staff_with_role,
)
from .services import application_approve, application_check_set, application_reject, application_submit
from .throttling import DEFAULT_APPLICATION_RATE, ApplicationRateThrottle
from .validators import validate_email_domain, validate_phone

__all__ = [
    "DEFAULT_APPLICATION_RATE",
    "REVIEW_KIND",
    "REVIEW_REMINDERS",
    "SIMILAR_NAME_THRESHOLD",
    "ApplicationRateThrottle",
    "DuplicateMatch",
    "application_answers",
    "application_approve",
    "application_check_set",
    "application_checklist",
    "application_duplicates",
    "application_reject",
    "application_submit",
    "cam_choices",
    "cam_for_country",
    "icp_questions",
    "is_free_mail_domain",
    "normalize_company_name",
    "normalize_email_domain",
    "normalize_tax_id",
    "normalized_name_sql",
    "register",
    "review_breach",
    "review_deadline",
    "review_reminder",
    "staff_with_role",
    "validate_email_domain",
    "validate_phone",
]
