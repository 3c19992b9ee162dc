"""prm.identity (company identity and the one matcher), prm.countries and prm.partner_pages."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from partners.models import Partner
from prm import partner_pages
from prm.countries import COUNTRIES, country_choices, country_name
from prm.identity import Identity, IdentityMatch, identity_matches, trigram_threshold
from tests import factories


def test_identity_of_prefers_the_stored_normalised_values_and_drops_free_mail():
    assert Identity.of(name="Solaris Integração Ltda.", tax_id="12.345.678/0001-90", domain="ana@Solaris.example") == (
        Identity(name="solaris integracao", tax_id="12345678000190", domain="solaris.example")
    )
    assert Identity.of(name="Whatever", name_normalized="kept", domain_normalized="Kept.example") == Identity(
        name="kept", tax_id="", domain="kept.example"
    )
    assert Identity.of(name="Alpha", domain="someone@gmail.com").domain == ""
    assert Identity.of(name="Alpha", domain_normalized="yahoo.com.br").domain == ""


def test_identity_matches_finds_each_criterion_with_its_score(db):
    program = factories.ProgramFactory()
    by_domain = factories.PartnerFactory(program=program, name="Alpha", email_domain="nimbus.example")
    by_tax = factories.PartnerFactory(program=program, name="Beta", tax_id_normalized="12345678000190")
    by_name = factories.PartnerFactory(program=program, name="Nimbus Cloud", name_normalized="nimbus cloud")
    factories.PartnerFactory(program=program, name="Completely Different", name_normalized="completely different")

    identity = Identity.of(name="Nimbus Cloud S.A.", tax_id="12.345.678/0001-90", domain="NIMBUS.example")
    with trigram_threshold(0.4):
        rows = identity_matches(
            Partner.objects.all(),
            identity,
            name_field="name_normalized",
            tax_field="tax_id_normalized",
            domain="email_domain__iexact",
            threshold=0.4,
        )
    assert {(kind, score, row.pk) for kind, score, row in rows} == {
        ("email_domain", 1.0, by_domain.pk),
        ("tax_id", 1.0, by_tax.pk),
        ("name", 1.0, by_name.pk),
    }
    assert IdentityMatch("tax_id", 1.0, by_tax).kind_label == "same tax ID"


def test_an_empty_identity_matches_nothing_and_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            identity_matches(
                Partner.objects.all(),
                Identity.of(),
                name_field="name_normalized",
                tax_field="tax_id_normalized",
                domain="email_domain",
                threshold=0.4,
            )
            == []
        )


def test_countries_are_named_in_the_active_language():
    assert country_name("br") == "Brazil"
    assert country_name("ZZ") == "ZZ"
    with translation.override("pt-br"):
        assert dict(country_choices())["DE"] == str(COUNTRIES["DE"])
    assert [code for code, _name in country_choices()][:2] == ["AL", "AD"]


def test_the_deals_app_adds_its_figures_to_the_partner_home_without_partners_importing_it():
    assert "deal_summary" in partner_pages._home
    assert "deals.Deal" in partner_pages._trail


def test_page_registrations_refuse_another_reader():
    def read(partner):
        return 1

    partner_pages.register_home_context("test_figure", read)
    try:
        partner_pages.register_home_context("test_figure", read)  # the same again: nothing changes
        with pytest.raises(ImproperlyConfigured):
            partner_pages.register_home_context("test_figure", lambda partner: 2)
        assert partner_pages._home["test_figure"] is read
    finally:
        partner_pages.unregister("test_figure")


def test_the_deals_and_leads_apps_add_their_sections_to_the_staff_partner_page_in_app_order():
    assert list(partner_pages._staff)[:2] == ["deals", "leads"]


def test_staff_section_registrations_refuse_another_reader():
    def read(viewer, partner):
        return partner_pages.StaffSection(name="test", title="Test", icon="inbox", template="x.html")

    partner_pages.register_staff_section("test_section", read)
    try:
        partner_pages.register_staff_section("test_section", read)
        with pytest.raises(ImproperlyConfigured):
            partner_pages.register_staff_section("test_section", lambda viewer, partner: None)
        assert partner_pages._staff["test_section"] is read
    finally:
        partner_pages.unregister("test_section")
    assert "test_section" not in partner_pages._staff
