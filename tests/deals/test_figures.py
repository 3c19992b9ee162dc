"""The partner figures (deals.figures, ADR 0015) always equal a fresh aggregation of the registrations:
after each step of a registration's life, after writes outside the services, under concurrent
writes, and after a rebuild."""

import datetime
import importlib
import io
import zoneinfo
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from deals import services
from deals.figures import rebuild
from deals.models import Deal, DealStatus, PartnerDealDay, PartnerStatusCount
from deals.selectors import partner_deal_summary
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.audit.services import audit_record
from tests import factories
from tests.helpers.concurrency import run_together

# The columns of a partner's day, in the order of the tuples of fresh() and kept().
DAY_COLUMNS = (
    "submitted",
    "approved",
    "won",
    "priced",
    "won_amount",
    "lost",
    "rejected",
    "decided",
    "decision_seconds",
)
SUBMITTED, APPROVED, WON, PRICED, WON_AMOUNT, LOST, REJECTED, DECIDED, DECISION_SECONDS = range(len(DAY_COLUMNS))


def whole_seconds(delta: datetime.timedelta) -> int:
    """The whole seconds of a duration, the fraction dropped (towards zero)."""
    micro = delta // datetime.timedelta(microseconds=1)
    return micro // 10**6 if micro >= 0 else -(-micro // 10**6)


def fresh() -> tuple[dict, dict]:
    """The figures computed from the registrations, in Python."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    statuses = Counter()
    days = defaultdict(lambda: [0, 0, 0, 0, Decimal("0"), 0, 0, 0, 0])

    def day_of(deal, moment):
        return days[(deal.partner_id, moment.astimezone(zone).date(), deal.currency)]

    for deal in Deal.objects.all():
        statuses[(deal.partner_id, deal.status)] += 1
        if deal.submitted_at:
            day_of(deal, deal.submitted_at)[SUBMITTED] += 1
        if deal.approved_at:
            day = day_of(deal, deal.approved_at)
            day[APPROVED] += 1
            if deal.submitted_at:
                day[DECIDED] += 1
                day[DECISION_SECONDS] += whole_seconds(deal.approved_at - deal.submitted_at)
        if deal.status == DealStatus.WON and deal.closed_on:
            day = days[(deal.partner_id, deal.closed_on, deal.currency)]
            day[WON] += 1
            if deal.final_amount is not None:
                day[PRICED] += 1
                day[WON_AMOUNT] += deal.final_amount
        if deal.status == DealStatus.LOST and deal.closed_at:
            day_of(deal, deal.closed_at)[LOST] += 1
        if deal.status == DealStatus.REJECTED and deal.closed_at:
            day = day_of(deal, deal.closed_at)
            day[REJECTED] += 1
            if deal.submitted_at:
                day[DECIDED] += 1
                day[DECISION_SECONDS] += whole_seconds(deal.closed_at - deal.submitted_at)
    return dict(statuses), {key: tuple(value) for key, value in days.items()}


def kept() -> tuple[dict, dict]:
    """The figures the triggers kept, without the rows that came back to zero."""
    statuses = {(row.partner_id, row.status): row.count for row in PartnerStatusCount.objects.all() if row.count}
    days = {}
    for row in PartnerDealDay.objects.all():
        values = tuple(getattr(row, column) for column in DAY_COLUMNS)
        if any(values):
            days[(row.partner_id, row.day, row.currency)] = values
    return statuses, days


def figures(partner, day: datetime.date, *columns: str, currency: str = "BRL") -> tuple:
    """The kept values of some columns of one partner's day (zeros when it has no row)."""
    row = PartnerDealDay.objects.filter(partner=partner, day=day, currency=currency).first()
    return tuple(getattr(row, column) if row else 0 for column in columns)


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
    assert list(days) == [(partner.pk, today, "BRL")]
    assert days[(partner.pk, today, "BRL")][:DECISION_SECONDS] == (1, 1, 1, 1, Decimal("1234.56"), 0, 0, 1)
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


MONDAY = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def submitted(world, make_deal):
    """A registration of partner A submitted at a given moment, for a customer of its own."""

    def submit(company: str, at: datetime.datetime) -> Deal:
        user = world["partner_a_admin"]
        deal = make_deal(user, world["partner_a"], customer_company=company, customer_email="", customer_tax_id="")
        return services.deal_submit(actor=user, deal=deal, at=at)

    return submit


def test_losses_rejections_and_decisions_through_the_services(world, submitted):
    user, cam, partner = world["partner_a_admin"], world["cam_a"], world["partner_a"]
    monday, tuesday = MONDAY.date(), TUESDAY.date()
    # Approved 2 h 0 min 5.9 s after its submission: 7205 whole seconds.
    kept_co = services.deal_approve(
        actor=cam, deal=submitted("Kept Co", MONDAY), at=MONDAY + datetime.timedelta(seconds=7205, microseconds=900_000)
    )
    refused = services.deal_reject(
        actor=cam, deal=submitted("Refused Co", MONDAY), reason="Not a fit", at=TUESDAY + datetime.timedelta(minutes=30)
    )
    refused.refresh_from_db()
    assert refused.closed_at == TUESDAY + datetime.timedelta(minutes=30)  # the service records the rejection's moment
    columns = ("submitted", "approved", "rejected", "lost", "decided", "decision_seconds")
    assert figures(partner, monday, *columns) == (2, 1, 0, 0, 1, 7205)
    assert figures(partner, tuesday, *columns) == (0, 0, 1, 0, 1, 86400 + 1800)
    assert_figures_match()

    # Won, lost or expired later: an approval stays a decision of its day, like ``approved``.
    won = services.deal_approve(actor=cam, deal=submitted("Won Co", MONDAY), at=MONDAY + datetime.timedelta(hours=1))
    services.deal_close_won(actor=user, deal=won, final_amount="10.00", closed_on=timezone.localdate())
    expired = services.deal_approve(
        actor=cam, deal=submitted("Expired Co", MONDAY), at=MONDAY + datetime.timedelta(seconds=59)
    )
    services.deal_expire(actor=None, deal=expired, at=expired.protected_until + datetime.timedelta(seconds=1))
    before = timezone.now()
    lost = services.deal_close_lost(actor=user, deal=kept_co, reason="Price")
    assert before <= lost.closed_at <= timezone.now()
    assert figures(partner, monday, *columns) == (4, 3, 0, 0, 3, 7205 + 3600 + 59)
    assert figures(partner, timezone.localdate(lost.closed_at), "lost", "rejected") == (1, 0)
    assert_figures_match()

    # Rejected without a moment given: now, counted today from its submission.
    late = submitted("Late Co", MONDAY)
    services.deal_reject(actor=cam, deal=late, reason="Too late")
    late.refresh_from_db()
    assert before <= late.closed_at <= timezone.now()
    today = timezone.localdate(late.closed_at)
    waited = whole_seconds(late.closed_at - MONDAY)
    assert figures(partner, today, "rejected", "decided", "decision_seconds") == (1, 1, waited)
    assert_figures_match()
    assert kept()[0] == {
        (partner.pk, DealStatus.REJECTED): 2,
        (partner.pk, DealStatus.WON): 1,
        (partner.pk, DealStatus.LOST): 1,
        (partner.pk, DealStatus.EXPIRED): 1,
    }


def test_losses_rejections_and_decisions_follow_bulk_updates_and_deletes(world, submitted):
    cam, partner, other = world["cam_a"], world["partner_a"], world["partner_b"]
    monday, tuesday = MONDAY.date(), TUESDAY.date()
    friday, saturday = monday + datetime.timedelta(days=4), monday + datetime.timedelta(days=5)
    deals = [
        services.deal_approve(
            actor=cam, deal=submitted(f"Bulk {n}", MONDAY), at=MONDAY + datetime.timedelta(hours=n + 1)
        )
        for n in range(3)
    ]
    ids = [deal.pk for deal in deals]
    assert figures(partner, monday, "approved", "decided", "decision_seconds") == (3, 3, 3600 + 7200 + 10800)

    closing = datetime.datetime.combine(friday, datetime.time(17), tzinfo=datetime.UTC)
    Deal.objects.filter(pk__in=ids).update(status=DealStatus.LOST, closed_at=closing)
    assert figures(partner, friday, "lost") == (3,)
    assert_figures_match()
    Deal.objects.filter(pk=ids[0]).update(closed_at=closing + datetime.timedelta(days=1))
    assert (figures(partner, friday, "lost"), figures(partner, saturday, "lost")) == ((2,), (1,))
    Deal.objects.filter(pk=ids[0]).update(closed_at=None)  # a loss without its moment has no day
    assert (figures(partner, friday, "lost"), figures(partner, saturday, "lost")) == ((2,), (0,))
    assert_figures_match()

    # Submitted an hour earlier: each decision took an hour more; without a submission, no decision.
    Deal.objects.filter(pk__in=ids).update(submitted_at=F("submitted_at") - datetime.timedelta(hours=1))
    assert figures(partner, monday, "decided", "decision_seconds") == (3, 21600 + 3 * 3600)
    Deal.objects.filter(pk=ids[1]).update(submitted_at=None)
    assert figures(partner, monday, "approved", "decided", "decision_seconds") == (3, 2, 21600 + 3 * 3600 - 10800)
    assert_figures_match()

    # A rejection written by SQL: counted on its closed_at's day, with its time from submission.
    Deal.objects.filter(pk=ids[2]).update(
        status=DealStatus.REJECTED, approved_at=None, protected_until=None, closed_at=TUESDAY
    )
    assert figures(partner, monday, "approved", "decided", "decision_seconds") == (2, 1, 3600 + 3600)
    assert figures(partner, tuesday, "rejected", "decided", "decision_seconds") == (1, 1, 86400 + 3600)
    assert figures(partner, friday, "lost") == (1,)
    assert_figures_match()
    Deal.objects.filter(pk=ids[2]).update(partner=other, currency="EUR")
    assert figures(partner, tuesday, "rejected", "decided", "decision_seconds") == (0, 0, 0)
    assert figures(other, tuesday, "rejected", "decided", "decision_seconds", currency="EUR") == (1, 1, 90000)
    Deal.objects.filter(pk=ids[2]).update(status=DealStatus.SUBMITTED)  # no longer rejected
    assert figures(other, tuesday, "rejected", "decided", "decision_seconds", currency="EUR") == (0, 0, 0)
    Deal.objects.filter(pk=ids[2]).update(status=DealStatus.REJECTED)
    assert_figures_match()

    # A decision dated before its submission (a repair gone wrong): its whole seconds, towards zero.
    Deal.objects.filter(pk=ids[0]).update(
        submitted_at=F("approved_at") + datetime.timedelta(seconds=1, microseconds=500_000)
    )
    assert figures(partner, monday, "approved", "decided", "decision_seconds") == (2, 1, -1)
    assert_figures_match()

    Deal.objects.filter(pk__in=ids[1:]).delete()
    assert figures(partner, friday, "lost") == (0,)
    assert figures(other, tuesday, "rejected", "decided", "decision_seconds", currency="EUR") == (0, 0, 0)
    assert figures(partner, monday, "approved", "decided", "decision_seconds") == (1, 1, -1)
    assert_figures_match()
    Deal.objects.filter(pk=ids[0]).delete()
    assert kept() == ({}, {})


def test_a_decision_at_midnight_counts_on_its_local_day(world, submitted, settings):
    """23:59:59 and 00:00:00 in TIME_ZONE (São Paulo, UTC-3: both are the 10th in UTC) are two days."""
    cam, partner = world["cam_a"], world["partner_a"]
    zone = zoneinfo.ZoneInfo("America/Sao_Paulo")
    morning = datetime.datetime(2026, 3, 9, 10, tzinfo=zone)
    last_second = datetime.datetime(2026, 3, 9, 23, 59, 59, tzinfo=zone)
    midnight = datetime.datetime(2026, 3, 10, 0, 0, 0, tzinfo=zone)
    ninth, tenth = datetime.date(2026, 3, 9), datetime.date(2026, 3, 10)
    assert last_second.astimezone(datetime.UTC).date() == midnight.astimezone(datetime.UTC).date() == tenth
    settings.TIME_ZONE = "America/Sao_Paulo"
    try:
        rebuild()
        approved_late = services.deal_approve(actor=cam, deal=submitted("Late Approval", morning), at=last_second)
        services.deal_reject(actor=cam, deal=submitted("Late Refusal", morning), reason="No", at=last_second)
        services.deal_approve(actor=cam, deal=submitted("Early Approval", morning), at=midnight)
        services.deal_reject(actor=cam, deal=submitted("Early Refusal", morning), reason="No", at=midnight)
        Deal.objects.filter(pk=approved_late.pk).update(status=DealStatus.LOST, closed_at=midnight)
        columns = ("submitted", "approved", "rejected", "lost", "decided", "decision_seconds")
        # 10:00 to 23:59:59 is 50,399 seconds; to midnight, 50,400.
        assert figures(partner, ninth, *columns) == (4, 1, 1, 0, 2, 2 * 50399)
        assert figures(partner, tenth, *columns) == (0, 1, 1, 1, 2, 2 * 50400)
        assert_figures_match()
    finally:
        settings.TIME_ZONE = "UTC"
        rebuild()
    assert figures(partner, ninth, "decided") == (0,)  # in UTC all four decisions are of the 10th
    assert figures(partner, tenth, "decided", "rejected", "decision_seconds") == (4, 2, 4 * 50399 + 2)
    assert_figures_match()


def test_the_rebuild_command_gives_the_same_figures(world, submitted):
    user, cam, partner = world["partner_a_admin"], world["cam_a"], world["partner_a"]
    approved = services.deal_approve(actor=cam, deal=submitted("Kept Co", MONDAY), at=TUESDAY)
    services.deal_close_lost(actor=user, deal=approved, reason="Price")
    services.deal_reject(actor=cam, deal=submitted("Refused Co", MONDAY), reason="No", at=TUESDAY)
    services.deal_approve(actor=cam, deal=submitted("Open Co", TUESDAY), at=TUESDAY + datetime.timedelta(hours=3))
    before = kept()
    assert before == fresh()
    assert figures(partner, TUESDAY.date(), "rejected", "decided", "decision_seconds") == (1, 3, 2 * 86400 + 3 * 3600)
    PartnerDealDay.objects.update(lost=F("lost") + 2, rejected=0, decided=F("decided") + 1, decision_seconds=7)
    PartnerStatusCount.objects.all().delete()
    assert kept() != before
    out = io.StringIO()
    call_command("deal_figures_rebuild", stdout=out)
    assert "rebuilt" in out.getvalue()
    assert kept() == before
    services.deal_reject(actor=cam, deal=submitted("After Co", MONDAY), reason="No", at=TUESDAY)
    assert figures(partner, TUESDAY.date(), "rejected") == (2,)  # the triggers it installed count
    assert_figures_match()


def test_the_migration_closes_earlier_rejections_at_their_latest_audit_event(world, submitted):
    """0011 gives a moment to the rejections made before the service recorded one: the latest audit
    event ``deal.rejected`` of the deal, else its last change."""
    migration = importlib.import_module("deals.migrations.0011_partner_figures_lost_rejected_decided")
    cam, partner = world["cam_a"], world["partner_a"]
    audited = services.deal_reject(actor=cam, deal=submitted("Audited Co", MONDAY), reason="No")
    audit_record(actor=None, action="deal.rejected", obj=audited, reason="Recorded again")
    unaudited = submitted("Unaudited Co", MONDAY)
    Deal.objects.filter(pk=unaudited.pk).update(status=DealStatus.REJECTED)  # no event, nor closed_at
    recorded = services.deal_reject(actor=cam, deal=submitted("Recorded Co", MONDAY), reason="No", at=TUESDAY)
    pending = submitted("Pending Co", MONDAY)
    Deal.objects.filter(pk=audited.pk).update(closed_at=None)
    events = AuditEvent.objects.filter(object_id=str(audited.pk), action="deal.rejected").order_by("at", "id")
    first, latest = events
    assert first.at < latest.at
    assert figures(partner, timezone.localdate(), "rejected") == (0,)  # without their moment, no day

    with connection.cursor() as cursor:
        cursor.execute(migration.REJECTED_CLOSED_AT)
    closed = dict(Deal.objects.values_list("pk", "closed_at"))
    updated = dict(Deal.objects.values_list("pk", "updated_at"))
    assert closed[audited.pk] == latest.at
    assert closed[unaudited.pk] == updated[unaudited.pk]
    assert closed[recorded.pk] == TUESDAY  # a moment already recorded stays
    assert closed[pending.pk] is None  # not rejected
    assert_figures_match()  # the current triggers count the moments given
    assert figures(partner, TUESDAY.date(), "rejected") == (1,)
