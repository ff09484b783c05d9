"""Settings from the environment. Defaults give a working single-machine install (SQLite + embedded search)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'marketplace.db'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants an explicit psycopg 3 driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else a random key kept in the instance folder (stable across restarts)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path: str) -> dict:
    """Configuration mapping for ``app.config``."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    production = os.environ.get("MARKETPLACE_ENV", "development") == "production"
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": _secret_key(instance_path),
        "SEARCH_URL": os.environ.get("SEARCH_URL") or None,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(Path(instance_path) / "uploads"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        # Strict-Transport-Security in production (a year), off in development where the site is plain HTTP
        "HSTS_SECONDS": int(os.environ.get("HSTS_SECONDS", "31536000" if production else "0")),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in a before_request hook (see create_app)
        "BABEL_DEFAULT_LOCALE": "zh",
        # the one time zone every page, e-mail and export shows times in (the database stores UTC): timeutil.py
        "DISPLAY_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE") or "Asia/Shanghai",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE") or "Asia/Shanghai",
        "LANGUAGES": ["zh", "en"],
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # password reset by e-mail: a link lives this many seconds (and dies once used); requests per address and per
        # IP address are limited (429)
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        "PASSWORD_RESET_IP_RATE_LIMIT": os.environ.get("PASSWORD_RESET_IP_RATE_LIMIT", "20 per hour"),
        # e-mail address verification at sign-up: the link's lifetime; resending is limited per user
        "EMAIL_VERIFICATION_MAX_AGE": int(os.environ.get("EMAIL_VERIFICATION_MAX_AGE", str(3 * 24 * 3600))),
        "EMAIL_VERIFICATION_RATE_LIMIT": os.environ.get("EMAIL_VERIFICATION_RATE_LIMIT", "3 per hour"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@techmarket.local"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        # the mail queue (marketplace/alerts/delivery.py)
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "8")),
        "MAIL_RETRY_SECONDS": float(os.environ.get("MAIL_RETRY_SECONDS", "60")),
        "MAIL_RETRY_MAX_SECONDS": float(os.environ.get("MAIL_RETRY_MAX_SECONDS", "3600")),
        "MAIL_BATCH_SIZE": int(os.environ.get("MAIL_BATCH_SIZE", "50")),
        "MAIL_AUTO_DELIVER": _bool("MAIL_AUTO_DELIVER", True),
        # The site's address, for the links in e-mails (the default is `make run`'s)
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "QUALITY_TARGET_PER_YEAR": int(os.environ.get("QUALITY_TARGET_PER_YEAR", "200")),
        # seconds between the drain loops' passes over overdue challenge milestones (0 = only the CLI)
        "CHALLENGE_OVERDUE_INTERVAL": float(os.environ.get("CHALLENGE_OVERDUE_INTERVAL", "3600")),
        # inquiries (意向/洽谈): unanswered after this many days → flagged to the responsible broker; the pass runs on
        # the drain loops' tick at most every INQUIRY_OVERDUE_INTERVAL seconds (0 = only `flask inquiries flag-overdue`)
        "INQUIRY_OVERDUE_DAYS": int(os.environ.get("INQUIRY_OVERDUE_DAYS", "5")),
        "INQUIRY_OVERDUE_INTERVAL": float(os.environ.get("INQUIRY_OVERDUE_INTERVAL", "3600")),
        # against spam: per user, on the pages and the API
        "INQUIRY_RATE_LIMIT": os.environ.get("INQUIRY_RATE_LIMIT", "20 per hour"),
        "INQUIRY_MESSAGE_RATE_LIMIT": os.environ.get("INQUIRY_MESSAGE_RATE_LIMIT", "60 per hour"),
        # contract imports of up to this many rows run in the request; larger ones in a background job
        "DEAL_IMPORT_INLINE_ROWS": int(os.environ.get("DEAL_IMPORT_INLINE_ROWS", "300")),
        # the platform's province (GB/T 2260): statistics tell contracts within it from those across its border
        "PLATFORM_PROVINCE": os.environ.get("PLATFORM_PROVINCE", "220000"),
        # single-process run mode drains the search outbox in a background thread
        "SEARCH_AUTO_DRAIN": _bool("SEARCH_AUTO_DRAIN", True),
        "API_TITLE": "科技成果转化交易平台 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Swagger UI served from the installed swagger_ui_bundle package (marketplace/api_docs.py), no CDN;
        # the URL is relative to /api/v1/docs so the page also works under a path prefix.
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "docs/assets/",
        "API_WRITE_RATE_LIMIT": os.environ.get("API_WRITE_RATE_LIMIT", "120 per minute"),
        "API_TOKEN_RATE_LIMIT": os.environ.get("API_TOKEN_RATE_LIMIT", "20 per hour"),
        "MATCH_RATE_LIMIT": os.environ.get("MATCH_RATE_LIMIT", "120 per minute"),
        # matching's semantic rerank (marketplace/matching/semantic.py): a sentence encoder's cosine fused into the
        # ranking of stored needs (a demand's matches, an achievement's demands, alerts), from vectors embedded in the
        # background (~150 ms of CPU per record: a batch on the drain loops' tick every MATCH_SEMANTIC_INTERVAL
        # seconds, or `flask matching embed`). MATCH_SEMANTIC_FREE_TEXT also embeds free-text needs in the request
        # (60-90 ms per match on 2 cores: off by default, over the 15 ms match target)
        "MATCH_SEMANTIC": _bool("MATCH_SEMANTIC", True),
        "MATCH_SEMANTIC_FREE_TEXT": _bool("MATCH_SEMANTIC_FREE_TEXT", False),
        # with it, the need's nearest records by the encoder join the pool (marketplace/matching/dense.py): every
        # vector held in each process's memory (~154 MB at 100,000 achievements), ~16 ms per match at 100,000
        "MATCH_SEMANTIC_DENSE": _bool("MATCH_SEMANTIC_DENSE", True),
        "MATCH_SEMANTIC_THREADS": int(os.environ.get("MATCH_SEMANTIC_THREADS", "1")),
        "MATCH_SEMANTIC_INTERVAL": float(os.environ.get("MATCH_SEMANTIC_INTERVAL", "5")),
    }
