"""Demo data: one program, two partners (Brazil, France), a user per role. Idempotent."""

import datetime

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
    },
    {
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
    from guardian.shortcuts import assign_perm

    from partners.models import (
        AgreementAcceptance,
        AgreementVersion,
        CamTerritory,
        CriteriaItem,
        IcpQuestion,
        Membership,
        OnboardingProgress,
        OnboardingStep,
        Partner,
        Program,
        ProgramPage,
        Specialty,
        Tier,
    )
    from partners.services import ensure_staff_groups
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
                "min_revenue_12m": revenue,
                "min_certified_people": certified,
                "min_approved_deals": deals,
                "deal_discount_percent": discount,
                "mdf_eligible": mdf,
                "lead_weight": weight,
            },
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
    agreement, _ = AgreementVersion.objects.get_or_create(
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
        partner, _ = Partner.objects.get_or_create(
            name=spec["name"], defaults={"program": program, "country": spec["country"], "tier": tiers[spec["tier"]]}
        )
        for email, first, last, role in spec["users"]:
            user = _user(email, first, last, language=spec["language"])
            Membership.objects.get_or_create(user=user, defaults={"partner": partner, "role": role})
        if spec["country"] == "BR":
            assign_perm("partners.manage_partner", staff["channel_account_manager"], partner)
        # The demo partners are onboarded already: agreement accepted, every step done.
        admin_user = Membership.objects.filter(partner=partner, role="admin").select_related("user").first().user
        AgreementAcceptance.objects.get_or_create(partner=partner, version=agreement, defaults={"user": admin_user})
        for step in OnboardingStep.objects.filter(program=program):
            OnboardingProgress.objects.get_or_create(partner=partner, step=step, defaults={"completed_by": admin_user})
    for country in ("BR", "FR"):
        CamTerritory.objects.get_or_create(cam=staff["channel_account_manager"], country=country)
