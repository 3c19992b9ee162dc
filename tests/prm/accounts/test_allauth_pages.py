"""allauth's pages in the design system: the sign-in's card, Tabler's fields and buttons (the element
templates of templates/allauth/elements), never allauth's bare markup."""

import pytest
from django.test import Client
from django.urls import reverse

CARD = 'class="card card-md auth-card auth-entrance"'
MANAGE = 'class="card card-md auth-card auth-manage"'


def assert_designed(html, card=CARD):
    assert card in html
    assert '<h1 class="h2 mb-3 auth-title">' in html
    assert "<p>\n    <label" not in html and "{{ attrs" not in html  # allauth's own field markup


def reset_key_url(user):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    kwargs = {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}
    return reverse("account_reset_password_from_key", kwargs=kwargs)


@pytest.mark.parametrize(
    "name", ["account_reset_password", "account_reset_password_done", "account_reset_password_from_key_done"]
)
def test_the_password_reset_pages_are_cards(world, name):
    html = Client().get(reverse(name)).content.decode()
    assert_designed(html)


def test_the_reset_form_has_a_primary_button_and_tabler_fields(world):
    html = Client().get(reverse("account_reset_password")).content.decode()
    assert 'class="btn btn-primary" type="submit"' in html
    assert 'class="textinput form-control" required id="id_email"' in html
    followed = Client().get(reset_key_url(world["partner_a_admin"]), follow=True)
    assert followed.redirect_chain and followed.status_code == 200
    assert_designed(followed.content.decode())
    assert 'name="password1"' in followed.content.decode()


def test_the_logout_page_asks_in_the_portals_words(world):
    client = Client()
    client.force_login(world["partner_a_admin"])
    html = client.get(reverse("account_logout")).content.decode()
    assert_designed(html)
    assert "Are you sure you want to log out?" in html
    assert 'class="btn btn-primary" type="submit">Log out</button>' in html


def test_the_two_factor_step_and_settings_are_cards(world, mfa):
    user = world["cam_a"]
    mfa(user)
    user.set_password("a-long-test-password")
    user.save()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-test-password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    html = response.content.decode()
    assert_designed(html)
    assert 'class="btn btn-link" form="logout-from-stage"' in html  # Cancel, a link-styled button
    settings_client = Client()
    settings_client.force_login(world["partner_a_admin"])
    assert_designed(settings_client.get(reverse("mfa_index")).content.decode(), card=MANAGE)
    assert_designed(settings_client.get(reverse("account_change_password")).content.decode(), card=MANAGE)
