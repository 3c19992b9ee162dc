import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from deals import services
from prm.errors import ServiceError


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


def run_together(functions):
    """Run the functions at the same moment, each in a thread with its own connection; their results
    (or the ServiceError / PermissionDenied each raised) in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except (ServiceError, PermissionDenied) as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return results
