"""A lead's source is free text; the common ones read as a label in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from leads import services
from leads.sources import source_label
from tests.leads.test_pages import LEAD_DEFAULTS


@pytest.mark.parametrize(
    "language, value, expected",
    [
        ("en", "webinar", "Webinar"),
        ("fr", "webinar", "Webinaire"),
        ("pt-br", "Trade-Show", "Feira comercial"),
        ("fr", "  trade  show ", "Salon professionnel"),
        ("fr", "Salon Vivatech 2026", "Salon Vivatech 2026"),
        ("en", "", ""),
    ],
)
def test_a_common_source_reads_as_its_label_any_other_as_written(language, value, expected):
    with translation.override(language):
        assert source_label(value) == expected


def test_the_lead_page_shows_the_source_label(client, world):
    manager, user = world["channel_manager"], world["partner_a_sales"]
    lead = services.lead_create(actor=manager, **{**LEAD_DEFAULTS, "source": "webinar"})
    lead = services.lead_assign_manually(actor=manager, lead=lead, partner=world["partner_a"])
    services.lead_accept(actor=user, lead=lead)
    type(user).objects.filter(pk=user.pk).update(language="fr")
    client.force_login(user)
    page = client.get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert "Webinaire" in page and "webinar" not in page
