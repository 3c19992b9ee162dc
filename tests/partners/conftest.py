import pytest

from partners.roles import StaffRole
from tests.factories import ProgramFactory, TierFactory, staff_user


@pytest.fixture
def program(db):
    """A program with its entry tier (modules may define their own)."""
    program = ProgramFactory()
    TierFactory(program=program, rank=1, name="Registered")
    return program


@pytest.fixture
def reviewer(client, mfa, db):
    """A channel acquisition user, signed in with MFA (modules may define their own)."""
    user = staff_user(StaffRole.ACQUISITION)
    mfa(user)
    client.force_login(user)
    return user
