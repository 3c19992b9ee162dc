"""The checklist on the partner home, the content pages, the CAM's views and the admin."""

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.admin.onboarding import OnboardingStateFilter
from partners.models import AgreementVersion, OnboardingProgress, OnboardingStep, Partner, StepKind
from prm.audit.models import AuditEvent
from prm.notifications.models import Notification
from tests.factories import AgreementVersionFactory, OnboardingStepFactory, PartnerFactory, partner_user

KINDS = [StepKind.PROFILE, StepKind.AGREEMENT, StepKind.INVITE, StepKind.CONTENT, StepKind.MANUAL]


@pytest.fixture
def steps(world):
    program = world["partner_a"].program
    return {
        kind: OnboardingStepFactory(
            program=program,
            order=order,
            kind=kind,
            title_en=f"Step {order}: {kind}",
            title_fr=f"Étape {order}",
            body_en="Register every opportunity first." if kind == StepKind.CONTENT else "",
            body_fr="Enregistrez chaque opportunité." if kind == StepKind.CONTENT else "",
        )
        for order, kind in enumerate(KINDS, start=1)
    }


@pytest.fixture
def as_user(client, world, mfa):
    def sign_in(role):
        if world[role].is_staff:
            mfa(world[role])
        client.force_login(world[role])
        return client

    return sign_in


def done(partner, *kinds):
    for kind in kinds:
        step = OnboardingStep.objects.get(program=partner.program, kind=kind)
        OnboardingProgress.objects.create(partner=partner, step=step)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Partner home ----------------------------------------------------------------------------


def test_the_partner_home_shows_the_steps_in_order_with_progress(as_user, world, steps):
    done(world["partner_a"], StepKind.PROFILE, StepKind.MANUAL)
    html = as_user("partner_a_sales").get(reverse("home")).content.decode()
    assert "Your onboarding checklist" in html
    assert "2 of 5 done" in html
    positions = [html.index(f"Step {order}: {kind}") for order, kind in enumerate(KINDS, start=1)]
    assert positions == sorted(positions)
    assert reverse("onboarding_content", args=[steps[StepKind.CONTENT].pk]) in html
    assert html.count("Done:") == 2 and html.count("To do:") == 3
    assert "Onboarding complete" not in html
    assert (
        "Confirm this step" not in html
        and "<button" not in html.split("Your onboarding checklist")[1].split("</section>")[0]
    )


def test_the_partner_home_shows_the_completed_state(as_user, world, steps):
    done(world["partner_a"], *KINDS)
    html = as_user("partner_a_admin").get(reverse("home")).content.decode()
    assert "Onboarding complete" in html
    assert "finished on" in html
    assert "To do:" not in html


def test_the_partner_home_shows_step_titles_in_the_users_language(as_user, world, steps):
    type(world["partner_a_admin"]).objects.filter(pk=world["partner_a_admin"].pk).update(language="fr")
    html = as_user("partner_a_admin").get(reverse("home")).content.decode()
    assert "Étape 1" in html


def test_a_program_without_steps_says_so(as_user):
    html = as_user("partner_a_admin").get(reverse("home")).content.decode()
    assert "Your program has no onboarding checklist." in html


def test_the_partner_home_query_budget_does_not_grow_with_steps(as_user, world):
    client = as_user("partner_a_admin")
    program, partner = world["partner_a"].program, world["partner_a"]

    def add(count):
        for _ in range(count):
            step = OnboardingStepFactory(program=program, kind=StepKind.CONTENT, body_en="x")
            OnboardingProgress.objects.create(partner=partner, step=step)
            OnboardingStepFactory(program=program, kind=StepKind.MANUAL)

    add(2)
    client.get(reverse("home"))
    small = count_queries(client, reverse("home"))
    add(18)
    assert count_queries(client, reverse("home")) == small


# --- Content page ----------------------------------------------------------------------------


def test_opening_a_content_step_shows_it_and_completes_it(as_user, world, steps):
    step = steps[StepKind.CONTENT]
    client = as_user("partner_a_sales")
    response = client.get(reverse("onboarding_content", args=[step.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Register every opportunity first." in html
    assert "Step done" in html
    assert "<button" not in html.split('id="main"')[1].split("</main>")[0]
    assert OnboardingProgress.objects.filter(partner=world["partner_a"], step=step).exists()
    again = client.get(reverse("onboarding_content", args=[step.pk])).content.decode()
    assert "Step done" not in again
    assert "1 of 5 done" in client.get(reverse("home")).content.decode()


def test_content_is_shown_in_the_users_language(as_user, world, steps):
    type(world["partner_a_sales"]).objects.filter(pk=world["partner_a_sales"].pk).update(language="fr")
    html = as_user("partner_a_sales").get(reverse("onboarding_content", args=[steps[StepKind.CONTENT].pk]))
    assert "Enregistrez chaque opportunité." in html.content.decode()


@pytest.mark.parametrize("kind", [StepKind.PROFILE, StepKind.MANUAL])
def test_only_content_steps_have_a_page(as_user, steps, kind):
    assert as_user("partner_a_admin").get(reverse("onboarding_content", args=[steps[kind].pk])).status_code == 404


def test_a_content_step_of_another_program_is_missing(as_user):
    from tests.factories import ProgramFactory

    other = OnboardingStepFactory(program=ProgramFactory(slug="other"), kind=StepKind.CONTENT, body_en="Secret")
    assert as_user("partner_a_admin").get(reverse("onboarding_content", args=[other.pk])).status_code == 404
    assert not OnboardingProgress.objects.exists()


def test_staff_have_no_content_page(as_user, steps):
    response = as_user("cam_a").get(reverse("onboarding_content", args=[steps[StepKind.CONTENT].pk]))
    assert response.status_code == 403
    assert not OnboardingProgress.objects.exists()


# --- Staff -----------------------------------------------------------------------------------


def test_the_staff_home_shows_each_partners_onboarding_state(as_user, world, steps):
    done(world["partner_a"], StepKind.PROFILE, StepKind.AGREEMENT, StepKind.INVITE)
    done(world["partner_b"], *KINDS)
    html = as_user("channel_manager").get(reverse("home")).content.decode()
    assert "Onboarding" in html
    row_a = html.split("Partner A")[1].split("</tr>")[0]
    row_b = html.split("Partner B")[1].split("</tr>")[0]
    assert "3/5" in row_a
    assert "complete" in row_b


@pytest.mark.parametrize("role", ["channel_manager", "cam_a"])
def test_the_staff_home_query_budget_does_not_grow_with_partners(as_user, world, steps, role):
    client = as_user(role)
    program = world["partner_a"].program

    def add(count, offset):
        for index in range(offset, offset + count):
            partner = PartnerFactory(program=program, name=f"Extra {index:02d}")
            partner_user(partner, "admin")
            done(partner, StepKind.PROFILE)
            if role == "cam_a":
                from guardian.shortcuts import assign_perm

                assign_perm("partners.manage_partner", world["cam_a"], partner)

    add(2, 0)
    client.get(reverse("home"))
    small = count_queries(client, reverse("home"))
    add(18, 2)
    assert count_queries(client, reverse("home")) == small
    assert "1/5" in client.get(reverse("home")).content.decode()


def test_the_staff_partner_page_shows_the_steps_and_lets_the_cam_tick_manual_ones(as_user, world, steps):
    partner = world["partner_a"]
    done(partner, StepKind.PROFILE)
    client = as_user("cam_a")
    url = reverse("staff_partner_detail", args=[partner.pk])
    html = client.get(url).content.decode()
    assert "1 of 5 done" in html
    tick = reverse("staff_onboarding_tick", args=[partner.pk, steps[StepKind.MANUAL].pk])
    assert tick in html
    assert html.count("Confirm this step") == 1

    response = client.post(tick)
    assert response.status_code == 302 and response["Location"] == url
    assert OnboardingProgress.objects.filter(partner=partner, step=steps[StepKind.MANUAL]).exists()
    html = client.get(url).content.decode()
    assert "Step confirmed" in html
    assert "Confirm this step" not in html
    assert "2 of 5 done" in html


def test_the_executive_sees_the_steps_but_cannot_tick(as_user, world, steps):
    partner = world["partner_a"]
    client = as_user("executive")
    url = reverse("staff_partner_detail", args=[partner.pk])
    html = client.get(url).content.decode()
    assert "Confirm this step" not in html
    assert "to be confirmed by the partner" in html
    response = client.post(reverse("staff_onboarding_tick", args=[partner.pk, steps[StepKind.MANUAL].pk]))
    assert response.status_code == 302
    assert "Only the partner" in client.get(url).content.decode()
    assert not OnboardingProgress.objects.exists()


def test_ticking_an_automatic_step_through_the_page_is_refused(as_user, world, steps):
    partner = world["partner_a"]
    client = as_user("cam_a")
    client.post(reverse("staff_onboarding_tick", args=[partner.pk, steps[StepKind.PROFILE].pk]))
    assert "completes itself" in client.get(reverse("staff_partner_detail", args=[partner.pk])).content.decode()
    assert not OnboardingProgress.objects.exists()


def test_ticking_for_a_partner_out_of_scope_is_missing(as_user, world, steps):
    response = as_user("cam_other").post(
        reverse("staff_onboarding_tick", args=[world["partner_a"].pk, steps[StepKind.MANUAL].pk])
    )
    assert response.status_code == 404
    assert not OnboardingProgress.objects.exists()


def test_ticking_needs_a_post(as_user, world, steps):
    response = as_user("cam_a").get(
        reverse("staff_onboarding_tick", args=[world["partner_a"].pk, steps[StepKind.MANUAL].pk])
    )
    assert response.status_code == 405


# --- Admin -----------------------------------------------------------------------------------


def test_the_admin_publish_action_goes_through_the_service(as_user, world):
    program = world["partner_a"].program
    version = AgreementVersionFactory(program=program, version=1, published_at=None)
    client = as_user("channel_manager")
    response = client.post(
        reverse("admin:partners_agreementversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.published_at is not None
    assert AuditEvent.objects.filter(action="agreement.published", actor=world["channel_manager"]).exists()
    assert Notification.objects.filter(kind="agreement.published").count() == 2
    again = client.post(
        reverse("admin:partners_agreementversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    assert "already published" in again.content.decode()


def test_a_published_version_is_read_only_in_the_admin(as_user, world):
    version = AgreementVersionFactory(program=world["partner_a"].program, version=1)
    client = as_user("channel_manager")
    url = reverse("admin:partners_agreementversion_change", args=[version.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"program": version.program_id, "version": 1, "text_en": "Changed"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.text_en != "Changed"
    assert client.get(reverse("admin:partners_agreementversion_delete", args=[version.pk])).status_code == 403


def test_a_draft_is_written_in_the_admin_with_an_audit_event(as_user, world):
    client = as_user("channel_manager")
    response = client.post(
        reverse("admin:partners_agreementversion_add"),
        {"program": world["partner_a"].program_id, "version": 4, "text_en": "Terms", "text_pt_br": "", "text_fr": ""},
    )
    assert response.status_code == 302
    version = AgreementVersion.objects.get(version=4)
    assert version.published_at is None
    assert AuditEvent.objects.filter(action="agreement.created", object_id=str(version.pk)).exists()


def test_a_content_step_needs_its_content(as_user, world):
    client = as_user("channel_manager")
    data = {
        "program": world["partner_a"].program_id,
        "order": 1,
        "kind": StepKind.CONTENT,
        "title_en": "Read",
        "body_en": "",
        "colleagues_required": 1,
        "is_active": "on",
    }
    response = client.post(reverse("admin:partners_onboardingstep_add"), data)
    assert response.status_code == 200
    assert "needs its content" in response.content.decode()
    response = client.post(reverse("admin:partners_onboardingstep_add"), {**data, "body_en": "The rules."})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="onboarding_step.created").exists()


def test_progress_in_the_admin_is_scoped_to_the_cams_partners(as_user, world, steps):
    done(world["partner_a"], StepKind.PROFILE)
    done(world["partner_b"], StepKind.MANUAL)
    html = as_user("cam_a").get(reverse("admin:partners_onboardingprogress_changelist")).content.decode()
    assert "Partner A" in html and "Partner B" not in html


@pytest.mark.parametrize(
    "value, expected",
    [("complete", {"Partner B"}), ("in_progress", {"Partner A"}), ("not_started", {"Fresh"}), (None, None)],
)
def test_the_onboarding_state_filter(world, steps, value, expected):
    fresh = PartnerFactory(program=world["partner_a"].program, name="Fresh")
    done(world["partner_a"], StepKind.PROFILE)
    done(world["partner_b"], *KINDS)
    request = RequestFactory().get("/")
    request.user = world["channel_manager"]
    params = {"onboarding": [value]} if value else {}
    list_filter = OnboardingStateFilter(request, params, Partner, site._registry[Partner])
    queryset = Partner.objects.filter(pk__in=[world["partner_a"].pk, world["partner_b"].pk, fresh.pk])
    names = {p.name for p in list_filter.queryset(request, queryset)}
    assert names == (expected or {"Partner A", "Partner B", "Fresh"})
    assert [label for _value, label in list_filter.lookups(request, None)] == ["Complete", "In progress", "Not started"]
