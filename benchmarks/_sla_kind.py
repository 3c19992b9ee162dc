"""A deadline kind for benchmarks/sla_sweep.py --kind notify: each breach tells one user of the partner,
with one notify() and nothing else, to tell the sweeper's own cost from a handler's. Workers load it
with ``--include benchmarks._sla_kind``."""

from django.contrib.auth import get_user_model

from prm.notifications.services import notify
from prm.sla.registry import register_handler

KIND = "benchmark.notify"
_recipients: dict[int, object] = {}


def on_breach(deadline) -> None:
    if deadline.partner_id not in _recipients:
        _recipients[deadline.partner_id] = (
            get_user_model().objects.filter(membership__partner_id=deadline.partner_id).order_by("pk").first()
        )
    notify(
        recipient=_recipients[deadline.partner_id],
        kind="deal.decision_late",
        dedupe_key=f"benchmark-breach:{deadline.pk}",
        params={"company": f"Deal {deadline.object_id}", "partner": ""},
        url="/deals/",
    )


register_handler(KIND, on_breach=on_breach)
