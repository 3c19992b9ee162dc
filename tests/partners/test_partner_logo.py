"""The partner's own logo: checked by content at the size limit's exact boundary, edited by the partner
admin and by staff in the admin, served in scope only, shown in the header and on the team page."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from partners.models import Partner
from partners.services import partner_profile_update
from prm.errors import ServiceError


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(size=(64, 32)) -> bytes:
    output = BytesIO()
    Image.new("RGB", size, "#1e40af").save(output, format="PNG")
    return output.getvalue()


def upload(content, name="logo.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def give_logo(world, partner="partner_a"):
    partner_profile_update(
        actor=world[f"{partner}_admin"] if partner == "partner_a" else world["partner_b_user"],
        partner=world[partner],
        data={},
        logo=upload(png()),
    )


def signed_in(world, role, mfa=None):
    client = Client()
    if mfa is not None:
        mfa(world[role])
    client.force_login(world[role])
    return client


# --- checked by content ----------------------------------------------------------------------------


def test_a_logo_of_exactly_the_limit_is_accepted_and_one_byte_more_refused(world, settings):
    content = png()
    settings.LOGO_MAX_BYTES = len(content)
    partner_profile_update(actor=world["partner_a_admin"], partner=world["partner_a"], data={}, logo=upload(content))
    assert Partner.objects.get(pk=world["partner_a"].pk).logo
    settings.LOGO_MAX_BYTES = len(content) - 1
    with pytest.raises(ServiceError, match="at most") as error:
        partner_profile_update(
            actor=world["partner_a_admin"], partner=world["partner_a"], data={}, logo=upload(content)
        )
    assert error.value.field == "logo"


def test_a_text_file_named_png_is_refused_on_the_company_page(world):
    client = signed_in(world, "partner_a_admin")
    management = {f"addresses-{key}": value for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}
    response = client.post(
        reverse("company_profile"),
        {"name": "Partner A", **management, "logo": upload(b"just some text, not an image", "logo.png")},
    )
    assert response.status_code == 400
    assert "Upload a PNG, JPEG or WebP image." in response.content.decode()
    assert not Partner.objects.get(pk=world["partner_a"].pk).logo


# --- staff edit it in the admin --------------------------------------------------------------------


def admin_data(partner, **extra):
    return {"name": partner.name, "country": partner.country, "program": partner.program_id, **extra}


def test_staff_upload_the_logo_in_the_admin_through_the_service(world, mfa):
    partner = world["partner_a"]
    client = signed_in(world, "cam_a", mfa)
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    form = client.get(url).content.decode()
    assert 'name="new_logo"' in form and 'enctype="multipart/form-data"' in form
    refused = client.post(url, admin_data(partner, new_logo=upload(b"GIF? no, text.", "logo.png")))
    assert refused.status_code == 200
    assert "new_logo" in refused.context["adminform"].form.errors
    assert not Partner.objects.get(pk=partner.pk).logo
    assert client.post(url, admin_data(partner, new_logo=upload(png((600, 300))))).status_code == 302
    partner.refresh_from_db()
    with partner.logo.open("rb") as handle:
        assert Image.open(handle).size == (512, 256)  # re-encoded by the service
    from prm.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="partner.profile_updated", object_id=str(partner.pk))
    assert (event.actor_id, event.reason) == (world["cam_a"].pk, "logo")


def test_staff_who_only_read_partners_cannot_upload_a_logo(world, mfa):
    partner = world["partner_a"]
    client = signed_in(world, "executive", mfa)
    response = client.post(
        reverse("admin:partners_partner_change", args=[partner.pk]), admin_data(partner, new_logo=upload(png()))
    )
    assert response.status_code == 403
    assert not Partner.objects.get(pk=partner.pk).logo


# --- shown in the header and on the team page ------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales"])
def test_the_header_and_the_team_page_show_the_partners_logo(world, role):
    give_logo(world)
    logo_url = reverse("partner_logo", args=[world["partner_a"].pk])
    client = signed_in(world, role)
    home = client.get(reverse("home")).content.decode()
    assert home.count(f'src="{logo_url}"') == 2  # beside the partner's name, and in the account menu
    team = client.get(reverse("team")).content.decode()
    assert team.count(f'src="{logo_url}"') == 3  # the page's title too
    assert client.get(logo_url).status_code == 200


def test_no_logo_no_image_and_another_partner_sees_only_its_own(world):
    give_logo(world)
    other = signed_in(world, "partner_b_user")
    html = other.get(reverse("home")).content.decode()
    assert reverse("partner_logo", args=[world["partner_a"].pk]) not in html
    assert reverse("partner_logo", args=[world["partner_b"].pk]) not in html  # Partner B has none
    assert "data-partner-brand" in html  # its name still shows in the account menu
    assert other.get(reverse("partner_logo", args=[world["partner_a"].pk])).status_code == 404
    assert other.get(reverse("partner_logo", args=[world["partner_b"].pk])).status_code == 404


def test_staff_have_no_partner_logo_in_their_header(world, mfa):
    give_logo(world)
    html = signed_in(world, "cam_a", mfa).get(reverse("home")).content.decode()
    assert "data-partner-brand" not in html
    assert reverse("partner_logo", args=[world["partner_a"].pk]) not in html
