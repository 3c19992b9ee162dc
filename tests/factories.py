import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from partners.models import Membership, Partner, PartnerRole, Program, Tier, TierRequirement
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
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def requirements(tier, create, thresholds, **kwargs):
        """``requirements={"deals.approved": 3, ...}``: what the tier takes, in this order."""
        for metric, threshold in (thresholds or {}).items():
            TierRequirement.objects.create(tier=tier, metric=metric, threshold=threshold)


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
    from prm.roles import ensure_staff_groups

    ensure_staff_groups()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    for partner in partners:
        assign_perm("partners.manage_partner", user, partner)
    return user


def _now():
    from django.utils import timezone

    return timezone.now()


class AgreementVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.AgreementVersion"

    program = factory.SubFactory(ProgramFactory)
    version = factory.Sequence(lambda n: n + 1)
    text_en = factory.LazyAttribute(lambda obj: f"Partner agreement, version {obj.version}.")
    text_fr = factory.LazyAttribute(lambda obj: f"Contrat de partenariat, version {obj.version}.")
    published_at = factory.LazyFunction(_now)


class OnboardingStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.OnboardingStep"

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = "manual"
    title_en = factory.Sequence(lambda n: f"Step {n}")


def _normalized_name(obj):
    from partners.recruitment import normalize_company_name

    return normalize_company_name(obj.company_name)


def _normalized_tax_id(obj):
    from partners.recruitment import normalize_tax_id

    return normalize_tax_id(obj.tax_id)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application as stored by application_submit (review clock not started)."""

    class Meta:
        model = "partners.Application"

    program = factory.SubFactory(ProgramFactory)
    company_name = factory.Sequence(lambda n: f"Applicant Company {n}")
    name_normalized = factory.LazyAttribute(_normalized_name)
    email_domain = factory.Sequence(lambda n: f"applicant{n}.example")
    country = "BR"
    regions = factory.LazyFunction(lambda: ["latam"])
    company_size = "10-49"
    tax_id = ""
    tax_id_normalized = factory.LazyAttribute(_normalized_tax_id)
    contact_name = "Ana Souza"
    contact_email = factory.LazyAttribute(lambda obj: f"ana@{obj.email_domain}")
    contact_phone = "+55 11 91234-5678"


class IcpQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.IcpQuestion"

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    text_en = factory.Sequence(lambda n: f"Question {n}?")


class CriteriaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.CriteriaItem"

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    text_en = factory.Sequence(lambda n: f"Criterion {n}")


class ProgramPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.ProgramPage"

    program = factory.SubFactory(ProgramFactory)
    headline_en = "Grow with us"
    mission_en = "Together we serve customers well."
    value_proposition_en = "Deal protection, leads and funds."
    welcome_en = "Welcome to the program."
    welcome_author = "Eva Executive"
