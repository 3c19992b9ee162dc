"""Demo data of leads: a catch-all routing rule and leads in every stage (with the vendor, offered,
accepted, contacted), made through the services. Idempotent; called by prm.demo.seed_demo() after the
partners and deals."""

# Demo leads: (contact, email, company, country, region, city, industry, rating, partner, stage).
# Stage "pool" stays with the vendor; "offered" waits for the partner; "accepted"/"contacted" are worked.
DEMO_LEADS = [
    (
        "Paula Ribeiro",
        "paula.ribeiro@mercadoaurora.example",
        "Mercado Aurora Ltda",
        "BR",
        "SP",
        "Campinas",
        "retail",
        "A",
        "Solaris Integração Ltda",
        "offered",
    ),
    (
        "Rafael Lima",
        "rafael.lima@transnorte.example",
        "Transportes Norte S.A.",
        "BR",
        "PE",
        "Recife",
        "services",
        "B",
        "Solaris Integração Ltda",
        "accepted",
    ),
    (
        "Juliana Castro",
        "juliana@clinicasol.example",
        "Clínica Sol Nascente",
        "BR",
        "RJ",
        "Niterói",
        "healthcare",
        "A",
        "Solaris Integração Ltda",
        "contacted",
    ),
    (
        "Hugo Lefèvre",
        "hugo.lefevre@boulangeries-martin.example",
        "Boulangeries Martin SARL",
        "FR",
        "IDF",
        "Paris",
        "retail",
        "B",
        "Lumière Solutions SARL",
        "offered",
    ),
    (
        "Inès Garnier",
        "ines.garnier@atelier-rhone.example",
        "Atelier du Rhône",
        "FR",
        "ARA",
        "Lyon",
        "manufacturing",
        "C",
        None,
        "pool",
    ),
]


def seed() -> None:
    """A catch-all rule and a few leads in every stage, made through the services (idempotent by email)."""
    from partners.models import Partner
    from prm.accounts.models import User

    from . import services as lead_services
    from .models import AssignmentRule, Lead

    manager = User.objects.get(email="manager@vendor.example")
    AssignmentRule.objects.get_or_create(name="Any lead, in turn", defaults={"order": 100})
    for contact, email, company, country, region, city, industry, rating, partner_name, stage in DEMO_LEADS:
        if Lead.objects.filter(email=email).exists():
            continue
        lead = lead_services.lead_create(
            actor=manager,
            contact_name=contact,
            email=email,
            company=company,
            country=country,
            region=region,
            city=city,
            industry=industry,
            rating=rating,
            source="webinar",
        )
        if partner_name is None:
            continue
        partner = Partner.objects.get(name=partner_name)
        lead = lead_services.lead_assign_manually(actor=manager, lead=lead, partner=partner, note="demo")
        if stage == "offered":
            continue
        sales = User.objects.filter(membership__partner=partner, membership__role="sales").order_by("pk").first()
        lead = lead_services.lead_accept(actor=sales, lead=lead)
        if stage == "contacted":
            lead_services.lead_advance(actor=sales, lead=lead, to_status="contacted")
