"""The API world of tests/api (organisations, users with tokens, clients) for the challenge API tests."""
from tests.api.conftest import _cheap_password_hashing, world  # noqa: F401
