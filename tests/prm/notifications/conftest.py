import pytest
from django.utils.translation import gettext_lazy

from prm.notifications import kinds
from tests import factories
from tests.helpers.celery import celery_inline  # noqa: F401  (fixture)

# Strings Django itself translates, so the test does not depend on the project's catalogues.
TEST_KIND = "test.translated"
OTHER_KIND = "other.kind"


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def other_user(db):
    return factories.UserFactory()


@pytest.fixture(autouse=True)
def translated_kind():
    """The kind the tests notify with, registered as an app registers its kinds (an unknown kind is refused)."""
    kind = kinds.register_kind(
        TEST_KIND,
        label=gettext_lazy("Email address"),
        subject=gettext_lazy("This field is required."),
        body=gettext_lazy("Enter a valid email address."),
    )
    other = kinds.register_kind(OTHER_KIND, label=gettext_lazy("Email address"), subject="{v}", body="")
    yield kind
    kinds.unregister_kind(TEST_KIND)
    kinds.unregister_kind(other.key)
