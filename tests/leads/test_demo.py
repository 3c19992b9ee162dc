import io

import pytest
from django.core.management import call_command

from leads.models import Lead, LeadAssignment, LeadStatus


@pytest.mark.django_db
def test_seed_demo_creates_leads_in_every_stage_once():
    call_command("seed_demo", stdout=io.StringIO())
    statuses = sorted(Lead.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.OFFERED, LeadStatus.POOL]
    )
    assignments = LeadAssignment.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Lead.objects.count() == 5 and LeadAssignment.objects.count() == assignments
    solaris = Lead.objects.filter(partner__name="Solaris Integração Ltda")
    assert solaris.count() == 3 and not Lead.objects.filter(status=LeadStatus.POOL, partner__isnull=False).exists()
