"""The decision clock's handlers write their notifications in a fixed number of queries, however
many people they tell."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deals import services
from deals.models import Deal
from partners.roles import StaffRole
from prm.notifications.models import Notification
from prm.sla.models import Deadline
from tests import factories


def _decision(deal):
    return Deadline.objects.get(object_id=deal.pk, kind=services.DECISION_KIND)


def _queries(handler, *args):
    ContentType.objects.get_for_model(Deal)  # the content type cache is warm in a running worker
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        handler(*args)
    return len(queries)


def _more_recipients(world, count):
    for _ in range(count):
        factories.partner_user(world["partner_a"])
        factories.staff_user(StaffRole.CHANNEL_MANAGER)
        factories.staff_user(StaffRole.CAM, partners=[world["partner_a"]])


def test_the_breach_handler_query_count_does_not_grow_with_its_recipients(world, make_deal):
    first = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    second = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Other Co")
    few = _queries(services.decision_breach, _decision(first))
    assert Notification.objects.filter(dedupe_key__startswith=f"deal:{first.pk}:deadline:").count() == 3
    _more_recipients(world, 4)
    many = _queries(services.decision_breach, _decision(second))
    assert Notification.objects.filter(dedupe_key__startswith=f"deal:{second.pk}:deadline:").count() == 3 + 8
    assert many == few
    assert few == 4  # the deal with its settings, the channel managers, the partner's users, one INSERT


def test_the_reminder_query_count_does_not_grow_with_its_recipients(world, make_deal):
    first = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    second = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Other Co")
    few = _queries(services.decision_reminder, _decision(first), "0.5")
    _more_recipients(world, 4)
    many = _queries(services.decision_reminder, _decision(second), "0.5")
    assert Notification.objects.filter(kind="deal.decision_reminder").count() == 1 + 5
    assert many == few
    assert few == 3  # the deal, its CAMs, one INSERT


def test_a_sweep_batch_publishes_its_deliveries_in_chunks(transactional_db, world, make_deal, monkeypatch):
    from django.db import transaction as tx

    from prm.notifications.services import DELIVERY_CHUNK
    from prm.sla.services import deadlines_sweep

    queued, single = [], []
    monkeypatch.setattr(
        "prm.notifications.tasks.deliver_notifications.apply_async", lambda args, **kw: queued.append(args[0])
    )
    monkeypatch.setattr(
        "prm.notifications.tasks.deliver_notification.apply_async", lambda args, **kw: single.append(args)
    )
    for _ in range(DELIVERY_CHUNK // 3):  # 19 notices a breach, three breaches: more than one chunk
        factories.partner_user(world["partner_a"])
    with tx.atomic():
        deals = [
            make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company=f"Co {n}")
            for n in range(3)
        ]
    queued.clear(), single.clear()
    due = max(_decision(deal).due_at for deal in deals)
    deadlines_sweep(now=due + datetime.timedelta(minutes=1))
    rows = Notification.objects.filter(dedupe_key__contains=":deadline:").order_by("pk")
    per_breach = 1 + 2 + DELIVERY_CHUNK // 3  # the channel manager, the partner's users
    assert rows.count() == 3 * per_breach
    assert single == []
    assert [len(chunk) for chunk in queued] == [DELIVERY_CHUNK, 3 * per_breach - DELIVERY_CHUNK]
    assert sorted(sum(queued, [])) == list(rows.values_list("pk", flat=True))


def test_a_sweep_batch_reads_its_deals_and_their_recipients_once(world, make_deal):
    from prm.sla.services import deadlines_sweep

    deals = [
        make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company=f"Co {n}")
        for n in range(4)
    ] + [make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="Co B")]
    due = max(_decision(deal).due_at for deal in deals)
    ContentType.objects.get_for_model(Deal)
    with CaptureQueriesContext(connection) as queries:
        result = deadlines_sweep(now=due + datetime.timedelta(minutes=1))
    assert result.breaches == 5
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "deals_deal"' in sql for sql in selects) == 1
    # The channel managers once, the users of each of the two partners once.
    assert sum('FROM "accounts_user"' in sql for sql in selects) == 3
    late = Notification.objects.filter(kind="deal.decision_late")
    assert set(late.values_list("recipient__membership__partner", flat=True)) == {
        world["partner_a"].pk,
        world["partner_b"].pk,
    }
    assert late.count() == sum(1 for deal in deals for _ in deal.partner.memberships.filter(user__is_active=True))
