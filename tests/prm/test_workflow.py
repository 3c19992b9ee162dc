"""prm.workflow (row lock, transition table) and the scope helpers of prm.tenancy."""

import pytest
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from partners.roles import StaffRole
from prm.errors import ServiceError
from prm.tenancy import cam_grants, in_scope
from prm.workflow import check_transition, lock_or_error
from tests import factories


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    OFF = "off", "Off"


TABLE = {Light.RED: frozenset({Light.GREEN}), Light.GREEN: frozenset({Light.RED, Light.OFF}), Light.OFF: frozenset()}


def test_an_allowed_transition_passes():
    check_transition(TABLE, "red", "green", message=_("%(current)s to %(target)s"))
    check_transition(TABLE, Light.GREEN, Light.OFF, message=_("%(current)s to %(target)s"))


def test_a_refused_transition_names_both_states_on_the_status_field():
    with pytest.raises(ServiceError) as error:
        check_transition(TABLE, "red", "off", message=_("A light that is %(current)s cannot become %(target)s."))
    assert str(error.value.message) == "A light that is Red cannot become Off."
    assert error.value.field == "status"


def test_a_message_can_be_built_from_the_states():
    with pytest.raises(ServiceError) as error:
        check_transition(TABLE, "off", "red", message=lambda current, target: f"{current.label}/{target.label}")
    assert error.value.message == "Off/Red"


def test_an_unknown_state_is_an_error():
    with pytest.raises(ValueError):
        check_transition(TABLE, "red", "blue", message="%(current)s")


def test_lock_or_error_returns_the_row_locked(db):
    partner = factories.PartnerFactory()
    with transaction.atomic():
        locked = lock_or_error(Partner.objects.select_related("program"), partner.pk, of=("self",), missing="gone")
    assert locked == partner


def test_lock_or_error_on_a_missing_row(db):
    with pytest.raises(ServiceError) as error, transaction.atomic():
        lock_or_error(Partner.objects.all(), 0, missing=_("This partner no longer exists."))
    assert error.value.field == "status"
    with pytest.raises(Partner.DoesNotExist), transaction.atomic():
        lock_or_error(Partner.objects.all(), 0)


def test_cam_grants_and_in_scope(db):
    mine, other = factories.PartnerFactory(), factories.PartnerFactory()
    cam = factories.staff_user(StaffRole.CAM, partners=[mine])
    member = factories.partner_user(other)
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)

    assert list(cam_grants().filter(user=cam).values_list("content_object_id", flat=True)) == [mine.pk]
    assert (in_scope(cam, mine.pk), in_scope(cam, other.pk)) == (True, False)
    assert (in_scope(member, mine.pk), in_scope(member, other.pk)) == (False, True)
    assert (in_scope(manager, mine.pk), in_scope(manager, other.pk)) == (True, True)
