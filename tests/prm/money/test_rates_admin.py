"""Exchange rates kept by hand: the table's constraints, the services' rules and the admin."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.money import services
from prm.money.models import ExchangeRate

DAY = datetime.date(2026, 3, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"currency": "BRL", "rate": Decimal("0")},
        {"currency": "BRL", "rate": Decimal("-6.1")},
        {"currency": "brl", "rate": Decimal("6.1")},
        {"currency": "BR", "rate": Decimal("6.1")},
        {"currency": "B1L", "rate": Decimal("6.1")},
        {"currency": "EUR", "rate": Decimal("1")},
    ],
)
def test_the_database_refuses_what_is_not_a_rate(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(date=DAY, **fields)


@pytest.mark.django_db
def test_one_rate_per_currency_and_day():
    ExchangeRate.objects.create(date=DAY, currency="BRL", rate=Decimal("6.1"))
    ExchangeRate.objects.create(date=DAY, currency="USD", rate=Decimal("1.1"))
    ExchangeRate.objects.create(date=DAY + datetime.timedelta(days=1), currency="BRL", rate=Decimal("6.2"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(date=DAY, currency="BRL", rate=Decimal("6.3"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"date": None}, "date", "Enter the date of the rate."),
        ({"date": "2026-02-30"}, "date", "Enter the date of the rate."),
        ({"date": "tomorrow"}, "date", "Enter the date of the rate."),
        ({"currency": "R$"}, "currency", "three-letter ISO 4217"),
        ({"currency": None}, "currency", "three-letter ISO 4217"),
        ({"currency": "eur"}, "currency", "EUR is the base currency: its rate is always 1."),
        ({"rate": "0"}, "rate", "positive number"),
        ({"rate": "-1"}, "rate", "positive number"),
        ({"rate": "abc"}, "rate", "positive number"),
        ({"rate": "NaN"}, "rate", "positive number"),
        ({"rate": "Infinity"}, "rate", "positive number"),
        ({"rate": "1.123456789"}, "rate", "at most 8 decimal places"),
        ({"rate": "1000000000000"}, "rate", "positive number"),
        ({"rate": None}, "rate", "positive number"),
    ],
)
def test_the_validator_names_the_wrong_field(fields, field, message):
    data = {"date": DAY, "currency": "BRL", "rate": Decimal("6.1234"), **fields}
    with pytest.raises(ServiceError, match=message) as raised:
        services.exchange_rate_validate(**data)
    assert raised.value.field == field


def test_the_validator_normalises():
    assert services.exchange_rate_validate(date="2026-03-02", currency=" brl ", rate="6.12340000") == {
        "date": DAY,
        "currency": "BRL",
        "rate": Decimal("6.12340000"),
    }


def test_a_rate_of_tomorrow_is_allowed_but_not_later():
    today = timezone.localdate()
    services.exchange_rate_validate(date=today + datetime.timedelta(days=1), currency="BRL", rate="6")
    with pytest.raises(ServiceError, match="future"):
        services.exchange_rate_validate(date=today + datetime.timedelta(days=2), currency="BRL", rate="6")


def test_only_the_channel_manager_writes_rates(world):
    for role in ("cam_a", "executive", "partner_a_admin"):
        with pytest.raises(PermissionDenied):
            services.exchange_rate_create(actor=world[role], date=DAY, currency="BRL", rate="6.1")
        with pytest.raises(PermissionDenied):
            services.exchange_rates_load(actor=world[role], rates=[(DAY, "BRL", "6.1")], source="test")
    assert ExchangeRate.objects.count() == 0
    rate = services.exchange_rate_create(actor=world["channel_manager"], date=DAY, currency="BRL", rate="6.1")
    for role in ("cam_a", "executive"):
        with pytest.raises(PermissionDenied):
            services.exchange_rate_update(actor=world[role], exchange_rate=rate, rate="7")
        with pytest.raises(PermissionDenied):
            services.exchange_rate_delete(actor=world[role], exchange_rate=rate)
    assert ExchangeRate.objects.get().rate == Decimal("6.1")


def test_every_write_is_audited(world):
    manager = world["channel_manager"]
    rate = services.exchange_rate_create(actor=manager, date=DAY, currency="BRL", rate="6.1")
    services.exchange_rate_update(actor=manager, exchange_rate=rate, rate="6.2")
    services.exchange_rate_update(actor=manager, exchange_rate=rate, rate="6.20")  # no change, no event
    with pytest.raises(ServiceError, match="already has a rate"):
        services.exchange_rate_create(actor=manager, date=DAY, currency="BRL", rate="6.3")
    other = services.exchange_rate_create(actor=manager, date=DAY, currency="USD", rate="1.1")
    with pytest.raises(ServiceError, match="already has a rate"):
        services.exchange_rate_update(actor=manager, exchange_rate=other, currency="BRL")
    with pytest.raises(ServiceError, match="cannot be set"):
        services.exchange_rate_update(actor=manager, exchange_rate=other, updated_at=None)
    services.exchange_rate_delete(actor=manager, exchange_rate=rate)
    events = list(AuditEvent.objects.filter(action__startswith="exchange_rate.").order_by("id"))
    assert [event.action for event in events] == [
        "exchange_rate.created",
        "exchange_rate.changed",
        "exchange_rate.created",
        "exchange_rate.deleted",
    ]
    assert events[1].data == {"rate": ["6.10000000", "6.2"]} and events[1].actor_label == manager.email
    assert events[3].data == {"date": "2026-03-02", "currency": "BRL", "rate": "6.20000000"}
    assert list(ExchangeRate.objects.values_list("currency", flat=True)) == ["USD"]


# --- the admin ------------------------------------------------------------------------------------


def _form(**fields):
    return {"date": "2026-03-02", "currency": "BRL", "rate": "6.1234", **fields}


def test_the_channel_manager_adds_changes_and_deletes_rates_in_the_admin(staff_client, world):
    client = staff_client("channel_manager")
    response = client.post(reverse("admin:money_exchangerate_add"), _form())
    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.date, rate.currency, rate.rate) == (DAY, "BRL", Decimal("6.1234"))
    response = client.post(reverse("admin:money_exchangerate_change", args=[rate.pk]), _form(rate="6.2"))
    assert response.status_code == 302
    assert ExchangeRate.objects.get().rate == Decimal("6.2")
    page = client.get(reverse("admin:money_exchangerate_change", args=[rate.pk])).content.decode()
    assert 'title="exchange_rate.created">Exchange rate created<' in page
    assert 'title="exchange_rate.changed">Exchange rate changed<' in page
    response = client.post(reverse("admin:money_exchangerate_delete", args=[rate.pk]), {"post": "yes"})
    assert response.status_code == 302 and not ExchangeRate.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="exchange_rate.").order_by("id").values_list("action", flat=True)
    ) == ["exchange_rate.created", "exchange_rate.changed", "exchange_rate.deleted"]


def test_the_admin_form_shows_the_rules_beside_the_fields(staff_client):
    client = staff_client("channel_manager")
    for fields, message in [
        ({"currency": "EUR"}, "EUR is the base currency: its rate is always 1."),
        ({"currency": "R$"}, "three-letter ISO 4217"),
        ({"rate": "0"}, "positive number"),
    ]:
        response = client.post(reverse("admin:money_exchangerate_add"), _form(**fields))
        assert response.status_code == 200 and message in response.content.decode()
    client.post(reverse("admin:money_exchangerate_add"), _form())
    response = client.post(reverse("admin:money_exchangerate_add"), _form(rate="7"))
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert ExchangeRate.objects.count() == 1


def test_the_bulk_delete_action_goes_through_the_service(staff_client):
    client = staff_client("channel_manager")
    for currency in ("BRL", "USD"):
        client.post(reverse("admin:money_exchangerate_add"), _form(currency=currency))
    ids = [str(pk) for pk in ExchangeRate.objects.values_list("pk", flat=True)]
    response = client.post(
        reverse("admin:money_exchangerate_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302 and not ExchangeRate.objects.exists()
    assert AuditEvent.objects.filter(action="exchange_rate.deleted").count() == 2


@pytest.mark.parametrize("role", ["cam_a", "executive"])
def test_cams_and_executives_read_rates_and_change_nothing(staff_client, world, role):
    rate = services.exchange_rate_create(actor=world["channel_manager"], date=DAY, currency="BRL", rate="6.1")
    client = staff_client(role)
    assert client.get(reverse("admin:money_exchangerate_changelist")).status_code == 200
    assert client.get(reverse("admin:money_exchangerate_change", args=[rate.pk])).status_code == 200
    assert client.post(reverse("admin:money_exchangerate_add"), _form(currency="USD")).status_code == 403
    client.post(reverse("admin:money_exchangerate_change", args=[rate.pk]), _form(rate="9"))
    assert client.post(reverse("admin:money_exchangerate_delete", args=[rate.pk]), {"post": "yes"}).status_code == 403
    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("BRL", Decimal("6.1"))]


def test_the_list_filters_by_currency_and_by_date(staff_client, world):
    manager = world["channel_manager"]
    for currency, on in [("BRL", DAY), ("USD", DAY), ("BRL", datetime.date(2025, 12, 31))]:
        services.exchange_rate_create(actor=manager, date=on, currency=currency, rate="2")
    client = staff_client("executive")
    changelist = reverse("admin:money_exchangerate_changelist")
    page = client.get(changelist).content.decode()
    assert "3 exchange rates" in page and "By currency" in page
    page = client.get(changelist, {"currency": "BRL"}).content.decode()
    assert "2 exchange rates" in page
    page = client.get(changelist, {"date__year": "2026"}).content.decode()
    assert "2 exchange rates" in page
