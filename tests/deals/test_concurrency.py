import pytest

from deals import services
from deals.models import Deal, DealStatus
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from tests import factories
from tests.helpers.concurrency import run_together


@pytest.mark.django_db(transaction=True)
def test_twenty_partners_one_protection(make_deal):
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    deals = []
    for n in range(20):
        partner = factories.PartnerFactory(name=f"Reseller {n}")
        deals.append(make_deal(factories.partner_user(partner), partner))

    def submit_and_approve(deal):
        def go():
            submitted = services.deal_submit(actor=deal.created_by, deal=deal)
            return services.deal_approve(actor=manager, deal=submitted)

        return go

    results = run_together([submit_and_approve(deal) for deal in deals])
    approved = [r for r in results if isinstance(r, Deal)]
    assert len(approved) == 1
    assert all(isinstance(r, ServiceError) for r in results if not isinstance(r, Deal))
    assert Deal.objects.protecting().count() == 1
    assert Deal.objects.filter(status=DealStatus.APPROVED).count() == 1
    assert Deal.objects.filter(status=DealStatus.SUBMITTED).count() == 19


@pytest.mark.django_db(transaction=True)
def test_two_approvers_one_transition(make_deal):
    partner = factories.PartnerFactory(name="Reseller")
    cam = factories.staff_user(StaffRole.CAM, partners=[partner])
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    deal = make_deal(factories.partner_user(partner), partner, submit=True)
    results = run_together(
        [lambda: services.deal_approve(actor=cam, deal=deal), lambda: services.deal_approve(actor=manager, deal=deal)]
    )
    assert sorted(type(r).__name__ for r in results) == ["Deal", "ServiceError"]
    assert AuditEvent.objects.filter(action="deal.approved", object_id=str(deal.pk)).count() == 1
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_approvers_of_conflicting_deals_one_protection(make_deal):
    a_partner = factories.PartnerFactory(name="Reseller A")
    b_partner = factories.PartnerFactory(name="Reseller B")
    manager_1 = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    manager_2 = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    a = make_deal(factories.partner_user(a_partner), a_partner, submit=True)
    b = make_deal(factories.partner_user(b_partner), b_partner, submit=True)
    results = run_together(
        [lambda: services.deal_approve(actor=manager_1, deal=a), lambda: services.deal_approve(actor=manager_2, deal=b)]
    )
    assert sorted(type(r).__name__ for r in results) == ["Deal", "ServiceError"]
    assert Deal.objects.protecting().count() == 1
