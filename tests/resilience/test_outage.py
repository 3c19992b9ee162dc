"""Redis stopped or frozen for the cache and the broker at once (issue 10, ADR 0008): login, an API
read, API writes and an HTML write answer without a 500 and within the bound; the notifications
written during the outage are delivered once after it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deals.models import Deal, DealStatus
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.tasks import deliver_notification, sweep_outbox
from tests import factories
from tests.prm.notifications.test_outage import queued_notification_ids

from .outage import ANOTHER_CUSTOMER, DRAFT, MODES, redis_unreachable, signed_in, timed

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("mode", MODES)]


def delivered_once_after_recovery(notifications):
    """Redis is back: the outbox sweep mails each row written during the outage once, and a late
    worker run of the same deliveries sends nothing more."""
    pks = sorted(notification.pk for notification in notifications)
    assert pks
    assert {notification.email_status for notification in notifications} == {EmailStatus.PENDING}
    Notification.objects.filter(pk__in=pks).update(created_at=timezone.now() - timedelta(minutes=2))
    assert sweep_outbox() == len(pks)
    assert sweep_outbox() == 0
    for pk in pks:
        deliver_notification(pk)
    assert len(mail.outbox) == len(pks)
    assert set(Notification.objects.filter(pk__in=pks).values_list("email_status", "email_attempts")) == {
        (EmailStatus.SENT, 1)
    }


def test_login_answers_503_with_retry_after(mode, transactional_db):
    user = factories.UserFactory()
    with redis_unreachable(mode):
        response = timed(
            Client(raise_request_exception=False).post,
            reverse("account_login"),
            {"login": user.email, "password": factories.PASSWORD},
        )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Sign-in and other protected actions are paused" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_password_reset_answers_503(mode, transactional_db):
    user = factories.UserFactory()
    with redis_unreachable(mode):
        response = timed(
            Client(raise_request_exception=False).post, reverse("account_reset_password"), {"email": user.email}
        )
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert mail.outbox == []


def test_an_api_read_goes_through(mode, transactional_db, world, caplog):
    client = signed_in(world["partner_a_sales"])
    with redis_unreachable(mode):
        response = timed(client.get, "/api/v1/deals/")
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert "Rate limit not applied (cache unavailable)" in caplog.text


def test_an_api_create_and_submit_go_through(mode, transactional_db, three_cams):
    world = three_cams
    client = signed_in(world["partner_a_sales"])
    with redis_unreachable(mode):
        created = timed(client.post, "/api/v1/deals/", DRAFT, content_type="application/json")
        assert created.status_code == 201
        submitted = timed(client.post, f"/api/v1/deals/{created.json()['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    notifications = list(Notification.objects.filter(kind="deal.submitted"))
    assert len(notifications) == 3
    delivered_once_after_recovery(notifications)


def test_an_anonymous_api_write_answers_503(mode, transactional_db):
    with redis_unreachable(mode):
        response = timed(
            Client(raise_request_exception=False).post,
            "/api/v1/applications/",
            {"company_name": "Acme"},
            content_type="application/json",
        )
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "protected actions are paused" in response.json()["detail"]


def test_an_html_create_and_submit_goes_through(mode, transactional_db, three_cams, broker_back):
    world = three_cams
    client = signed_in(world["partner_a_sales"])
    with redis_unreachable(mode):
        response = timed(client.post, reverse("deal_create"), {**DRAFT, "submit": "1"})
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deal_detail", args=[deal.pk])
    assert deal.status == DealStatus.SUBMITTED
    during = list(Notification.objects.filter(kind="deal.submitted"))
    assert len(during) == 3
    # Redis is back: the same process publishes the next submission's deliveries at once.
    with broker_back() as url:
        again = client.post(reverse("deal_create"), {**DRAFT, **ANOTHER_CUSTOMER, "submit": "1"})
        assert again.status_code == 302
        after = Notification.objects.filter(kind="deal.submitted").exclude(pk__in=[n.pk for n in during])
        assert sorted(queued_notification_ids(url)) == sorted(n.pk for n in after)
    delivered_once_after_recovery(during)
