from tests.search_fixtures import any_engine, search_engine  # noqa: F401
