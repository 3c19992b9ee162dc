"""Demo data: one program, two partners (Brazil, France), a user per role, deal registrations. Idempotent.

``seed_demo_scale(n)`` grows the deal registrations table to ``n`` rows with generated data, in bulk SQL.
"""

import datetime
import json
from decimal import Decimal

from django.db import transaction

DEMO_PASSWORD = "demo-portal-2026"
SUFFIXES = ("en", "pt_br", "fr")

STAFF = [
    ("manager@vendor.example", "Marta", "Manager", "channel_manager"),
    ("cam@vendor.example", "Carlos", "Account", "channel_account_manager"),
    ("acquisition@vendor.example", "Alice", "Acquisition", "channel_acquisition"),
    ("marketing@vendor.example", "Marc", "Marketing", "channel_marketing"),
    ("training@vendor.example", "Tania", "Training", "channel_training"),
    ("executive@vendor.example", "Eva", "Executive", "executive"),
]

PARTNERS = [
    {
        "name": "Solaris Integração Ltda",
        "country": "BR",
        "tier": 2,
        "language": "pt-br",
        "users": [
            ("ana.admin@solaris.example", "Ana", "Admin", "admin"),
            ("bruno.sales@solaris.example", "Bruno", "Vendas", "sales"),
        ],
        # Onboarded: its admin completed the profile, and the kick-off was held with its CAM.
        "cam": "cam@vendor.example",
        "profile": {
            "website": "https://solaris.example",
            "company_size": "50-249",
            "regions": ["latam"],
            "industries": ["retail", "healthcare"],
            "languages": ["pt", "es", "en"],
        },
        "addresses": [
            {
                "kind": "head_office",
                "line1": "Avenida Paulista, 1000, conjunto 82",
                "city": "São Paulo",
                "state": "SP",
                "postal_code": "01310-100",
                "country": "BR",
            }
        ],
    },
    {
        # No CAM yet and an empty company profile: its onboarding waits for both.
        "name": "Lumière Solutions SARL",
        "country": "FR",
        "tier": 1,
        "language": "fr",
        "users": [
            ("claire.admin@lumiere.example", "Claire", "Admin", "admin"),
            ("denis.sales@lumiere.example", "Denis", "Ventes", "sales"),
        ],
    },
]

# rank, (en, pt-br, fr), revenue, certified, deals, discount %, MDF, lead weight
TIERS = [
    (1, ("Registered", "Registrado", "Enregistré"), 0, 0, 0, 5, False, 1),
    (2, ("Silver", "Prata", "Argent"), 100_000, 2, 5, 10, True, 2),
    (3, ("Gold", "Ouro", "Or"), 500_000, 5, 15, 15, True, 4),
    (4, ("Platinum", "Platina", "Platine"), 2_000_000, 10, 40, 20, True, 8),
]

PAGE = {
    "headline": (
        "Grow with us: one partner program, shared success",
        "Cresça conosco: um programa de parceiros, sucesso compartilhado",
        "Grandissons ensemble : un programme partenaires, un succès partagé",
    ),
    "mission": (
        "Together we bring our customers solutions that work from day one: the vendor builds the "
        "products and the enablement, our partners bring local expertise and lasting relationships.",
        "Juntos levamos aos clientes soluções que funcionam desde o primeiro dia: o fabricante cria os "
        "produtos e a capacitação, nossos parceiros trazem a expertise local e relacionamentos duradouros.",
        "Ensemble, nous apportons à nos clients des solutions qui fonctionnent dès le premier jour : "
        "l'éditeur conçoit les produits et la formation, nos partenaires apportent leur expertise locale "
        "et des relations durables.",
    ),
    "value_proposition": (
        "Protected deal registration with fast approvals, qualified leads routed fairly, market "
        "development funds, and a channel team that answers on a clock you can see.",
        "Registro de oportunidades protegido com aprovação rápida, leads qualificados distribuídos com "
        "justiça, fundos de desenvolvimento de mercado e um time de canais que responde em prazos visíveis.",
        "Enregistrement d'opportunités protégé et validé rapidement, leads qualifiés distribués "
        "équitablement, fonds de développement marketing, et une équipe channel qui répond dans des "
        "délais visibles.",
    ),
    "welcome": (
        "Welcome! Our partners are how we reach most of our customers. We commit to clear rules, "
        "fast answers and shared growth.",
        "Bem-vindo! Nossos parceiros são o caminho para a maioria dos nossos clientes. Nós nos "
        "comprometemos com regras claras, respostas rápidas e crescimento compartilhado.",
        "Bienvenue ! Nos partenaires sont notre premier accès aux clients. Nous nous engageons sur des "
        "règles claires, des réponses rapides et une croissance partagée.",
    ),
}

ICP_QUESTIONS = [
    (
        "Which customer segments do you sell to today?",
        "Para quais segmentos de clientes você vende hoje?",
        "À quels segments de clients vendez-vous aujourd'hui ?",
    ),
    (
        "How many pre-sales or technical people are on your team?",
        "Quantas pessoas de pré-venda ou técnicas há na sua equipe?",
        "Combien de personnes avant-vente ou techniques compte votre équipe ?",
    ),
]

CRITERIA = [
    (
        "Registered company with a valid tax ID",
        "Empresa registrada com CNPJ válido",
        "Société immatriculée avec un identifiant fiscal valide",
    ),
    (
        "At least one salesperson dedicated to our products",
        "Ao menos um vendedor dedicado aos nossos produtos",
        "Au moins un commercial dédié à nos produits",
    ),
    (
        "Serves our target customer profile",
        "Atende ao nosso perfil de cliente ideal",
        "Sert notre profil de client cible",
    ),
]

AGREEMENT = (
    "Partner agreement. The partner markets and resells the vendor's products in its territory, "
    "registers its opportunities in the portal, and protects customer data. The vendor provides "
    "enablement, deal protection on approved registrations and the benefits of the partner's tier.",
    "Contrato de parceria. O parceiro divulga e revende os produtos do fabricante em seu território, "
    "registra suas oportunidades no portal e protege os dados dos clientes. O fabricante oferece "
    "capacitação, proteção das oportunidades aprovadas e os benefícios do nível do parceiro.",
    "Contrat de partenariat. Le partenaire promeut et revend les produits de l'éditeur sur son "
    "territoire, enregistre ses opportunités dans le portail et protège les données des clients. "
    "L'éditeur fournit la formation, la protection des opportunités validées et les avantages du "
    "niveau du partenaire.",
)

# order, kind, (en, pt-br, fr), body (en, pt-br, fr)
STEPS = [
    (
        1,
        "agreement",
        ("Accept the partner agreement", "Aceite o contrato de parceria", "Acceptez le contrat de partenariat"),
        None,
    ),
    (
        2,
        "profile",
        ("Complete your company profile", "Complete o perfil da empresa", "Complétez le profil de votre société"),
        None,
    ),
    (3, "invite", ("Invite a colleague", "Convide um colega", "Invitez un collègue"), None),
    (
        4,
        "content",
        ("Read the rules of engagement", "Leia as regras de engajamento", "Lisez les règles d'engagement"),
        (
            "Register every opportunity before the first customer meeting. An approved registration "
            "gives you exclusivity for 90 days. Leads you accept must get a first contact within two "
            "business days.",
            "Registre cada oportunidade antes da primeira reunião com o cliente. Um registro aprovado "
            "dá exclusividade por 90 dias. Leads aceitos precisam de um primeiro contato em até dois "
            "dias úteis.",
            "Enregistrez chaque opportunité avant le premier rendez-vous client. Un enregistrement "
            "validé vous donne l'exclusivité pendant 90 jours. Les leads acceptés doivent être "
            "contactés sous deux jours ouvrés.",
        ),
    ),
    (
        5,
        "manual",
        (
            "Kick-off call with your channel account manager",
            "Reunião de kick-off com seu gerente de contas de canal",
            "Réunion de lancement avec votre responsable de compte partenaire",
        ),
        None,
    ),
]

SPECIALTIES = [
    ("Cloud migration", "Migração para nuvem", "Migration vers le cloud"),
    ("Data and analytics", "Dados e analytics", "Données et analytique"),
    ("Security", "Segurança", "Sécurité"),
    ("Managed services", "Serviços gerenciados", "Services managés"),
]

# name (en, pt-br, fr)
PRODUCTS = [
    ("Cloud Platform", "Plataforma em Nuvem", "Plateforme cloud"),
    ("Data Analytics Suite", "Suíte de Análise de Dados", "Suite d'analyse de données"),
    ("Security Gateway", "Gateway de Segurança", "Passerelle de sécurité"),
    ("Managed Backup", "Backup Gerenciado", "Sauvegarde managée"),
]

# Customers the vendor sells to directly: registrations of them always go to review.
HOUSE_ACCOUNTS = [
    ("Atlântico Energia S.A.", "BR", "atlanticoenergia.example", "11.222.333/0001-81"),
    ("Groupe Hexagone SA", "FR", "hexagone.example", "552 100 554"),
]

SECOND_APPROVAL_AMOUNT = Decimal("100000.00")

# Demo registrations, created in this order through deals.services so that the audit trail, the
# conflict flags and the SLA clocks are real. The natural key is (partner, customer company).
# Steps: submit; info (approver, question); approve (approver); progress (stage); won (final amount).
DEALS = [
    {
        "partner": "Lumière Solutions SARL",
        "actor": "denis.sales@lumiere.example",
        "customer_company": "Orbis Logística Brasil S.A.",
        "customer_email": "achats@orbislog.example",
        "customer_country": "BR",
        "amount": "95000.00",
        "currency": "EUR",
        "days_to_close": 75,
        "products": ["Cloud Platform"],
        "notes": "Filiale brésilienne d'un client du groupe en France ; le siège souhaite un seul intégrateur.",
        "steps": [("submit",)],
    },
    {
        "partner": "Solaris Integração Ltda",
        "actor": "bruno.sales@solaris.example",
        "customer_company": "Orbis Logística do Brasil Ltda",
        "customer_email": "ti@orbislog.example",
        "customer_tax_id": "45.987.321/0001-07",
        "customer_country": "BR",
        "amount": "180000.00",
        "currency": "BRL",
        "days_to_close": 90,
        "products": ["Cloud Platform", "Security Gateway"],
        "notes": "Migração do centro de dados de Campinas; reunião técnica feita com o time de TI.",
        "steps": [("submit",)],
    },
    {
        "partner": "Solaris Integração Ltda",
        "actor": "bruno.sales@solaris.example",
        "customer_company": "Padaria Pão Dourado Ltda",
        "customer_email": "compras@paodourado.example",
        "customer_tax_id": "23.456.789/0001-10",
        "customer_country": "BR",
        "amount": "12500.00",
        "currency": "BRL",
        "days_to_close": 60,
        "products": ["Managed Backup"],
        "notes": "Rascunho: falta confirmar o orçamento com o diretor financeiro.",
        "steps": [],
    },
    {
        "partner": "Solaris Integração Ltda",
        "actor": "bruno.sales@solaris.example",
        "customer_company": "Construtora Horizonte Azul S.A.",
        "customer_email": "ti@horizonteazul.example",
        "customer_tax_id": "34.567.890/0001-22",
        "customer_country": "BR",
        "amount": "64000.00",
        "currency": "BRL",
        "days_to_close": 45,
        "products": ["Data Analytics Suite"],
        "steps": [
            ("submit",),
            (
                "info",
                "cam@vendor.example",
                "Quem é o decisor econômico do projeto e há uma concorrência aberta com outros fornecedores?",
            ),
        ],
    },
    {
        "partner": "Solaris Integração Ltda",
        "actor": "bruno.sales@solaris.example",
        "customer_company": "Hospital Santa Clara Ltda",
        "customer_email": "compras@santaclara.example",
        "customer_tax_id": "56.789.012/0001-33",
        "customer_country": "BR",
        "amount": "85000.00",
        "currency": "BRL",
        "days_to_close": 60,
        "products": ["Security Gateway", "Managed Backup"],
        "steps": [("submit",), ("approve", "cam@vendor.example"), ("progress", "proposal")],
    },
    {
        "partner": "Solaris Integração Ltda",
        "actor": "bruno.sales@solaris.example",
        "customer_company": "Rede Farmácias Bem-Estar Ltda",
        "customer_email": "ti@bemestar.example",
        "customer_tax_id": "67.890.123/0001-44",
        "customer_country": "BR",
        "amount": "640000.00",
        "currency": "BRL",
        "days_to_close": 120,
        "products": ["Cloud Platform", "Data Analytics Suite"],
        # Above the second-approval amount: the CAM's approval is the first of two.
        "steps": [("submit",), ("approve", "cam@vendor.example")],
    },
    {
        "partner": "Solaris Integração Ltda",
        "actor": "bruno.sales@solaris.example",
        "customer_company": "Cooperativa Agrícola Vale Verde",
        "customer_email": "diretoria@valeverde.example",
        "customer_tax_id": "78.901.234/0001-55",
        "customer_country": "BR",
        "amount": "60000.00",
        "currency": "BRL",
        "days_to_close": 30,
        "products": ["Cloud Platform"],
        "steps": [("submit",), ("approve", "cam@vendor.example"), ("won", "58400.00")],
    },
    {
        "partner": "Lumière Solutions SARL",
        "actor": "denis.sales@lumiere.example",
        "customer_company": "Boulangeries Martin SAS",
        "customer_email": "dsi@boulangeries-martin.example",
        "customer_tax_id": "412 345 678",
        "customer_country": "FR",
        "amount": "42000.00",
        "currency": "EUR",
        "days_to_close": 60,
        "products": ["Data Analytics Suite"],
        "steps": [("submit",), ("approve", "manager@vendor.example")],
    },
    {
        "partner": "Lumière Solutions SARL",
        "actor": "denis.sales@lumiere.example",
        "customer_company": "Cave Coopérative de Bourgogne",
        "customer_email": "direction@cave-bourgogne.example",
        "customer_tax_id": "398 765 432",
        "customer_country": "FR",
        "amount": "18500.00",
        "currency": "EUR",
        "days_to_close": 30,
        "products": ["Managed Backup"],
        "steps": [("submit",), ("approve", "manager@vendor.example"), ("won", "19200.00")],
    },
    {
        "partner": "Lumière Solutions SARL",
        "actor": "denis.sales@lumiere.example",
        "customer_company": "Clinique du Parc SARL",
        "customer_email": "informatique@cliniqueduparc.example",
        "customer_country": "FR",
        "amount": "30000.00",
        "currency": "EUR",
        "days_to_close": 90,
        "products": ["Security Gateway"],
        "notes": "Brouillon : en attente du cahier des charges.",
        "steps": [],
    },
]


def _user(email, first, last, *, staff=False, language=""):
    from allauth.account.models import EmailAddress

    from prm.accounts.models import User

    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "is_staff": staff, "is_demo": True, "language": language},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def seed_demo() -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from partners.models import (
        AgreementVersion,
        CamTerritory,
        CriteriaItem,
        IcpQuestion,
        Membership,
        OnboardingStep,
        Partner,
        Program,
        ProgramPage,
        Specialty,
        Tier,
        TierRequirement,
    )
    from partners.selectors import partner_cams
    from partners.services import membership_add, partner_assign_cam
    from prm.roles import ensure_staff_groups
    from prm.sla.models import BusinessCalendar, Holiday

    ensure_staff_groups()
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="Program calendar (São Paulo)",
        defaults={"time_zone": "America/Sao_Paulo", "work_starts": datetime.time(9), "work_ends": datetime.time(18)},
    )
    for date, name in [
        (datetime.date(2026, 12, 25), "Natal"),
        (datetime.date(2027, 1, 1), "Confraternização Universal"),
    ]:
        Holiday.objects.get_or_create(calendar=calendar, date=date, defaults={"name": name})
    program, _ = Program.objects.get_or_create(
        slug="partner-program", defaults={"name": "Partner Program", "calendar": calendar, "currency": "USD"}
    )
    tiers = {}
    for rank, (en, pt, fr), revenue, certified, deals, discount, mdf, weight in TIERS:
        tiers[rank], _ = Tier.objects.update_or_create(
            program=program,
            rank=rank,
            defaults={
                "name": en,
                "name_pt_br": pt,
                "name_fr": fr,
                "deal_discount_percent": discount,
                "mdf_eligible": mdf,
                "lead_weight": weight,
            },
        )
        requirements = {"deals.won_revenue": revenue, "partners.certified_people": certified, "deals.approved": deals}
        for metric, threshold in requirements.items():
            if threshold:
                TierRequirement.objects.update_or_create(
                    tier=tiers[rank], metric=metric, defaults={"threshold": threshold}
                )
    ProgramPage.objects.get_or_create(
        program=program,
        defaults={
            **{f"{field}_{suffix}": texts[i] for field, texts in PAGE.items() for i, suffix in enumerate(SUFFIXES)},
            "welcome_author": "Eva Executive, VP Channels",
        },
    )
    for order, texts in enumerate(ICP_QUESTIONS, start=1):
        IcpQuestion.objects.get_or_create(
            program=program, order=order, defaults=dict(zip(["text_en", "text_pt_br", "text_fr"], texts, strict=True))
        )
    for order, texts in enumerate(CRITERIA, start=1):
        CriteriaItem.objects.get_or_create(
            program=program, order=order, defaults=dict(zip(["text_en", "text_pt_br", "text_fr"], texts, strict=True))
        )
    AgreementVersion.objects.get_or_create(
        program=program,
        version=1,
        defaults={
            **dict(zip(["text_en", "text_pt_br", "text_fr"], AGREEMENT, strict=True)),
            "published_at": timezone.now(),
        },
    )
    for order, kind, titles, body in STEPS:
        defaults = {"kind": kind, **dict(zip(["title_en", "title_pt_br", "title_fr"], titles, strict=True))}
        if body:
            defaults.update(dict(zip(["body_en", "body_pt_br", "body_fr"], body, strict=True)))
        OnboardingStep.objects.get_or_create(program=program, order=order, defaults=defaults)
    for texts in SPECIALTIES:
        Specialty.objects.get_or_create(name_en=texts[0], defaults={"name_pt_br": texts[1], "name_fr": texts[2]})

    staff = {}
    for email, first, last, role in STAFF:
        user = _user(email, first, last, staff=True)
        user.groups.add(Group.objects.get(name=role))
        staff[role] = user

    for spec in PARTNERS:
        partner, created = Partner.objects.get_or_create(
            name=spec["name"], defaults={"program": program, "country": spec["country"], "tier": tiers[spec["tier"]]}
        )
        for email, first, last, role in spec["users"]:
            user = _user(email, first, last, language=spec["language"])
            if not Membership.objects.filter(user=user).exists():
                membership_add(actor=None, user=user, partner=partner, role=role)
        cam = next((user for user in staff.values() if user.email == spec.get("cam")), None)
        if cam is not None and not partner_cams(partner).filter(pk=cam.pk).exists():
            partner_assign_cam(actor=staff["channel_manager"], partner=partner, cam=cam)
        _onboard(partner, spec, cam=cam, start=created)
    for country in ("BR", "FR"):
        CamTerritory.objects.get_or_create(cam=staff["channel_account_manager"], country=country)
    # Rates first: deals are converted into the program's currency at submission (second approval).
    _seed_exchange_rates()
    _seed_deals(program)
    _seed_leads(program)


def _onboard(partner, spec: dict, *, cam, start: bool) -> None:
    """The partner's onboarding through the services, as its people would have gone through it: the
    checklist starts with a new partner; its admin accepts the agreement, completes the profile where
    the spec has one and reads the onboarding content; its colleague counts for the invite step; its
    CAM, if it has one, confirms the kick-off. A step is done only where its rule holds, and a second
    run changes nothing."""
    from partners.models import Membership, OnboardingStep, PartnerAddress, StepKind
    from partners.onboarding import (
        agreement_accept,
        current_agreement,
        onboarding_content_read,
        onboarding_start,
        onboarding_step_tick,
    )
    from partners.services import partner_profile_update

    admin = Membership.objects.filter(partner=partner, role="admin").select_related("user").first().user
    if start:
        onboarding_start(partner=partner)
    agreement_accept(actor=admin, partner=partner, version=current_agreement(partner.program_id))
    if spec.get("profile") and not PartnerAddress.objects.filter(partner=partner).exists():
        partner_profile_update(actor=admin, partner=partner, data=spec["profile"], addresses=spec["addresses"])
    steps = OnboardingStep.objects.filter(program_id=partner.program_id, is_active=True).order_by("order", "id")
    for step in steps.filter(kind=StepKind.CONTENT):
        onboarding_content_read(actor=admin, partner=partner, step=step)
    if cam is not None:
        for step in steps.filter(kind=StepKind.MANUAL):
            onboarding_step_tick(actor=cam, partner=partner, step=step)


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


# Demo exchange rates, euro-based as the ECB publishes them (ADR 0010): a smooth made-up series per
# currency, on weekdays, from 400 days before today (or the oldest won demo deal) to
# today. The same date always gets the same rate, so seeding again changes nothing.
DEMO_RATES = {"USD": (1.08, 0.04, 45.0), "BRL": (5.90, 0.30, 60.0)}  # mean, swing, period in days


def demo_rate(currency: str, date: datetime.date) -> Decimal:
    import math

    mean, swing, period = DEMO_RATES[currency]
    return Decimal(f"{mean + swing * math.sin(date.toordinal() / period):.4f}")


def _seed_exchange_rates() -> None:
    from django.db.models import Min
    from django.utils import timezone

    from deals.models import Deal
    from prm.money.services import exchange_rates_load

    today = timezone.localdate()
    won = Deal.objects.filter(status="won", customer_company__in=[spec["customer_company"] for spec in DEALS])
    oldest = won.aggregate(oldest=Min("closed_on"))["oldest"] or today
    day = min(oldest, today - datetime.timedelta(days=400))
    rates = []
    while day <= today:
        if day.weekday() < 5:
            rates.extend((day, currency, demo_rate(currency, day)) for currency in DEMO_RATES)
        day += datetime.timedelta(days=1)
    exchange_rates_load(actor=None, rates=rates, source="demo data")


def _seed_leads(program) -> None:
    """A catch-all rule and a few leads in every stage, made through the services (idempotent by email)."""
    from leads import services as lead_services
    from leads.models import AssignmentRule, Lead
    from partners.models import Partner
    from prm.accounts.models import User

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


def _seed_deals(program) -> None:
    """Catalogue, house accounts, deal settings and the demo registrations (created through the services)."""
    from django.utils import timezone

    from deals import services, services_catalogue
    from deals.models import Deal, DealProgramSettings, HouseAccount, Product
    from partners.models import Partner
    from partners.recruitment import normalize_company_name
    from prm.accounts.models import User

    products = {}
    for en, pt, fr in PRODUCTS:
        products[en], _ = Product.objects.get_or_create(name_en=en, defaults={"name_pt_br": pt, "name_fr": fr})
    manager = User.objects.get(email="manager@vendor.example")
    settings = DealProgramSettings.objects.get(program=program)  # made with the program
    if settings.second_approval_amount is None:
        services_catalogue.deal_program_settings_update(
            actor=manager, settings=settings, second_approval_amount=SECOND_APPROVAL_AMOUNT
        )
    for company, country, domain, tax_id in HOUSE_ACCOUNTS:
        if not HouseAccount.objects.filter(name_normalized=normalize_company_name(company), country=country).exists():
            services_catalogue.house_account_create(
                actor=manager, company_name=company, country=country, email_domain=domain, tax_id=tax_id
            )

    today = timezone.localdate()
    for spec in DEALS:
        partner = Partner.objects.get(name=spec["partner"])
        if Deal.objects.filter(partner=partner, customer_company=spec["customer_company"]).exists():
            continue
        actor = User.objects.get(email=spec["actor"])
        fields = {
            key: spec[key]
            for key in ("customer_company", "customer_email", "customer_tax_id", "customer_country", "notes")
            if key in spec
        }
        deal = services.deal_create_draft(
            actor=actor,
            partner=partner,
            products=[products[name] for name in spec["products"]],
            amount=Decimal(spec["amount"]),
            currency=spec["currency"],
            expected_close_date=today + datetime.timedelta(days=spec["days_to_close"]),
            **fields,
        )
        for step, *args in spec["steps"]:
            if step == "submit":
                deal = services.deal_submit(actor=actor, deal=deal)
            elif step == "info":
                deal = services.deal_request_info(actor=User.objects.get(email=args[0]), deal=deal, question=args[1])
            elif step == "approve":
                deal = services.deal_approve(actor=User.objects.get(email=args[0]), deal=deal)
            elif step == "progress":
                deal = services.deal_update_progress(actor=actor, deal=deal, stage=args[0])
            elif step == "won":
                deal = services.deal_close_won(actor=actor, deal=deal, final_amount=Decimal(args[0]), closed_on=today)
            else:  # pragma: no cover - a typo in DEALS
                raise ValueError(step)


# --- Scale: many generated deal registrations, in bulk SQL ------------------------------------------

# Consonant-vowel syllables: a brand of three of them decodes uniquely, so an injective number gives
# an injective name (the approved rows rely on it for distinct customer keys).
SYLLABLES = tuple(c + v for c in "bcdfglmnprstvz" for v in "aeiou")
BRANDS = len(SYLLABLES) ** 3

# code, share (per 1000), language, currency, web suffix, tax ID template (# = digit)
SCALE_COUNTRIES = [
    ("BR", 350, "pt", "BRL", "com.br", "##.###.###/0001-##"),
    ("FR", 220, "fr", "EUR", "fr", "### ### ###"),
    ("US", 80, "en", "USD", "com", "##-#######"),
    ("MX", 50, "es", "USD", "com.mx", "RFC ######-###"),
    ("AR", 40, "es", "USD", "com.ar", "30-########-#"),
    ("PT", 40, "pt", "EUR", "pt", "PT ### ### ###"),
    ("ES", 40, "es", "EUR", "es", "B########"),
    ("CL", 30, "es", "USD", "cl", "##.###.###-#"),
    ("CO", 30, "es", "USD", "com.co", "###.###.###-#"),
    ("BE", 30, "fr", "EUR", "be", "BE 0###.###.###"),
    ("DE", 30, "de", "EUR", "de", "DE #########"),
    ("CA", 20, "en", "USD", "ca", "######### RT0001"),
    ("GB", 20, "en", "USD", "co.uk", "GB ### #### ##"),
    ("IT", 20, "it", "EUR", "it", "IT ###########"),
]

SCALE_SUFFIXES = {
    "BR": ["", " Ltda", " Ltda.", " S.A.", " ME", " EIRELI"],
    "PT": ["", " Lda", " S.A."],
    "FR": ["", " SAS", " SARL", " SA", " SASU", " EURL"],
    "BE": ["", " SA", " SRL", " BV"],
    "US": ["", " Inc.", " LLC", " Corp."],
    "CA": ["", " Inc.", " Ltd."],
    "GB": ["", " Ltd", " PLC", " LLP"],
    "MX": ["", " S.A.", " S.A.S."],
    "AR": ["", " S.A.", " S.R.L."],
    "CL": ["", " SpA", " Ltda."],
    "CO": ["", " S.A.S.", " Ltda."],
    "ES": ["", " S.L.", " S.A.", " SLU"],
    "DE": ["", " GmbH", " AG", " KG"],
    "IT": ["", " S.r.l.", " S.p.A."],
}

SCALE_SECTORS = {
    "pt": "Tecnologia|Logística|Soluções|Alimentos|Construções|Engenharia|Consultoria|Distribuidora|"
    "Comércio e Serviços|Indústria Metalúrgica|Transportes|Agropecuária|Saúde|Educação|Energia|Telecom|"
    "Farmacêutica|Têxtil|Imóveis|Seguros|Sistemas|Informática|Automação|Papel e Celulose|Móveis|Bebidas|"
    "Cosméticos|Hotelaria|Varejo|Mineração",
    "fr": "Informatique|Logistique|Solutions|Conseil|Ingénierie|Transports|Énergie|Santé|Bâtiment|Distribution|"
    "Agroalimentaire|Assurances|Télécom|Industrie|Services|Éditions|Pharmacie|Hôtellerie|Immobilier|"
    "Automatismes|Électricité|Textile|Boulangerie|Mécanique|Formation|Énergies Renouvelables|Matériaux|"
    "Cosmétiques|Vins et Spiritueux|Numérique",
    "es": "Tecnología|Logística|Soluciones|Alimentos|Construcciones|Ingeniería|Consultoría|Distribuidora|"
    "Comercial|Transportes|Energía|Salud|Seguros|Sistemas|Informática|Minería|Farmacéutica|"
    "Telecomunicaciones|Inmobiliaria|Automatización|Agroindustrial|Hoteles",
    "en": "Technologies|Logistics|Solutions|Foods|Construction|Engineering|Consulting|Distribution|Industries|"
    "Transport|Energy|Healthcare|Insurance|Systems|Software|Mining|Pharmaceuticals|Telecom|Properties|"
    "Automation|Manufacturing|Retail|Analytics|Networks|Capital",
    "de": "Technik|Logistik|Maschinenbau|Energie|Beratung|Systeme|Software|Handel|Bau|Versicherungen|"
    "Medizintechnik|Elektronik|Automatisierung|Transporte|Lebensmittel|Pharma|Immobilien|Telekom|"
    "Industrie|Dienstleistungen",
    "it": "Tecnologie|Logistica|Soluzioni|Alimentari|Costruzioni|Ingegneria|Consulenza|Distribuzione|"
    "Trasporti|Energia|Sanità|Assicurazioni|Sistemi|Informatica|Farmaceutica|Telecomunicazioni|"
    "Immobiliare|Automazione|Meccanica|Moda",
}

SCALE_SURNAMES = (
    "Silva|Santos|Oliveira|Souza|Ferreira|Costa|Almeida|Araújo|Martin|Bernard|Dubois|Moreau|Laurent|Lefèvre|"
    "García|López|Hernández|Müller|Schmidt|Rossi|Bianchi|Smith|Johnson|Brown"
).split("|")

# Partners that register the generated deals: brand, a word per language, a legal form.
SCALE_PARTNER_WORDS = {
    "pt": ["Sistemas", "Integração", "Consultoria em TI", "Soluções Digitais", "Tecnologia"],
    "fr": ["Informatique", "Conseil", "Intégration", "Solutions", "Services Numériques"],
    "es": ["Sistemas", "Consultores", "Soluciones TI", "Integración"],
    "en": ["IT Services", "Consulting", "Systems", "Integration", "Cloud Partners"],
    "de": ["IT-Systemhaus", "Beratung", "Systeme"],
    "it": ["Informatica", "Sistemi", "Consulenza"],
}

SCALE_STATUS_SHARES = [  # per 1000
    ("draft", 10),
    ("submitted", 15),
    ("info_requested", 5),
    ("approved", 30),
    ("rejected", 120),
    ("won", 300),
    ("lost", 220),
    ("expired", 300),
]
SCALE_CHUNK = 100_000


def _scale_lists():
    """The word lists with their normalised forms, checked against the service's normalisation."""
    from prm.identity import LEGAL_SUFFIXES, normalize_company_name

    sectors = {lang: text.split("|") for lang, text in SCALE_SECTORS.items()}
    for code, _share, lang, *_rest in SCALE_COUNTRIES:
        for sector in sectors[lang]:
            for surname in ("", " Silva"):
                for suffix in SCALE_SUFFIXES[code]:
                    name = f"Bacedi{surname} {sector}{suffix}"
                    expected = f"bacedi{surname.lower()} {normalize_company_name(sector)}"
                    if normalize_company_name(name) != expected or expected.split()[-1] in LEGAL_SUFFIXES:
                        raise ValueError(f"{name!r} does not normalise to {expected!r}.")
    for surname in SCALE_SURNAMES:
        if len(normalize_company_name(surname).split()) != 1:
            raise ValueError(f"{surname!r} is not one word.")
    return sectors


def _tax_id_sql(template: str, digits: str) -> str:
    """An SQL expression filling the template's # with the rightmost digits of ``digits`` (14 characters)."""
    count = template.count("#")
    parts, position, run = [], 15 - count, ""
    for char in template + "\0":
        if char == "#":
            if run:
                parts.append("'" + run.replace("'", "''") + "'")
                run = ""
            parts.append(f"substr({digits}, {position}, 1)")
            position += 1
        elif char != "\0":
            run += char
        elif run:
            parts.append("'" + run.replace("'", "''") + "'")
    return "(" + " || ".join(parts) + ")"


def _scale_partners(program, count: int) -> tuple[list[int], list[str]]:
    """``count`` generated partners (created once, found again by name), their ids and countries."""
    from partners.models import Partner, Tier
    from partners.recruitment import normalize_company_name, normalize_tax_id

    tiers = {tier.rank: tier for tier in Tier.objects.filter(program=program)}
    wanted = []
    for index in range(count):
        brand_number = (index * 73 + 5) % len(SYLLABLES) ** 2
        brand = (SYLLABLES[brand_number % 70] + SYLLABLES[brand_number // 70]).capitalize()
        code, _share, lang, _currency, web, template = SCALE_COUNTRIES[
            _pick([share for _c, share, *_r in SCALE_COUNTRIES], (index * 7919) % 1000)
        ]
        words = SCALE_PARTNER_WORDS[lang]
        suffix = SCALE_SUFFIXES[code][1 + index % (len(SCALE_SUFFIXES[code]) - 1)]
        digits = f"{(index * 7_654_321_987 + 1_234_567_891) % 10**14:014d}"
        tax_id = _fill(template, digits)
        name = f"{brand} {words[index % len(words)]}{suffix}"
        wanted.append(
            Partner(
                program=program,
                name=name,
                country=code,
                tier=tiers.get(1 + (index * 31) % 4 if index % 5 else 1),
                name_normalized=normalize_company_name(name),
                email_domain=f"{brand.lower()}.{web}",
                tax_id=tax_id,
                tax_id_normalized=normalize_tax_id(tax_id),
            )
        )
    existing = set(Partner.objects.filter(name__in=[p.name for p in wanted]).values_list("name", flat=True))
    Partner.objects.bulk_create([p for p in wanted if p.name not in existing], batch_size=1000)
    by_name = dict(Partner.objects.filter(name__in=[p.name for p in wanted]).values_list("name", "pk"))
    return [by_name[p.name] for p in wanted], [p.country for p in wanted]


def _pick(shares: list[int], point: int) -> int:
    for index, share in enumerate(shares):
        if point < share:
            return index
        point -= share
    return len(shares) - 1


def _fill(template: str, digits: str) -> str:
    chars = iter(digits[-template.count("#") :])
    return "".join(next(chars) if char == "#" else char for char in template)


# Each step is MATERIALIZED: inlined, every reference to a column would compute its whole expression again.
_SCALE_SQL = """
WITH new AS (
    SELECT nextval(%(sequence)s::regclass) AS id FROM generate_series(1, %(rows)s)
), h AS MATERIALIZED (
    SELECT id,
        hashint8extended(id, 1) & 9223372036854775807 AS h_status,
        hashint8extended(id, 2) & 9223372036854775807 AS h_partner,
        hashint8extended(id, 3) & 9223372036854775807 AS h_customer,
        hashint8extended(id, 4) & 9223372036854775807 AS h_time,
        hashint8extended(id, 5) & 9223372036854775807 AS h_amount,
        hashint8extended(id, 6) & 9223372036854775807 AS h_misc
    FROM new
), who AS MATERIALIZED (
    SELECT h.*,
        {status} AS status,
        CASE WHEN mod(h_partner, 1000) < 20 THEN 0 WHEN mod(h_partner, 1000) < 30 THEN -1
             ELSE 1 + floor(%(partner_count)s * power(mod(h_partner >> 20, 1000000) / 1000000.0, 2))::int
        END AS partner_no
    FROM h
), place AS MATERIALIZED (
    SELECT who.*,
        CASE partner_no WHEN 0 THEN %(solaris)s::bigint WHEN -1 THEN %(lumiere)s::bigint
             ELSE (%(partners)s::bigint[])[partner_no] END AS partner_id,
        CASE WHEN mod(h_partner >> 40, 100) >= 85 THEN {country}
             WHEN partner_no = 0 THEN 'BR' WHEN partner_no = -1 THEN 'FR'
             ELSE (%(partner_countries)s::text[])[partner_no] END AS country,
        -- Approved rows: the customer number is the (unique) id, so their names and keys are distinct.
        CASE WHEN status = 'approved' THEN id ELSE mod(h_customer, %(pool)s) END AS customer
    FROM who
), customer AS MATERIALIZED (
    SELECT place.*,
        array_position(%(countries)s::text[], country) AS ci,
        mod(customer * 7919 + 12345, {brands}) AS brand_no,
        lpad(mod(hashint8extended(customer, 7) & 9223372036854775807, 100000000000000)::text, 14, '0') AS digits
    FROM place
), parts AS MATERIALIZED (
    SELECT customer.*,
        (%(syllables)s::text[])[1 + mod(brand_no, 70)] || (%(syllables)s::text[])[1 + mod(brand_no / 70, 70)]
            || (%(syllables)s::text[])[1 + mod(brand_no / 4900, 70)] AS brand,
        CASE WHEN mod(brand_no, 8) < 2 THEN 1 + mod(brand_no * 17, %(surname_count)s) END AS surname_i,
        (%(sector_offsets)s::int[])[ci] + mod(customer / {brands} + brand_no * 31, (%(sector_counts)s::int[])[ci])
            AS sector_i,
        (%(suffix_offsets)s::int[])[ci] + mod(h_misc >> 8, (%(suffix_counts)s::int[])[ci]) AS suffix_i,
        CASE WHEN mod(h_misc, 100) < 15 THEN 0 WHEN mod(h_misc, 100) < 23 THEN 1 ELSE 2 END AS contact,
        (%(locals)s::text[])[1 + mod(h_misc >> 16, %(local_count)s)] AS local_part,
        (%(free_domains)s::text[])[1 + mod(h_misc >> 24, %(free_count)s)] AS free_domain
    FROM customer
), named AS MATERIALIZED (
    SELECT parts.*,
        brand || coalesce(' ' || (%(surnames_normalized)s::text[])[surname_i], '') || ' '
            || (%(sectors_normalized)s::text[])[sector_i] AS name_normalized,
        initcap(brand) || coalesce(' ' || (%(surnames)s::text[])[surname_i], '') || ' '
            || (%(sectors)s::text[])[sector_i] || (%(suffixes)s::text[])[suffix_i] AS company,
        CASE contact WHEN 0 THEN '' WHEN 1 THEN free_domain
             ELSE brand || '.' || (%(webs)s::text[])[ci] END AS domain,
        CASE WHEN mod(h_misc >> 32, 100) < 60 THEN {tax_id} ELSE '' END AS tax_id
    FROM parts
), timed AS MATERIALIZED (
    SELECT named.*,
        CASE status
            WHEN 'draft' THEN now() - mod(h_time, 30 * 86400) * interval '1 second'
            WHEN 'submitted' THEN now() - mod(h_time, 43200) * interval '1 second'
            WHEN 'info_requested' THEN now() - mod(h_time, 43200) * interval '1 second'
            WHEN 'approved' THEN now() - mod(h_time, 85 * 86400) * interval '1 second'
                - (86400 + mod(h_time >> 24, 86400)) * interval '1 second'
            WHEN 'rejected' THEN now() - (86400 + mod(h_time, 5 * 365 * 86400)) * interval '1 second'
            ELSE now() - (100 * 86400 + mod(h_time, 5 * 365 * 86400)) * interval '1 second'
        END AS submitted
    FROM named
), dated AS MATERIALIZED (
    SELECT timed.*,
        CASE WHEN status = 'draft' THEN NULL
             WHEN status = 'approved' THEN submitted + (86400 + mod(h_time >> 24, 86400)) * interval '1 second'
             WHEN status IN ('won', 'lost', 'expired') THEN submitted + interval '1 day'
        END AS approved
    FROM timed
), final AS MATERIALIZED (
    SELECT dated.*,
        approved + %(protection_days)s * interval '1 day' AS protected,
        CASE WHEN status IN ('won', 'lost')
             THEN approved + mod(h_time >> 24, 85 * 86400) * interval '1 second' END AS closed,
        round((1000 * power(1000::float8, mod(h_amount, 1000000) / 1000000::float8))::numeric, 2) AS amount
    FROM dated
), inserted AS (
    INSERT INTO deals_deal (
        id, partner_id, created_by_id, customer_company, customer_name_normalized, customer_email,
        customer_email_domain, customer_tax_id, customer_tax_id_normalized, customer_country, customer_key,
        amount, currency, expected_close_date, notes, status, stage, conflict_flag, conflict_check_failed,
        info_question, info_answer, submitted_at, first_approver_id, first_approved_at, second_approver_id,
        approved_at, protected_until, extensions_used, extension_requested_at, extension_reason, decision_reason,
        final_amount, closed_on, closed_at, created_at, updated_at
    )
    SELECT
        id, partner_id, NULL, company, name_normalized,
        CASE WHEN domain = '' THEN '' ELSE local_part || '@' || domain END,
        domain, tax_id, regexp_replace(upper(tax_id), '[^A-Z0-9]+', '', 'g'), country,
        country || ':' || name_normalized,
        amount, (%(currencies)s::text[])[ci],
        (coalesce(submitted, now()) + (30 + mod(h_amount >> 24, 150)) * interval '1 day')::date, '', status,
        CASE WHEN status = 'won' THEN 'commit'
             WHEN status IN ('approved', 'lost', 'expired')
             THEN (ARRAY['qualification', 'proposal', 'negotiation', 'commit'])[1 + mod(h_misc >> 40, 4)]
             ELSE '' END,
        status IN ('submitted', 'info_requested') AND mod(h_misc >> 44, 10) = 0, false,
        CASE WHEN status = 'info_requested' THEN %(question)s ELSE '' END, '',
        CASE WHEN status = 'draft' THEN NULL ELSE submitted END, NULL, approved, NULL, approved, protected, 0,
        NULL, '',
        CASE WHEN status = 'rejected' THEN (%(reject_reasons)s::text[])[1 + mod(h_misc >> 48, %(reject_count)s)]
             WHEN status = 'lost' THEN (%(lost_reasons)s::text[])[1 + mod(h_misc >> 48, %(lost_count)s)]
             ELSE '' END,
        CASE WHEN status = 'won' THEN round(amount * (80 + mod(h_amount >> 32, 40)) / 100, 2) END,
        CASE WHEN status = 'won' THEN (closed AT TIME ZONE 'UTC')::date END,
        closed,
        coalesce(submitted, now()) - (600 + mod(h_time >> 44, 3 * 86400)) * interval '1 second',
        least(now(), coalesce(closed, CASE WHEN status = 'expired' THEN protected END, approved, submitted, now()))
    FROM final
    RETURNING id, partner_id, status, submitted_at, approved_at, protected_until
), products AS (
    INSERT INTO deals_deal_products (deal_id, product_id)
    SELECT id, (%(products)s::bigint[])[1 + mod(id, %(product_count)s)] FROM inserted
    UNION ALL
    SELECT id, (%(products)s::bigint[])[
        1 + mod(mod(id, %(product_count)s) + 1 + mod(id / %(product_count)s, %(product_count)s - 1),
                %(product_count)s)]
    FROM inserted WHERE mod(id, 3) = 0
), clocks AS (
    -- The open clocks of open and protecting registrations (approximate: calendar, not business, days).
    INSERT INTO sla_deadline (
        kind, content_type_id, object_id, partner_id, calendar_id, duration_seconds, consumed_seconds,
        started_at, resumed_at, due_at, reminder_fractions, reminders_sent, next_fire_at, state, attempts,
        last_error, closed_at, created_at, updated_at
    )
    SELECT
        CASE WHEN status = 'approved' THEN 'deal.protection' ELSE 'deal.decision' END,
        %(content_type)s, id, partner_id, %(calendar)s,
        CASE WHEN status = 'approved' THEN %(protection_seconds)s ELSE %(decision_seconds)s END,
        CASE WHEN status = 'info_requested' THEN mod(id, %(decision_seconds)s / 2) ELSE 0 END,
        coalesce(approved_at, submitted_at),
        CASE WHEN status = 'info_requested' THEN NULL ELSE coalesce(approved_at, submitted_at) END,
        CASE status WHEN 'approved' THEN protected_until
             WHEN 'submitted' THEN submitted_at + %(decision_days)s * interval '1 day' END,
        CASE WHEN status = 'approved' THEN %(protection_reminders)s::jsonb ELSE '[0.5, 0.8]'::jsonb END,
        CASE WHEN status = 'approved'
             THEN (protected_until - interval '14 days' <= now())::int + (protected_until - interval '3 days' <= now())::int
             ELSE 0 END,
        CASE status
            WHEN 'approved' THEN CASE WHEN protected_until - interval '14 days' > now()
                                      THEN protected_until - interval '14 days'
                                      WHEN protected_until - interval '3 days' > now()
                                      THEN protected_until - interval '3 days'
                                      ELSE protected_until END
            WHEN 'submitted' THEN submitted_at + %(decision_days)s * interval '12 hours' END,
        CASE WHEN status = 'info_requested' THEN 'paused' ELSE 'open' END,
        0, '', NULL, coalesce(approved_at, submitted_at), now()
    FROM inserted WHERE status IN ('submitted', 'info_requested', 'approved')
)
SELECT count(*) FROM inserted
"""


def seed_demo_scale(total: int, *, log=print) -> int:
    """Grow the deal registrations table to ``total`` rows (generated, in bulk); returns the rows added.

    Every value is a function of the row's id: the same ``total`` gives the same data, a second run
    adds nothing. Customer keys follow deals.services exactly (country and normalised name);
    approved rows get distinct customers, so the exclusion constraint holds.
    """
    import time

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from deals.models import Deal, Product
    from deals.selectors import program_settings
    from partners.models import Partner, Program
    from partners.recruitment import normalize_company_name
    from prm.sla.calendar import Schedule, business_seconds_between, working_seconds_per_day

    missing = total - Deal.objects.count()
    if missing <= 0:
        log(f"deal registrations: {Deal.objects.count()} already, nothing to add")
        return 0
    sectors = _scale_lists()
    program = Program.objects.select_related("calendar").get(slug="partner-program")
    settings = program_settings(program)
    languages = {code: lang for code, _s, lang, *_r in SCALE_COUNTRIES}
    countries = [code for code, *_rest in SCALE_COUNTRIES]
    partners, partner_countries = _scale_partners(program, min(2500, max(10, total // 400)))
    pool = max(1000, total * 6 // 10)
    capacity = BRANDS * min(len(words) for words in sectors.values())
    last_id = (Deal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + missing
    if max(pool, last_id) >= capacity:
        raise ValueError(f"The generated names are distinct up to {capacity} rows.")

    sector_list, sector_offsets, sector_counts, suffix_list, suffix_offsets, suffix_counts = [], [], [], [], [], []
    for code in countries:
        words = sectors[languages[code]]
        sector_offsets.append(len(sector_list) + 1)
        sector_counts.append(len(words))
        sector_list += words
        suffix_offsets.append(len(suffix_list) + 1)
        suffix_counts.append(len(SCALE_SUFFIXES[code]))
        suffix_list += SCALE_SUFFIXES[code]
    status_case, limit = "CASE", 0
    for status, share in SCALE_STATUS_SHARES:
        limit += share
        status_case += f" WHEN mod(h_status, 1000) < {limit} THEN '{status}'"
    status_case += " END"
    country_case, limit = "CASE", 0
    for code, share, *_rest in SCALE_COUNTRIES:
        limit += share
        country_case += f" WHEN mod(h_partner >> 48, 1000) < {limit} THEN '{code}'"
    country_case += " ELSE 'BR' END"
    tax_case = (
        "CASE country "
        + " ".join(f"WHEN '{code}' THEN {_tax_id_sql(template, 'digits')}" for code, *_r, template in SCALE_COUNTRIES)
        + " END"
    )
    sql = _SCALE_SQL.format(status=status_case, country=country_case, tax_id=tax_case, brands=BRANDS)

    # The protection clock of a typical approval, for the reminder fractions (14 and 3 days before the end).
    schedule = Schedule.from_calendar(program.calendar)
    start = datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)
    end = start + datetime.timedelta(days=settings.protection_days)
    protection_seconds = business_seconds_between(schedule, start, end) + 1
    reminders = [
        round(business_seconds_between(schedule, start, end - datetime.timedelta(days=days)) / protection_seconds, 4)
        for days in (14, 3)
    ]
    products = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    params = {
        "partner_count": len(partners),
        "partners": partners,
        "partner_countries": partner_countries,
        "solaris": Partner.objects.get(name=PARTNERS[0]["name"]).pk,
        "lumiere": Partner.objects.get(name=PARTNERS[1]["name"]).pk,
        "pool": pool,
        "countries": countries,
        "currencies": [currency for _c, _s, _l, currency, *_r in SCALE_COUNTRIES],
        "webs": [web for *_f, web, _t in SCALE_COUNTRIES],
        "syllables": list(SYLLABLES),
        "surnames": SCALE_SURNAMES,
        "surnames_normalized": [normalize_company_name(name) for name in SCALE_SURNAMES],
        "surname_count": len(SCALE_SURNAMES),
        "sectors": sector_list,
        "sectors_normalized": [normalize_company_name(word) for word in sector_list],
        "sector_offsets": sector_offsets,
        "sector_counts": sector_counts,
        "suffixes": suffix_list,
        "suffix_offsets": suffix_offsets,
        "suffix_counts": suffix_counts,
        "locals": ["compras", "ti", "contato", "achats", "contact", "dsi", "info", "purchasing", "it", "compras.ti"],
        "local_count": 10,
        "free_domains": ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.br", "orange.fr", "bol.com.br"],
        "free_count": 6,
        "question": "Who is the economic buyer, and is another vendor bidding?",
        "reject_reasons": ["conflict", "Duplicate of an existing registration.", "Not a qualified opportunity."],
        "reject_count": 3,
        "lost_reasons": ["Lost to a competitor.", "Budget cancelled.", "No decision."],
        "lost_count": 3,
        "products": products,
        "product_count": len(products),
        "protection_days": settings.protection_days,
        "protection_seconds": protection_seconds,
        "protection_reminders": json.dumps(reminders),
        "decision_days": settings.decision_days,
        "decision_seconds": max(1, settings.decision_days) * working_seconds_per_day(program.calendar),
        "content_type": ContentType.objects.get_for_model(Deal).pk,
        "calendar": program.calendar_id,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('deals_deal', 'id')")
        params["sequence"] = cursor.fetchone()[0]
    started = time.monotonic()
    added = 0
    while added < missing:
        rows = min(SCALE_CHUNK, missing - added)
        with transaction.atomic(), connection.cursor() as cursor:
            # JIT compiling this large statement costs more than running it.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, {**params, "rows": rows})
            added += cursor.fetchone()[0]
        log(f"deal registrations: {added}/{missing} added ({time.monotonic() - started:.0f} s)")
    # Statistics for the planner; outside a transaction also the visibility map (index-only scans), as
    # autovacuum would leave a table in production.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in ("deals_deal", "deals_deal_products", "sla_deadline", "partners_partner"):
            cursor.execute(f"{command} {table}")
    log(f"deal registrations: {Deal.objects.count()} in all; analysed ({time.monotonic() - started:.0f} s)")
    return added
