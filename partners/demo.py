"""Demo data of the partner program: one program (São Paulo calendar, four tiers and what each
takes, the public page, recruitment questions and criteria, the agreement, the onboarding checklist,
specialties) and two partners (Brazil, onboarded with its CAM; France, waiting for a CAM), each with
an admin and a salesperson. Idempotent; called by prm.demo.seed_demo()."""

import datetime

from prm.demo import STAFF, SUFFIXES, demo_user, staff_user

PROGRAM_SLUG = "partner-program"

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


def seed() -> None:
    """The program (calendar, tiers, page, recruitment and onboarding content), the demo partners with
    their users and CAMs, and their onboarding."""
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
    from prm.sla.models import BusinessCalendar, Holiday

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
        slug=PROGRAM_SLUG, defaults={"name": "Partner Program", "calendar": calendar, "currency": "USD"}
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

    staff = {role: staff_user(role) for *_names, role in STAFF}

    for spec in PARTNERS:
        partner, created = Partner.objects.get_or_create(
            name=spec["name"], defaults={"program": program, "country": spec["country"], "tier": tiers[spec["tier"]]}
        )
        for email, first, last, role in spec["users"]:
            user = demo_user(email, first, last, language=spec["language"])
            if not Membership.objects.filter(user=user).exists():
                membership_add(actor=None, user=user, partner=partner, role=role)
        cam = next((user for user in staff.values() if user.email == spec.get("cam")), None)
        if cam is not None and not partner_cams(partner).filter(pk=cam.pk).exists():
            partner_assign_cam(actor=staff["channel_manager"], partner=partner, cam=cam)
        _onboard(partner, spec, cam=cam, start=created)
    for country in ("BR", "FR"):
        CamTerritory.objects.get_or_create(cam=staff["channel_account_manager"], country=country)


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


def demo_program():
    """The demo program (made by seed())."""
    from .models import Program

    return Program.objects.get(slug=PROGRAM_SLUG)
