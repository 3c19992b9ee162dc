import pytest
from django.core.management import call_command
from django.urls import reverse

from prm.demo import DEMO_PASSWORD


@pytest.mark.django_db
def test_migrations_match_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_demo_login_works(client):
    from partners.models import Membership, Partner
    from prm.accounts.models import User

    call_command("seed_demo")
    counts = (User.objects.count(), Partner.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Partner.objects.count(), Membership.objects.count()) == counts
    assert counts == (10, 2, 4)
    assert set(Partner.objects.values_list("country", flat=True)) == {"BR", "FR"}

    response = client.post(reverse("account_login"), {"login": "ana.admin@solaris.example", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert "Solaris" in home.content.decode()
