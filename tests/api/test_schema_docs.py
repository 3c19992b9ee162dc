"""The OpenAPI schema and the browsable docs, served without any CDN."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


@pytest.mark.parametrize("role", ["partner_a_admin", "channel_manager"])
def test_schema_answers_for_a_signed_in_user(client, world, staff_mfa, role):
    client.force_login(world[role])
    response = client.get(reverse("api_schema"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("openapi: 3")
    for path in ("/api/v1/me/", "/api/v1/partners/", "/api/v1/partners/{id}/"):
        assert f"  {path}:" in body


def test_schema_documents_the_bearer_token(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.get(reverse("api_schema"), {"format": "json"})
    schemes = response.json()["components"]["securitySchemes"]
    assert any(scheme.get("scheme", "").lower() == "bearer" for scheme in schemes.values())


def test_schema_and_docs_need_a_signed_in_user(client, db):
    assert client.get(reverse("api_schema")).status_code == 401
    assert client.get(reverse("api_docs")).status_code == 401


def test_docs_load_their_assets_locally(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    html = response.content.decode()
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert cdn not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    # The start-up script comes from the docs view itself (no inline script under the CSP).
    start_up = f"{reverse('api_docs')}?script="
    assert start_up in assets
    for asset in assets:
        if asset == start_up:
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    script = client.get(start_up)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert not re.search(r"https?://", html.replace(reverse("api_schema"), ""))
