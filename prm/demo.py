"""Demo data: one program, two partners (Brazil, France), a user per role. Idempotent."""

import datetime

from django.db import transaction

DEMO_PASSWORD = "demo-portal-2026"

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

TIERS = [
    (1, "Registered", "Signed agreement and completed onboarding.", "Portal access, deal registration."),
    (2, "Silver", "Two certified people and 100k in yearly sales.", "MDF eligibility, higher deal discount."),
    (3, "Gold", "Five certified people and 500k in yearly sales.", "Priority leads, dedicated CAM, top discount."),
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
    from guardian.shortcuts import assign_perm

    from partners.models import Membership, Partner, Program, Tier
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
    for rank, name, requirements, benefits in TIERS:
        tiers[rank], _ = Tier.objects.get_or_create(
            program=program, rank=rank, defaults={"name": name, "requirements": requirements, "benefits": benefits}
        )

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
