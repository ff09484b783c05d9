"""The API world of tests/api (organisations with users and token clients) for the demand tests."""
from tests.api.conftest import world  # noqa: F401
