"""Extension objects, created unbound; ``create_app`` calls ``init_app`` on each."""
import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# How long a SQLite statement waits for another connection's write lock before failing with "database is locked".
# With WAL, readers never wait for writers nor writers for readers, and writers queue one at a time for the length
# of a (short) transaction; the wait stays below gunicorn's 30 s worker timeout.
SQLITE_BUSY_TIMEOUT_MS = 20_000


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_for_concurrent_use(dbapi_connection, _record) -> None:
    """Every SQLite connection (several gunicorn workers, the indexer, CLI imports share one file): write-ahead
    logging, so readers see the last commit while a writer works and a commit never waits for readers; and a busy
    timeout, so a writer waits its turn instead of failing. WAL is a property of the file (kept once set); a
    database in memory stays in memory mode. Other databases are left alone."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
api = Api()


def user_rate_key() -> str:
    """The rate-limit bucket of a request: its logged-in user's, else its IP address's."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address() or "anonymous"
