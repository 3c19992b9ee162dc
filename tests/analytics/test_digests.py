"""The weekly digests: the CAM's portfolio week and what waits on them, each partner's week for its
admins, once per ISO week, in the reader's number format, with the e-mail the reader may turn off."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import assign_perm

from analytics.models import PartnerActivity
from analytics.services import activity_check, weekly_digests
from analytics.services.digests import CAM_KIND, PARTNER_KIND
from deals.models import Deal, DealStatus
from partners.models import Partner
from prm.admin_queue import queue_cards
from prm.notifications.emails import render_notification
from prm.notifications.kinds import all_kinds
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.services import notification_deliver
from tests import factories

MONDAY = datetime.date(2026, 11, 23)  # ISO week 2026-W48; the digest covers 16–22 November
NBSP = "\N{NO-BREAK SPACE}"


def ago(n: int) -> datetime.date:
    return MONDAY - datetime.timedelta(days=n)


def won(history, partner, amount, *, closed, submitted=30, decided=20):
    return history.deal(
        partner,
        submitted=ago(submitted),
        status=DealStatus.WON,
        decided=ago(decided),
        closed=ago(closed),
        currency="USD",
        final=Decimal(amount),
    )


@pytest.fixture
def week(world, history):
    """cam_a's portfolio is partners A and C (C inactive); cam_other's is B (inactive); D has an admin
    and did nothing. Within the week (16–22 November):

    - A: 2 registrations submitted (a third one the day before the week), 1 approved (submitted
      before the week), 2 won for 10,000 + 2,000 USD (one closed today, outside), 1 lead offered
      and accepted; open now: 3 submitted + 1 approved = 4;
    - C: 1 submitted, 1 won for 500 USD (on the week's first day); open now: 1;
    - B: 1 submitted; open now: 1.
    """
    a, b = world["partner_a"], world["partner_b"]
    c = factories.PartnerFactory(name="Partner C")
    d = factories.PartnerFactory(name="Partner D")
    assign_perm("partners.manage_partner", world["cam_a"], c)
    c_admin = factories.partner_user(c, "admin")
    d_admin = factories.partner_user(d, "admin")

    history.deal(a, submitted=ago(3))
    history.deal(a, submitted=ago(5))
    history.deal(a, submitted=ago(8))  # the day before the week
    history.deal(a, submitted=ago(10), status=DealStatus.APPROVED, decided=ago(3))
    won(history, a, 10000, closed=2)
    won(history, a, 2000, closed=6)
    won(history, a, 99999, closed=0)  # today: next week's
    history.offer(a, offered=ago(4), accepted=True)
    history.offer(a, offered=ago(9), accepted=True, hours_to_accept=1)  # before the week

    history.deal(c, submitted=ago(1))
    won(history, c, 500, closed=7)

    history.deal(b, submitted=ago(2))

    for partner in (b, c):
        PartnerActivity.objects.create(
            partner=partner,
            checked_at=datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC),
            inactive_since=datetime.datetime.combine(ago(5), datetime.time(), tzinfo=datetime.UTC),
        )
    world.update(partner_c=c, partner_d=d, partner_c_admin=c_admin, partner_d_admin=d_admin)
    return world


def digests(kind, user=None):
    found = Notification.objects.filter(kind=kind)
    return found.filter(recipient=user) if user is not None else found


@pytest.mark.django_db
def test_a_cams_digest_sums_their_portfolio_only(week):
    # What waits on cam_a: the registrations of A and C awaiting a decision (3 + 1).
    assert sum(card.count for card in queue_cards(week["cam_a"])) == 4
    assert sum(card.count for card in queue_cards(week["cam_other"])) == 1
    result = weekly_digests(today=MONDAY)
    assert result.week == "2026-W48"
    (mine,) = digests(CAM_KIND, week["cam_a"])
    assert mine.params == {
        "partners": 2,
        "submitted": 3,  # A 2 + C 1
        "won": 3,  # A 2 + C 1
        "accepted": 1,
        "revenue": [["12500", "USD"]],  # 10,000 + 2,000 + 500
        "waiting": 4,
        "inactive": 1,  # C
    }
    assert mine.url == reverse("staff_portfolio")
    (other,) = digests(CAM_KIND, week["cam_other"])
    assert other.params == {
        "partners": 1,
        "submitted": 1,
        "won": 0,
        "accepted": 0,
        "revenue": [["0", "USD"]],
        "waiting": 1,
        "inactive": 1,
    }
    # Staff who are no CAM of anyone get none.
    assert not digests(CAM_KIND).exclude(recipient__in=[week["cam_a"], week["cam_other"]]).exists()


@pytest.mark.django_db
def test_each_partners_admins_get_their_companys_week(week):
    result = weekly_digests(today=MONDAY)
    (a,) = digests(PARTNER_KIND, week["partner_a_admin"])
    assert a.params == {
        "partner": "Partner A",
        "submitted": 2,
        "approved": 1,
        "won": 2,
        "revenue": [["12000", "USD"]],
        "offered": 1,
        "accepted": 1,
        "open": 4,
    }
    assert a.url == reverse("dashboard")
    (c,) = digests(PARTNER_KIND, week["partner_c_admin"])
    assert (c.params["submitted"], c.params["won"], c.params["revenue"], c.params["open"]) == (
        1,
        1,
        [["500", "USD"]],
        1,
    )
    (b,) = digests(PARTNER_KIND, week["partner_b_user"])
    assert (b.params["submitted"], b.params["won"], b.params["open"]) == (1, 0, 1)
    # The sales user of A is no admin; D did nothing: no digest.
    assert not digests(PARTNER_KIND, week["partner_a_sales"]).exists()
    assert not digests(PARTNER_KIND, week["partner_d_admin"]).exists()
    assert result.sent == 2 + 3  # two CAMs, three partner admins


@pytest.mark.django_db
def test_only_open_registrations_still_make_a_digest(world, history):
    history.deal(world["partner_b"], submitted=ago(60))  # long before the week, still awaiting a decision
    weekly_digests(today=MONDAY)
    (b,) = digests(PARTNER_KIND, world["partner_b_user"])
    assert b.params["open"] == 1 and b.params["submitted"] == 0
    assert not digests(PARTNER_KIND, world["partner_a_admin"]).exists()


@pytest.mark.django_db
def test_once_per_iso_week(week):
    first = weekly_digests(today=MONDAY)
    assert first.sent == 5
    for day in (MONDAY, MONDAY + datetime.timedelta(days=3), MONDAY + datetime.timedelta(days=6)):
        again = weekly_digests(today=day)
        assert (again.week, again.sent) == ("2026-W48", 0)
    assert Notification.objects.filter(kind__in=[CAM_KIND, PARTNER_KIND]).count() == 5
    following = weekly_digests(today=MONDAY + datetime.timedelta(days=7))
    assert following.week == "2026-W49" and following.sent > 0
    assert digests(CAM_KIND, week["cam_a"]).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, revenue, cam_revenue",
    [
        ("en", f"12,000{NBSP}USD", f"12,500{NBSP}USD"),
        ("pt-br", f"12.000{NBSP}USD", f"12.500{NBSP}USD"),
        ("fr", f"12{NBSP}000{NBSP}USD", f"12{NBSP}500{NBSP}USD"),
    ],
)
def test_the_digests_read_in_the_recipients_language_and_number_format(week, language, revenue, cam_revenue):
    weekly_digests(today=MONDAY)
    partner = digests(PARTNER_KIND, week["partner_a_admin"]).get()
    cam = digests(CAM_KIND, week["cam_a"]).get()
    with translation.override(language):
        subject, body = partner.subject(), partner.body()
        cam_subject, cam_body = cam.subject(), cam.body()
    assert "Partner A" in subject and "2" in subject
    assert f" {revenue}\n" in body
    for number in ("2", "1", "4"):
        assert number in body
    assert cam_revenue in cam_body and "4" in cam_subject and "3" in cam_subject
    # The e-mail of a recipient who reads in that language.
    week["partner_a_admin"].language = language
    week["partner_a_admin"].save(update_fields=["language"])
    partner.refresh_from_db()
    email_subject, text, html = render_notification(partner)
    assert email_subject == " ".join(subject.split()) and revenue in text


@pytest.mark.django_db
def test_the_inactivity_alert_shows_the_last_date_in_the_readers_format(world):
    now = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    Partner.objects.filter(pk__in=[world["partner_a"].pk, world["partner_b"].pk]).update(
        created_at=now - datetime.timedelta(days=100)
    )
    deal = Deal.objects.create(
        partner=world["partner_a"], customer_company="X", customer_country="BR", amount=1, currency="USD"
    )
    Deal.objects.filter(pk=deal.pk).update(created_at=datetime.datetime(2026, 10, 3, 9, tzinfo=datetime.UTC))
    activity_check(now=now)
    alert = Notification.objects.get(kind="analytics.partner_inactive", recipient=world["cam_a"])
    never = Notification.objects.get(kind="analytics.partner_inactive", recipient=world["cam_other"])
    for language, shown in (("en", "10/03/2026"), ("pt-br", "03/10/2026"), ("fr", "03/10/2026")):
        with translation.override(language):
            assert shown in alert.body() and "30" in alert.subject()
            assert "{last}" not in never.body() and never.params["last"] == ""
    with translation.override("en"):
        assert "Last activity: never." in never.body()


@pytest.mark.django_db
def test_a_recipient_who_turned_the_digest_off_gets_it_in_the_portal_without_an_email(week, client):
    admin = week["partner_a_admin"]
    client.force_login(admin)
    keep = [kind.key for kind in all_kinds() if kind.key != PARTNER_KIND]
    assert client.post(reverse("notification_preferences"), {"email": keep}).status_code == 302
    weekly_digests(today=MONDAY)
    mine = digests(PARTNER_KIND, admin).get()
    other = digests(PARTNER_KIND, week["partner_b_user"]).get()
    assert notification_deliver(notification_id=mine.pk) == EmailStatus.SKIPPED
    assert mail.outbox == []
    assert notification_deliver(notification_id=other.pk) == EmailStatus.SENT
    (email,) = mail.outbox
    assert email.to == [week["partner_b_user"].email] and "Partner B" in email.subject
    # The in-app notification is there all the same.
    client.force_login(admin)
    assert "Partner A" in client.get(reverse("notification_list")).content.decode()


@pytest.mark.django_db
def test_a_portfolio_in_two_currencies_sums_each_apart(world, history):
    euro = factories.ProgramFactory(name="Euro program", slug="euro-program", currency="EUR")
    e = factories.PartnerFactory(name="Partner E", program=euro)
    assign_perm("partners.manage_partner", world["cam_a"], e)
    won(history, world["partner_a"], 1200, closed=2)
    history.deal(
        e,
        submitted=ago(30),
        status=DealStatus.WON,
        decided=ago(20),
        closed=ago(3),
        currency="EUR",
        final=Decimal("300"),
    )
    weekly_digests(today=MONDAY)
    cam = digests(CAM_KIND, world["cam_a"]).get()
    assert cam.params["revenue"] == [["300", "EUR"], ["1200", "USD"]] and cam.params["won"] == 2
    with translation.override("pt-br"):
        assert f"300{NBSP}EUR + 1.200{NBSP}USD" in cam.body()
    with translation.override("en"):
        assert f"300{NBSP}EUR + 1,200{NBSP}USD" in cam.body()
