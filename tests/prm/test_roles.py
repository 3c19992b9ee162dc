"""The vendor staff groups: what each role is granted, collected from every app's roles.py."""

import pytest
from django.contrib.auth.models import Group

from prm.roles import StaffRole, ensure_staff_groups, staff_grants

# Every (group, app_label.codename) the staff groups held when all grants lived in partners/roles.py
# as bare codenames matched across apps; the per-app declarations must give exactly these.
EXPECTED = {
    "channel_account_manager": {
        "analytics.view_partneractivity",
        "audit.view_auditevent",
        "catalogue.view_product",
        "deals.approve_deal",
        "deals.view_deal",
        "deals.view_dealprogramsettings",
        "deals.view_houseaccount",
        "leads.assign_lead",
        "leads.view_assignmentrule",
        "leads.view_lead",
        "leads.view_leadassignment",
        "money.view_exchangerate",
        "partners.change_partner",
        "partners.view_agreementacceptance",
        "partners.view_agreementversion",
        "partners.view_membership",
        "partners.view_onboardingprogress",
        "partners.view_onboardingstep",
        "partners.view_partner",
        "partners.view_program",
        "partners.view_tier",
        "sla.view_deadline",
    },
    "channel_acquisition": {
        "partners.add_criteriaitem",
        "partners.add_icpquestion",
        "partners.add_partner",
        "partners.change_criteriaitem",
        "partners.change_icpquestion",
        "partners.change_partner",
        "partners.review_application",
        "partners.view_agreementacceptance",
        "partners.view_agreementversion",
        "partners.view_all_partners",
        "partners.view_application",
        "partners.view_applicationcheck",
        "partners.view_camterritory",
        "partners.view_criteriaitem",
        "partners.view_icpquestion",
        "partners.view_membership",
        "partners.view_onboardingprogress",
        "partners.view_onboardingstep",
        "partners.view_partner",
        "partners.view_program",
        "partners.view_tier",
    },
    "channel_manager": {
        "analytics.change_programanalyticssettings",
        "analytics.view_partneractivity",
        "analytics.view_programanalyticssettings",
        "accounts.view_user",
        "audit.view_auditevent",
        "catalogue.add_product",
        "catalogue.change_product",
        "catalogue.view_product",
        "deals.add_houseaccount",
        "deals.approve_deal",
        "deals.approve_deal_second",
        "deals.change_dealprogramsettings",
        "deals.change_houseaccount",
        "deals.delete_houseaccount",
        "deals.view_deal",
        "deals.view_dealprogramsettings",
        "deals.view_houseaccount",
        "leads.add_assignmentrule",
        "leads.add_lead",
        "leads.add_partnerlocation",
        "leads.assign_lead",
        "leads.change_assignmentrule",
        "leads.change_lead",
        "leads.change_leadprogramsettings",
        "leads.change_partnerlocation",
        "leads.delete_assignmentrule",
        "leads.view_assignmentrule",
        "leads.view_lead",
        "leads.view_leadassignment",
        "leads.view_leadprogramsettings",
        "leads.view_partnerlocation",
        "money.add_exchangerate",
        "money.change_exchangerate",
        "money.delete_exchangerate",
        "money.view_exchangerate",
        "partners.add_agreementversion",
        "partners.add_camterritory",
        "partners.add_criteriaitem",
        "partners.add_icpquestion",
        "partners.add_membership",
        "partners.add_onboardingstep",
        "partners.add_partner",
        "partners.add_specialty",
        "partners.add_tier",
        "partners.change_agreementversion",
        "partners.change_camterritory",
        "partners.change_criteriaitem",
        "partners.change_icpquestion",
        "partners.change_membership",
        "partners.change_onboardingstep",
        "partners.change_partner",
        "partners.change_program",
        "partners.change_programpage",
        "partners.change_specialty",
        "partners.change_tier",
        "partners.delete_agreementversion",
        "partners.delete_camterritory",
        "partners.delete_membership",
        "partners.review_application",
        "partners.set_tier",
        "partners.view_agreementacceptance",
        "partners.view_agreementversion",
        "partners.view_all_partners",
        "partners.view_application",
        "partners.view_applicationcheck",
        "partners.view_camterritory",
        "partners.view_criteriaitem",
        "partners.view_icpquestion",
        "partners.view_membership",
        "partners.view_onboardingprogress",
        "partners.view_onboardingstep",
        "partners.view_partner",
        "partners.view_program",
        "partners.view_programpage",
        "partners.view_specialty",
        "partners.view_tier",
        "sla.add_holiday",
        "sla.change_businesscalendar",
        "sla.change_holiday",
        "sla.delete_holiday",
        "sla.view_businesscalendar",
        "sla.view_deadline",
        "sla.view_holiday",
    },
    "channel_marketing": {
        "leads.add_lead",
        "leads.view_assignmentrule",
        "leads.view_lead",
        "leads.view_leadassignment",
        "partners.change_programpage",
        "partners.view_all_partners",
        "partners.view_membership",
        "partners.view_partner",
        "partners.view_program",
        "partners.view_programpage",
        "partners.view_specialty",
        "partners.view_tier",
    },
    "channel_training": {
        "partners.view_all_partners",
        "partners.view_membership",
        "partners.view_partner",
        "partners.view_program",
        "partners.view_tier",
    },
    "executive": {
        "analytics.view_partneractivity",
        "audit.view_auditevent",
        "catalogue.view_product",
        "deals.view_deal",
        "deals.view_dealprogramsettings",
        "deals.view_houseaccount",
        "leads.view_assignmentrule",
        "leads.view_lead",
        "leads.view_leadassignment",
        "money.view_exchangerate",
        "partners.view_agreementacceptance",
        "partners.view_agreementversion",
        "partners.view_all_partners",
        "partners.view_membership",
        "partners.view_onboardingprogress",
        "partners.view_onboardingstep",
        "partners.view_partner",
        "partners.view_program",
        "partners.view_tier",
        "sla.view_deadline",
    },
}


def _held() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.prefetch_related("permissions")
    }


@pytest.mark.django_db
def test_the_staff_groups_hold_what_they_held_before_the_grants_moved_to_their_apps():
    ensure_staff_groups()
    held = _held()
    assert set(held) == set(StaffRole.LABELS)
    assert {role: names for role, names in held.items() if names} == EXPECTED


@pytest.mark.django_db
def test_the_migration_leaves_the_groups_with_every_app_s_grants():
    """The test database was made by migrate: the groups were set once every app's permissions existed."""
    assert {role: names for role, names in _held().items() if names} == EXPECTED


def test_every_grant_is_app_qualified_and_declared_by_the_app_that_owns_it():
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        for names in getattr(module, "STAFF_GRANTS", {}).values():
            for name in names:
                assert name.split(".")[0] == config.label, (config.name, name)
    assert set(staff_grants()) == set(StaffRole.LABELS)


@pytest.mark.django_db
def test_a_grant_of_a_permission_that_does_not_exist_is_an_error(monkeypatch):
    import prm.roles

    grants = staff_grants()
    grants[StaffRole.TRAINING].add("partners.teach_partner")
    monkeypatch.setattr(prm.roles, "staff_grants", lambda: grants)
    with pytest.raises(LookupError, match="partners.teach_partner"):
        ensure_staff_groups()
