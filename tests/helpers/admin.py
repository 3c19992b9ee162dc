"""The Django admin as staff use it: a signed-in client, posts that follow their redirect, the
messages and landing page of an answer, bulk actions and the URL of an object's admin route."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers.queries import inserts


@pytest.fixture
def login(client, mfa):
    """``login(user)``: the test client signed in as the user, with the TOTP staff need."""

    def as_user(user):
        mfa(user)
        client.force_login(user)
        return client

    return as_user


def admin_url(obj, name: str = "change") -> str:
    """The admin route ``name`` of the object: change, delete, history or one of its own (approve…)."""
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{name}", args=[obj.pk])


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def post_and_follow(client, url: str, data=None):
    """POST and follow the redirect: the page shown next displays (and uses up) the messages."""
    return client.post(url, data or {}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def landed_on(response) -> str:
    """Where the redirects of a followed answer ended ("" when there were none)."""
    return response.redirect_chain[-1][0] if response.redirect_chain else ""


def bulk_action(client, action: str, objects, **data):
    """Run the changelist action on the objects (all of one model), as the action form posts it."""
    payload = {"action": action, "_selected_action": [obj.pk for obj in objects], "apply": "1", **data}
    return post_and_follow(client, changelist_url(type(objects[0])), payload)


def changelist_without_writes(client, model) -> list:
    """The rows the model's changelist shows; the page must answer 200 and insert nothing."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model))
    assert response.status_code == 200
    assert not inserts(queries)
    return list(response.context["cl"].result_list)
