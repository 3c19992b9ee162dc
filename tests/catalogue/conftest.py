from tests.helpers.admin import login  # noqa: F401  (fixture)
