"""seed_demo's deal registrations, and the generated ones of benchmarks/scale.py."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Q, Sum
from django.utils import timezone

from benchmarks.scale import seed_demo_scale
from catalogue.models import Product
from deals import services
from deals.demo import DEALS
from deals.models import (
    DECISION_KIND,
    PROTECTION_KIND,
    Deal,
    DealProgramSettings,
    DealStatus,
    HouseAccount,
    PartnerDealDay,
)
from partners.models import Partner
from partners.recruitment import normalize_company_name, normalize_email_domain, normalize_tax_id
from prm.accounts.models import User
from prm.audit.models import AuditEvent
from prm.sla.models import ACTIVE_STATES, Deadline


def _seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


def _counts():
    return {
        "deals": Deal.objects.count(),
        "products": Product.objects.count(),
        "house accounts": HouseAccount.objects.count(),
        "settings": DealProgramSettings.objects.count(),
        "deadlines": Deadline.objects.count(),
        "audit": AuditEvent.objects.count(),
        "partners": Partner.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_deals_through_the_services_once():
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first
    assert first["products"] >= 3 and first["house accounts"] >= 1

    for product in Product.objects.all():
        assert product.name_en and product.name_pt_br and product.name_fr
    settings = DealProgramSettings.objects.get()
    assert settings.second_approval_amount == Decimal("100000.00")

    statuses = {
        name: set(Deal.objects.filter(partner__name=name).values_list("status", flat=True))
        for name in ("Solaris Integração Ltda", "Lumière Solutions SARL")
    }
    assert statuses["Solaris Integração Ltda"] >= {
        DealStatus.DRAFT,
        DealStatus.SUBMITTED,
        DealStatus.INFO_REQUESTED,
        DealStatus.APPROVED,
        DealStatus.WON,
    }
    assert statuses["Lumière Solutions SARL"] >= {DealStatus.DRAFT, DealStatus.SUBMITTED, DealStatus.APPROVED}

    # Both partners registered the same customer: the later registration is flagged for review.
    flagged = Deal.objects.get(status=DealStatus.SUBMITTED, conflict_flag=True)
    other = Deal.objects.exclude(pk=flagged.pk).get(customer_email_domain=flagged.customer_email_domain)
    assert other.partner_id != flagged.partner_id
    assert other.submitted_at < flagged.submitted_at

    # Real clocks and a real audit trail.
    for deal in Deal.objects.filter(status=DealStatus.APPROVED):
        assert deal.is_protecting()
        assert Deadline.objects.for_object(deal, PROTECTION_KIND).filter(state__in=ACTIVE_STATES).exists()
    asking = Deal.objects.get(status=DealStatus.INFO_REQUESTED)
    assert Deadline.objects.for_object(asking, DECISION_KIND).get(state__in=ACTIVE_STATES).state == "paused"
    assert AuditEvent.objects.filter(action="deal.created").count() == first["deals"]
    assert (
        AuditEvent.objects.filter(action="deal.approved").count()
        == Deal.objects.filter(approved_at__isnull=False).count()
    )
    # A large deal with the CAM's approval waits for the channel manager's.
    assert Deal.objects.filter(status=DealStatus.SUBMITTED, first_approver__isnull=False).exists()


@pytest.mark.django_db
def test_scale_grows_the_deal_table_to_n_rows_with_service_normalisation():
    _seed()
    assert seed_demo_scale(2000, log=lambda line: None) == 2000 - len(DEALS)
    assert Deal.objects.count() == 2000
    counts = _counts()
    assert seed_demo_scale(2000, log=lambda line: None) == 0
    assert seed_demo_scale(1500, log=lambda line: None) == 0
    assert _counts() == counts

    assert set(Deal.objects.values_list("status", flat=True)) == set(DealStatus.values)
    assert Deal.objects.values("partner").distinct().count() >= 10
    assert Deal.objects.values("customer_country").distinct().count() >= 5
    assert Deal.objects.values("customer_name_normalized").distinct().count() > 1000

    # Approved rows protect distinct customers now (the exclusion constraint held on insert).
    approved = Deal.objects.filter(status=DealStatus.APPROVED)
    assert approved.count() > 10
    assert approved.values("customer_key").distinct().count() == approved.count()
    assert approved.protecting().count() == approved.count()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM deals_deal a JOIN deals_deal b ON a.customer_key = b.customer_key AND a.id < b.id
            WHERE a.status = 'approved' AND b.status = 'approved'
            AND tstzrange(a.approved_at, a.protected_until) && tstzrange(b.approved_at, b.protected_until)"""
        )
        assert cursor.fetchone()[0] == 0
    assert not Deal.objects.filter(status=DealStatus.DRAFT, submitted_at__isnull=False).exists()
    assert not Deal.objects.filter(status=DealStatus.APPROVED, protected_until__lte=timezone.now()).exists()
    # Rejected rows closed at their decision, as the service closes them: within a day of the submission.
    rejected = Deal.objects.filter(status=DealStatus.REJECTED)
    assert rejected.count() > 10
    assert not rejected.filter(closed_at__isnull=True).exists()
    assert not rejected.filter(
        Q(closed_at__lt=F("submitted_at"))
        | Q(closed_at__gte=F("submitted_at") + datetime.timedelta(days=1))
        | Q(closed_at__gt=timezone.now())
    ).exists()
    assert PartnerDealDay.objects.aggregate(n=Sum("rejected"))["n"] == rejected.count()
    active = Deadline.objects.filter(
        state__in=ACTIVE_STATES,
        content_type=ContentType.objects.get_for_model(Deal),
        object_id__in=Deal.objects.values("pk"),
    )
    assert active.count() == Deal.objects.filter(status__in=["submitted", "info_requested", "approved"]).count()

    # The generated customers normalise exactly as the service does: register a sample again through it.
    bruno = User.objects.get(email="bruno.sales@solaris.example")
    solaris = Partner.objects.get(name="Solaris Integração Ltda")
    sample = Deal.objects.order_by("?")[:60]
    for generated in sample:
        draft = services.deal_create_draft(
            actor=bruno,
            partner=solaris,
            customer_company=generated.customer_company,
            customer_email=generated.customer_email,
            customer_tax_id=generated.customer_tax_id,
            customer_country=generated.customer_country,
            amount=generated.amount,
            currency=generated.currency,
            expected_close_date=datetime.date(2031, 1, 31),
        )
        assert draft.customer_key == generated.customer_key
        assert draft.customer_name_normalized == generated.customer_name_normalized
        assert draft.customer_email_domain == generated.customer_email_domain
        assert draft.customer_tax_id_normalized == generated.customer_tax_id_normalized
        assert generated.customer_key == (
            f"{generated.customer_country}:{normalize_company_name(generated.customer_company)}"
        )
        if generated.customer_email:
            assert generated.customer_email_domain == normalize_email_domain(generated.customer_email)
        assert generated.customer_tax_id_normalized == normalize_tax_id(generated.customer_tax_id)
