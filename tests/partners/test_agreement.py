"""The partner agreement: publishing, accepting, and the gate that holds partners until they accept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import AgreementAcceptance, OnboardingProgress, StepKind
from partners.onboarding import (
    agreement_accept,
    agreement_publish,
    current_agreement,
    partner_needs_acceptance,
)
from prm.accounts.services import api_token_create
from prm.audit.models import AuditEvent
from prm.audit.services import current_ip
from prm.errors import ServiceError
from prm.notifications.models import Notification
from tests.factories import AgreementVersionFactory, OnboardingStepFactory, PartnerFactory, partner_user


@pytest.fixture
def program(world):
    return world["partner_a"].program


@pytest.fixture
def v1(program):
    return AgreementVersionFactory(program=program, version=1)


def draft(program, version):
    return AgreementVersionFactory(program=program, version=version, published_at=None)


# --- Selectors -------------------------------------------------------------------------------


def test_the_current_version_is_the_newest_published_one(program):
    assert current_agreement(program) is None
    v1 = AgreementVersionFactory(program=program, version=1)
    draft(program, 2)
    assert current_agreement(program) == v1
    v3 = AgreementVersionFactory(program=program, version=3)
    assert current_agreement(program) == v3


def test_a_partner_needs_acceptance_only_when_a_version_is_published_and_not_accepted(world, program):
    partner = world["partner_a"]
    assert not partner_needs_acceptance(partner)
    v1 = AgreementVersionFactory(program=program, version=1)
    assert partner_needs_acceptance(partner)
    AgreementAcceptance.objects.create(partner=partner, version=v1, user=world["partner_a_admin"])
    assert not partner_needs_acceptance(partner)
    AgreementVersionFactory(program=program, version=2)
    assert partner_needs_acceptance(partner)


# --- Publishing ------------------------------------------------------------------------------


def test_publishing_sets_the_date_audits_and_notifies_the_admins_of_active_partners(world, program):
    inactive = PartnerFactory(program=program, is_active=False)
    inactive_admin = partner_user(inactive, "admin")
    version = draft(program, 1)

    agreement_publish(actor=world["channel_manager"], version=version)

    version.refresh_from_db()
    assert version.published_at is not None
    assert current_agreement(program) == version
    event = AuditEvent.objects.get(action="agreement.published")
    assert (event.actor_id, event.to_state) == (world["channel_manager"].pk, "published")
    notified = set(Notification.objects.filter(kind="agreement.published").values_list("recipient_id", flat=True))
    assert notified == {world["partner_a_admin"].pk, world["partner_b_user"].pk}
    assert inactive_admin.pk not in notified
    assert world["partner_a_sales"].pk not in notified
    notification = Notification.objects.filter(kind="agreement.published").first()
    assert notification.url == reverse("agreement")
    assert "version 1" in notification.subject()


def test_publishing_twice_or_an_older_version_is_refused(world, program):
    v1 = AgreementVersionFactory(program=program, version=1)
    with pytest.raises(ServiceError, match="already published"):
        agreement_publish(actor=world["channel_manager"], version=v1)
    AgreementVersionFactory(program=program, version=3)
    v2 = draft(program, 2)
    with pytest.raises(ServiceError, match="Version 3 is already published"):
        agreement_publish(actor=world["channel_manager"], version=v2)
    v2.refresh_from_db()
    assert v2.published_at is None


@pytest.mark.parametrize("role", ["cam_a", "executive", "partner_a_admin"])
def test_only_staff_who_may_change_the_agreement_publish_it(world, program, role):
    version = draft(program, 1)
    with pytest.raises(ServiceError):
        agreement_publish(actor=world[role], version=version)
    version.refresh_from_db()
    assert version.published_at is None
    assert not Notification.objects.filter(kind="agreement.published").exists()


# --- Accepting -------------------------------------------------------------------------------


def test_a_partner_admin_accepts_the_current_version_with_user_time_ip(world, v1):
    token = current_ip.set("203.0.113.9")
    try:
        acceptance = agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v1)
    finally:
        current_ip.reset(token)
    assert (acceptance.partner, acceptance.version, acceptance.user) == (
        world["partner_a"],
        v1,
        world["partner_a_admin"],
    )
    assert acceptance.accepted_at is not None
    assert acceptance.ip == "203.0.113.9"
    event = AuditEvent.objects.get(action="agreement.accepted")
    assert event.partner_id == world["partner_a"].pk
    assert event.data["version"] == 1
    assert not partner_needs_acceptance(world["partner_a"])
    assert partner_needs_acceptance(world["partner_b"])


def test_accepting_again_changes_nothing(world, v1):
    first = agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v1)
    other_admin = partner_user(world["partner_a"], "admin")
    again = agreement_accept(actor=other_admin, partner=world["partner_a"], version=v1)
    assert again == first
    assert again.user == world["partner_a_admin"]
    assert AgreementAcceptance.objects.count() == 1
    assert AuditEvent.objects.filter(action="agreement.accepted").count() == 1


@pytest.mark.parametrize("role", ["partner_a_sales", "partner_b_user", "cam_a", "channel_manager"])
def test_only_an_admin_of_that_partner_can_accept(world, v1, role):
    with pytest.raises(ServiceError, match="Only a partner administrator"):
        agreement_accept(actor=world[role], partner=world["partner_a"], version=v1)
    assert not AgreementAcceptance.objects.exists()


def test_only_the_current_version_can_be_accepted(world, program, v1):
    v2 = draft(program, 2)
    with pytest.raises(ServiceError, match="not the current version"):
        agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v2)
    agreement_publish(actor=world["channel_manager"], version=v2)
    with pytest.raises(ServiceError, match="not the current version"):
        agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v1)
    agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v2)
    assert list(AgreementAcceptance.objects.values_list("version__version", flat=True)) == [2]


def test_accepting_completes_the_agreement_step(world, program, v1):
    step = OnboardingStepFactory(program=program, kind=StepKind.AGREEMENT)
    assert not OnboardingProgress.objects.exists()
    agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v1)
    progress = OnboardingProgress.objects.get()
    assert (progress.partner, progress.step, progress.completed_by) == (
        world["partner_a"],
        step,
        world["partner_a_admin"],
    )


# --- The gate --------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, world):
    def sign_in(role):
        client.force_login(world[role])
        return client

    return sign_in


def test_without_a_published_version_nobody_is_held(signed_in, program):
    draft(program, 1)
    assert signed_in("partner_a_sales").get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales"])
@pytest.mark.parametrize("url", ["/", "/profile/", "/notifications/", "/team/", "/staff/partners/1/"])
def test_a_partner_user_is_sent_to_the_agreement_page(signed_in, v1, role, url):
    response = signed_in(role).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement")


def test_posts_are_refused_too(signed_in, v1):
    response = signed_in("partner_a_admin").post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement")


def test_the_api_answers_403_with_a_message_instead_of_a_redirect(signed_in, v1):
    response = signed_in("partner_a_sales").get("/api/v1/partners/")
    assert response.status_code == 403
    assert response.json()["code"] == "agreement_required"
    assert "must accept the new partner agreement" in response.json()["detail"]


def test_an_api_token_of_a_partner_user_is_held_too(client, world, v1):
    _token, raw = api_token_create(actor=world["partner_a_sales"], name="script")
    response = client.get("/api/v1/partners/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json()["code"] == "agreement_required"
    other_partner_token = api_token_create(actor=world["partner_b_user"], name="b")[1]
    AgreementAcceptance.objects.create(partner=world["partner_b"], version=v1, user=world["partner_b_user"])
    assert client.get("/api/v1/partners/", HTTP_AUTHORIZATION=f"Bearer {other_partner_token}").status_code == 200


def test_a_background_poll_gets_a_403_instead_of_the_page(signed_in, v1):
    response = signed_in("partner_a_sales").get(reverse("notification_count"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales"])
def test_the_agreement_page_account_pages_static_and_language_stay_open(signed_in, v1, role):
    client = signed_in(role)
    assert client.get(reverse("agreement")).status_code == 200
    assert client.get(reverse("account_change_password")).status_code == 200
    assert client.get("/static/css/portal.css").status_code in (200, 404)
    response = client.post(reverse("language_set"), {"language": "fr", "next": reverse("agreement")})
    assert response["Location"] == reverse("agreement")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] != reverse("agreement")
    assert client.get(reverse("agreement")).status_code == 302  # signed out: to the login page


@pytest.mark.parametrize("role", ["cam_a", "channel_manager", "executive"])
def test_staff_are_not_held(signed_in, v1, role, staff_mfa):
    assert signed_in(role).get(reverse("home")).status_code == 200


def test_anonymous_visitors_are_not_held(client, v1):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_partner_that_accepted_is_free_and_a_new_version_holds_it_again(signed_in, world, program, v1):
    client = signed_in("partner_a_admin")
    response = client.post(reverse("agreement"), {"version": v1.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "accepted the partner agreement" in home.content.decode()
    # Partner B has not accepted: its user is still held.
    other = signed_in("partner_b_user")
    assert other.get(reverse("home")).status_code == 302

    v2 = draft(program, 2)
    agreement_publish(actor=world["channel_manager"], version=v2)
    client = signed_in("partner_a_sales")
    assert client.get(reverse("home"))["Location"] == reverse("agreement")


def test_the_page_shows_the_text_in_the_users_language_with_a_button_for_admins(signed_in, world, v1):
    type(world["partner_a_admin"]).objects.filter(pk=world["partner_a_admin"].pk).update(language="fr")
    html = signed_in("partner_a_admin").get(reverse("agreement")).content.decode()
    assert "Contrat de partenariat, version 1." in html
    assert 'name="version"' in html


def test_other_roles_see_that_their_administrator_must_accept(signed_in, v1):
    html = signed_in("partner_a_sales").get(reverse("agreement")).content.decode()
    assert "Partner agreement, version 1." in html
    assert "Your administrator must accept the new agreement." in html
    assert 'name="version"' not in html


def test_a_non_admin_partner_user_cannot_accept(signed_in, v1):
    response = signed_in("partner_a_sales").post(reverse("agreement"), {"version": v1.pk})
    assert response.status_code == 403
    assert "Only a partner administrator" in response.content.decode()
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.parametrize("version", ["", "abc", "999999"])
def test_accepting_an_unknown_version_is_refused(signed_in, v1, version):
    response = signed_in("partner_a_admin").post(reverse("agreement"), {"version": version})
    assert response.status_code == 400
    assert not AgreementAcceptance.objects.exists()


def test_the_page_says_when_there_is_nothing_to_accept(signed_in):
    html = signed_in("partner_a_admin").get(reverse("agreement")).content.decode()
    assert "There is no partner agreement to accept at the moment." in html


def test_an_accepted_version_shows_who_accepted_it(signed_in, world, v1):
    agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v1)
    html = signed_in("partner_a_sales").get(reverse("agreement")).content.decode()
    assert "Accepted by" in html
    assert 'name="version"' not in html


def test_the_gate_costs_one_query_per_request(signed_in, world, v1):
    """Membership and agreement state come in one query, which the tenancy scope reuses."""
    client = signed_in("partner_a_admin")
    agreement_accept(actor=world["partner_a_admin"], partner=world["partner_a"], version=v1)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    gate = [q["sql"] for q in captured if "partners_agreement" in q["sql"]]
    memberships = [q["sql"] for q in captured if 'FROM "partners_membership"' in q["sql"]]
    assert len(gate) == 1
    assert memberships == gate

    held = signed_in("partner_b_user")
    with CaptureQueriesContext(connection) as captured:
        assert held.get(reverse("home")).status_code == 302
    assert len([q for q in captured if "partners_agreement" in q["sql"]]) == 1


def test_staff_requests_do_not_query_the_agreement(signed_in, v1):
    client = signed_in("cam_a")
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))
    assert not [q for q in captured if "partners_agreement" in q["sql"]]
