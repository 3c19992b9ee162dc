"""The Django admin of deal registration: scope, decisions (single and bulk), the SLA badge,
the conflict comparison, and the house account and program settings admins writing through services."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import services
from deals.admin import SlaState, with_decision_clock
from deals.models import Deal, DealProgramSettings, DealStatus, HouseAccount
from deals.selectors import program_settings
from prm.audit.models import AuditEvent
from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadlines_sweep
from tests.helpers.admin import (
    admin_url,
    bulk_action,
    changelist_without_writes,
    landed_on,
    messages_of,
    post_and_follow,
)
from tests.helpers.queries import queries_before_and_after, statements

CHANGELIST = "admin:deals_deal_changelist"


def _decision(deal) -> Deadline:
    return Deadline.objects.filter(object_id=deal.pk, kind=services.DECISION_KIND).latest("started_at")


def _seen(client, deal) -> str:
    """The version the change page puts in its decision forms."""
    return client.get(admin_url(deal)).context["version"]


def _shown(response) -> set[str]:
    return {deal.customer_company for deal in response.context["cl"].result_list}


# --- Scope -------------------------------------------------------------------------------------


def test_cam_sees_only_the_deals_of_their_partners(world, make_deal, login):
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Alpha Ltda")
    theirs = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="Bravo SARL")
    client = login(world["cam_a"])
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert _shown(response) == {"Alpha Ltda"}
    assert client.get(admin_url(mine)).status_code == 200
    outside = client.get(admin_url(theirs))
    missing = client.get(reverse("admin:deals_deal_change", args=[theirs.pk + 1000]))
    assert outside.status_code == missing.status_code == 302
    assert outside["Location"] == missing["Location"] == reverse("admin:index")
    # Nor can the CAM decide on it: the decision routes answer like for a missing deal.
    response = post_and_follow(client, admin_url(theirs, "reject"), {"reason": "Not mine"})
    assert landed_on(response) == reverse("admin:index")
    theirs.refresh_from_db()
    assert theirs.status == DealStatus.SUBMITTED


def test_channel_manager_and_executive_see_all(world, make_deal, login):
    make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Alpha Ltda")
    make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="Bravo SARL")
    for role in ("channel_manager", "executive"):
        response = login(world[role]).get(reverse(CHANGELIST))
        assert _shown(response) == {"Alpha Ltda", "Bravo SARL"}, role


def test_no_add_no_edit_no_delete(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["channel_manager"])
    assert client.get(reverse("admin:deals_deal_add")).status_code == 403
    assert client.get(reverse("admin:deals_deal_delete", args=[deal.pk])).status_code == 403
    response = client.post(admin_url(deal), {"status": "approved", "customer_company": "Changed"})
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED and deal.customer_company == "Acme Soluções Ltda."
    page = client.get(admin_url(deal))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    choices = {choice[0] for choice in client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices}
    assert "delete_selected" not in choices


def test_executive_has_no_decision_actions(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["executive"])
    changelist = client.get(reverse(CHANGELIST))
    assert changelist.context["action_form"] is None or not [
        choice for choice in changelist.context["action_form"].fields["action"].choices if choice[0]
    ]
    page = client.get(admin_url(deal))
    assert page.status_code == 200 and page.context["can_decide"] is False
    assert 'id="approve-form"' not in page.content.decode()
    assert client.post(admin_url(deal, "approve")).status_code == 403
    assert bulk_action(client, "approve_selected", [deal]).status_code == 200  # unknown action: the list again
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_cam_sees_the_decision_actions(world, make_deal, login):
    make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    response = login(world["cam_a"]).get(reverse(CHANGELIST))
    choices = {choice[0] for choice in response.context["action_form"].fields["action"].choices}
    assert {"approve_selected", "reject_selected", "request_info_selected", "decide_extension_selected"} <= choices
    assert "delete_selected" not in choices


# --- Single decisions ----------------------------------------------------------------------------


def test_approve_from_the_change_page(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["cam_a"])
    page = client.get(admin_url(deal))
    body = page.content.decode()
    assert 'id="approve-form"' in body and 'id="reject-form"' in body and 'id="request-info-form"' in body
    assert client.get(admin_url(deal, "approve")).status_code == 405
    response = post_and_follow(client, admin_url(deal, "approve"), {"seen": page.context["version"]})
    assert landed_on(response) == admin_url(deal)
    assert any("is approved" in message for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED and deal.first_approver == world["cam_a"]
    assert AuditEvent.objects.filter(action="deal.approved", object_id=str(deal.pk)).count() == 1
    assert 'id="approve-form"' not in client.get(admin_url(deal)).content.decode()


def test_second_click_on_approve_changes_nothing(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["cam_a"])
    seen = _seen(client, deal)
    first = post_and_follow(client, admin_url(deal, "approve"), {"seen": seen})
    assert any("is approved" in message for message in messages_of(first))
    second = post_and_follow(client, admin_url(deal, "approve"), {"seen": seen})
    assert landed_on(second) == admin_url(deal)
    [message] = messages_of(second)
    assert "changed after you opened it" in message and "changed nothing" in message
    assert AuditEvent.objects.filter(action="deal.approved", object_id=str(deal.pk)).count() == 1


def test_two_approvers_the_second_gets_a_clear_message(world, make_deal, login, client, mfa):
    from django.test import Client

    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    manager = Client(raise_request_exception=False)
    mfa(world["channel_manager"])
    manager.force_login(world["channel_manager"])
    cam = login(world["cam_a"])
    manager_seen, cam_seen = _seen(manager, deal), _seen(cam, deal)
    post_and_follow(cam, admin_url(deal, "reject"), {"seen": cam_seen, "reason": "Direct sale"})
    response = post_and_follow(manager, admin_url(deal, "approve"), {"seen": manager_seen})
    [message] = messages_of(response)
    assert "changed after you opened it" in message and "rejected" in message
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED
    assert not AuditEvent.objects.filter(action="deal.approved", object_id=str(deal.pk)).exists()


def test_reject_requires_a_reason(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["cam_a"])
    response = post_and_follow(client, admin_url(deal, "reject"), {"seen": _seen(client, deal), "reason": "  "})
    assert landed_on(response) == admin_url(deal)
    assert any("required" in message.lower() or "reason" in message.lower() for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED
    post_and_follow(client, admin_url(deal, "reject"), {"seen": _seen(client, deal), "reason": "Existing direct deal"})
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED and deal.decision_reason == "Existing direct deal"
    assert _decision(deal).state == DeadlineState.MET


def test_bulk_reject_asks_for_the_reason_first(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["channel_manager"])
    response = bulk_action(client, "reject_selected", [deal], reason="")
    assert response.status_code == 200
    assert response.templates[0].name == "admin/confirm_action.html"
    assert response.context["form"].errors["reason"]
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_request_info_pauses_the_clock_and_shows_the_answer(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["cam_a"])
    response = post_and_follow(client, admin_url(deal, "request_info"), {"seen": _seen(client, deal), "question": ""})
    assert messages_of(response) and Deal.objects.get(pk=deal.pk).status == DealStatus.SUBMITTED
    response = post_and_follow(
        client, admin_url(deal, "request_info"), {"seen": _seen(client, deal), "question": "Who signs?"}
    )
    assert any("paused" in message for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.status == DealStatus.INFO_REQUESTED
    assert _decision(deal).state == DeadlineState.PAUSED
    listing = client.get(reverse(CHANGELIST), {"sla": "paused"})
    assert _shown(listing) == {deal.customer_company}
    page = client.get(admin_url(deal)).content.decode()
    assert "Who signs?" in page and "Not answered yet." in page
    assert 'id="approve-form"' not in page  # nothing to approve until the partner answers
    services.deal_answer_info(actor=world["partner_a_admin"], deal=deal, answer="The CFO, Maria")
    page = client.get(admin_url(deal)).content.decode()
    assert "The CFO, Maria" in page and 'id="approve-form"' in page


def test_approve_and_reject_the_conflicting_in_one_step(world, make_deal, login):
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    other = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_email="cfo@acme.com.br")
    assert other.conflict_flag
    client = login(world["channel_manager"])
    response = post_and_follow(
        client, admin_url(mine, "approve"), {"seen": _seen(client, mine), "reject_conflicting": "on"}
    )
    [message] = messages_of(response)
    assert "is approved" in message and "1 conflicting registration was rejected" in message
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == DealStatus.APPROVED
    assert other.status == DealStatus.REJECTED and other.decision_reason == "conflict"


def test_reject_and_reject_the_conflicting_in_one_step(world, make_deal, login):
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    other = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="ACME SOLUCOES S.A.")
    client = login(world["channel_manager"])
    post_and_follow(
        client,
        admin_url(mine, "reject"),
        {"seen": _seen(client, mine), "reason": "House account", "reject_conflicting": "1"},
    )
    other.refresh_from_db()
    assert other.status == DealStatus.REJECTED and other.decision_reason == "conflict"


def test_cam_cannot_reject_another_partners_conflicting_registration(world, make_deal, login):
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    other = make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_email="cfo@acme.com.br")
    client = login(world["cam_a"])
    response = post_and_follow(
        client, admin_url(mine, "approve"), {"seen": _seen(client, mine), "reject_conflicting": "on"}
    )
    [message] = messages_of(response)
    assert "a channel manager resolves this conflict" in message  # the service refuses: a message, never a 500
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == other.status == DealStatus.SUBMITTED  # one transaction: nothing changed


def test_second_approval_above_the_threshold_by_a_channel_manager(world, make_deal, login, mfa):
    from django.test import Client

    settings = program_settings(world["partner_a"].program)
    settings.second_approval_amount = Decimal("10000")
    settings.save()
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, amount="50000")
    cam = login(world["cam_a"])
    response = post_and_follow(cam, admin_url(deal, "approve"), {"seen": _seen(cam, deal)})
    assert any("second approval" in message for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED and deal.first_approver == world["cam_a"]
    # The CAM cannot give the second approval too.
    response = post_and_follow(cam, admin_url(deal, "approve"), {"seen": _seen(cam, deal)})
    assert any("another person" in message for message in messages_of(response))

    manager = Client(raise_request_exception=False)
    mfa(world["channel_manager"])
    manager.force_login(world["channel_manager"])
    pending = manager.get(reverse(CHANGELIST), {"second": "yes"})
    assert _shown(pending) == {deal.customer_company}
    page = manager.get(admin_url(deal))
    assert page.context["awaiting_second_approval"]
    assert "Give the second approval" in page.content.decode()
    response = post_and_follow(manager, admin_url(deal, "approve"), {"seen": page.context["version"]})
    assert any("is approved" in message for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED
    assert (deal.first_approver, deal.second_approver) == (world["cam_a"], world["channel_manager"])
    assert not _shown(manager.get(reverse(CHANGELIST), {"second": "yes"}))


def test_extension_decided_from_the_change_page(world, make_deal, login):
    deal = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    )
    until = deal.protected_until
    services.deal_request_extension(actor=world["partner_a_admin"], deal=deal, reason="Budget freeze until March")
    client = login(world["cam_a"])
    page = client.get(admin_url(deal)).content.decode()
    assert "Budget freeze until March" in page and 'id="extension-form"' in page
    response = post_and_follow(
        client, admin_url(deal, "extension"), {"seen": _seen(client, deal), "decision": "approve"}
    )
    assert any("extended until" in message for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.protected_until == until + datetime.timedelta(days=30) and deal.extension_requested_at is None
    # Decided already: a second decision is an error message, nothing changes.
    response = post_and_follow(client, admin_url(deal, "extension"), {"seen": "", "decision": "approve"})
    assert any("No extension is requested" in message for message in messages_of(response))
    deal.refresh_from_db()
    assert deal.protected_until == until + datetime.timedelta(days=30)


# --- Bulk decisions ----------------------------------------------------------------------------


def test_bulk_approve_reports_successes_and_each_failure(world, make_deal, login):
    first = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="First Co")
    second = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Second Co")
    waiting = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Waiting Co")
    services.deal_request_info(actor=world["cam_a"], deal=waiting, question="Who?")
    client = login(world["cam_a"])
    confirm = client.post(
        reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [first.pk, second.pk, waiting.pk]}
    )
    assert confirm.status_code == 200
    assert confirm.templates[0].name == "admin/confirm_action.html"
    assert {deal.pk for deal, _version, _cells in confirm.context["rows"]} == {first.pk, second.pk, waiting.pk}
    first_cells = next(cells for deal, _version, cells in confirm.context["rows"] if deal.pk == first.pk)
    assert first_cells == ["First Co", world["partner_a"].name, "submitted", "1,000.00 BRL", "no"]
    response = bulk_action(client, "approve_selected", [first, second, waiting])
    assert landed_on(response) == reverse(CHANGELIST)
    messages = messages_of(response)
    assert "2 of 3 registrations approved." in messages
    assert [message for message in messages if message.startswith("Waiting Co:")]  # the service's refusal
    statuses = dict(Deal.objects.filter(pk__in=[first.pk, second.pk, waiting.pk]).values_list("pk", "status"))
    assert statuses == {
        first.pk: DealStatus.APPROVED,
        second.pk: DealStatus.APPROVED,
        waiting.pk: DealStatus.INFO_REQUESTED,
    }


def test_bulk_approve_of_two_registrations_of_one_customer(world, make_deal, login):
    """The exclusion rule refuses the second: one approved, one error, nothing half done."""
    first = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    second = make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    response = bulk_action(login(world["channel_manager"]), "approve_selected", [first, second])
    messages = messages_of(response)
    assert "1 of 2 registrations approved." in messages
    assert any("already protects this customer" in message for message in messages)
    assert Deal.objects.filter(status=DealStatus.APPROVED).count() == 1


def test_bulk_request_info_and_reject(world, make_deal, login):
    one = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="One Co")
    two = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Two Co")
    client = login(world["cam_a"])
    response = bulk_action(client, "request_info_selected", [one, two], question="Budget approved?")
    assert "2 of 2 questions sent." in messages_of(response)
    assert set(Deal.objects.values_list("status", flat=True)) == {DealStatus.INFO_REQUESTED}
    response = bulk_action(client, "reject_selected", [one, two], reason="No budget")
    assert "2 of 2 registrations rejected." in messages_of(response)
    assert set(Deal.objects.values_list("decision_reason", flat=True)) == {"No budget"}


def test_bulk_extension_decision(world, make_deal, login):
    deal = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    )
    other = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Other Co")
    services.deal_request_extension(actor=world["partner_a_admin"], deal=deal)
    response = bulk_action(login(world["cam_a"]), "decide_extension_selected", [deal, other], decision="reject")
    messages = messages_of(response)
    assert "1 of 2 extension requests decided." in messages
    assert any(message.startswith("Other Co:") for message in messages)
    assert AuditEvent.objects.filter(action="deal.extension_rejected", object_id=str(deal.pk)).count() == 1


def test_bulk_decision_after_someone_else_decided(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    client = login(world["cam_a"])
    confirm = client.post(reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [deal.pk]})
    [(_deal, version, _cells)] = confirm.context["rows"]
    services.deal_reject(actor=world["channel_manager"], deal=deal, reason="Direct")
    response = bulk_action(client, "approve_selected", [deal], **{f"seen-{deal.pk}": version})
    messages = messages_of(response)
    assert "0 of 1 registration approved." in messages
    assert any("changed after you opened it" in message for message in messages)
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED


# --- Conflicts ---------------------------------------------------------------------------------


def test_conflicts_side_by_side_with_score_and_who_came_first(world, make_deal, login):
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_tax_id="12.345.678/0001-90")
    other = make_deal(
        world["partner_b_user"],
        world["partner_b"],
        submit=True,
        customer_company="Acme Solucoes",
        customer_email="ceo@other-domain.com.br",
        customer_tax_id="12345678000190",
    )
    HouseAccount.objects.create(company_name="Acme Solucoes SA", name_normalized="acme solucoes", country="BR")
    client = login(world["channel_manager"])
    page = client.get(admin_url(other))
    matches = page.context["conflicts"]["matches"]
    assert len(matches) == 2  # partner A's registration (two criteria) and the house account
    house, first = sorted(matches, key=lambda m: not m["is_house_account"])
    assert house["is_house_account"] and house["registered_first"]  # a house account always comes first
    assert [c["label"] for c in house["criteria"]] == ["similar name"]
    assert {c["label"]: c["score"] for c in first["criteria"]} == {"same tax ID": 1.0, "similar name": 1.0}
    assert first["registered_first"]  # partner A registered before partner B
    fields = {str(f["label"]): (f["mine"], f["theirs"], f["matched"]) for f in first["fields"]}
    assert fields["Partner"] == ("Partner B", "Partner A", False)
    assert fields["Tax ID"] == ("12345678000190", "12.345.678/0001-90", True)
    assert fields["Customer"] == ("Acme Solucoes", "Acme Soluções Ltda.", True)
    assert fields["Email domain"] == ("other-domain.com.br", "acme.com.br", False)
    body = page.content.decode()
    assert "The other registration was registered first" in body
    assert "score 1.00" in body and "same tax ID (1.00)" in body and "House account" in body
    assert admin_url(mine) in body
    # Seen from partner A's side, A was first.
    page = client.get(admin_url(mine)).content.decode()
    assert "This registration was registered first" in page


def test_conflicts_of_partners_outside_the_cams_scope_show_the_facts_not_the_partner(world, make_deal, login):
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_email="cfo@acme.com.br")
    page = login(world["cam_a"]).get(admin_url(mine))
    matches = page.context["conflicts"]["matches"]
    assert matches and all(not match["in_scope"] and match["url"] == "" for match in matches)
    fields = {str(f["label"]): f["theirs"] for f in matches[0]["fields"]}
    assert fields["Partner"] == "Another partner"
    assert (fields["Customer"], fields["Email domain"]) == ("Acme Soluções Ltda.", "acme.com.br")
    assert fields["Status"] == "submitted"
    section = page.content.decode().split('id="conflicts"')[1].split('id="decide"')[0]
    assert "Partner B" not in section and "cfo@acme.com.br" not in section and "registered first" in section


def test_failed_conflict_check_asks_for_manual_review(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    Deal.objects.filter(pk=deal.pk).update(conflict_flag=True, conflict_check_failed=True)
    page = login(world["cam_a"]).get(admin_url(deal)).content.decode()
    assert "automatic conflict check failed" in page and "manual review is required" in page


def test_change_page_shows_the_audit_trail(world, make_deal, login):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    services.deal_request_info(actor=world["cam_a"], deal=deal, question="Who?")
    page = login(world["cam_a"]).get(admin_url(deal))
    actions = [event.action for event in page.context["audit_events"]]
    assert actions[:3] == ["deal.info_requested", "deal.submitted", "deal.created"]
    assert "deal.info_requested" in page.content.decode()


# --- The SLA badge -----------------------------------------------------------------------------


def test_sla_badge_states(world, make_deal, login):
    user, partner = world["partner_a_admin"], world["partner_a"]
    now = timezone.now()
    on_time = make_deal(user, partner, submit=True, customer_company="On Time Co")
    due_soon = make_deal(user, partner, submit=True, customer_company="Due Soon Co")
    Deadline.objects.filter(pk=_decision(due_soon).pk).update(
        reminders_sent=1, next_fire_at=now - datetime.timedelta(minutes=5), due_at=now + datetime.timedelta(hours=2)
    )
    late = make_deal(user, partner, customer_company="Late Co")
    late = services.deal_submit(actor=user, deal=late, at=now - datetime.timedelta(days=30))  # due long ago
    paused = make_deal(user, partner, submit=True, customer_company="Paused Co")
    services.deal_request_info(actor=world["cam_a"], deal=paused, question="Who?")
    decided = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(user, partner, submit=True, customer_company="Decided Co")
    )
    no_clock = make_deal(user, partner, submit=True, customer_company="No Clock Co")
    Deadline.objects.filter(pk=_decision(no_clock).pk).update(state=DeadlineState.CANCELLED)
    make_deal(user, partner, customer_company="Draft Co")  # the partner's: no staff list shows it

    client = login(world["cam_a"])
    expected = {
        "on_time": {"On Time Co"},
        "due_soon": {"Due Soon Co"},
        "breached": {"Late Co"},
        "paused": {"Paused Co"},
        "met": {"Decided Co"},
        "none": {"No Clock Co"},
    }
    for state, customers in expected.items():
        assert _shown(client.get(reverse(CHANGELIST), {"sla": state})) == customers, state
    body = client.get(reverse(CHANGELIST)).content.decode()
    for state in ("on_time", "due_soon", "breached", "paused", "met"):
        assert f'class="sla-badge sla-{state}"' in body
    assert "due " in body
    page = client.get(admin_url(late)).content.decode()
    assert 'class="sla-badge sla-breached"' in page and "Decision due on" in page
    assert {on_time.pk, decided.pk} <= set(Deal.objects.values_list("pk", flat=True))


def test_sla_badge_follows_the_clock_in_business_time(world, make_deal):
    """The same clock read at several moments (``now=``), and after the sweeper's passes."""
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    clock = _decision(deal)
    started, due = clock.started_at, clock.due_at

    def state(at):
        return with_decision_clock(Deal.objects.filter(pk=deal.pk), now=at).get().sla_state

    assert state(started) == SlaState.ON_TIME
    assert state(due + datetime.timedelta(seconds=1)) == SlaState.BREACHED  # before the sweeper ran
    # The sweeper sends both reminders just before the due time: the last stretch.
    deadlines_sweep(now=due - datetime.timedelta(seconds=1))
    assert Deadline.objects.get(pk=clock.pk).reminders_sent == 2
    assert state(due - datetime.timedelta(seconds=1)) == SlaState.DUE_SOON
    deadlines_sweep(now=due + datetime.timedelta(minutes=1))
    assert Deadline.objects.get(pk=clock.pk).state == DeadlineState.BREACHED
    assert state(due + datetime.timedelta(minutes=1)) == SlaState.BREACHED
    # Deciding after the breach keeps the record of the breach.
    services.deal_approve(actor=world["cam_a"], deal=deal)
    assert state(timezone.now()) == SlaState.BREACHED


# --- Query budget ------------------------------------------------------------------------------


def _deals(world, make_deal, count: int, start: int) -> None:
    for number in range(start, start + count):
        partner, user = (
            (world["partner_a"], world["partner_a_admin"])
            if number % 2
            else (world["partner_b"], world["partner_b_user"])
        )
        deal = make_deal(user, partner, submit=number % 3 != 0, customer_company=f"Customer {number} Ltda")
        if number % 5 == 0 and deal.status == DealStatus.SUBMITTED:
            services.deal_request_info(actor=world["channel_manager"], deal=deal, question="?")


@pytest.mark.parametrize("role", ["channel_manager", "cam_a"])
def test_changelist_query_count_does_not_grow_with_rows(world, make_deal, login, role):
    with_three, with_thirty = queries_before_and_after(
        login(world[role]),
        reverse(CHANGELIST),
        rows=lambda: _deals(world, make_deal, 3, 0),
        more_rows=lambda: _deals(world, make_deal, 27, 3),
    )
    assert with_three == with_thirty, (with_three, with_thirty)
    assert with_thirty <= 20
    assert Deal.objects.count() == 30


# --- House accounts and program settings -------------------------------------------------------


def test_cam_reads_but_does_not_add_house_accounts(world, login):
    client = login(world["cam_a"])
    assert client.get(reverse("admin:deals_houseaccount_changelist")).status_code == 200
    assert client.get(reverse("admin:deals_houseaccount_add")).status_code == 403


def test_house_account_admin_normalises_through_services(world, login):
    client = login(world["channel_manager"])
    response = client.post(
        reverse("admin:deals_houseaccount_add"),
        {
            "company_name": "Globex Indústria S.A.",
            "country": "BR",
            "email_domain": "https://www.Globex.com.br/",
            "tax_id": "98.765.432/0001-10",
            "_save": "1",
        },
    )
    assert response.status_code == 302
    account = HouseAccount.objects.get()
    assert (account.name_normalized, account.email_domain, account.tax_id_normalized) == (
        "globex industria",
        "globex.com.br",
        "98765432000110",
    )
    assert AuditEvent.objects.filter(action="house_account.created", object_id=str(account.pk)).exists()
    response = client.post(
        reverse("admin:deals_houseaccount_change", args=[account.pk]),
        {
            "company_name": "Globex Brasil Ltda",
            "country": "BR",
            "email_domain": "globex.com.br",
            "tax_id": "",
            "_save": "1",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name_normalized == "globex brasil" and account.tax_id_normalized == ""
    assert AuditEvent.objects.filter(action="house_account.changed", object_id=str(account.pk)).count() == 1
    response = client.post(
        reverse("admin:deals_houseaccount_change", args=[account.pk]),
        {"company_name": "!!!", "country": "BR", "email_domain": "", "tax_id": "", "_save": "1"},
    )
    assert response.status_code == 200 and "company_name" in response.context["adminform"].form.errors
    response = client.post(reverse("admin:deals_houseaccount_delete", args=[account.pk]), {"post": "yes"})
    assert response.status_code == 302 and not HouseAccount.objects.exists()
    assert AuditEvent.objects.filter(action="house_account.deleted", object_id=str(account.pk)).exists()


def test_a_house_account_shows_as_a_conflict(world, make_deal, login):
    login(world["channel_manager"]).post(
        reverse("admin:deals_houseaccount_add"),
        {"company_name": "Acme Soluções", "country": "BR", "email_domain": "", "tax_id": "", "_save": "1"},
    )
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    assert deal.conflict_flag


def test_program_settings_changed_by_the_channel_manager_only(world, login, mfa):
    from django.test import Client

    settings = program_settings(world["partner_a"].program)
    url = reverse("admin:deals_dealprogramsettings_change", args=[settings.pk])
    data = {
        "decision_days": "3",
        "protection_days": "60",
        "extension_days": "15",
        "max_extensions": "2",
        "second_approval_amount": "25000.00",
        "conflict_threshold": "0.70",
        "auto_approve_on_breach": "on",
        "_save": "1",
    }
    cam = Client(raise_request_exception=False)
    mfa(world["cam_a"])
    cam.force_login(world["cam_a"])
    assert cam.get(url).status_code == 200
    assert cam.post(url, data).status_code == 403
    client = login(world["channel_manager"])
    response = client.post(url, {**data, "conflict_threshold": "0.01"})
    assert response.status_code == 200 and "conflict_threshold" in response.context["adminform"].form.errors
    response = client.post(url, data)
    assert response.status_code == 302
    settings.refresh_from_db()
    assert (settings.decision_days, settings.second_approval_amount, settings.auto_approve_on_breach) == (
        3,
        Decimal("25000.00"),
        True,
    )
    event = AuditEvent.objects.get(action="deal_settings.changed", object_id=str(settings.pk))
    assert event.data["decision_days"] == ["2", "3"]
    assert client.get(reverse("admin:deals_dealprogramsettings_add")).status_code == 403


def test_settings_changelist_lists_every_program_and_writes_nothing(world, login):
    programs = {world["partner_a"].program_id, world["partner_b"].program_id}
    assert set(DealProgramSettings.objects.values_list("program_id", flat=True)) == programs  # made with them
    rows = changelist_without_writes(login(world["executive"]), DealProgramSettings)
    assert {row.program_id for row in rows} == programs
    assert DealProgramSettings.objects.count() == len(programs)


def test_the_settings_selector_writes_nothing_and_reads_the_defaults_without_a_row(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = world["partner_a"].program
    DealProgramSettings.objects.filter(program=program).delete()
    with CaptureQueriesContext(connection) as queries:
        settings = program_settings(program)
    assert statements(queries) == ["SELECT"]
    assert settings.pk is None and settings.program == program
    assert (settings.decision_days, settings.max_extensions, settings.second_approval_amount) == (2, 1, None)
    assert not DealProgramSettings.objects.filter(program=program).exists()


def test_config_services_check_the_actor_and_the_fields(world):
    from django.core.exceptions import PermissionDenied

    from deals.services import config
    from prm.errors import ServiceError

    account = config.house_account_create(actor=world["channel_manager"], company_name="Initech", country="US")
    settings = program_settings(world["partner_a"].program)
    for outsider in (world["cam_a"], world["executive"], world["partner_a_admin"], None):
        with pytest.raises(PermissionDenied):
            config.house_account_update(actor=outsider, account=account, country="BR")
        with pytest.raises(PermissionDenied):
            config.deal_program_settings_update(actor=outsider, settings=settings, decision_days=9)
    manager = world["channel_manager"]
    with pytest.raises(ServiceError):
        config.house_account_update(actor=manager, account=account, company_name="Initech", id=5)
    with pytest.raises(ServiceError):
        config.deal_program_settings_update(actor=manager, settings=settings, decision_days=0)
    with pytest.raises(ServiceError):
        config.house_account_update(actor=manager, account=account, country="XX")
    config.house_account_update(actor=manager, account=account, country="US")  # unchanged: no event
    assert not AuditEvent.objects.filter(action="house_account.changed").exists()
    config.house_account_delete(actor=manager, account=account)
    assert not HouseAccount.objects.exists()
