"""Countries read as names where people read them (the code stays in the stored value and the API)."""

from django.urls import reverse


def test_the_staff_home_and_the_admin_lists_name_the_country(client, world, mfa):
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    home = client.get(reverse("home")).content.decode()
    assert ">Brazil</td>" in home and ">BR</td>" not in home
    partners = client.get(reverse("admin:partners_partner_changelist")).content.decode()
    assert "Brazil (BR)" in partners and "France (FR)" in partners


def test_the_partner_admin_offers_regions_and_industries_by_name(client, world, mfa):
    from partners.models import Partner

    Partner.objects.filter(pk=world["partner_a"].pk).update(regions=["europe"], industries=["manufacturing"])
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    response = client.get(reverse("admin:partners_partner_change", args=[world["partner_a"].pk]))
    form = response.context["adminform"].form
    assert form.initial["regions"] == ["europe"] and form.initial["industries"] == ["manufacturing"]
    html = response.content.decode()
    assert 'type="checkbox" name="regions" value="europe"' in html and "Europe</label>" in html
    assert "Manufacturing</label>" in html


def test_the_application_admin_names_country_regions_and_industries(client, world, mfa):
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(program=world["partner_a"].program, industries=["manufacturing"])
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    html = client.get(reverse("admin:partners_application_change", args=[application.pk])).content.decode()
    assert "Brazil (BR)" in html and "Latin America" in html and "Manufacturing" in html
    assert "latam" not in html and "manufacturing" not in html
