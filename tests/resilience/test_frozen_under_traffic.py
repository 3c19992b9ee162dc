"""Redis freezes while the web process holds open connections to it (the cache's pool, the broker's
producer): requests are bounded by the socket timeouts on those connections too, and what was
written during the freeze is delivered once afterwards (issue 10, ADR 0008)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from deals.models import Deal
from prm import embedded
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.tasks import deliver_notification, sweep_outbox
from tests.prm.notifications.test_outage import queued_notification_ids

from .outage import ANOTHER_CUSTOMER, DRAFT, frozen_process, redis_at, signed_in, timed


@pytest.mark.slow
def test_redis_frozen_under_traffic(transactional_db, three_cams, tmp_path, caplog):
    server = embedded.EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    client = signed_in(three_cams["partner_a_sales"])
    try:
        with redis_at(url):
            # Redis answers: the throttle's counter and the publishes go through pooled connections.
            assert client.get("/api/v1/deals/").status_code == 200
            assert client.post(reverse("deal_create"), {**DRAFT, "submit": "1"}).status_code == 302
            before = set(Notification.objects.values_list("pk", flat=True))
            assert len(before) == 3

            with frozen_process(server.proc.pid):
                read = timed(client.get, "/api/v1/deals/")
                write = timed(client.post, reverse("deal_create"), {**DRAFT, **ANOTHER_CUSTOMER, "submit": "1"})
            assert read.status_code == 200 and len(read.json()["results"]) == 1
            assert write.status_code == 302 and Deal.objects.count() == 2
            assert "Rate limit not applied (cache unavailable): GET /api/v1/deals/" in caplog.text

            # Redis is back. The broker holds the three deliveries of before, and may hold the first
            # one of the freeze: its LPUSH waited in the socket buffer while the publish timed out.
            # Delivery is once per row whoever runs it, the worker or the sweeper.
            queued = set(queued_notification_ids(url))
            everything = set(Notification.objects.values_list("pk", flat=True))
            assert len(everything) == 6 and before <= queued <= everything
            assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == 6
            for pk in queued:  # the worker runs what it was handed
                deliver_notification(pk)
            Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
            assert sweep_outbox() == 6 - len(queued)
            assert sweep_outbox() == 0
            for pk in everything:
                deliver_notification(pk)
            assert len(mail.outbox) == 6
            assert set(Notification.objects.values_list("email_status", "email_attempts")) == {(EmailStatus.SENT, 1)}
            assert client.get("/api/v1/deals/").status_code == 200
    finally:
        server.stop()
