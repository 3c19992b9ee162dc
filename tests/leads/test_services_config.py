import pytest
from django.core.exceptions import PermissionDenied

from leads.models import AssignmentRule, LeadProgramSettings, PartnerLocation
from leads.services import config as services_config
from prm.audit.models import AuditEvent
from prm.errors import ServiceError


def test_only_the_channel_manager_configures_and_every_change_is_audited(world):
    rule = AssignmentRule(name="Brazil", order=1)
    with pytest.raises(PermissionDenied):
        services_config.assignment_rule_save(actor=world["cam_a"], rule=rule)
    assert not AssignmentRule.objects.exists()
    services_config.assignment_rule_save(actor=world["channel_manager"], rule=rule, changed=["name"])
    assert AuditEvent.objects.filter(action="lead_rule.created", object_id=str(rule.pk)).exists()
    services_config.assignment_rule_delete(actor=world["channel_manager"], rule=rule)
    assert not AssignmentRule.objects.exists()
    assert AuditEvent.objects.filter(action="lead_rule.deleted").exists()


def test_settings_and_locations_out_of_range_change_nothing(world):
    settings, _ = LeadProgramSettings.objects.get_or_create(program=world["partner_a"].program)
    settings.acceptance_days = 0
    with pytest.raises(ServiceError) as error:
        services_config.lead_settings_save(actor=world["channel_manager"], settings=settings, changes={})
    assert error.value.field == "acceptance_days"
    settings.refresh_from_db()
    assert settings.acceptance_days == 2
    location = PartnerLocation(partner=world["partner_a"], latitude=95, longitude=10, region="SP")
    with pytest.raises(ServiceError):
        services_config.partner_location_save(actor=world["channel_manager"], location=location)
    assert not PartnerLocation.objects.exists()
