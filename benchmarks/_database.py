"""The throw-away database of a benchmark: created as the test runner creates it (``test_<name>``)."""

from contextlib import contextmanager


@contextmanager
def throwaway_database(*, use_existing: bool = False, keep: bool = False):
    """Create the test database, migrated, for the block and drop it afterwards (unless ``keep``).
    With ``use_existing`` the configured database is used as it is and nothing is created or dropped."""
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    setup_test_environment()
    if use_existing:
        yield
        return
    runner = get_runner(settings)(verbosity=0, interactive=False, keepdb=False)
    old = runner.setup_databases()
    try:
        yield
    finally:
        if not keep:
            runner.teardown_databases(old)
