"""Time from joining to the first won deal, by the quarter partners joined (the program dashboard)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.cohorts import cohorts
from deals.models import DealStatus
from deals.selectors import first_won_by_partner
from partners.models import Partner
from tests import factories

from .conftest import at


def _joined(partner, day):
    Partner.objects.filter(pk=partner.pk).update(created_at=at(day))
    partner.refresh_from_db()
    return partner


@pytest.mark.django_db
def test_cohorts_by_quarter_with_the_median_days_to_the_first_win(world, history):
    q3 = [_joined(factories.PartnerFactory(name=f"Q3 {n}"), datetime.date(2026, 7, 1 + n)) for n in range(3)]
    q4 = _joined(factories.PartnerFactory(name="Q4"), datetime.date(2026, 10, 1))
    # Q3: first wins after 10 and 30 days (a later win does not count), the third partner has none.
    for partner, days in ((q3[0], 10), (q3[1], 30), (q3[1], 50)):
        closed = partner.created_at.date() + datetime.timedelta(days=days)
        history.deal(partner, submitted=closed, status=DealStatus.WON, decided=closed, closed=closed, final=Decimal(1))
    # Q4: won before joining (history brought in): day 0.
    early = q4.created_at.date() - datetime.timedelta(days=5)
    history.deal(q4, submitted=early, status=DealStatus.WON, decided=early, closed=early, final=Decimal(1))
    partners = [*q3, q4]
    rows = cohorts(partners, first_won_by_partner([p.pk for p in partners]))
    assert [(r["label"], r["joined"], r["won"], r["median_days"]) for r in rows] == [
        ("Q4 2026", 1, 1, 0),
        ("Q3 2026", 3, 2, 20),  # median of 10 and 30
    ]


@pytest.mark.django_db
def test_a_quarter_without_a_win_has_no_median(world):
    partner = _joined(factories.PartnerFactory(name="New"), datetime.date(2026, 9, 30))
    assert cohorts([partner], {}) == [{"label": "Q3 2026", "joined": 1, "won": 0, "median_days": None}]


@pytest.mark.django_db
def test_the_program_dashboard_shows_the_cohorts(world, client, mfa):
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    response = client.get(reverse("staff_dashboard"))
    assert response.status_code == 200
    assert "Time to the first won deal" in response.content.decode()
