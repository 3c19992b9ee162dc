"""Where a lead came from: a free text of up to 100 characters (an import's column, the API's field),
read by its label when it is one of the common sources.

A source is whatever the importer wrote, so it stays free text; the usual ones ("webinar",
"Trade show", "trade-show") read in the reader's language, any other as it was written.
"""

from django.utils.translation import gettext_lazy as _

KNOWN_SOURCES = {
    "webinar": _("Webinar"),
    "website": _("Website"),
    "event": _("Event"),
    "trade_show": _("Trade show"),
    "referral": _("Referral"),
    "partner_locator": _("Partner locator"),
    "advertising": _("Advertising"),
    "email_campaign": _("E-mail campaign"),
    "social_media": _("Social media"),
    "content_download": _("Content download"),
    "inbound_call": _("Inbound call"),
    "outbound": _("Outbound prospecting"),
    "other": _("Other"),
}


def _key(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def source_label(value: str) -> str:
    """The translated label of a common source, or the source as it was written."""
    label = KNOWN_SOURCES.get(_key(value or ""))
    return str(label) if label is not None else value
