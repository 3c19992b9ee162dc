"""What tiers take: requirement rows keyed by metric name, read through the metric registry."""

import datetime
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import Deal, DealStatus
from partners.models import Partner, Tier, TierRequirement
from partners.tiers import meets, tier_progress, tier_requirements_set
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from tests.factories import PartnerFactory, TierFactory

_numbers = itertools.count()


def approved_deals(partner, count, *, days_ago=10):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    for _ in range(count):
        number = next(_numbers)
        Deal.objects.create(
            partner=partner,
            customer_company=f"Cliente {number}",
            customer_key=f"cliente-{number}",
            customer_country="BR",
            amount=Decimal("1000"),
            currency="USD",
            status=DealStatus.WON,
            submitted_at=at,
            approved_at=at,
            closed_on=at.date(),
            final_amount=Decimal("1000"),
        )


@pytest.fixture
def silver(world):
    program = world["partner_a"].program
    program.currency = "USD"
    program.save()
    registered = TierFactory(program=program, name="Registered", rank=1)
    silver = TierFactory(
        program=program, name="Silver", rank=2, requirements={"deals.won_revenue": 3000, "deals.approved": 3}
    )
    Partner.objects.filter(pk__in=[world["partner_a"].pk, world["partner_b"].pk]).update(tier=registered)
    return silver


def progress_of(partner):
    partner = Partner.objects.select_related("tier").get(pk=partner.pk)
    return {row.metric.name: row for row in tier_progress(partner, currency="USD")["requirements"]}


# --- meeting a requirement ------------------------------------------------------------------------


def test_a_value_equal_to_the_threshold_meets_it_and_one_below_does_not(world, silver):
    approved_deals(world["partner_a"], 3)  # 3 approved, USD 3,000 won
    approved_deals(world["partner_b"], 2)  # one of each short
    exactly, short = progress_of(world["partner_a"]), progress_of(world["partner_b"])
    assert (exactly["deals.approved"].value, exactly["deals.approved"].met) == (3, True)
    assert (exactly["deals.won_revenue"].value, exactly["deals.won_revenue"].met) == (Decimal("3000.00"), True)
    assert (short["deals.approved"].value, short["deals.approved"].met) == (2, False)
    assert (short["deals.won_revenue"].value, short["deals.won_revenue"].met) == (Decimal("2000.00"), False)
    assert meets(Decimal("2999.99"), Decimal("3000")) is False
    assert meets(0, 0) is True
    assert meets(None, 0) is False  # not measured


def test_only_the_last_12_months_count(world, silver):
    approved_deals(world["partner_a"], 2)
    approved_deals(world["partner_a"], 1, days_ago=400)
    assert progress_of(world["partner_a"])["deals.approved"].value == 2


def test_an_unmeasured_requirement_shows_its_threshold_without_a_value(world, silver):
    TierRequirement.objects.create(tier=silver, metric="partners.certified_people", threshold=2)
    row = progress_of(world["partner_a"])["partners.certified_people"]
    assert (row.text, row.value, row.met) == ("2 certified people", None, False)


# --- the model ------------------------------------------------------------------------------------


def test_a_requirement_names_a_registered_metric_once_per_tier(world, silver):
    with pytest.raises(ValidationError) as error:
        TierRequirement(tier=silver, metric="nobody.nothing", threshold=1).full_clean()
    assert "Unknown metric: nobody.nothing." in str(error.value)
    with pytest.raises(ValidationError, match="whole number"):
        TierRequirement(tier=silver, metric="leads.accepted", threshold=Decimal("1.5")).full_clean()
    TierRequirement(tier=silver, metric="deals.won_revenue", threshold=Decimal("1.5")).clean()  # money: cents
    with pytest.raises(ValidationError):
        TierRequirement(tier=silver, metric="deals.approved", threshold=9).full_clean()  # taken on this tier


# --- the service ----------------------------------------------------------------------------------


def test_setting_requirements_replaces_them_and_audits(world, silver):
    tier_requirements_set(
        actor=world["channel_manager"], tier=silver, thresholds={"deals.approved": 4, "leads.converted": "2"}
    )
    assert dict(silver.requirements.values_list("metric", "threshold")) == {
        "deals.approved": Decimal("4.00"),
        "leads.converted": Decimal("2.00"),
    }
    event = AuditEvent.objects.get(action="tier.requirements_changed")
    assert event.data == {
        "from": {"deals.won_revenue": "3000.00", "deals.approved": "3.00"},
        "to": {"deals.approved": "4.00", "leads.converted": "2.00"},
    }
    tier_requirements_set(
        actor=world["channel_manager"], tier=silver, thresholds={"deals.approved": 4, "leads.converted": 2}
    )
    assert AuditEvent.objects.filter(action="tier.requirements_changed").count() == 1  # nothing changed


@pytest.mark.parametrize(
    ("thresholds", "field"),
    [({"nobody.nothing": 1}, "metric"), ({"deals.won": -1}, "threshold"), ({"deals.won": "1.5"}, "threshold")],
)
def test_a_wrong_requirement_is_refused_and_nothing_changes(world, silver, thresholds, field):
    with pytest.raises(ServiceError) as error:
        tier_requirements_set(actor=world["channel_manager"], tier=silver, thresholds=thresholds)
    assert error.value.field == field
    assert silver.requirements.count() == 2


def test_only_staff_who_change_tiers_set_requirements(world, silver):
    for role in ("cam_a", "executive", "partner_a_admin"):
        with pytest.raises(PermissionDenied):
            tier_requirements_set(actor=world[role], tier=silver, thresholds={})
    assert silver.requirements.count() == 2


# --- the admin ------------------------------------------------------------------------------------


def tier_form(tier, rows):
    data = {
        "program": tier.program_id,
        "name": tier.name,
        "rank": tier.rank,
        "deal_discount_percent": "0",
        "lead_weight": "1",
        "requirements-TOTAL_FORMS": str(len(rows)),
        "requirements-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "requirements-MIN_NUM_FORMS": "0",
        "requirements-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"requirements-{index}-{key}": value for key, value in row.items()})
        data[f"requirements-{index}-tier"] = tier.pk
    return data


@pytest.fixture
def manager(client, world, mfa):
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    return client


def test_the_tier_admin_offers_the_registered_metrics(manager, silver):
    page = manager.get(reverse("admin:partners_tier_change", args=[silver.pk])).content.decode()
    assert '<option value="leads.converted">leads converted into deal registrations</option>' in page
    assert '<option value="deals.approved" selected>approved deal registrations</option>' in page


def test_the_tier_admin_saves_requirements_through_the_service(manager, world, silver):
    revenue, approved = silver.requirements.order_by("pk")
    rows = [
        {"id": revenue.pk, "metric": "deals.won_revenue", "threshold": "5000", "DELETE": "on"},
        {"id": approved.pk, "metric": "deals.approved", "threshold": "4"},
        {"metric": "leads.accepted", "threshold": "10"},
    ]
    response = manager.post(reverse("admin:partners_tier_change", args=[silver.pk]), tier_form(silver, rows))
    assert response.status_code == 302, response.content.decode()
    assert dict(silver.requirements.values_list("metric", "threshold")) == {
        "deals.approved": Decimal("4.00"),
        "leads.accepted": Decimal("10.00"),
    }
    assert AuditEvent.objects.get(action="tier.requirements_changed").actor_id == world["channel_manager"].pk


def test_the_tier_admin_refuses_a_metric_twice(manager, silver):
    rows = [{"metric": "deals.won", "threshold": "1"}, {"metric": "deals.won", "threshold": "2"}]
    response = manager.post(reverse("admin:partners_tier_change", args=[silver.pk]), tier_form(silver, rows))
    assert response.status_code == 200
    assert set(silver.requirements.values_list("metric", flat=True)) == {"deals.won_revenue", "deals.approved"}


def test_staff_who_only_read_tiers_see_the_requirements_read_only(client, world, mfa, silver):
    mfa(world["executive"])
    client.force_login(world["executive"])
    page = client.get(reverse("admin:partners_tier_change", args=[silver.pk])).content.decode()
    assert "deals.approved" in page
    assert 'name="requirements-0-threshold"' not in page


# --- the partner home -----------------------------------------------------------------------------


def _home_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_home_reads_the_requirements_in_constant_queries(client, world, silver):
    approved_deals(world["partner_a"], 3)
    few, page = _home_queries(client, world["partner_a_sales"])
    assert "3 approved deal registrations <span" in page and "(you: 3)" in page
    assert "Won revenue over the last 12 months: USD 3,000 <span" in page and "(you: USD 3,000)" in page
    # More partners with deals, more tiers and requirements of the same metrics.
    for index in range(5):
        approved_deals(PartnerFactory(program=silver.program, tier=silver), 4)
    for rank in range(3, 8):
        TierFactory(program=silver.program, rank=rank, requirements={"deals.approved": rank, "deals.won": rank})
    TierRequirement.objects.create(tier=silver, metric="partners.certified_people", threshold=2)  # not measured
    many, page = _home_queries(client, world["partner_a_sales"])
    assert re.search(r"2 certified people\s*</", page)  # not measured: no "(you: …)" after it
    assert many == few


# --- the migration --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_tier_columns_into_requirement_rows():
    executor = MigrationExecutor(connection)
    before, after = [("partners", "0002_recruitment_onboarding")], [("partners", "0003_tier_requirements")]
    try:
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        calendar = apps.get_model("sla", "BusinessCalendar").objects.create(name="Calendar")
        program = apps.get_model("partners", "Program").objects.create(name="P", slug="p", calendar=calendar)
        Tier = apps.get_model("partners", "Tier")
        entry = Tier.objects.create(program=program, name="Entry", rank=1)
        gold = Tier.objects.create(
            program=program,
            name="Gold",
            rank=2,
            min_revenue_12m=Decimal("500000.50"),
            min_certified_people=5,
            min_approved_deals=15,
        )
        executor.loader.build_graph()
        executor.migrate(after)
        apps = executor.loader.project_state(after).apps
        rows = apps.get_model("partners", "TierRequirement").objects.order_by("pk")
        assert [(row.tier_id, row.metric, row.threshold) for row in rows] == [
            (entry.pk, "deals.won_revenue", Decimal("0.00")),
            (entry.pk, "partners.certified_people", Decimal("0.00")),
            (entry.pk, "deals.approved", Decimal("0.00")),
            (gold.pk, "deals.won_revenue", Decimal("500000.50")),
            (gold.pk, "partners.certified_people", Decimal("5.00")),
            (gold.pk, "deals.approved", Decimal("15.00")),
        ]
        # And back: the columns again, from the rows.
        executor.loader.build_graph()
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        gold = apps.get_model("partners", "Tier").objects.get(pk=gold.pk)
        assert (gold.min_revenue_12m, gold.min_certified_people, gold.min_approved_deals) == (
            Decimal("500000.50"),
            5,
            15,
        )
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_tiers_take_what_they_took(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing doubles
    taken = {
        tier.rank: dict(tier.requirements.values_list("metric", "threshold"))
        for tier in Tier.objects.filter(program__slug="partner-program")
    }
    assert taken == {
        1: {},
        2: {"deals.won_revenue": 100_000, "partners.certified_people": 2, "deals.approved": 5},
        3: {"deals.won_revenue": 500_000, "partners.certified_people": 5, "deals.approved": 15},
        4: {"deals.won_revenue": 2_000_000, "partners.certified_people": 10, "deals.approved": 40},
    }
