import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from partners.models import Membership, Partner, PartnerRole, Program, Tier
from prm.accounts.models import User
from prm.sla.models import BusinessCalendar

PASSWORD = "correct-horse-battery"


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "America/Sao_Paulo"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = "Partner Program"
    slug = "partner-program"
    calendar = factory.SubFactory(CalendarFactory)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: n + 1)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    country = "BR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def partner_user(partner, role=PartnerRole.ADMIN, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, partner=partner, role=role)
    return user


def staff_user(role: str, *, partners=(), **kwargs) -> User:
    from partners.services import ensure_staff_groups

    ensure_staff_groups()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    for partner in partners:
        assign_perm("partners.manage_partner", user, partner)
    return user
