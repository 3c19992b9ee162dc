"""The partners' activity and the inactivity alerts: each kind of activity, the threshold at its exact
boundary, one alert per episode to the right people, two workers at once, the incremental read, and
the programs' setting."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from analytics.models import PartnerActivity, ProgramAnalyticsSettings
from analytics.services import activity as activity_service
from analytics.services import activity_check, analytics_settings_update, analytics_settings_validate
from deals.models import Deal
from leads.models import Lead, LeadStatus
from partners.models import Partner
from partners.roles import StaffRole
from prm.accounts.models import User
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from tests import factories
from tests.helpers.admin import (
    admin_url,
    login,  # noqa: F401  (fixture)
)
from tests.helpers.concurrency import run_together
from tests.leads.conftest import LEAD_DEFAULTS

KIND = "analytics.partner_inactive"
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


def joined(partner, moment):
    Partner.objects.filter(pk=partner.pk).update(created_at=moment)


def signed_in(user, moment):
    User.objects.filter(pk=user.pk).update(last_login=moment)


def registered(history, partner, moment):
    deal = history.deal(partner, submitted=moment.date())
    Deal.objects.filter(pk=deal.pk).update(created_at=moment)
    return deal


def lead_accepted(partner, moment):
    lead = Lead.objects.create(partner=partner, status=LeadStatus.ACCEPTED, **LEAD_DEFAULTS)
    Lead.objects.filter(pk=lead.pk).update(accepted_at=moment, updated_at=moment)
    return lead


def alerts(user=None):
    found = Notification.objects.filter(kind=KIND)
    return found.filter(recipient=user) if user is not None else found


@pytest.fixture
def quiet(world):
    """Partners A and B joined long ago (100 days before NOW); nothing else happened."""
    for partner in (world["partner_a"], world["partner_b"]):
        joined(partner, NOW - 100 * DAY)
    assert ProgramAnalyticsSettings.objects.get(program=world["partner_a"].program).inactivity_days == 30
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("newest", ["partners.login", "deals.registration", "leads.action"])
def test_each_kind_of_activity_counts_and_the_newest_wins(quiet, history, newest):
    a = quiet["partner_a"]
    moments = {"partners.login": NOW - 9 * DAY, "deals.registration": NOW - 8 * DAY, "leads.action": NOW - 7 * DAY}
    moments[newest] = NOW - 2 * DAY
    signed_in(quiet["partner_a_sales"], moments["partners.login"])
    registered(history, a, moments["deals.registration"])
    lead_accepted(a, moments["leads.action"])
    activity_check(now=NOW)
    row = PartnerActivity.objects.get(partner=a)
    assert (row.last_activity_at, row.last_activity_kind) == (NOW - 2 * DAY, newest)
    assert row.inactive_since is None and row.checked_at == NOW


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        lambda world, history, moment: signed_in(world["partner_a_admin"], moment),
        lambda world, history, moment: registered(history, world["partner_a"], moment),
        lambda world, history, moment: lead_accepted(world["partner_a"], moment),
    ],
    ids=["sign-in", "deal", "lead"],
)
def test_each_kind_alone_keeps_the_partner_active(quiet, history, make):
    make(quiet, history, NOW - 3 * DAY)
    result = activity_check(now=NOW)
    a_row = PartnerActivity.objects.get(partner=quiet["partner_a"])
    assert a_row.last_activity_at == NOW - 3 * DAY and a_row.inactive_since is None
    # Partner B never did anything: inactive since 30 days after it joined.
    b_row = PartnerActivity.objects.get(partner=quiet["partner_b"])
    assert b_row.last_activity_at is None and b_row.last_activity_kind == ""
    assert b_row.inactive_since == NOW - 70 * DAY
    assert (result.checked, result.became_inactive, result.alerts) == (2, 1, 1)


@pytest.mark.django_db
def test_a_lead_closed_by_the_partner_counts_but_a_deactivated_users_sign_in_does_not(quiet):
    a = quiet["partner_a"]
    lead = Lead.objects.create(partner=a, status=LeadStatus.LOST, **LEAD_DEFAULTS)
    Lead.objects.filter(pk=lead.pk).update(closed_at=NOW - 4 * DAY)
    signed_in(quiet["partner_a_sales"], NOW - DAY)
    User.objects.filter(pk=quiet["partner_a_sales"].pk).update(is_active=False)
    activity_check(now=NOW)
    row = PartnerActivity.objects.get(partner=a)
    assert (row.last_activity_at, row.last_activity_kind) == (NOW - 4 * DAY, "leads.action")


@pytest.mark.django_db
@pytest.mark.parametrize("age, inactive", [(30 * DAY, True), (30 * DAY - SECOND, False)])
def test_the_threshold_at_its_exact_boundary(quiet, age, inactive):
    a = quiet["partner_a"]
    signed_in(quiet["partner_a_admin"], NOW - age)
    activity_check(now=NOW)
    row = PartnerActivity.objects.get(partner=a)
    assert (row.inactive_since is not None) is inactive
    assert alerts(quiet["cam_a"]).count() == (1 if inactive else 0)
    if inactive:
        assert row.inactive_since == NOW and row.alerted_at == NOW  # the threshold crossed at this very moment


@pytest.mark.django_db
def test_the_program_setting_is_the_threshold(quiet):
    ProgramAnalyticsSettings.objects.filter(program=quiet["partner_a"].program).update(inactivity_days=10)
    signed_in(quiet["partner_a_admin"], NOW - 10 * DAY)
    activity_check(now=NOW)
    assert PartnerActivity.objects.get(partner=quiet["partner_a"]).inactive_since == NOW
    assert alerts(quiet["cam_a"]).get().params["days"] == 10


@pytest.mark.django_db
def test_a_program_without_its_settings_row_has_the_default(quiet):
    ProgramAnalyticsSettings.objects.all().delete()
    signed_in(quiet["partner_a_admin"], NOW - 30 * DAY + SECOND)
    activity_check(now=NOW)
    assert PartnerActivity.objects.get(partner=quiet["partner_a"]).inactive_since is None
    activity_check(now=NOW + SECOND)
    assert PartnerActivity.objects.get(partner=quiet["partner_a"]).inactive_since == NOW + SECOND


@pytest.mark.django_db
@pytest.mark.parametrize("age, inactive", [(30 * DAY, True), (30 * DAY - SECOND, False)])
def test_a_partner_that_never_did_anything_counts_from_its_joining(quiet, age, inactive):
    joined(quiet["partner_a"], NOW - age)
    activity_check(now=NOW)
    row = PartnerActivity.objects.get(partner=quiet["partner_a"])
    assert row.last_activity_at is None
    assert (row.inactive_since == NOW) is inactive and (row.inactive_since is None) is not inactive


@pytest.mark.django_db
def test_one_alert_per_episode(quiet, history):
    a, cam = quiet["partner_a"], quiet["cam_a"]
    signed_in(quiet["partner_a_admin"], NOW - 40 * DAY)
    first = activity_check(now=NOW)
    (alert,) = alerts(cam)
    assert alert.params == {"partner": "Partner A", "days": 30, "last": (NOW - 40 * DAY).date().isoformat()}
    assert alert.url == reverse("staff_partner_dashboard", args=[a.pk])
    episode = PartnerActivity.objects.get(partner=a).inactive_since
    assert episode == NOW - 10 * DAY
    # The next hourly checks: the same episode, no new alert.
    second = activity_check(now=NOW + datetime.timedelta(hours=1))
    activity_check(now=NOW + datetime.timedelta(hours=2))
    assert alerts(cam).count() == 1 and alerts().count() == 2  # partner B's CAM once too
    assert (first.became_inactive, first.alerts, second.became_inactive, second.alerts) == (2, 2, 0, 0)
    assert PartnerActivity.objects.get(partner=a).inactive_since == episode
    # Activity closes the episode.
    registered(history, a, NOW + datetime.timedelta(hours=3))
    resumed = activity_check(now=NOW + datetime.timedelta(hours=4))
    row = PartnerActivity.objects.get(partner=a)
    assert resumed.resumed == 1 and row.inactive_since is None and row.alerted_at is None
    assert row.last_activity_kind == "deals.registration"
    # Inactive again 30 days after that deal: a second episode, a second alert.
    later = NOW + datetime.timedelta(hours=3) + 30 * DAY
    again = activity_check(now=later)
    assert again.alerts == 1  # A's second episode, to cam_a; B's episode goes on without a new alert
    assert alerts(cam).count() == 2
    assert len(set(alerts(cam).values_list("dedupe_key", flat=True))) == 2
    assert PartnerActivity.objects.get(partner=a).inactive_since == later


@pytest.mark.django_db
def test_activity_and_inactivity_again_between_two_checks_make_a_second_episode(quiet, history):
    a, cam = quiet["partner_a"], quiet["cam_a"]
    activity_check(now=NOW)  # inactive since joining + 30 days
    assert alerts(cam).count() == 1
    registered(history, a, NOW + DAY)
    activity_check(now=NOW + 40 * DAY)  # no check saw it active, but the deal started a new episode
    assert alerts(cam).count() == 2
    assert PartnerActivity.objects.get(partner=a).inactive_since == NOW + 31 * DAY


@pytest.mark.django_db
def test_the_alert_goes_to_the_partners_cams_else_to_the_channel_managers(quiet):
    a = quiet["partner_a"]
    second_cam = factories.staff_user(StaffRole.CAM, partners=[a])
    orphan = factories.PartnerFactory(name="Partner C")
    joined(orphan, NOW - 100 * DAY)
    other_manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    factories.staff_user(StaffRole.CHANNEL_MANAGER, is_active=False)
    activity_check(now=NOW)
    by_partner = {}
    for alert in alerts():
        by_partner.setdefault(alert.params["partner"], set()).add(alert.recipient_id)
    assert by_partner == {
        "Partner A": {quiet["cam_a"].pk, second_cam.pk},
        "Partner B": {quiet["cam_other"].pk},
        "Partner C": {quiet["channel_manager"].pk, other_manager.pk},
    }
    assert not alerts(quiet["executive"]).exists()


@pytest.mark.django_db
def test_an_inactive_partner_record_is_not_checked(quiet):
    Partner.objects.filter(pk=quiet["partner_b"].pk).update(is_active=False)
    result = activity_check(now=NOW)
    assert result.checked == 1 and not PartnerActivity.objects.filter(partner=quiet["partner_b"]).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checks_write_one_alert(world):
    for partner in (world["partner_a"], world["partner_b"]):
        joined(partner, NOW - 100 * DAY)
    results = run_together([lambda: activity_check(now=NOW), lambda: activity_check(now=NOW)])
    assert all(not isinstance(result, Exception) for result in results)
    assert sorted(result.became_inactive for result in results) == [0, 2]
    assert alerts(world["cam_a"]).count() == 1 and alerts(world["cam_other"]).count() == 1
    assert PartnerActivity.objects.count() == 2


@pytest.mark.django_db
def test_the_second_check_reads_only_the_new_activity_and_still_finds_it(quiet, history, monkeypatch):
    a = quiet["partner_a"]
    signed_in(quiet["partner_a_admin"], NOW - 40 * DAY)
    calls = []
    real = activity_service.latest_activity

    def spy(ids, since=None):
        calls.append((sorted(ids), since))
        return real(ids, since)

    monkeypatch.setattr(activity_service, "latest_activity", spy)
    activity_check(now=NOW)
    assert calls == [(sorted([a.pk, quiet["partner_b"].pk]), None)]  # the first check reads everything
    calls.clear()
    later = NOW + datetime.timedelta(hours=1)
    lead_accepted(a, NOW + datetime.timedelta(minutes=30))
    activity_check(now=later)
    # Only the activity since the previous check (less the overlap) is read…
    assert calls == [([], None), (sorted([a.pk, quiet["partner_b"].pk]), NOW - activity_service.OVERLAP)]
    # …and the new lead action is found: the episode is closed, the old sign-in is not lost on B's side.
    row = PartnerActivity.objects.get(partner=a)
    assert (row.last_activity_at, row.last_activity_kind) == (NOW + datetime.timedelta(minutes=30), "leads.action")
    assert row.inactive_since is None
    # A check that finds nothing new keeps what it knew.
    activity_check(now=later + datetime.timedelta(hours=1))
    row.refresh_from_db()
    assert row.last_activity_at == NOW + datetime.timedelta(minutes=30) and row.inactive_since is None


@pytest.mark.django_db
def test_a_partner_joining_after_the_first_check_is_read_in_full(quiet, history):
    activity_check(now=NOW)
    newcomer = factories.PartnerFactory(name="Newcomer")
    joined(newcomer, NOW - 60 * DAY)
    registered(history, newcomer, NOW - 50 * DAY)  # older than the previous check: read all the same
    activity_check(now=NOW + datetime.timedelta(hours=1))
    row = PartnerActivity.objects.get(partner=newcomer)
    assert row.last_activity_at == NOW - 50 * DAY and row.inactive_since == NOW - 20 * DAY


# --- The programs' setting ---------------------------------------------------------------------------


@pytest.mark.parametrize("days, valid", [(6, False), (7, True), (365, True), (366, False), (None, False)])
def test_the_setting_is_between_7_and_365_days(days, valid):
    if valid:
        analytics_settings_validate(inactivity_days=days)
    else:
        with pytest.raises(ServiceError) as refused:
            analytics_settings_validate(inactivity_days=days)
        assert refused.value.field == "inactivity_days"


@pytest.mark.django_db
def test_a_channel_manager_changes_the_setting_audited_a_cam_may_not(world):
    settings = ProgramAnalyticsSettings.objects.get(program=world["partner_a"].program)
    with pytest.raises(PermissionDenied):
        analytics_settings_update(actor=world["cam_a"], settings=settings, inactivity_days=45)
    with pytest.raises(PermissionDenied):
        analytics_settings_update(actor=world["partner_a_admin"], settings=settings, inactivity_days=45)
    assert ProgramAnalyticsSettings.objects.get(pk=settings.pk).inactivity_days == 30
    with pytest.raises(ServiceError):
        analytics_settings_update(actor=world["channel_manager"], settings=settings, inactivity_days=366)
    assert not AuditEvent.objects.filter(action="analytics_settings.changed").exists()
    changed = analytics_settings_update(actor=world["channel_manager"], settings=settings, inactivity_days=45)
    assert changed.inactivity_days == 45
    assert ProgramAnalyticsSettings.objects.get(pk=settings.pk).inactivity_days == 45
    (event,) = AuditEvent.objects.filter(action="analytics_settings.changed")
    assert event.actor_id == world["channel_manager"].pk and event.object_id == str(settings.pk)
    # The same value again changes nothing and records nothing.
    analytics_settings_update(actor=world["channel_manager"], settings=settings, inactivity_days=45)
    assert AuditEvent.objects.filter(action="analytics_settings.changed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("days, saved", [(6, False), (7, True), (365, True), (366, False)])
def test_the_admin_saves_the_setting_through_the_service(world, login, days, saved):  # noqa: F811
    settings = ProgramAnalyticsSettings.objects.get(program=world["partner_a"].program)
    client = login(world["channel_manager"])
    response = client.post(admin_url(settings), {"inactivity_days": days})
    assert response.status_code == (302 if saved else 200)
    assert ProgramAnalyticsSettings.objects.get(pk=settings.pk).inactivity_days == (days if saved else 30)
    assert AuditEvent.objects.filter(action="analytics_settings.changed").count() == (1 if saved else 0)
    if not saved:
        assert "Choose between 7 and 365 days." in response.content.decode()


@pytest.mark.django_db
def test_a_cam_may_not_change_the_setting_in_the_admin(world, login):  # noqa: F811
    settings = ProgramAnalyticsSettings.objects.get(program=world["partner_a"].program)
    client = login(world["cam_a"])
    response = client.post(admin_url(settings), {"inactivity_days": 45})
    assert response.status_code == 403
    assert ProgramAnalyticsSettings.objects.get(pk=settings.pk).inactivity_days == 30


@pytest.mark.django_db
def test_a_real_sign_in_after_the_previous_check_closes_the_episode(quiet, client):
    start = timezone.now()
    Partner.objects.filter(pk=quiet["partner_a"].pk).update(created_at=start - 100 * DAY)
    signed_in(quiet["partner_a_admin"], start - 40 * DAY)
    activity_check(now=start)
    assert PartnerActivity.objects.get(partner=quiet["partner_a"]).inactive_since is not None
    client.force_login(quiet["partner_a_admin"])  # the sign-in records last_login
    activity_check(now=start + datetime.timedelta(hours=1))
    row = PartnerActivity.objects.get(partner=quiet["partner_a"])
    assert row.inactive_since is None and row.last_activity_kind == "partners.login"
    assert row.last_activity_at >= start
