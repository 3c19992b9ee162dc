"""The company profile: fields, addresses, the logo (checked by content, re-encoded, served in scope)
and the partner home's "what it takes to reach the next tier"."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from partners.models import Partner, PartnerAddress, Specialty
from partners.services import partner_profile_update
from prm.accounts.models import User
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from tests.factories import PartnerFactory, ProgramFactory, TierFactory, partner_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(size=(800, 400), image_format="PNG", mode="RGBA", exif=None) -> bytes:
    image = Image.new(mode, size, "#c81e1e")
    output = BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    image.save(output, format=image_format, **options)
    return output.getvalue()


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_logo(partner) -> Image.Image:
    partner.refresh_from_db()
    with partner.logo.open("rb") as handle:
        data = handle.read()
    image = Image.open(BytesIO(data))
    image.load()
    image.raw_bytes = data
    return image


def update(world, logo=None, data=None, addresses=None, actor="partner_a_admin"):
    return partner_profile_update(
        actor=world[actor], partner=world["partner_a"], data=data or {}, addresses=addresses, logo=logo
    )


# --- the service -------------------------------------------------------------------------------------


def test_the_profile_update_normalises_and_audits_the_changed_fields(world):
    specialty = Specialty.objects.create(name_en="Cloud")
    update(
        world,
        data={
            "name": "  Solução  Integrada Ltda. ",
            "tax_id": "12.345.678/0001-90",
            "email_domain": "@Solucao.Example",
            "website": "https://solucao.example",
            "regions": ["latam", "latam", "europe"],
            "specialties": [specialty],
            "publish_in_locator": True,
        },
    )
    partner = Partner.objects.get(pk=world["partner_a"].pk)
    assert partner.name == "Solução Integrada Ltda."
    assert partner.name_normalized == "solucao integrada"
    assert (partner.tax_id, partner.tax_id_normalized) == ("12.345.678/0001-90", "12345678000190")
    assert partner.email_domain == "solucao.example"
    assert partner.regions == ["latam", "europe"]
    assert list(partner.specialties.all()) == [specialty]
    assert partner.publish_in_locator
    event = AuditEvent.objects.get(action="partner.profile_updated")
    assert set(event.data["fields"]) == {
        "name",
        "tax_id",
        "email_domain",
        "website",
        "regions",
        "specialties",
        "publish_in_locator",
    }
    assert event.actor_id == world["partner_a_admin"].pk and event.partner_id == partner.pk


def test_an_unchanged_profile_writes_no_audit_event(world):
    update(world, data={"name": "Partner A"})
    assert not AuditEvent.objects.filter(action="partner.profile_updated").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "   "}, "name"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"email_domain": "not a domain"}, "email_domain"),
        ({"regions": ["atlantis"]}, "regions"),
        ({"company_size": "huge"}, "company_size"),
        ({"tier": 3}, None),
    ],
)
def test_bad_profile_values_are_refused_and_change_nothing(world, data, field):
    with pytest.raises(ServiceError) as error:
        update(world, data=data)
    assert error.value.field == field
    assert Partner.objects.get(pk=world["partner_a"].pk).name == "Partner A"


def test_addresses_are_added_changed_and_deleted_with_a_country(world):
    update(world, addresses=[{"line1": "Rua A, 1", "city": "São Paulo", "country": "br"}])
    address = PartnerAddress.objects.get(partner=world["partner_a"])
    assert (address.country, address.kind) == ("BR", "head_office")
    update(
        world,
        addresses=[
            {"id": address.pk, "kind": "billing", "line1": "Rua B, 2", "city": "Campinas", "country": "BR"},
            {"line1": "1 rue de Paris", "city": "Lyon", "country": "FR", "kind": "branch"},
        ],
    )
    address.refresh_from_db()
    assert (address.line1, address.kind) == ("Rua B, 2", "billing")
    assert PartnerAddress.objects.filter(partner=world["partner_a"]).count() == 2
    update(world, addresses=[{"id": address.pk, "delete": True}])
    assert list(PartnerAddress.objects.filter(partner=world["partner_a"]).values_list("city", flat=True)) == ["Lyon"]
    assert AuditEvent.objects.filter(action="partner.profile_updated", reason="addresses").count() == 3


@pytest.mark.parametrize("country", ["", "Brazil", "B1"])
def test_an_address_needs_a_country_code(world, country):
    with pytest.raises(ServiceError, match="two-letter ISO code"):
        update(world, addresses=[{"line1": "Rua A, 1", "city": "São Paulo", "country": country}])
    assert not PartnerAddress.objects.exists()


def test_another_partners_address_cannot_be_touched(world):
    theirs = PartnerAddress.objects.create(partner=world["partner_b"], line1="x", city="Paris", country="FR")
    with pytest.raises(ServiceError):
        update(world, addresses=[{"id": theirs.pk, "line1": "mine now", "city": "Paris", "country": "FR"}])
    with pytest.raises(ServiceError):
        update(world, addresses=[{"id": theirs.pk, "delete": True}])
    theirs.refresh_from_db()
    assert theirs.line1 == "x"


def test_only_partner_admins_of_the_partner_update_the_profile(world):
    with pytest.raises(PermissionDenied):
        update(world, data={"name": "Hijacked"}, actor="partner_a_sales")
    from django.http import Http404

    with pytest.raises(Http404):
        update(world, data={"name": "Hijacked"}, actor="partner_b_user")
    assert Partner.objects.get(pk=world["partner_a"].pk).name == "Partner A"


# --- the logo -----------------------------------------------------------------------------------------


def test_a_png_named_jpg_is_accepted_and_re_encoded_as_a_small_png(world):
    update(world, logo=upload("logo.jpg", image_bytes(size=(1600, 800)), "image/jpeg"))
    partner = Partner.objects.get(pk=world["partner_a"].pk)
    assert partner.logo.name.startswith("partner-logos/") and partner.logo.name.endswith(".png")
    image = stored_logo(partner)
    assert image.format == "PNG"
    assert image.size == (512, 256)
    event = AuditEvent.objects.get(action="partner.profile_updated")
    assert event.data["fields"] == ["logo"]


@pytest.mark.parametrize(("image_format", "mode"), [("JPEG", "RGB"), ("WEBP", "RGBA")])
def test_jpeg_and_webp_are_accepted(world, image_format, mode):
    update(world, logo=upload("logo.bin", image_bytes(size=(300, 300), image_format=image_format, mode=mode)))
    assert stored_logo(world["partner_a"]).format == "PNG"


def test_exif_and_other_metadata_are_stripped(world):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Maker"  # Make
    exif[0x010E] = "Taken at the secret office"  # ImageDescription
    exif[0x0112] = 6  # Orientation: rotated 90°
    update(world, logo=upload("photo.jpg", image_bytes((200, 100), "JPEG", "RGB", exif=exif), "image/jpeg"))
    image = stored_logo(world["partner_a"])
    assert not image.getexif()
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"SecretCam" not in image.raw_bytes and b"secret office" not in image.raw_bytes
    # The orientation was applied to the pixels before the metadata went away.
    assert image.size == (100, 200)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"This is plain text, not an image."),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"broken" * 20),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"),
    ],
)
def test_files_that_are_not_png_jpeg_or_webp_are_refused(world, name, content):
    with pytest.raises(ServiceError) as error:
        update(world, logo=upload(name, content))
    assert (error.value.field, str(error.value.message)) == ("logo", "Upload a PNG, JPEG or WebP image.")
    assert not Partner.objects.get(pk=world["partner_a"].pk).logo


def test_an_oversize_file_is_refused(world, settings):
    assert settings.LOGO_MAX_BYTES == 2 * 1024 * 1024
    big = b"\x89PNG\r\n\x1a\n" + b"0" * settings.LOGO_MAX_BYTES
    with pytest.raises(ServiceError, match="at most 2.0 MB"):
        update(world, logo=upload("big.png", big))
    settings.LOGO_MAX_BYTES = 500
    with pytest.raises(ServiceError, match="at most"):
        update(world, logo=upload("small-cap.png", image_bytes(size=(300, 300)) + b"0" * 501))
    assert not Partner.objects.get(pk=world["partner_a"].pk).logo


def test_an_image_with_too_many_pixels_is_refused(world):
    with pytest.raises(ServiceError, match="4096 × 4096 pixels"):
        update(world, logo=upload("wide.png", image_bytes(size=(5000, 2), mode="L")))


def test_replacing_the_logo_deletes_the_old_file_after_commit(world, django_capture_on_commit_callbacks):
    update(world, logo=upload("a.png", image_bytes()))
    first = Partner.objects.get(pk=world["partner_a"].pk).logo
    assert first.storage.exists(first.name)
    with django_capture_on_commit_callbacks(execute=True):
        update(world, logo=upload("b.png", image_bytes(size=(64, 64))))
    assert not first.storage.exists(first.name)
    assert stored_logo(world["partner_a"]).size == (64, 64)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("partner_a_admin", 200),
        ("partner_a_sales", 200),
        ("cam_a", 200),
        ("channel_manager", 200),
        ("executive", 200),
        ("partner_b_user", 404),
        ("cam_other", 404),
    ],
)
def test_the_logo_is_served_only_in_scope(world, staff_mfa, role, status):
    update(world, logo=upload("a.png", image_bytes()))
    client = Client()
    client.force_login(world[role])
    response = client.get(reverse("partner_logo", args=[world["partner_a"].pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert response["Cache-Control"].startswith("private")


def test_the_logo_url_asks_anonymous_visitors_to_log_in_and_a_partner_without_logo_is_404(world, client):
    url = reverse("partner_logo", args=[world["partner_a"].pk])
    assert client.get(url).status_code == 302
    client.force_login(world["partner_a_admin"])
    assert client.get(url).status_code == 404


# --- the company page ------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "name": "Partner A",
        "website": "https://partner-a.example",
        "email_domain": "partner-a.example",
        "tax_id": "",
        "description": "We integrate.",
        "company_size": "10-49",
        "regions": ["latam"],
        "industries": ["retail"],
        "languages": ["pt", "en"],
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "20",
        "addresses-0-id": "",
        "addresses-0-kind": "head_office",
        "addresses-0-line1": "Rua A, 1",
        "addresses-0-line2": "",
        "addresses-0-city": "São Paulo",
        "addresses-0-state": "SP",
        "addresses-0-postal_code": "01000-000",
        "addresses-0-country": "BR",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, world):
    client.force_login(world["partner_a_admin"])
    return client


def test_a_partner_admin_saves_the_profile_with_an_address_and_a_logo(admin_client, world):
    response = admin_client.post(
        reverse("company_profile"), {**form_data(), "logo": upload("logo.jpg", image_bytes(), "image/jpeg")}
    )
    assert response.status_code == 302
    partner = Partner.objects.get(pk=world["partner_a"].pk)
    assert (partner.website, partner.company_size, partner.languages) == (
        "https://partner-a.example",
        "10-49",
        ["pt", "en"],
    )
    assert PartnerAddress.objects.get(partner=partner).city == "São Paulo"
    assert partner.logo
    html = admin_client.get(reverse("company_profile")).content.decode()
    assert "The company profile is saved." in html
    assert reverse("partner_logo", args=[partner.pk]) in html


def test_a_second_save_edits_and_deletes_addresses(admin_client, world):
    address = PartnerAddress.objects.create(partner=world["partner_a"], line1="Old", city="Rio", country="BR")
    data = form_data(
        **{
            "addresses-TOTAL_FORMS": "2",
            "addresses-INITIAL_FORMS": "1",
            "addresses-0-id": str(address.pk),
            "addresses-0-DELETE": "on",
            "addresses-1-id": "",
            "addresses-1-kind": "branch",
            "addresses-1-line1": "1 rue X",
            "addresses-1-city": "Paris",
            "addresses-1-country": "FR",
        }
    )
    assert admin_client.post(reverse("company_profile"), data).status_code == 302
    assert list(PartnerAddress.objects.filter(partner=world["partner_a"]).values_list("city", flat=True)) == ["Paris"]


def test_a_missing_country_is_a_field_error_on_the_page(admin_client, world):
    response = admin_client.post(reverse("company_profile"), form_data(**{"addresses-0-country": ""}))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not PartnerAddress.objects.exists()


def test_a_text_file_as_logo_is_a_translated_field_error_on_the_page(admin_client, world):
    response = admin_client.post(
        reverse("company_profile"), {**form_data(), "logo": upload("logo.png", b"hello, I am text")}
    )
    assert response.status_code == 400
    assert "Upload a PNG, JPEG or WebP image." in response.content.decode()
    assert not Partner.objects.get(pk=world["partner_a"].pk).logo
    assert not PartnerAddress.objects.exists()


def test_other_roles_read_the_profile_and_cannot_post(client, world):
    PartnerAddress.objects.create(partner=world["partner_a"], line1="Rua A", city="Recife", country="BR")
    client.force_login(world["partner_a_sales"])
    page = client.get(reverse("company_profile"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Recife" in html and "Brazil" in html
    assert "Only your partner admins can change the company profile." in html
    assert 'type="file"' not in html
    assert client.post(reverse("company_profile"), form_data(name="Hijacked")).status_code == 403
    assert Partner.objects.get(pk=world["partner_a"].pk).name == "Partner A"


def test_an_empty_profile_shows_empty_states(client, world):
    client.force_login(world["partner_a_sales"])
    assert "No addresses yet." in client.get(reverse("company_profile")).content.decode()


def test_vendor_staff_have_no_company_page(client, world, staff_mfa):
    client.force_login(world["cam_a"])
    assert client.get(reverse("company_profile")).status_code == 404


# --- the partner home: next tier ------------------------------------------------------------------


@pytest.fixture
def tiers(world):
    program = world["partner_a"].program
    program.currency = "USD"
    program.save()
    registered = TierFactory(program=program, name="Registered", rank=1, deal_discount_percent=5)
    silver = TierFactory(
        program=program,
        name="Silver",
        name_pt_br="Prata",
        rank=2,
        requirements={"deals.won_revenue": 50000, "partners.certified_people": 2, "deals.approved": 3},
        deal_discount_percent=10,
        mdf_eligible=True,
        lead_weight=2,
    )
    Partner.objects.filter(pk=world["partner_a"].pk).update(tier=registered)
    return registered, silver


def test_the_home_shows_current_benefits_and_what_the_next_tier_takes(client, world, tiers):
    client.force_login(world["partner_a_admin"])
    html = client.get(reverse("home")).content.decode()
    assert "Your benefits as Registered" in html
    assert "Deal registration discount: 5%" in html
    assert "What it takes to reach Silver" in html
    assert "Won revenue over the last 12 months: USD 50,000" in html
    assert "2 certified people" in html
    assert "3 approved deal registrations" in html
    assert "Eligible for market development funds (MDF)" in html


def test_money_and_tier_names_follow_the_users_language(client, world, tiers):
    User.objects.filter(pk=world["partner_a_admin"].pk).update(language="pt-br")
    client.force_login(world["partner_a_admin"])
    html = client.get(reverse("home")).content.decode()
    assert "Prata" in html
    assert "USD 50.000" in html


def test_the_top_tier_and_a_program_without_tiers_say_so(client, world, tiers):
    Partner.objects.filter(pk=world["partner_a"].pk).update(tier=tiers[1])
    client.force_login(world["partner_a_admin"])
    assert "highest tier." in client.get(reverse("home")).content.decode()
    other = PartnerFactory(program=ProgramFactory(name="Other", slug="other"))
    lonely = partner_user(other, "admin")
    client.force_login(lonely)
    assert "The program has no tiers yet." in client.get(reverse("home")).content.decode()


def test_the_company_page_query_count_does_not_grow_with_addresses(admin_client, world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("company_profile")).status_code == 200
        return len(captured)

    PartnerAddress.objects.create(partner=world["partner_a"], line1="a", city="b", country="BR")
    admin_client.get(reverse("company_profile"))
    small = queries()
    for index in range(15):
        PartnerAddress.objects.create(partner=world["partner_a"], line1=f"a{index}", city="b", country="FR")
    assert queries() == small
