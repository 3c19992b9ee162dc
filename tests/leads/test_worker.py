"""A lapsed offer is reassigned by a real Celery worker running the SLA sweep (issue 5, §9)."""

import datetime
import os

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.models import ACCEPTANCE_KIND, AssignmentOutcome, Lead, LeadAssignment, LeadStatus
from partners.models import PartnerRole
from prm.celery import NOTIFICATIONS, SWEEPS
from prm.embedded import EmbeddedRedis
from prm.notifications.models import EmailStatus, Notification
from prm.sla.models import Deadline, DeadlineState
from tests import factories
from tests.leads.conftest import sales_user
from tests.prm.sla.test_worker_kill import SWEEP, Worker, broker_client, database_url, wait_for

LONG_AGO = datetime.timedelta(days=30)


def clocks(lead):
    return Deadline.objects.for_object(lead, ACCEPTANCE_KIND).order_by("created_at", "id")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_sweep_reassigns_a_lapsed_offer_to_the_next_partner(make_partner, make_rule, make_lead, tmp_path):
    partners = [make_partner(name) for name in ("First", "Second", "Third")]
    first_admin = factories.partner_user(partners[0], PartnerRole.ADMIN)
    make_rule(strategy="round_robin")
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead())
    assert (lead.status, lead.partner_id) == (LeadStatus.OFFERED, partners[0].pk)
    (offer,) = clocks(lead)
    assert (offer.state, offer.partner_id) == (DeadlineState.OPEN, partners[0].pk)

    # As if the offer was made a month ago: the sweeper claims OPEN rows with next_fire_at <= now,
    # and fires the reminders left, then the breach (due_at is past).
    moved = Deadline.objects.filter(pk=offer.pk).update(
        started_at=F("started_at") - LONG_AGO,
        resumed_at=F("resumed_at") - LONG_AGO,
        due_at=F("due_at") - LONG_AGO,
        next_fire_at=F("next_fire_at") - LONG_AGO,
    )
    assert moved == 1
    started = timezone.now()

    redis = EmbeddedRedis(tmp_path / "redis")
    redis_url = redis.start()
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "DEBUG": "true"}
    env["DJANGO_SETTINGS_MODULE"] = "prm.settings"
    client = broker_client("leads-test", redis_url)
    worker = None
    try:
        worker = Worker("leads", env, tmp_path / "worker.log", queues=(SWEEPS, NOTIFICATIONS))
        client.send_task(SWEEP)

        def offered_to_the_second():
            return Lead.objects.filter(pk=lead.pk, partner=partners[1]).exists()

        wait_for(
            offered_to_the_second, seconds=30, what="the lead to be offered to the second partner", workers=[worker]
        )

        def emailed():  # the offer's notifications, queued after the sweep's commit, delivered by the worker
            rows = Notification.objects.filter(kind__in=["lead.offered", "lead.recalled"], created_at__gte=started)
            return rows.exists() and not rows.exclude(email_status=EmailStatus.SENT).exists()

        wait_for(emailed, seconds=30, what="the recall and the new offer to be emailed", workers=[worker])
    finally:
        if worker is not None:
            worker.stop()
        client.close()
        redis.stop()

    lead.refresh_from_db()
    assert (lead.status, lead.partner_id, lead.reassignments) == (LeadStatus.OFFERED, partners[1].pk, 1)

    lapsed = LeadAssignment.objects.get(lead=lead, partner=partners[0])
    assert lapsed.outcome == AssignmentOutcome.LAPSED and lapsed.ended_at >= started
    current = LeadAssignment.objects.get(lead=lead, ended_at__isnull=True)
    assert current.partner_id == partners[1].pk and current.assigned_at >= started

    breached, reoffer = clocks(lead)
    assert (breached.pk, breached.state) == (offer.pk, DeadlineState.BREACHED)
    assert (reoffer.state, reoffer.partner_id) == (DeadlineState.OPEN, partners[1].pk)
    assert reoffer.started_at >= started and reoffer.due_at > timezone.now()
    assert reoffer.reminders_sent == 0 and reoffer.next_fire_at > timezone.now()

    recalled = Notification.objects.filter(kind="lead.recalled", params__company=lead.company)
    assert {n.recipient for n in recalled} == {sales_user(partners[0]), first_admin}
    offered = Notification.objects.filter(kind="lead.offered", recipient=sales_user(partners[1]))
    assert offered.count() == 1 and offered.get().url == reverse("lead_detail", args=[lead.pk])
    assert not Notification.objects.filter(recipient__membership__partner=partners[2]).exists()
