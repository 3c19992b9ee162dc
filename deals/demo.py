"""Demo data of deal registration: house accounts, the second-approval amount and registrations in every
state, made through the services so that the audit trail, the conflict flags and the clocks are real.
Idempotent; called by prm.demo.seed_demo() after the partners and the product catalogue (whose demo
products the registrations name)."""

import datetime
from decimal import Decimal

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


def seed() -> None:
    """House accounts, deal settings and the demo registrations (created through the services)."""
    from django.db.models import Min
    from django.utils import timezone

    from catalogue.models import Product
    from partners.demo import demo_program
    from partners.models import Partner
    from prm.accounts.models import User
    from prm.identity import normalize_company_name
    from prm.money.demo import HISTORY_DAYS, seed_rates

    from . import services
    from .models import Deal, DealProgramSettings, HouseAccount
    from .services import config as services_config

    program = demo_program()

    named = {name for spec in DEALS for name in spec["products"]}
    products = {product.name_en: product for product in Product.objects.filter(name_en__in=named)}
    manager = User.objects.get(email="manager@vendor.example")
    settings = DealProgramSettings.objects.get(program=program)  # made with the program
    if settings.second_approval_amount is None:
        services_config.deal_program_settings_update(
            actor=manager, settings=settings, second_approval_amount=SECOND_APPROVAL_AMOUNT
        )
    for company, country, domain, tax_id in HOUSE_ACCOUNTS:
        if not HouseAccount.objects.filter(name_normalized=normalize_company_name(company), country=country).exists():
            services_config.house_account_create(
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
    # Deals won long ago are converted at their closing date: rates back to the oldest (a re-seed years on).
    won = Deal.objects.filter(status="won", customer_company__in=[spec["customer_company"] for spec in DEALS])
    oldest = won.aggregate(oldest=Min("closed_on"))["oldest"]
    if oldest is not None and oldest < today - datetime.timedelta(days=HISTORY_DAYS):
        seed_rates(since=oldest)
