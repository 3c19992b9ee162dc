"""The handlers of the two clocks (``deal.decision`` and ``deal.protection``), run by the SLA sweep, and
their registration with the notification kinds."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from partners.selectors import partner_cams
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.notifications.services import notify_many
from prm.sla.memo import batch_object, memoized

from ..models import DECISION_KIND, OPEN_STATUSES, PROTECTION_KIND, Deal, DealProgramSettings, DealStatus
from ..selectors import program_settings
from .decisions import _approve, _needs_second_approval
from .notices import _channel_managers_of_batch, _notices, _notify_all, _partner_users_of_batch
from .protection import deal_expire

# What the clock handlers read of a deal, in one query; a service they call locks and reloads the row.
_HANDLER_FIELDS = (
    "status",
    "customer_company",
    "conflict_flag",
    "amount",
    "currency",
    "submitted_at",
    "protected_until",
    "partner__name",
    "partner__program__currency",
    "partner__program__deal_settings__auto_approve_on_breach",
    "partner__program__deal_settings__second_approval_amount",
)


def _handler_deals(pks: list[int]) -> dict[int, Deal]:
    return Deal.objects.select_related("partner__program__deal_settings").only(*_HANDLER_FIELDS).in_bulk(pks)


def _deal_of(deadline) -> Deal | None:
    """The deal of a clock, read with the other deals of its sweep batch (prm.sla.memo)."""
    if deadline.content_type_id != ContentType.objects.get_for_model(Deal).pk:
        return None
    return batch_object(deadline, _handler_deals)


def _settings_of(deal: Deal) -> DealProgramSettings:
    """The program's deal settings, as loaded with the deal when they exist."""
    program = deal.partner.program
    try:
        return program.deal_settings
    except DealProgramSettings.DoesNotExist:
        return program_settings(program)


def decision_reminder(deadline, fraction) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status != DealStatus.SUBMITTED:
        return
    _notify_all(
        memoized(("partner_cams", deal.partner_id), lambda: list(partner_cams(deal.partner_id))),
        deal=deal,
        kind="deal.decision_reminder",
        key=f"deadline:{deadline.pk}:reminder:{fraction}",
        percent=round(float(fraction) * 100),
    )


def decision_breach(deadline) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status not in OPEN_STATUSES:
        return
    notify_many(
        _notices(
            _channel_managers_of_batch(),
            deal=deal,
            kind="deal.decision_overdue",
            key=f"deadline:{deadline.pk}:breach",
        )
        + _notices(
            _partner_users_of_batch(deal.partner_id),
            deal=deal,
            kind="deal.decision_late",
            key=f"deadline:{deadline.pk}:late",
        )
    )
    settings = _settings_of(deal)
    if (
        settings.auto_approve_on_breach
        and deal.status == DealStatus.SUBMITTED
        and not deal.conflict_flag
        and not _needs_second_approval(deal, settings)
    ):
        try:
            with transaction.atomic():
                _approve(actor=None, deal=deal, system=True)
        except ServiceError as error:
            audit_record(actor=None, action="deal.auto_approve_failed", obj=deal, reason=str(error))


def protection_reminder(deadline, fraction) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status != DealStatus.APPROVED:
        return
    _notify_all(
        _partner_users_of_batch(deal.partner_id),
        deal=deal,
        kind="deal.protection_ending",
        key=f"deadline:{deadline.pk}:reminder:{fraction}",
        until=deal.protected_until.date().isoformat(),
    )


def protection_breach(deadline) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status != DealStatus.APPROVED:
        return
    # The clock is due at the first business moment after protected_until, so the protection has ended.
    deal_expire(actor=None, deal=deal, at=max(timezone.now(), deadline.due_at))


def register() -> None:
    """Notification kinds and SLA handlers of deal registration; called from DealsConfig.ready()."""
    from prm.sla.registry import register_handler

    from ..notifications import register_kinds

    register_kinds()
    register_handler(DECISION_KIND, on_reminder=decision_reminder, on_breach=decision_breach)
    register_handler(PROTECTION_KIND, on_reminder=protection_reminder, on_breach=protection_breach)
