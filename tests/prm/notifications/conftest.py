import pytest
from django.utils.translation import gettext_lazy

from prm.notifications import kinds
from tests import factories
from tests.helpers.celery import celery_inline  # noqa: F401  (fixture)

# Strings Django itself translates, so the test does not depend on the project's catalogues.
TEST_KIND = "test.translated"


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def other_user(db):
    return factories.UserFactory()


@pytest.fixture
def translated_kind():
    kind = kinds.register_kind(
        TEST_KIND,
        label=gettext_lazy("Email address"),
        subject=gettext_lazy("This field is required."),
        body=gettext_lazy("Enter a valid email address."),
    )
    yield kind
    kinds._KINDS.pop(TEST_KIND, None)
