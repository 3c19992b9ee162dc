import datetime

from django.urls import reverse
from django.utils import formats, translation

from deals import services
from prm.notifications.models import Notification


def test_each_person_is_told_with_a_link_to_where_they_work(world, make_deal):
    deal = make_deal(world["partner_a_sales"], world["partner_a"], submit=True)
    to_cam = Notification.objects.get(recipient=world["cam_a"], kind="deal.submitted")
    assert to_cam.url == reverse("admin:deals_deal_change", args=[deal.pk])
    with translation.override("en"):
        assert to_cam.subject() == "New deal registration: Acme Soluções Ltda."
        assert "Partner A registered Acme Soluções Ltda." in to_cam.body()
    assert not Notification.objects.filter(recipient=world["cam_other"]).exists()

    services.deal_approve(actor=world["cam_a"], deal=deal)
    approved = Notification.objects.get(recipient=world["partner_a_admin"], kind="deal.approved")
    assert approved.url == reverse("deal_detail", args=[deal.pk])
    deal.refresh_from_db()
    with translation.override("fr"):
        until = formats.date_format(deal.protected_until.date(), "DATE_FORMAT")
        body = approved.body()
        assert until in body
        assert "protégé" in body
    with translation.override("pt-br"):
        assert "protegido" in approved.body()


def test_a_rejection_for_conflict_is_explained_in_the_readers_language(world, make_deal):
    first = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    second = make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    services.deal_approve(actor=world["channel_manager"], deal=first, reject_conflicting=True)
    second.refresh_from_db()
    assert second.status == "rejected" and second.decision_reason == services.CONFLICT_REASON
    notice = Notification.objects.get(recipient=world["partner_b_user"], kind="deal.rejected")
    with translation.override("en"):
        assert "another registration of this customer was approved" in notice.body()
        assert second.decision_reason_display == "another registration of this customer was approved"
    with translation.override("fr"):
        assert "conflict" not in notice.body()


def test_closing_dates_are_checked(world, make_deal):
    import pytest

    from prm.errors import ServiceError

    deal = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    )
    with pytest.raises(ServiceError):
        services.deal_close_won(actor=world["partner_a_admin"], deal=deal, final_amount="1", closed_on="31/12/2026")
    with pytest.raises(ServiceError):
        services.deal_close_won(
            actor=world["partner_a_admin"],
            deal=deal,
            final_amount="1",
            closed_on=datetime.date.today() + datetime.timedelta(days=2),
        )
    with pytest.raises(ServiceError):
        services.deal_close_won(
            actor=world["partner_a_admin"], deal=deal, final_amount="0.001", closed_on=datetime.date.today()
        )
