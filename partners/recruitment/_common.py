"""What the recruitment modules share: the review clock's kind and the review page."""

from django.urls import reverse

REVIEW_KIND = "application.review"
REVIEW_REMINDERS = (0.5, 0.8)


def _admin_url(application) -> str:
    return reverse("admin:partners_application_change", args=[application.pk])
