"""The former path of ``deals.services.catalogue``, kept for the imports that still use it."""

from .services.catalogue import (
    HOUSE_ACCOUNT_FIELDS,
    MAX_AMOUNT,
    MAX_DAYS,
    PRODUCT_FIELDS,
    SETTINGS_FIELDS,
    deal_program_settings_create,
    deal_program_settings_update,
    deal_program_settings_validate,
    house_account_create,
    house_account_delete,
    house_account_update,
    house_account_validate,
    product_create,
    product_update,
    product_validate,
)

__all__ = [
    "HOUSE_ACCOUNT_FIELDS",
    "MAX_AMOUNT",
    "MAX_DAYS",
    "PRODUCT_FIELDS",
    "SETTINGS_FIELDS",
    "deal_program_settings_create",
    "deal_program_settings_update",
    "deal_program_settings_validate",
    "house_account_create",
    "house_account_delete",
    "house_account_update",
    "house_account_validate",
    "product_create",
    "product_update",
    "product_validate",
]
