"""科技成果转化交易平台 — the Flask application factory."""
from __future__ import annotations

import importlib
import os
import time

from flask import Flask, g, has_request_context, request, session

from . import config, http_limits
from .extensions import api, babel, csrf, db, limiter, login_manager, migrate

# Feature modules: each web module exposes ``bp`` (a Blueprint), each API module ``blp`` (a flask-smorest Blueprint),
# each CLI module ``register(app)``.
WEB_MODULES: list[str] = [
    "marketplace.home.views",
    "marketplace.accounts.views",
    "marketplace.accounts.org_views",
    "marketplace.achievements.views",
    "marketplace.patents.views",
    "marketplace.demands.views",
    "marketplace.challenges.views",
    "marketplace.review.views",
    "marketplace.quality.views",
    "marketplace.attachments.views",
    "marketplace.search_pages.views",
    "marketplace.matching.views",
    "marketplace.alerts.views",
    "marketplace.favourites.views",
    "marketplace.search_admin.views",
    "marketplace.admin.views",
    "marketplace.deals.views",
    "marketplace.statistics.views",
    "marketplace.statistics.export_views",
    "marketplace.deals.opportunity_views",
    "marketplace.deals.licence_views",
    "marketplace.inquiries.views",
    "marketplace.deals.registration_views",
]
API_MODULES: list[str] = [
    "marketplace.api_docs",  # first: defines the problem+json responses the others reference
    "marketplace.accounts.api",
    "marketplace.achievements.api",
    "marketplace.patents.api",
    "marketplace.demands.api",
    "marketplace.review.api",
    "marketplace.matching.api",
    "marketplace.alerts.api",
    "marketplace.favourites.api",
    "marketplace.search_pages.api",
    "marketplace.challenges.api",
    "marketplace.challenges.api_delivery",
    "marketplace.challenges.api_applications",
    "marketplace.challenges.api_experts",
    "marketplace.deals.api",
    "marketplace.deals.api_opportunities",
    "marketplace.deals.api_licences",
    "marketplace.inquiries.api",
    "marketplace.statistics.api",
    "marketplace.deals.api_registration",
]
CLI_MODULES: list[str] = [
    "marketplace.indexing.cli",
    "marketplace.search_admin.cli",  # after indexing.cli: it adds commands to the ``flask search`` group
    "marketplace.accounts.cli",
    "marketplace.achievements.cli",
    "marketplace.demo.cli",
    "marketplace.alerts.cli",  # also subscribes the mail sender to the search drain loops' tick
    "marketplace.challenges.cli",  # also subscribes the overdue-milestone pass to the drain loops' tick
    "marketplace.inquiries.cli",  # also subscribes the unanswered-inquiry pass to the drain loops' tick
    "marketplace.deals.cli",  # flask deals import / export-registration
    "marketplace.matching.cli",  # flask matching embed; also subscribes the semantic refresh to the drain loops' tick
    "marketplace.backup.cli",  # flask backup / flask restore (restore --reindex calls flask search reindex)
]


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application. ``overrides`` replaces settings (tests use it)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
        template_folder="../templates",
        static_folder="../static",
    )
    if overrides and overrides.get("INSTANCE_PATH"):
        app.instance_path = overrides["INSTANCE_PATH"]
    app.config.update(config.load(app.instance_path))
    app.config.update(overrides or {})
    http_limits.install(app)  # before any route: bounded <int:...> ids, over-long URLs answer 414
    register_extensions(app)
    register_blueprints(app)
    register_search_analysis(app)
    register_api(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    register_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every model registered before migrations look at metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
                     render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    from .accounts import auth  # noqa: F401  (login_manager loaders)


def select_locale() -> str:
    """The language chosen on the site (the 中文/English switch, kept in the session); for API calls without one,
    the client's ``Accept-Language`` (Chinese unless it prefers English); Chinese otherwise, and outside requests
    (commands, workers: texts for a particular person are rendered with flask_babel.force_locale)."""
    if not has_request_context():
        return "zh"
    lang = session.get("lang")
    if lang in ("zh", "en"):
        return lang
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(("zh", "en"), default="zh")
    return "zh"


def register_blueprints(app: Flask) -> None:
    for name in WEB_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)


def register_search_analysis(app: Flask) -> None:
    """Admin-editable synonyms and user dictionary from the instance folder, on top of the built-in ones."""
    from .search_admin.dictionaries import configure_analysis

    configure_analysis(app)


def register_api(app: Flask) -> None:
    api.init_app(app)
    from .accounts.auth import register_api_security

    register_api_security(api)
    for name in API_MODULES:
        api.register_blueprint(importlib.import_module(name).blp, url_prefix="/api/v1")


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_cli(app: Flask) -> None:
    for name in CLI_MODULES:
        importlib.import_module(name).register(app)


def register_hooks(app: Flask) -> None:
    from . import security_headers
    from .accounts.auth import UNSAFE_METHODS, uses_bearer_token
    from .accounts.views import remember_language

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def server_timing(response):
        """Server-side time of each request (read by the benchmarks and visible in browser dev tools)."""
        started = g.get("request_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

    security_headers.register(app)

    @app.before_request
    def protect_from_csrf():
        """Every state-changing request that a browser session authenticates needs a CSRF token. API calls with
        a bearer token, and anonymous API calls (no ambient authority), do not."""
        if request.method not in UNSAFE_METHODS or uses_bearer_token():
            return
        if request.path.startswith("/api/") and "_user_id" not in session:
            return
        csrf.protect()

    @app.before_request
    def keep_language_choice():
        """The 中文/English switch (``?lang=``): kept in the session and, signed in, as the account's language
        (its notifications and e-mails are written in it)."""
        lang = request.args.get("lang")
        if lang in ("zh", "en"):
            session["lang"] = lang
            remember_language(lang)
