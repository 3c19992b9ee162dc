"""Concurrency on real PostgreSQL: one lead never ends with two owners."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from leads import services
from leads.models import AssignmentOutcome, Lead, LeadAssignment, LeadStatus
from prm.sla.models import Deadline
from prm.sla.services import deadlines_sweep
from tests.helpers.concurrency import run_together
from tests.leads.conftest import sales_user


def assert_one_owner_each():
    for lead in Lead.objects.all():
        current = list(LeadAssignment.objects.filter(lead=lead, ended_at__isnull=True))
        if lead.status == LeadStatus.POOL:
            assert current == []
        elif lead.status in (LeadStatus.CONVERTED, LeadStatus.LOST):
            assert current == []
        else:
            assert [a.partner_id for a in current] == [lead.partner_id]


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_never_give_a_lead_twice(make_partner, make_rule, lead_settings):
    lead_settings.max_open_leads = None
    lead_settings.save()
    for n in range(4):
        make_partner(f"P{n}", sales=False)
    make_rule(strategy="round_robin")
    Lead.objects.bulk_create(
        [Lead(status=LeadStatus.POOL, company=f"C{n}", email=f"c{n}@x.com", country="BR") for n in range(200)]
    )
    ids = list(Lead.objects.values_list("pk", flat=True))
    results = run_together([lambda: services.leads_assign_batch(lead_ids=ids) for _ in range(3)])
    assert sum(r.assigned for r in results) == 200
    assert LeadAssignment.objects.count() == 200
    assert Lead.objects.filter(status=LeadStatus.OFFERED).count() == 200
    assert Deadline.objects.filter(kind="lead.acceptance", state="open").count() == 200
    assert_one_owner_each()


@pytest.mark.django_db(transaction=True)
def test_assignment_runs_and_a_sweep_at_once(make_partner, make_rule, make_lead, lead_settings):
    lead_settings.max_open_leads = None
    lead_settings.save()
    for n in range(3):
        make_partner(f"P{n}")
    make_rule(strategy="round_robin")
    offered = [services.lead_assign_by_rules(actor=None, lead=make_lead(company=f"Old {n}")) for n in range(5)]
    # The five offers were made ten days ago: their clocks are over.
    ago = datetime.timedelta(days=10)
    Deadline.objects.filter(kind="lead.acceptance").update(
        started_at=F("started_at") - ago,
        resumed_at=F("resumed_at") - ago,
        due_at=F("due_at") - ago,
        next_fire_at=F("next_fire_at") - ago,
    )
    now = timezone.now()
    for n in range(20):
        make_lead(company=f"New {n}")
    pool = list(Lead.objects.filter(status=LeadStatus.POOL).values_list("pk", flat=True))
    run_together(
        [
            lambda: deadlines_sweep(now=now),
            lambda: services.leads_assign_batch(lead_ids=pool),
            lambda: services.leads_assign_batch(lead_ids=pool),
        ]
    )
    # Whatever the sweeper could not take this time it takes at the next sweep.
    deadlines_sweep(now=now + datetime.timedelta(minutes=1))
    assert_one_owner_each()
    assert LeadAssignment.objects.filter(outcome=AssignmentOutcome.LAPSED).count() == 5
    for lead in offered:
        lead.refresh_from_db()
        assert lead.status == LeadStatus.OFFERED and lead.reassignments == 1
    assert not Lead.objects.filter(status=LeadStatus.POOL).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_acceptance_against_the_lapse_ends_with_one_owner(make_partner, make_rule, make_lead, rounds):
    partners = [make_partner(f"P{n}") for n in range(3)]
    make_rule(strategy="round_robin")
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead())
    due = Deadline.objects.get(kind="lead.acceptance").due_at
    results = run_together(
        [
            lambda: services.lead_accept(actor=sales_user(partners[0]), lead=lead),
            lambda: deadlines_sweep(now=due + datetime.timedelta(minutes=1)),
        ]
    )
    deadlines_sweep(now=due + datetime.timedelta(minutes=2))  # a handler that lost the row lock retries
    lead.refresh_from_db()
    assert_one_owner_each()
    if isinstance(results[0], Lead):
        assert (lead.status, lead.partner_id) == (LeadStatus.ACCEPTED, partners[0].pk)
    else:
        assert (lead.status, lead.partner_id) == (LeadStatus.OFFERED, partners[1].pk)


@pytest.mark.django_db(transaction=True)
def test_acceptance_against_a_staff_reassignment_ends_with_one_owner(make_partner, make_rule, make_lead, manager):
    partners = [make_partner(f"P{n}") for n in range(3)]
    make_rule(strategy="round_robin")
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead())
    results = run_together(
        [
            lambda: services.lead_accept(actor=sales_user(partners[0]), lead=lead),
            lambda: services.lead_assign_manually(actor=manager, lead=lead, partner=partners[2]),
        ]
    )
    lead.refresh_from_db()
    assert_one_owner_each()
    assert isinstance(results[1], Lead)  # staff may take back even an accepted lead
    assert (lead.status, lead.partner_id) == (LeadStatus.OFFERED, partners[2].pk)
    assert LeadAssignment.objects.filter(lead=lead).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_current_assignment(make_partner, make_lead):
    a, b = make_partner("A"), make_partner("B")
    lead = make_lead()
    LeadAssignment.objects.create(lead=lead, partner=a, strategy="manual", assigned_at=lead.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadAssignment.objects.create(lead=lead, partner=b, strategy="manual", assigned_at=lead.created_at)
