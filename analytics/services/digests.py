"""The weekly digests (Monday morning, beat): to each CAM, their portfolio's week and what waits on
them; to each partner's admins, their company's pipeline week. Each goes through the platform
notifications, in the recipient's language, with an e-mail the recipient can turn off per kind on the
preferences page. Its key names the ISO week: a second run in the same week sends nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from deals.selectors import open_registrations_by_partner
from partners.selectors import active_partners, admins_by_partner, cams_by_partner
from prm.admin_queue import queue_cards
from prm.metrics import Period, metric_values
from prm.notifications.services import notify_many

from ..models import PartnerActivity

CAM_KIND = "analytics.cam_digest"
PARTNER_KIND = "analytics.partner_digest"
METRICS = ("deals.registered", "deals.approved", "deals.won", "deals.won_revenue", "leads.offered", "leads.accepted")


@dataclass(frozen=True)
class Digests:
    week: str
    sent: int


def _week(today: datetime.date) -> str:
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def _revenue(pairs) -> list[list[str]]:
    """``[[amount, currency], …]``: the won revenue of partners in their programs' currencies, one
    sum per currency (the notification shows them in the reader's number format)."""
    totals: dict[str, Decimal] = {}
    for value, currency in pairs:
        totals[currency] = totals.get(currency, Decimal(0)) + Decimal(value or 0)
    return [[str(total.quantize(Decimal("1"))), currency] for currency, total in sorted(totals.items())]


def _partner_items(partners, figures, open_counts, week) -> list[dict]:
    admins = admins_by_partner([p.pk for p in partners])
    items = []
    for partner in partners:
        params = {
            name.split(".")[1]: int(figures[name].get(partner.pk, 0)) for name in METRICS if name != "deals.won_revenue"
        }
        params["submitted"] = params.pop("registered")
        params["open"] = open_counts.get(partner.pk, 0)
        if not any(params.values()):
            continue  # a week without anything to say
        params.update(
            partner=partner.name, revenue=_revenue([(figures["deals.won_revenue"].get(partner.pk), partner.currency)])
        )
        for user in admins.get(partner.pk, []):
            items.append(
                {
                    "recipient": user,
                    "kind": PARTNER_KIND,
                    "dedupe_key": f"{PARTNER_KIND}:{week}:{partner.pk}:{user.pk}",
                    "params": params,
                    "url": reverse("dashboard"),
                }
            )
    return items


def _cam_items(partners, figures, week) -> list[dict]:
    cams = cams_by_partner([p.pk for p in partners])
    portfolios: dict[int, tuple[object, list]] = {}
    for partner in partners:
        for user in cams.get(partner.pk, []):
            portfolios.setdefault(user.pk, (user, []))[1].append(partner)
    inactive = set(PartnerActivity.objects.filter(inactive_since__isnull=False).values_list("partner_id", flat=True))
    items = []
    for user, portfolio in portfolios.values():
        ids = [p.pk for p in portfolio]
        params = {
            "partners": len(ids),
            "submitted": int(sum(figures["deals.registered"].get(pk, 0) for pk in ids)),
            "won": int(sum(figures["deals.won"].get(pk, 0) for pk in ids)),
            "accepted": int(sum(figures["leads.accepted"].get(pk, 0) for pk in ids)),
            "revenue": _revenue((figures["deals.won_revenue"].get(p.pk), p.currency) for p in portfolio),
            "waiting": sum(card.count for card in queue_cards(user)),
            "inactive": len(inactive.intersection(ids)),
        }
        items.append(
            {
                "recipient": user,
                "kind": CAM_KIND,
                "dedupe_key": f"{CAM_KIND}:{week}:{user.pk}",
                "params": params,
                "url": reverse("staff_portfolio"),
            }
        )
    return items


@transaction.atomic
def weekly_digests(*, today: datetime.date | None = None) -> Digests:
    """The digests of the seven days before ``today``, to every CAM and every partner's admins."""
    today = today or timezone.localdate()
    week = _week(today)
    period = Period(since=today - datetime.timedelta(days=7), until=today - datetime.timedelta(days=1))
    partners = active_partners()
    ids = [p.pk for p in partners]
    figures = {name: metric_values(name, ids, period) for name in METRICS}
    items = _cam_items(partners, figures, week) + _partner_items(
        partners, figures, open_registrations_by_partner(ids), week
    )
    return Digests(week=week, sent=len(notify_many(items)))
