"""The vendor's branding: colours checked for contrast, images checked by content, applied to the
portal (brand.css, the logo) and the e-mails, edited by the channel manager in the admin."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partners.models import Program
from partners.roles import StaffRole
from partners.services.branding import program_branding_update
from prm.audit.models import AuditEvent
from prm.branding import contrast_ratio, current_brand
from prm.errors import ServiceError
from prm.notifications.emails import render_message
from tests.factories import staff_user

WHITE = "#ffffff"


def _png(name="logo.png", size=(64, 32)):
    buffer = BytesIO()
    Image.new("RGB", size, "#123456").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def manager(db, mfa):
    user = staff_user(StaffRole.CHANNEL_MANAGER)
    mfa(user)
    return user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_contrast_ratio_is_wcag_s():
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1)
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)


def test_the_primary_colour_needs_4_5_to_1_against_white_at_the_boundary(program, manager):
    # #767676 is the palest grey at 4.5:1 or more; #777777 falls just short.
    assert contrast_ratio("#767676", WHITE) >= 4.5 > contrast_ratio("#777777", WHITE)
    program_branding_update(actor=manager, program=program, primary_color="#767676", accent_color="#b45309")
    assert Program.objects.get(pk=program.pk).primary_color == "#767676"
    with pytest.raises(ServiceError) as refused:
        program_branding_update(actor=manager, program=program, primary_color="#777777", accent_color="#b45309")
    assert refused.value.field == "primary_color" and "4.48:1" in str(refused.value.message)
    assert Program.objects.get(pk=program.pk).primary_color == "#767676"


def test_the_accent_needs_3_to_1_at_the_boundary(program, manager):
    assert contrast_ratio("#949494", WHITE) >= 3 > contrast_ratio("#959595", WHITE)
    program_branding_update(actor=manager, program=program, primary_color="#066fd1", accent_color="#949494")
    with pytest.raises(ServiceError) as refused:
        program_branding_update(actor=manager, program=program, primary_color="#066fd1", accent_color="#959595")
    assert refused.value.field == "accent_color"
    assert Program.objects.get(pk=program.pk).accent_color == "#949494"


@pytest.mark.parametrize("bad", ["", "066fd1", "#06f", "#066fd1 ", "#0G6FD1", "red", "#066fd1;}body{x:y"])
def test_a_colour_is_hash_and_six_hex_digits(program, manager, bad):
    if bad == "#066fd1 ":  # surrounding blanks are forgiven
        program_branding_update(actor=manager, program=program, primary_color=bad, accent_color="#b45309")
        assert Program.objects.get(pk=program.pk).primary_color == "#066fd1"
        return
    with pytest.raises(ServiceError):
        program_branding_update(actor=manager, program=program, primary_color=bad, accent_color="#b45309")


def test_only_who_may_change_the_program_sets_its_branding(program, db):
    cam = staff_user(StaffRole.CAM)
    with pytest.raises(PermissionDenied):
        program_branding_update(actor=cam, program=program, primary_color="#000000", accent_color="#000000")
    assert Program.objects.get(pk=program.pk).primary_color != "#000000"


def test_the_logo_is_checked_by_content_and_re_encoded(program, manager, client):
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ServiceError) as refused:
        program_branding_update(
            actor=manager, program=program, primary_color="#066fd1", accent_color="#b45309", logo=fake
        )
    assert refused.value.field == "logo"
    assert not Program.objects.get(pk=program.pk).logo

    program_branding_update(
        actor=manager, program=program, primary_color="#066fd1", accent_color="#b45309", logo=_png("x.webp")
    )
    program.refresh_from_db()
    assert program.logo.name.endswith(".png")
    response = client.get("/brand/logo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="program.branding_changed", object_id=str(program.pk)).exists()


def test_the_portal_and_the_e_mails_take_the_branding(program, manager, client):
    program_branding_update(
        actor=manager, program=program, primary_color="#7a1f5c", accent_color="#14532d", logo=_png()
    )
    css = client.get("/brand.css").content.decode()
    assert "--tblr-primary:#7a1f5c;--tblr-primary-rgb:122,31,92;" in css and "--portal-accent:#14532d" in css
    brand = current_brand()
    assert (brand.name, brand.primary, brand.logo_path) == (program.name, "#7a1f5c", "/brand/logo/")
    _subject, _text, html = render_message(subject="S", body="B", url="/x/", language="en")
    assert "#7a1f5c" in html and program.name in html and "/brand/logo/" in html


def test_without_a_program_the_defaults(db, client):
    assert client.get("/brand.css").content == b""
    logo = client.get("/brand/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/svg+xml"
    assert current_brand().primary == "#066fd1"


def test_the_channel_manager_edits_the_branding_in_the_admin(program, manager, client):
    client.force_login(manager)
    url = f"/admin/partners/program/{program.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="primary_color"' in page.content.decode()
    form = {
        "name": program.name,
        "slug": program.slug,
        "calendar": program.calendar_id,
        "currency": program.currency,
        "application_review_days": 5,
        "onboarding_stall_days": 10,
        "primary_color": "#eeeeee",
        "accent_color": "#b45309",
        "tiers-TOTAL_FORMS": 0,
        "tiers-INITIAL_FORMS": 0,
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "too pale" in refused.content.decode()
    assert Program.objects.get(pk=program.pk).primary_color == "#066fd1"
    done = client.post(url, {**form, "primary_color": "#14532D", "logo": _png()})
    assert done.status_code == 302
    program.refresh_from_db()
    assert program.primary_color == "#14532d" and program.logo.name.endswith(".png")
