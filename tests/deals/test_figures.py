"""The partner figures (deals.figures, ADR 0015) always equal a fresh aggregation of the registrations:
after each step of a registration's life, after writes outside the services, under concurrent
writes, and after a rebuild."""

import datetime
import zoneinfo
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from deals import services
from deals.figures import rebuild
from deals.models import Deal, DealStatus, PartnerDealDay, PartnerStatusCount
from deals.selectors import partner_deal_summary
from partners.roles import StaffRole
from tests import factories
from tests.helpers.concurrency import run_together


def fresh() -> tuple[dict, dict]:
    """The figures computed from the registrations, in Python."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    statuses = Counter()
    days = defaultdict(lambda: [0, 0, 0, 0, Decimal("0")])
    for deal in Deal.objects.all():
        statuses[(deal.partner_id, deal.status)] += 1
        if deal.submitted_at:
            days[(deal.partner_id, deal.submitted_at.astimezone(zone).date(), deal.currency)][0] += 1
        if deal.approved_at:
            days[(deal.partner_id, deal.approved_at.astimezone(zone).date(), deal.currency)][1] += 1
        if deal.status == DealStatus.WON and deal.closed_on:
            day = days[(deal.partner_id, deal.closed_on, deal.currency)]
            day[2] += 1
            if deal.final_amount is not None:
                day[3] += 1
                day[4] += deal.final_amount
    return dict(statuses), {key: tuple(value) for key, value in days.items()}


def kept() -> tuple[dict, dict]:
    """The figures the triggers kept, without the rows that came back to zero."""
    statuses = {(row.partner_id, row.status): row.count for row in PartnerStatusCount.objects.all() if row.count}
    days = {
        (row.partner_id, row.day, row.currency): (row.submitted, row.approved, row.won, row.priced, row.won_amount)
        for row in PartnerDealDay.objects.all()
        if (row.submitted, row.approved, row.won, row.priced, row.won_amount) != (0, 0, 0, 0, 0)
    }
    return statuses, days


def assert_figures_match():
    assert kept() == fresh()


def test_each_step_of_a_registrations_life_is_counted(world, make_deal):
    user, cam, partner = world["partner_a_admin"], world["cam_a"], world["partner_a"]
    draft = make_deal(user, partner)
    assert kept()[0] == {(partner.pk, DealStatus.DRAFT): 1}
    assert_figures_match()
    submitted = services.deal_submit(actor=user, deal=draft)
    assert kept()[0] == {(partner.pk, DealStatus.SUBMITTED): 1}
    assert_figures_match()
    asked = services.deal_request_info(actor=cam, deal=submitted, question="Which site?")
    answered = services.deal_answer_info(actor=user, deal=asked, answer="Campinas")
    assert_figures_match()
    approved = services.deal_approve(actor=cam, deal=answered)
    assert_figures_match()
    today = timezone.localdate()
    services.deal_close_won(actor=user, deal=approved, final_amount="1234.56", closed_on=today)
    statuses, days = kept()
    assert statuses == {(partner.pk, DealStatus.WON): 1}
    assert days == {(partner.pk, today, "BRL"): (1, 1, 1, 1, Decimal("1234.56"))}
    assert_figures_match()

    lost = services.deal_approve(
        actor=cam, deal=make_deal(user, partner, submit=True, customer_company="Lost Co", customer_email="")
    )
    services.deal_close_lost(actor=user, deal=lost, reason="Price")
    assert_figures_match()
    rejected = make_deal(user, partner, submit=True, customer_company="Rejected Co", customer_email="")
    services.deal_reject(actor=cam, deal=rejected, reason="Not a fit")
    assert_figures_match()
    expiring = services.deal_approve(
        actor=cam, deal=make_deal(user, partner, submit=True, customer_company="Expiring Co", customer_email="")
    )
    expiring = services.deal_expire(actor=None, deal=expiring, at=expiring.protected_until + datetime.timedelta(days=1))
    assert expiring.status == DealStatus.EXPIRED
    assert_figures_match()
    services.deal_delete_draft(actor=user, deal=make_deal(user, partner, customer_company="Gone Co"))
    assert_figures_match()
    assert kept()[0] == {
        (partner.pk, DealStatus.WON): 1,
        (partner.pk, DealStatus.LOST): 1,
        (partner.pk, DealStatus.REJECTED): 1,
        (partner.pk, DealStatus.EXPIRED): 1,
    }


def test_writes_outside_the_services_are_counted_too(world, make_deal):
    """The admin, a queryset update, a bulk insert or SQL: the triggers see every statement."""
    user, cam, partner = world["partner_a_admin"], world["cam_a"], world["partner_a"]
    deals = [
        services.deal_approve(
            actor=cam, deal=make_deal(user, partner, submit=True, customer_company=f"Co {n}", customer_email="")
        )
        for n in range(3)
    ]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Deal.objects.filter(pk__in=[d.pk for d in deals]).update(
        status=DealStatus.WON, final_amount=Decimal("10.00"), closed_on=yesterday
    )
    Deal.objects.filter(pk=deals[0].pk).update(partner=world["partner_b"], currency="EUR")
    Deal.objects.filter(pk=deals[1].pk).update(final_amount=None)
    assert_figures_match()
    Deal.objects.bulk_create(
        [
            Deal(partner=partner, customer_company="Bulk", customer_country="BR", amount=1, status=DealStatus.DRAFT)
            for _ in range(4)
        ]
    )
    assert kept()[0][(partner.pk, DealStatus.DRAFT)] == 4
    Deal.objects.filter(customer_company="Bulk").delete()
    assert_figures_match()


def test_the_home_summary_reads_the_figures(world, make_deal):
    user, cam, partner = world["partner_a_admin"], world["cam_a"], world["partner_a"]
    make_deal(user, partner)
    make_deal(user, partner, submit=True, customer_company="Open Co", customer_email="")
    services.deal_approve(
        actor=cam, deal=make_deal(user, partner, submit=True, customer_company="Kept Co", customer_email="")
    )
    summary = partner_deal_summary(partner)
    assert (summary["drafts"], summary["open"], summary["protected"]) == (1, 1, 1)
    PartnerStatusCount.objects.filter(partner=partner, status=DealStatus.APPROVED).update(count=7)
    assert partner_deal_summary(partner)["protected"] == 7  # what the figures say, not a count of deals


def test_rebuild_recomputes_the_figures_in_the_configured_time_zone(world, make_deal, settings):
    user, partner = world["partner_a_admin"], world["partner_a"]
    at = datetime.datetime(2026, 3, 10, 1, 30, tzinfo=datetime.UTC)  # 9 March, 22:30 in São Paulo
    services.deal_submit(actor=user, deal=make_deal(user, partner), at=at)
    assert set(PartnerDealDay.objects.filter(submitted=1).values_list("day", flat=True)) == {datetime.date(2026, 3, 10)}
    PartnerStatusCount.objects.all().delete()
    settings.TIME_ZONE = "America/Sao_Paulo"
    try:
        rebuild()
        assert_figures_match()
        assert set(PartnerDealDay.objects.filter(submitted=1).values_list("day", flat=True)) == {
            datetime.date(2026, 3, 9)
        }
        services.deal_submit(actor=user, deal=make_deal(user, partner, customer_company="Later Co"), at=at)
        assert_figures_match()  # the reinstalled triggers count in the new zone
    finally:
        settings.TIME_ZONE = "UTC"
        rebuild()
    assert_figures_match()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_of_one_partner_add_up(make_deal):
    partner = factories.PartnerFactory(name="Busy reseller")
    users = [factories.partner_user(partner, "sales") for _ in range(2)]
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    deals = [
        make_deal(users[n % 2], partner, customer_company=f"Customer {n}", customer_email="", customer_tax_id="")
        for n in range(8)
    ]

    def life(n, deal):
        def go():
            submitted = services.deal_submit(actor=deal.created_by, deal=deal)
            if n % 4 == 0:
                return submitted
            approved = services.deal_approve(actor=manager, deal=submitted)
            if n % 4 == 1:
                return approved
            if n % 4 == 2:
                return services.deal_close_won(
                    actor=deal.created_by, deal=approved, final_amount="100.00", closed_on=timezone.localdate()
                )
            return services.deal_close_lost(actor=deal.created_by, deal=approved, reason="Price")

        return go

    results = run_together([life(n, deal) for n, deal in enumerate(deals)])
    assert all(isinstance(result, Deal) for result in results), results
    assert kept()[0] == {
        (partner.pk, DealStatus.SUBMITTED): 2,
        (partner.pk, DealStatus.APPROVED): 2,
        (partner.pk, DealStatus.WON): 2,
        (partner.pk, DealStatus.LOST): 2,
    }
    assert_figures_match()
    won = PartnerDealDay.objects.get(partner=partner, won__gt=0)
    assert (won.submitted, won.approved, won.won, won.won_amount) == (8, 6, 2, Decimal("200.00"))


def test_the_partners_list_counts_its_rows_from_the_figures(world, make_deal, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals.selectors import LIST_FILTERS, deal_list, deal_list_count

    user, cam, partner = world["partner_a_admin"], world["cam_a"], world["partner_a"]
    make_deal(user, partner)
    make_deal(user, partner, submit=True, customer_company="Open Co", customer_email="")
    approved = services.deal_approve(
        actor=cam, deal=make_deal(user, partner, submit=True, customer_company="Kept Co", customer_email="")
    )
    services.deal_close_won(actor=user, deal=approved, final_amount="5.00", closed_on=timezone.localdate())
    make_deal(world["partner_b_user"], world["partner_b"])  # another partner's
    for status in ["", *LIST_FILTERS]:
        assert deal_list_count(partner, status=status) == deal_list(user, status=status).count(), status
    assert deal_list_count(partner) == 3
    assert deal_list_count(partner, search="Open") is None
    assert deal_list_count(partner, status="no-such-filter") is None

    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/deals/?status=open")
    assert response.status_code == 200 and "Open Co" in response.content.decode()
    assert not [q for q in captured.captured_queries if "COUNT(*)" in q["sql"] and '"deals_deal"' in q["sql"]]
    with CaptureQueriesContext(connection) as captured:  # a search is paged without a count (OpenEndedPage)
        response = client.get("/deals/?q=Open")
    assert response.status_code == 200 and "Open Co" in response.content.decode()
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"] and '"deals_deal"' in q["sql"]]
