"""Idempotency keys (ADR 0011): a double click or a retried request creates one record.

Concurrent requests run in threads, each with its own connection, on real PostgreSQL: the unique
index of the keys makes the repeats wait for the first and answer its result."""

import datetime
import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import Deal
from partners.models import Application
from prm.idempotency.forms import CONTENT_KEY_WINDOW
from prm.idempotency.models import IdempotencyKey
from prm.idempotency.services import KeyReused, key_claim, key_ttl, keys_purge
from prm.idempotency.tasks import purge_idempotency_keys
from tests.helpers.concurrency import run_together
from tests.partners.test_public import api_data

CLOSE = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
DRAFT = {
    "customer_company": "Padaria Estrela Ltda",
    "customer_email": "compras@estrela.com.br",
    "customer_country": "BR",
    "amount": "15000.00",
    "currency": "BRL",
    "expected_close_date": CLOSE,
}
DEALS_API = "/api/v1/deals/"
APPLICATIONS_API = "/api/v1/applications/"
ALREADY_USED = "already sent once with other values under the same idempotency key"


def form_token(client, url) -> str:
    html = client.get(url).content.decode()
    match = re.search(r'<input type="hidden" name="idempotency_key" value="([^"]+)">', html)
    assert match, f"the form of {url} carries its idempotency token"
    return match.group(1)


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def post_deal(client, key=None, **overrides):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(DEALS_API, {**DRAFT, **overrides}, format="json", headers=headers)


# --- the new deal form, clicked many times at once ------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("clicks", [2, 10])
def test_the_new_deal_form_sent_at_once_creates_one_draft(world, clicks):
    user = world["partner_a_sales"]
    clients = [signed_in(user) for _ in range(clicks)]
    data = {**DRAFT, "save": "1", "idempotency_key": form_token(clients[0], reverse("deal_create"))}

    responses = run_together([lambda client=client: client.post(reverse("deal_create"), data) for client in clients])

    deal = Deal.objects.get()
    assert [response.status_code for response in responses] == [302] * clicks
    assert {response["Location"] for response in responses} == {reverse("deal_detail", args=[deal.pk])}
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_new_deal_form_without_its_token_sent_twice_at_once_creates_one_draft(world):
    """A page rendered before the token existed, or a script: keyed on its content for a minute."""
    user = world["partner_a_sales"]
    clients = [signed_in(user) for _ in range(2)]
    data = {**DRAFT, "save": "1"}

    responses = run_together([lambda client=client: client.post(reverse("deal_create"), data) for client in clients])

    deal = Deal.objects.get()
    assert {response["Location"] for response in responses} == {reverse("deal_detail", args=[deal.pk])}


def test_the_form_sent_again_after_it_completed_goes_to_the_same_draft(world):
    client = signed_in(world["partner_a_sales"])
    data = {**DRAFT, "submit": "1", "idempotency_key": form_token(client, reverse("deal_create"))}
    first = client.post(reverse("deal_create"), data)
    again = client.post(reverse("deal_create"), data, follow=True)

    deal = Deal.objects.get()
    assert first["Location"] == reverse("deal_detail", args=[deal.pk])
    assert again.redirect_chain == [(reverse("deal_detail", args=[deal.pk]), 302)]
    assert "This form was sent more than once; it was recorded once." in again.content.decode()


def test_the_form_token_sent_with_other_values_is_refused_and_creates_nothing(world):
    client = signed_in(world["partner_a_sales"])
    token = form_token(client, reverse("deal_create"))
    assert client.post(reverse("deal_create"), {**DRAFT, "save": "1", "idempotency_key": token}).status_code == 302

    response = client.post(
        reverse("deal_create"), {**DRAFT, "customer_company": "Other Ltda", "save": "1", "idempotency_key": token}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert ALREADY_USED in html
    assert list(Deal.objects.values_list("customer_company", flat=True)) == ["Padaria Estrela Ltda"]
    assert form_token_in(html) not in ("", token)  # a fresh token: sending the form again creates the new draft


def form_token_in(html) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    return match.group(1) if match else ""


def test_a_tampered_form_token_counts_as_no_token(world):
    client = signed_in(world["partner_a_sales"])
    token = form_token(client, reverse("deal_create"))
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    client.post(reverse("deal_create"), {**DRAFT, "save": "1", "idempotency_key": forged})
    client.post(reverse("deal_create"), {**DRAFT, "customer_company": "Other", "save": "1", "idempotency_key": forged})
    assert Deal.objects.count() == 2
    assert all(key.startswith("content:") for key in IdempotencyKey.objects.values_list("key", flat=True))


def test_without_a_token_the_content_keys_a_submission_for_one_minute(world):
    client = signed_in(world["partner_a_sales"])
    client.post(reverse("deal_create"), {**DRAFT, "save": "1"})
    client.post(reverse("deal_create"), {**DRAFT, "save": "1"})
    assert Deal.objects.count() == 1
    client.post(reverse("deal_create"), {**DRAFT, "customer_company": "Other Ltda", "save": "1"})
    assert Deal.objects.count() == 2
    row = IdempotencyKey.objects.order_by("pk").first()
    assert row.key.startswith("content:") and row.expires_at - row.created_at == CONTENT_KEY_WINDOW


def test_a_refused_form_frees_its_token(world):
    """A create that fails (here a field error of the service) leaves nothing, its key included."""
    client = signed_in(world["partner_a_sales"])
    token = form_token(client, reverse("deal_create"))
    bad = client.post(
        reverse("deal_create"), {**DRAFT, "expected_close_date": "2001-01-01", "submit": "1", "idempotency_key": token}
    )
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    assert client.post(reverse("deal_create"), {**DRAFT, "save": "1", "idempotency_key": token}).status_code == 302
    assert Deal.objects.count() == 1


# --- the deals API -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("requests", [2, 10])
def test_the_deals_api_create_sent_at_once_with_one_key_creates_one_draft(world, requests):
    user = world["partner_a_sales"]
    clients = [api_as(user) for _ in range(requests)]

    responses = run_together([lambda client=client: post_deal(client, "order-7f3a") for client in clients])

    deal = Deal.objects.get()
    assert [response.status_code for response in responses] == [201] * requests
    assert all(response.json() == responses[0].json() for response in responses)
    assert responses[0].json()["id"] == deal.pk
    replayed = [response.headers.get("Idempotent-Replayed") for response in responses]
    assert sorted(replayed, key=str) == [None] + ["true"] * (requests - 1)


def test_the_deals_api_replays_a_completed_create(world):
    client = api_as(world["partner_a_sales"])
    first = post_deal(client, "retry-1")
    again = post_deal(client, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Deal.objects.count() == 1


def test_the_same_key_with_another_payload_is_refused_and_changes_nothing(world):
    client = api_as(world["partner_a_sales"])
    assert post_deal(client, "k-1").status_code == 201
    response = post_deal(client, "k-1", amount="99.00")
    assert response.status_code == 422
    assert ALREADY_USED in response.json()["detail"]
    assert list(Deal.objects.values_list("amount", flat=True)) == [15000]
    assert IdempotencyKey.objects.count() == 1


def test_the_same_key_of_two_users_are_two_keys(world):
    first = post_deal(api_as(world["partner_a_sales"]), "shared")
    second = post_deal(api_as(world["partner_a_admin"]), "shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"] and "Idempotent-Replayed" not in second
    assert Deal.objects.count() == 2


def test_without_a_key_the_api_creates_as_before(world):
    client = api_as(world["partner_a_sales"])
    assert post_deal(client).status_code == post_deal(client).status_code == 201
    assert Deal.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_a_refused_create_keeps_no_key(world):
    client = api_as(world["partner_a_sales"])
    assert post_deal(client, "k-2", amount="-1").status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post_deal(client, "k-2", amount="10.00").status_code == 201


@pytest.mark.parametrize(
    ("key", "status"),
    [("x" * 255, 201), ('"quoted-key"', 201), ("x" * 256, 400), ("two words", 400), ("", 400), ("clé", 400)],
)
def test_the_key_is_1_to_255_visible_ascii_characters(world, key, status):
    response = post_deal(api_as(world["partner_a_sales"]), key)
    assert response.status_code == status, response.content
    assert Deal.objects.count() == (1 if status == 201 else 0)
    if status == 400:
        assert "Idempotency-Key" in response.json()


@pytest.mark.parametrize("depth", [200, 5000])
def test_deeply_nested_content_with_a_key_is_a_400(world, depth):
    body = "[" * depth + "]" * depth
    client = api_as(world["partner_a_sales"])
    response = client.post(DEALS_API, body, content_type="application/json", headers={"Idempotency-Key": "deep"})
    assert response.status_code == 400 and not Deal.objects.exists() and not IdempotencyKey.objects.exists()


def test_the_quoted_form_of_the_header_is_the_same_key(world):
    client = api_as(world["partner_a_sales"])
    first = post_deal(client, "abc-1")
    again = post_deal(client, '"abc-1"')
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()


def test_an_expired_key_is_a_new_key(world):
    client = api_as(world["partner_a_sales"])
    first = post_deal(client, "k-3")
    IdempotencyKey.objects.update(expires_at=timezone.now())
    again = post_deal(client, "k-3")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"] and Deal.objects.count() == 2


# --- the application API (anonymous) -------------------------------------------------------------


@pytest.fixture
def program_page(db):
    from tests.factories import ProgramFactory, ProgramPageFactory

    program = ProgramFactory()
    ProgramPageFactory(program=program)
    return program


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("requests", [2, 10])
def test_the_application_api_sent_at_once_with_one_key_creates_one_application(program_page, requests):
    """Anonymous: the key alone identifies the submission (from any address)."""
    clients = [APIClient(raise_request_exception=False, REMOTE_ADDR=f"198.51.100.{n}") for n in range(requests)]

    def send(client):
        return client.post(APPLICATIONS_API, api_data(), format="json", headers={"Idempotency-Key": "apply-1"})

    responses = run_together([lambda client=client: send(client) for client in clients])

    application = Application.objects.get()
    assert [response.status_code for response in responses] == [201] * requests
    assert all(response.json() == {"id": application.pk, "status": "submitted"} for response in responses)
    assert sum(response.headers.get("Idempotent-Replayed") == "true" for response in responses) == requests - 1


def test_the_application_api_with_the_same_key_and_other_content_is_refused(program_page):
    client = APIClient(raise_request_exception=False)
    assert client.post(APPLICATIONS_API, api_data(), format="json", headers={"Idempotency-Key": "a"}).status_code == 201
    other = api_data(company_name="Another Company", email_domain="another.example", contact_email="x@another.example")
    response = client.post(APPLICATIONS_API, other, format="json", headers={"Idempotency-Key": "a"})
    assert response.status_code == 422 and Application.objects.count() == 1


# --- the claim itself: expiry at its exact boundary, the purge -------------------------------------------


def _claim(user, now, fingerprint="f1"):
    with transaction.atomic():
        claim = key_claim(user=user, scope="test", key="k", fingerprint=fingerprint, now=now)
        if not claim.replayed:
            claim.complete(status_code=201, body={"id": fingerprint})
    return claim


def test_a_key_answers_until_exactly_its_ttl(world, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    user = world["partner_a_sales"]
    start = timezone.now()
    first = _claim(user, start)
    assert first.row.expires_at == start + datetime.timedelta(hours=24) == start + key_ttl()

    just_before = _claim(user, first.row.expires_at - datetime.timedelta(microseconds=1))
    assert just_before.replayed and just_before.row.body == {"id": "f1"}

    at_ttl = _claim(user, first.row.expires_at, fingerprint="f2")
    assert not at_ttl.replayed
    assert list(IdempotencyKey.objects.values_list("fingerprint", "body")) == [("f2", {"id": "f2"})]


def test_a_live_key_with_another_fingerprint_is_refused(world):
    user = world["partner_a_sales"]
    start = timezone.now()
    _claim(user, start)
    with pytest.raises(KeyReused):
        _claim(user, start + datetime.timedelta(hours=1), fingerprint="f2")


def test_the_purge_deletes_keys_from_exactly_their_expiry(world):
    user = world["partner_a_sales"]
    start = timezone.now()
    expires_at = _claim(user, start).row.expires_at
    _claim(world["partner_a_admin"], start + datetime.timedelta(hours=1))
    assert keys_purge(now=expires_at - datetime.timedelta(microseconds=1)) == 0
    assert keys_purge(now=expires_at) == 1
    assert list(IdempotencyKey.objects.values_list("user", flat=True)) == [world["partner_a_admin"].pk]


def test_the_purge_is_a_task_run_every_hour(settings, world):
    entry = settings.CELERY_BEAT_SCHEDULE["idempotency-keys-purge"]
    assert (entry["task"], entry["schedule"]) == ("prm.idempotency.tasks.purge_idempotency_keys", 3600.0)
    _claim(world["partner_a_sales"], timezone.now() - key_ttl())
    assert purge_idempotency_keys() == 1 and not IdempotencyKey.objects.exists()


class _RolledBack(Exception):
    pass


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_a_repeat_waits_on_the_unique_index_until_the_first_ends(world, first_ends):
    """The second claim blocks in PostgreSQL while the first transaction is open; then it answers the
    first's result, or claims the key itself when the first rolled back."""
    user = world["partner_a_sales"]
    claimed, release, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                key_claim(user=user, scope="test", key="k", fingerprint="f").complete(status_code=201, body={"id": 1})
                claimed.set()
                release.wait(30)
                if first_ends == "rollback":
                    raise _RolledBack
        except _RolledBack:
            pass
        finally:
            connection.close()

    def second():
        try:
            with transaction.atomic():
                claim = key_claim(user=user, scope="test", key="k", fingerprint="f")
                if not claim.replayed:
                    claim.complete(status_code=201, body={"id": 2})
                outcome["claim"] = claim
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert claimed.wait(30)
    threads[1].start()
    waited = False
    for _ in range(600):  # until the second claim waits on the first's row (a condition, not a duration)
        if _lock_waiters():
            waited = True
            break
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(30)
    assert waited and "claim" in outcome
    if first_ends == "commit":
        assert outcome["claim"].replayed and outcome["claim"].row.body == {"id": 1}
    else:
        assert not outcome["claim"].replayed
    assert list(IdempotencyKey.objects.values_list("body", flat=True)) == [{"id": 1 if first_ends == "commit" else 2}]


@pytest.mark.django_db(transaction=True)
def test_a_claim_outside_a_transaction_is_a_programming_error(world):
    with pytest.raises(RuntimeError):
        key_claim(user=world["partner_a_sales"], scope="test", key="k", fingerprint="f")
