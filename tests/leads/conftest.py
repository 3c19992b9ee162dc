import pytest

from leads.models import AssignmentRule, Lead, LeadProgramSettings, LeadStatus
from partners.models import PartnerRole
from partners.roles import StaffRole
from tests import factories
from tests.helpers.admin import login  # noqa: F401  (fixture)
from tests.helpers.api import api  # noqa: F401  (fixture)
from tests.helpers.celery import celery_inline  # noqa: F401  (fixture)


@pytest.fixture
def program(db):
    return factories.ProgramFactory()


@pytest.fixture
def lead_settings(program):
    settings, _ = LeadProgramSettings.objects.get_or_create(program=program)
    return settings


@pytest.fixture
def manager(db):
    return factories.staff_user(StaffRole.CHANNEL_MANAGER)


@pytest.fixture
def make_partner(program):
    """A partner ready for leads (no onboarding steps, no agreement published), with a sales user."""

    def make(name=None, *, tier=None, country="BR", regions=(), specialties=(), sales=True, **fields):
        partner = factories.PartnerFactory(
            program=program,
            country=country,
            regions=list(regions),
            tier=tier,
            **({"name": name} if name else {}),
            **fields,
        )
        if specialties:
            partner.specialties.set(specialties)
        if sales:
            factories.partner_user(partner, PartnerRole.SALES)
        return partner

    return make


@pytest.fixture
def make_rule(db):
    def make(name="Rule", *, order=100, products=(), specialties=(), **fields):
        rule = AssignmentRule.objects.create(name=name, order=order, **fields)
        if products:
            rule.products.set(products)
        if specialties:
            rule.specialties.set(specialties)
        return rule

    return make


LEAD_DEFAULTS = {
    "contact_name": "Maria Souza",
    "email": "maria@cliente.com.br",
    "phone": "+55 11 5555-0000",
    "company": "Cliente Ltda.",
    "country": "BR",
    "region": "SP",
    "city": "São Paulo",
    "industry": "retail",
    "company_size": "50-249",
    "rating": "A",
    "source": "webinar",
}


@pytest.fixture
def make_lead(db):
    """A pool lead written directly (the intake service has its own tests)."""

    def make(**fields):
        return Lead.objects.create(status=LeadStatus.POOL, **{**LEAD_DEFAULTS, **fields})

    return make


def sales_user(partner):
    return partner.memberships.filter(role=PartnerRole.SALES).select_related("user").first().user
