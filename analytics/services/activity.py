"""Partners' activity and the inactivity alerts (issue: "no login, deal, lead action or training for
N days raises an alert to the CAM, once per episode").

``activity_check`` reads each active partner's newest activity of every registered kind
(``prm.metrics.latest_activity``: a sign-in, a deal registration, a lead worked, and the kinds later
apps add), keeps it in ``PartnerActivity``, and opens or closes the partner's inactivity episode:

- a partner whose last activity (or, without any, its joining) is at least its program's
  ``inactivity_days`` old becomes inactive; the episode starts at the moment the threshold was crossed;
- the episode's one alert goes to the partner's CAMs (or the channel managers when it has none) on the
  platform notifications; its key names the episode, so a second run or a second worker writes none;
- the partner's next activity closes the episode; the next threshold crossing opens a new one.

Runs hourly (beat) under a transaction-level advisory lock: two workers queue. After the first run a
check reads only the activity since the previous check, from indexed columns.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from partners.selectors import active_partners, cams_by_partner, channel_managers
from prm.metrics import latest_activity
from prm.notifications.services import notify_many

from ..models import PartnerActivity, ProgramAnalyticsSettings

LOCK_KEY = 0x616E616C79746963  # "analytic"
INACTIVE_KIND = "analytics.partner_inactive"
# Activity is read again from a little before the previous check: a transaction that committed late.
OVERLAP = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class ActivityCheck:
    checked: int
    became_inactive: int
    alerts: int
    resumed: int


def _thresholds() -> dict[int, int]:
    """Each program's days of inactivity; a program without its row has the default."""
    default = ProgramAnalyticsSettings._meta.get_field("inactivity_days").default
    return defaultdict(lambda: default, ProgramAnalyticsSettings.objects.values_list("program_id", "inactivity_days"))


def _latest(partners, kept: dict) -> dict:
    """The newest activity of each partner: the kept one, or newer found since the previous check."""
    known = [p.pk for p in partners if p.pk in kept]
    unknown = [p.pk for p in partners if p.pk not in kept]
    found = latest_activity(unknown)
    if known:
        since = min(kept[pk].checked_at for pk in known) - OVERLAP
        found.update(latest_activity(known, since))
    latest = {}
    for partner in partners:
        row = kept.get(partner.pk)
        mine = (row.last_activity_at, row.last_activity_kind) if row and row.last_activity_at else None
        new = found.get(partner.pk)
        latest[partner.pk] = new if new and (mine is None or new[0] >= mine[0]) else mine
    return latest


def _alerts(episodes: list[tuple[object, PartnerActivity, int]]) -> list[dict]:
    cams = cams_by_partner([partner.pk for partner, _row, _days in episodes])
    managers = None
    items = []
    for partner, row, days in episodes:
        recipients = cams.get(partner.pk)
        if not recipients:
            managers = list(channel_managers()) if managers is None else managers
            recipients = managers
        for user in recipients:
            items.append(
                {
                    "recipient": user,
                    "kind": INACTIVE_KIND,
                    "dedupe_key": f"{INACTIVE_KIND}:{partner.pk}:{row.inactive_since:%Y%m%dT%H%M%S}:{user.pk}",
                    "params": {
                        "partner": partner.name,
                        "days": days,
                        "last": row.last_activity_at.date().isoformat() if row.last_activity_at else "",
                    },
                    "url": reverse("staff_partner_dashboard", args=[partner.pk]),
                }
            )
    return items


@transaction.atomic
def activity_check(*, now: datetime.datetime | None = None) -> ActivityCheck:
    """Bring every active partner's activity and inactivity episode up to ``now``; raise the alerts."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    partners = active_partners()
    kept = PartnerActivity.objects.in_bulk([p.pk for p in partners])
    latest = _latest(partners, kept)
    thresholds = _thresholds()
    rows, episodes, resumed = [], [], 0
    for partner in partners:
        row = kept.get(partner.pk) or PartnerActivity(partner_id=partner.pk)
        moment, kind = latest[partner.pk] or (None, "")
        row.last_activity_at, row.last_activity_kind, row.checked_at = moment, kind, now
        days = thresholds[partner.program_id]
        crossed = (moment or partner.joined) + datetime.timedelta(days=days)
        if crossed <= now:
            if row.inactive_since is None or row.inactive_since < (moment or partner.joined):
                row.inactive_since, row.alerted_at = crossed, now
                episodes.append((partner, row, days))
        elif row.inactive_since is not None:
            row.inactive_since = row.alerted_at = None
            resumed += 1
        rows.append(row)
    PartnerActivity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["partner"],
        update_fields=["last_activity_at", "last_activity_kind", "inactive_since", "alerted_at", "checked_at"],
        batch_size=2000,
    )
    alerts = notify_many(_alerts(episodes)) if episodes else []
    return ActivityCheck(checked=len(rows), became_inactive=len(episodes), alerts=len(alerts), resumed=resumed)
