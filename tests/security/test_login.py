"""Login: rate limits, the MFA step for staff, and who reaches the admin."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def login(client, email, password=PASSWORD, next_url=None):
    data = {"login": email, "password": password}
    url = reverse("account_login")
    if next_url:
        url = f"{url}?next={next_url}"
    return client.post(url, data)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_partner_user_logs_in_with_email_and_password(client, world):
    user = world["partner_a_admin"]
    response = login(client, user.email)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_wrong_password_is_refused_with_a_form_error(client, world):
    response = login(client, world["partner_a_admin"].email, "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client, world):
    email = world["partner_a_admin"].email
    for _attempt in range(5):
        assert login(client, email, "not-the-password").status_code == 200
    response = login(client, email)
    assert signed_in_user_id(client) is None
    assert "Too many failed login attempts" in response.content.decode()


def test_the_failed_login_limit_is_per_account(client, world):
    for _attempt in range(5):
        login(client, world["partner_a_admin"].email, "not-the-password")
    login(client, world["partner_a_sales"].email)
    assert signed_in_user_id(client) == str(world["partner_a_sales"].pk)


def test_password_reset_is_rate_limited(client, world, mailoutbox):
    email = world["partner_a_admin"].email
    statuses = [client.post(reverse("account_reset_password"), {"email": email}).status_code for _ in range(8)]
    assert statuses[0] == 302
    assert 429 in statuses
    assert len(mailoutbox) <= 5


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales", "partner_b_user"])
def test_partner_users_cannot_reach_the_admin(client, world, role):
    client.force_login(world[role])
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    for path in (
        "/admin/partners/partner/",
        "/admin/login/",
        f"/admin/partners/partner/{world['partner_a'].pk}/change/",
    ):
        assert client.get(path, follow=True).status_code == 403


def test_partner_user_logging_in_through_the_admin_login_does_not_reach_it(client, world):
    response = login(client, world["partner_a_admin"].email, next_url="/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 403


def test_staff_without_mfa_are_sent_to_set_it_up_before_the_admin(client, world):
    client.force_login(world["channel_manager"])
    response = client.get("/admin/partners/partner/?q=Partner+A&o=1")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("mfa_activate_totp")
    assert parse_qs(location.query) == {"next": ["/admin/partners/partner/?q=Partner+A&o=1"]}


def test_staff_without_mfa_are_sent_to_set_it_up_before_the_staff_pages(client, world):
    client.force_login(world["cam_a"])
    response = client.get(reverse("staff_partner_detail", args=[world["partner_a"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_demo_staff_skip_mfa_only_when_the_setting_allows_it(client, world, settings):
    staff = world["channel_manager"]
    type(staff).objects.filter(pk=staff.pk).update(is_demo=True)
    client.force_login(staff)
    settings.MFA_EXEMPT_DEMO_STAFF = False
    assert client.get("/admin/").status_code == 302
    settings.MFA_EXEMPT_DEMO_STAFF = True
    assert client.get("/admin/").status_code == 200


def test_staff_with_mfa_pass_the_totp_step_at_login_and_reach_the_admin(client, world, mfa, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    staff = world["channel_manager"]
    code = mfa(staff)

    response = login(client, staff.email, next_url="/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": f"{(int(code()) + 500_000) % 1_000_000:06d}"})
    assert wrong.status_code == 200
    assert signed_in_user_id(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": code()})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in_user_id(client) == str(staff.pk)
    admin_page = client.get("/admin/")
    assert admin_page.status_code == 200
    assert "Partners" in admin_page.content.decode()


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unverified_email_cannot_log_in_and_gets_a_verification_email(client, db, mailoutbox):
    from tests.factories import UserFactory

    user = UserFactory()
    user.emailaddress_set.update(verified=False)
    response = login(client, user.email)
    assert signed_in_user_id(client) is None
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
