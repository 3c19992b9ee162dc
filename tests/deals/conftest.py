import datetime
from decimal import Decimal

import pytest

from deals import services
from tests.helpers.admin import login  # noqa: F401  (fixture)
from tests.helpers.api import api  # noqa: F401  (fixture)


@pytest.fixture
def make_deal():
    def make(actor, partner, *, submit=False, **fields):
        data = {
            "customer_company": "Acme Soluções Ltda.",
            "customer_email": "buyer@acme.com.br",
            "customer_country": "BR",
            "amount": Decimal("1000.00"),
            "currency": "BRL",
            "expected_close_date": datetime.date(2030, 1, 31),
            **fields,
        }
        deal = services.deal_create_draft(actor=actor, partner=partner, **data)
        if submit:
            deal = services.deal_submit(actor=actor, deal=deal)
        return deal

    return make
