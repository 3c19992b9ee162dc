import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from catalogue.models import Product
from deals import services
from deals.models import Deal, DealStatus
from deals.selectors import program_settings
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadlines_sweep


def _decision(deal):
    return Deadline.objects.get(object_id=deal.pk, kind=services.DECISION_KIND)


def test_draft_create_update_delete(world, make_deal):
    product = Product.objects.create(name_en="Firewall", name_fr="Pare-feu")
    deal = make_deal(world["partner_a_sales"], world["partner_a"], products=[product])
    assert deal.status == DealStatus.DRAFT
    assert deal.customer_name_normalized == "acme solucoes"
    assert deal.customer_key == "BR:acme solucoes"
    assert deal.customer_email_domain == "acme.com.br"
    assert list(deal.products.all()) == [product]
    deal = services.deal_update_draft(actor=world["partner_a_admin"], deal=deal, amount="2500.50")
    assert deal.amount == Decimal("2500.50")
    assert AuditEvent.objects.filter(action="deal.updated").count() == 1
    services.deal_delete_draft(actor=world["partner_a_admin"], deal=deal)
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_partner_cannot_set_protected_fields(world, make_deal):
    with pytest.raises(ServiceError):
        make_deal(world["partner_a_admin"], world["partner_a"], status="approved")
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    with pytest.raises(ServiceError):
        services.deal_update_draft(actor=world["partner_a_admin"], deal=deal, protected_until=timezone.now())


def test_only_members_of_the_partner_write(world, make_deal):
    with pytest.raises(PermissionDenied):
        make_deal(world["partner_b_user"], world["partner_a"])
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    with pytest.raises(PermissionDenied):
        services.deal_submit(actor=world["partner_b_user"], deal=deal)
    with pytest.raises(PermissionDenied):
        services.deal_delete_draft(actor=world["cam_a"], deal=deal)


def test_submitted_deal_cannot_be_edited_or_deleted(world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    with pytest.raises(ServiceError):
        services.deal_update_draft(actor=world["partner_a_admin"], deal=deal, notes="x")
    with pytest.raises(ServiceError):
        services.deal_delete_draft(actor=world["partner_a_admin"], deal=deal)


def test_submit_starts_decision_clock_and_tells_the_cam(world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    assert deal.status == DealStatus.SUBMITTED and deal.submitted_at is not None
    assert not deal.conflict_flag
    deadline = _decision(deal)
    assert deadline.state == DeadlineState.OPEN
    assert deadline.reminder_fractions == [0.5, 0.8]
    assert Notification.objects.filter(recipient=world["cam_a"], kind="deal.submitted").exists()
    assert not Notification.objects.filter(recipient=world["cam_other"], kind="deal.submitted").exists()


@pytest.mark.parametrize(
    "action",
    ["approve", "reject", "request_info", "answer", "won", "lost", "expire", "extension"],
)
def test_illegal_transitions_from_draft(world, make_deal, action):
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    user, cam = world["partner_a_admin"], world["cam_a"]
    calls = {
        "approve": lambda: services.deal_approve(actor=cam, deal=deal),
        "reject": lambda: services.deal_reject(actor=cam, deal=deal, reason="no"),
        "request_info": lambda: services.deal_request_info(actor=cam, deal=deal, question="who?"),
        "answer": lambda: services.deal_answer_info(actor=user, deal=deal, answer="me"),
        "won": lambda: services.deal_close_won(actor=user, deal=deal, final_amount="1", closed_on=timezone.localdate()),
        "lost": lambda: services.deal_close_lost(actor=user, deal=deal, reason="price"),
        "expire": lambda: services.deal_expire(actor=None, deal=deal),
        "extension": lambda: services.deal_request_extension(actor=user, deal=deal),
    }
    with pytest.raises(ServiceError):
        calls[action]()
    deal.refresh_from_db()
    assert deal.status == DealStatus.DRAFT


def test_illegal_transitions_after_decision(world, make_deal):
    user, cam = world["partner_a_admin"], world["cam_a"]
    deal = make_deal(user, world["partner_a"], submit=True)
    with pytest.raises(ServiceError):
        services.deal_submit(actor=user, deal=deal)
    with pytest.raises(ServiceError):
        services.deal_close_lost(actor=user, deal=deal, reason="price")
    with pytest.raises(ServiceError):
        services.deal_answer_info(actor=user, deal=deal, answer="?")
    services.deal_reject(actor=cam, deal=deal, reason="duplicate")
    for call in (
        lambda: services.deal_approve(actor=cam, deal=deal),
        lambda: services.deal_request_info(actor=cam, deal=deal, question="?"),
        lambda: services.deal_submit(actor=user, deal=deal),
    ):
        with pytest.raises(ServiceError):
            call()
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED
    assert _decision(deal).state == DeadlineState.MET


def test_request_info_pauses_and_answer_resumes(world, make_deal):
    user, cam = world["partner_a_admin"], world["cam_a"]
    deal = make_deal(user, world["partner_a"], submit=True)
    with pytest.raises(ServiceError):
        services.deal_request_info(actor=cam, deal=deal, question="  ")
    deal = services.deal_request_info(actor=cam, deal=deal, question="Who is the buyer?")
    assert deal.status == DealStatus.INFO_REQUESTED
    deadline = _decision(deal)
    assert deadline.state == DeadlineState.PAUSED and deadline.due_at is None
    assert Notification.objects.filter(recipient=user, kind="deal.info_requested").exists()
    with pytest.raises(ServiceError):
        services.deal_approve(actor=cam, deal=deal)
    with pytest.raises(ServiceError):
        services.deal_answer_info(actor=user, deal=deal, answer="")
    later = timezone.now() + datetime.timedelta(days=10)
    deal = services.deal_answer_info(actor=user, deal=deal, answer="The CFO", at=later)
    assert deal.status == DealStatus.SUBMITTED and deal.info_answer == "The CFO"
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.OPEN and deadline.due_at > later


def test_approval_needs_the_cam_of_the_partner_or_a_channel_manager(world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    for outsider in (world["cam_other"], world["executive"], world["partner_a_admin"]):
        with pytest.raises(PermissionDenied):
            services.deal_approve(actor=outsider, deal=deal)
    deal = services.deal_approve(actor=world["channel_manager"], deal=deal)
    assert deal.status == DealStatus.APPROVED


def test_approve_protects_for_the_program_period(world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    deal = services.deal_approve(actor=world["cam_a"], deal=deal)
    assert deal.status == DealStatus.APPROVED
    assert deal.protected_until - deal.approved_at == datetime.timedelta(days=90)
    assert deal.first_approver == world["cam_a"]
    assert list(Deal.objects.protecting()) == [deal]
    assert not Deal.objects.protecting(deal.protected_until).exists()
    assert _decision(deal).state == DeadlineState.MET
    protection = Deadline.objects.get(object_id=deal.pk, kind=services.PROTECTION_KIND)
    assert protection.due_at >= deal.protected_until
    assert len(protection.reminder_fractions) == 2
    assert Notification.objects.filter(recipient=world["partner_a_admin"], kind="deal.approved").exists()
    with pytest.raises(ServiceError):
        services.deal_approve(actor=world["channel_manager"], deal=deal)
    assert AuditEvent.objects.filter(action="deal.approved", object_id=str(deal.pk)).count() == 1


def test_large_deal_needs_a_second_approval_by_a_channel_manager(world, make_deal):
    settings = program_settings(world["partner_a"].program)
    settings.second_approval_amount = Decimal("10000")
    settings.save()
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, amount="50000")
    deal = services.deal_approve(actor=world["cam_a"], deal=deal)
    assert deal.status == DealStatus.SUBMITTED and deal.awaiting_second_approval
    with pytest.raises(ServiceError):
        services.deal_approve(actor=world["cam_a"], deal=deal)
    assert Notification.objects.filter(recipient=world["channel_manager"], kind="deal.second_approval_needed").exists()
    deal = services.deal_approve(actor=world["channel_manager"], deal=deal)
    assert deal.status == DealStatus.APPROVED
    assert (deal.first_approver, deal.second_approver) == (world["cam_a"], world["channel_manager"])


def test_second_approval_refused_to_a_cam(world, make_deal):
    from tests import factories

    settings = program_settings(world["partner_a"].program)
    settings.second_approval_amount = Decimal("10000")
    settings.save()
    other_cam = factories.staff_user("channel_account_manager", partners=[world["partner_a"]])
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, amount="50000")
    services.deal_approve(actor=world["cam_a"], deal=deal)
    with pytest.raises(PermissionDenied):
        services.deal_approve(actor=other_cam, deal=deal)
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_reject_requires_a_reason_and_can_reject_the_conflicting(world, make_deal):
    a = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    b = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="ACME SOLUCOES S.A.")
    assert b.conflict_flag
    with pytest.raises(ServiceError):
        services.deal_reject(actor=world["channel_manager"], deal=a, reason=" ")
    before = timezone.now()
    a = services.deal_reject(actor=world["channel_manager"], deal=a, reason="Direct sale", reject_conflicting=True)
    b.refresh_from_db()
    assert b.status == DealStatus.REJECTED and b.decision_reason == "conflict"
    assert before <= a.closed_at <= b.closed_at <= timezone.now()  # a rejection is the moment it closes


def test_a_rejection_closes_at_its_moment(world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    at = deal.submitted_at + datetime.timedelta(hours=5)
    services.deal_reject(actor=world["cam_a"], deal=deal, reason="Duplicate", at=at)
    deal.refresh_from_db()
    assert (deal.status, deal.closed_at) == (DealStatus.REJECTED, at)
    assert (_decision(deal).state, _decision(deal).closed_at) == (DeadlineState.MET, at)


def test_approve_can_reject_the_conflicting(world, make_deal):
    a = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    b = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_email="x@acme.com.br")
    at = timezone.now()
    services.deal_approve(actor=world["channel_manager"], deal=a, reject_conflicting=True, at=at)
    b.refresh_from_db()
    assert b.status == DealStatus.REJECTED and b.decision_reason == "conflict"
    assert b.closed_at == at  # rejected by the approval, at its moment


def test_one_protection_per_customer(world, make_deal):
    a = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    services.deal_approve(actor=world["cam_a"], deal=a)
    b = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="Acme Soluções")
    assert b.conflict_flag
    with pytest.raises(ServiceError, match="already protects"):
        services.deal_approve(actor=world["channel_manager"], deal=b)
    b.refresh_from_db()
    assert b.status == DealStatus.SUBMITTED


def test_database_refuses_overlapping_protection(world, make_deal):
    from django.db import IntegrityError, transaction

    a = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    services.deal_approve(actor=world["cam_a"], deal=a)
    b = make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=b.pk).update(
            status=DealStatus.APPROVED, approved_at=now, protected_until=now + datetime.timedelta(days=1)
        )


def test_close_won_and_lost(world, make_deal):
    user, cam = world["partner_a_admin"], world["cam_a"]
    a = services.deal_approve(actor=cam, deal=make_deal(user, world["partner_a"], submit=True))
    with pytest.raises(ServiceError):
        services.deal_close_won(actor=user, deal=a, final_amount=None, closed_on=timezone.localdate())
    with pytest.raises(ServiceError):
        services.deal_close_won(actor=user, deal=a, final_amount="10", closed_on=None)
    a = services.deal_close_won(actor=user, deal=a, final_amount="1234.56", closed_on=timezone.localdate())
    assert a.status == DealStatus.WON and a.final_amount == Decimal("1234.56")
    assert not Deal.objects.protecting().exists()
    b = make_deal(user, world["partner_a"], submit=True, customer_company="Other Co")
    b = services.deal_approve(actor=cam, deal=b)
    with pytest.raises(ServiceError):
        services.deal_close_lost(actor=user, deal=b, reason="")
    b = services.deal_close_lost(actor=user, deal=b, reason="Price")
    assert b.status == DealStatus.LOST
    with pytest.raises(ServiceError):
        services.deal_close_won(actor=user, deal=b, final_amount="1", closed_on=timezone.localdate())


def test_extension(world, make_deal):
    user, cam = world["partner_a_admin"], world["cam_a"]
    deal = services.deal_approve(actor=cam, deal=make_deal(user, world["partner_a"], submit=True))
    until = deal.protected_until
    with pytest.raises(ServiceError):
        services.deal_extension_decide(actor=cam, deal=deal, approve=True)
    services.deal_request_extension(actor=user, deal=deal, reason="Budget cycle")
    with pytest.raises(ServiceError):
        services.deal_request_extension(actor=user, deal=deal)
    with pytest.raises(PermissionDenied):
        services.deal_extension_decide(actor=world["cam_other"], deal=deal, approve=True)
    deal = services.deal_extension_decide(actor=cam, deal=deal, approve=True)
    assert deal.protected_until == until + datetime.timedelta(days=30)
    assert deal.extensions_used == 1
    active = Deadline.objects.filter(object_id=deal.pk, kind=services.PROTECTION_KIND, state=DeadlineState.OPEN)
    assert active.count() == 1 and active.get().due_at >= deal.protected_until
    with pytest.raises(ServiceError):
        services.deal_request_extension(actor=user, deal=deal)


def test_expiry_by_the_sweeper_frees_the_customer(world, make_deal):
    user, cam = world["partner_a_admin"], world["cam_a"]
    deal = services.deal_approve(actor=cam, deal=make_deal(user, world["partner_a"], submit=True))
    with pytest.raises(ServiceError):
        services.deal_expire(actor=None, deal=deal)
    deadlines_sweep(now=deal.protected_until - datetime.timedelta(days=20))
    assert not Notification.objects.filter(kind="deal.protection_ending").exists()
    deadlines_sweep(now=deal.protected_until - datetime.timedelta(days=10))
    assert Notification.objects.filter(recipient=user, kind="deal.protection_ending").count() == 1
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED
    deadlines_sweep(now=deal.protected_until + datetime.timedelta(days=5))
    deal.refresh_from_db()
    assert deal.status == DealStatus.EXPIRED
    # The last reminder, overtaken by the expiry in the same sweep, is skipped.
    assert Notification.objects.filter(recipient=user, kind="deal.protection_ending").count() == 1
    other = make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    other = services.deal_approve(actor=world["channel_manager"], deal=other)
    assert other.status == DealStatus.APPROVED


def test_decision_reminders_and_breach(world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    deadline = _decision(deal)
    for _reminder in (50, 80):
        assert deadlines_sweep(now=deadline.next_fire_at).reminders == 1
        deadline.refresh_from_db()
    assert Notification.objects.filter(recipient=world["cam_a"], kind="deal.decision_reminder").count() == 2
    assert not Notification.objects.filter(kind="deal.decision_overdue").exists()
    deadlines_sweep(now=deadline.due_at + datetime.timedelta(minutes=1))
    assert Notification.objects.filter(recipient=world["channel_manager"], kind="deal.decision_overdue").exists()
    assert Notification.objects.filter(recipient=world["partner_a_admin"], kind="deal.decision_late").exists()
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


@pytest.mark.parametrize("conflict", [False, True])
def test_auto_approve_on_breach_only_without_conflict(world, make_deal, conflict):
    settings = program_settings(world["partner_a"].program)
    settings.auto_approve_on_breach = True
    settings.save()
    if conflict:
        make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    assert deal.conflict_flag is conflict
    deadlines_sweep(now=_decision(deal).due_at + datetime.timedelta(minutes=1))
    deal.refresh_from_db()
    assert deal.status == (DealStatus.SUBMITTED if conflict else DealStatus.APPROVED)


def test_no_auto_approve_when_a_second_approval_is_needed(world, make_deal):
    settings = program_settings(world["partner_a"].program)
    settings.auto_approve_on_breach = True
    settings.second_approval_amount = Decimal("10")
    settings.save()
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    deadlines_sweep(now=_decision(deal).due_at + datetime.timedelta(minutes=1))
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_each_answer_notifies_the_cam(world, make_deal):
    user, cam = world["partner_a_admin"], world["cam_a"]
    deal = make_deal(user, world["partner_a"], submit=True)
    for question in ("Who buys?", "When?"):
        services.deal_request_info(actor=cam, deal=deal, question=question)
        services.deal_answer_info(actor=user, deal=deal, answer="Soon")
    assert Notification.objects.filter(recipient=cam, kind="deal.info_answered").count() == 2
