from tests.matching.conftest import market  # noqa: F401
from tests.api.conftest import _cheap_password_hashing, world  # noqa: F401
from tests.search_fixtures import search_engine  # noqa: F401
