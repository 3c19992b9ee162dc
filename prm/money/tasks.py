"""The daily load of the ECB reference rates (beat entry ``exchange-rates-load``; ADR 0010)."""

import logging

from celery import shared_task

from prm.errors import ServiceError

from .ecb import RatesSourceError, load

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def load_exchange_rates() -> None:
    """Load today's rates from EXCHANGE_RATES_URL. A failure is logged and the next run tries again:
    conversions keep using the latest rate on or before each date meanwhile."""
    try:
        result = load()
    except (RatesSourceError, ServiceError) as error:
        logger.warning("Exchange rates not loaded: %s", error)
        return
    logger.info(
        "Exchange rates loaded: %s added, %s changed, %s unchanged.", result.created, result.changed, result.unchanged
    )
