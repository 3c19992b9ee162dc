"""The admin is no oracle of which ids exist: for an object a staff user may not view, every object
URL of every registered ModelAdmin (change, history, delete, the bare /<id>/ redirect, custom object
actions such as approve or review, "view on site") answers exactly as it does for an id that does
not exist, GET and POST: same status, same redirect target.

The cast of the authorization matrix provides one object of partner A per admin model; the CAM of
another partner meets partner A's objects out of scope, and a role without a model's permissions
meets every object of it as one it may not view.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern

from prm.admin import ScopedObjectsAdminMixin
from tests.test_authorization_matrix import cast  # noqa: F401  (the fixture)

ROLES = ("cam_a", "cam_other")
MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def _key(model) -> str:
    return f"{model._meta.app_label}/{model._meta.model_name}"


def object_paths(model_admin, object_id) -> list[str]:
    """Every URL of ``model_admin`` that names one object, for ``object_id``."""
    prefix = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/"
    paths = []
    for pattern in model_admin.get_urls():
        if isinstance(pattern, URLPattern) and "<path:object_id>" in str(pattern.pattern):
            paths.append(prefix + str(pattern.pattern).replace("<path:object_id>", str(object_id)))
    content_type = ContentType.objects.get_for_model(model_admin.model)
    paths.append(f"/admin/r/{content_type.pk}/{object_id}/")
    return paths


def answer(response, object_id) -> tuple[int, str]:
    """Status and redirect target, with the id itself made anonymous (/<id>/change/ differs only by it)."""
    location = ""
    if response.status_code in (301, 302, 303, 307, 308):
        location = re.sub(rf"/{object_id}/", "/<id>/", urlsplit(response["Location"]).path)
    return response.status_code, location


def missing_id(model) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
    return last + 1_000_000


def test_every_registered_admin_hides_what_its_user_may_not_view():
    plain = [
        _key(model)
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, ScopedObjectsAdminMixin)
    ]
    assert not plain, f"Admins without ScopedObjectsAdminMixin: {plain}"


@pytest.mark.parametrize("model", MODELS, ids=_key)
def test_an_object_the_user_may_not_view_answers_like_a_missing_one(model, cast):  # noqa: F811
    model_admin = admin.site._registry[model]
    existing = cast["admin_objects"].get(_key(model))
    assert existing is not None, f"The matrix cast has no object of {_key(model)}"
    missing = missing_id(model)
    compared = 0
    for role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(cast["world"][role])
        change = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/{existing}/change/"
        if client.get(change).status_code == 200:
            continue  # the role may view this object: nothing to hide
        for existing_path, missing_path in zip(
            object_paths(model_admin, existing), object_paths(model_admin, missing), strict=True
        ):
            for method in ("get", "post"):
                got = answer(getattr(client, method)(existing_path), existing)
                want = answer(getattr(client, method)(missing_path), missing)
                assert got == want, f"{role} {method.upper()} {existing_path}: {got}, missing id: {want}"
                compared += 1
    if _key(model) in SCOPED_FOR_CAM_OTHER or _key(model) in NO_ACCESS_FOR_CAMS:
        assert compared, f"{_key(model)}: no role met its object as one it may not view"


# Models whose objects of partner A the other CAM meets out of scope, and models CAMs may not see
# at all: the walk must have compared something for them.
SCOPED_FOR_CAM_OTHER = {"partners/partner", "partners/membership", "audit/auditevent", "sla/deadline", "deals/deal"}
NO_ACCESS_FOR_CAMS = {"accounts/user", "auth/group", "accounts/apitoken", "mfa/authenticator"}


def test_the_history_of_a_user_is_no_oracle_for_a_cam(cast):  # noqa: F811
    """The case reported: 403 for an existing user, 302 for a missing id."""
    user = cast["world"]["partner_b_user"]
    client = Client(raise_request_exception=False)
    client.force_login(cast["world"]["cam_a"])
    existing = client.get(f"/admin/accounts/user/{user.pk}/history/")
    missing = client.get(f"/admin/accounts/user/{user.pk + 1_000_000}/history/")
    assert (existing.status_code, missing.status_code) == (403, 403)
