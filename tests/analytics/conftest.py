import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from deals.models import Deal, DealStatus
from leads.models import ACCEPTANCE_KIND, Lead, LeadAssignment, LeadStatus
from prm.sla.models import BusinessCalendar, Deadline, DeadlineState
from tests.helpers.api import api  # noqa: F401  (fixture)
from tests.leads.conftest import LEAD_DEFAULTS

UTC = datetime.UTC


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Noon of a day in the default zone (UTC in tests)."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_default_timezone())


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def won(history, partner, amount, n=1, *, days=20):
    """``n`` deals of the partner won ``days`` ago for ``amount`` USD (decided ten days before)."""
    for _ in range(n):
        history.deal(
            partner,
            submitted=days_ago(days + 20),
            status=DealStatus.WON,
            decided=days_ago(days + 10),
            closed=days_ago(days),
            currency="USD",
            final=Decimal(amount),
        )


@pytest.fixture
def staff_client(client, world, mfa):
    """``staff_client(role)``: the client signed in as that staff user of the cast, with its TOTP."""
    enabled = set()

    def sign_in(role):
        user = world[role]
        if role not in enabled:
            mfa(user)
            enabled.add(role)
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def history():
    """Write a partner's history directly (the figures' triggers see every write): deals submitted,
    approved, rejected, won, lost on given days, and lead offers."""

    class History:
        def deal(
            self,
            partner,
            *,
            submitted,
            status=DealStatus.SUBMITTED,
            decided=None,
            closed=None,
            amount=Decimal("1000"),
            currency="BRL",
            final=None,
            stage="qualification",
        ):
            fields = dict(
                partner=partner,
                customer_company=f"Customer {Deal.objects.count() + 1}",
                customer_country="BR",
                amount=amount,
                currency=currency,
                status=status,
                stage=stage,
                submitted_at=at(submitted),
            )
            if status in (DealStatus.APPROVED, DealStatus.WON, DealStatus.LOST):
                fields.update(approved_at=at(decided), protected_until=at(decided) + datetime.timedelta(days=90))
            if status == DealStatus.REJECTED:
                fields.update(closed_at=at(decided))
            if status == DealStatus.WON:
                fields.update(final_amount=final, closed_on=closed, closed_at=at(closed))
            if status == DealStatus.LOST:
                fields.update(closed_at=at(closed))
            return Deal.objects.create(**fields)

        def offer(self, partner, *, offered, accepted=None, converted=None, hours_to_accept=None):
            lead = Lead.objects.create(
                status=LeadStatus.CONVERTED if converted else (LeadStatus.ACCEPTED if accepted else LeadStatus.OFFERED),
                partner=partner,
                **{**LEAD_DEFAULTS, "email": f"lead{Lead.objects.count() + 1}@example.com"},
            )
            offered_at = at(offered, 9)
            accepted_at = None
            if accepted:
                accepted_at = offered_at + datetime.timedelta(hours=hours_to_accept or 3)
            if converted:
                Lead.objects.filter(pk=lead.pk).update(closed_at=at(converted, 15))
            return LeadAssignment.objects.create(
                lead=lead, partner=partner, strategy="manual", assigned_at=offered_at, accepted_at=accepted_at
            )

        def clock(self, partner, *, closed, state=DeadlineState.BREACHED, kind=ACCEPTANCE_KIND, hour=12, target=None):
            """A clock of the partner (by default a lead's acceptance clock) that closed, met or missed, on a day."""
            if target is None:
                target = Lead.objects.create(partner=partner, status=LeadStatus.ACCEPTED, **LEAD_DEFAULTS)
            calendar = BusinessCalendar.objects.first() or BusinessCalendar.objects.create(name="Default")
            return Deadline.objects.create(
                kind=kind,
                content_type=ContentType.objects.get_for_model(target),
                object_id=target.pk,
                partner_id=partner.pk,
                calendar=calendar,
                duration_seconds=3600,
                started_at=at(closed, 8),
                state=state,
                closed_at=at(closed, hour),
            )

    return History()
