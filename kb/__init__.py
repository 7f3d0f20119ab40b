"""kb: a search knowledge base of UNHCR Global Focus operation reports. `create_app` is the Flask app factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_content_dir() -> Path:
    return Path(os.environ.get("KB_CONTENT", PROJECT_ROOT / "content"))


def default_instance_dir() -> Path:
    return Path(os.environ.get("KB_INSTANCE", PROJECT_ROOT / "instance"))


def create_app(test_config: dict[str, Any] | None = None, *, instance_path: Path | str | None = None) -> Flask:
    """The app over the index in `instance_path` (default: KB_INSTANCE, else instance/).

    Configuration: defaults, then the instance folder's `config.py` (when there is one), then `test_config`.
    """
    from flask import Flask  # here, so that `kb index` and `kb check` do not pay for importing Flask

    instance = Path(instance_path or default_instance_dir()).resolve()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("KB_SECRET_KEY", "kb-local"),
        INDEX_LINK=str(instance / "index"),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
    )
    app.config.from_pyfile("config.py", silent=True)
    from_file = dict(app.config.get("KB_SETTINGS") or {})
    if test_config:
        app.config.from_mapping(test_config)
    from kb.settings import from_environment, resolve

    # config.py, then the environment (KB_BACKEND, KB_TYPESENSE_NODES, ...), then the test's own settings
    given = (test_config or {}).get("KB_SETTINGS") or {}
    app.config["KB"] = settings = resolve({**from_file, **from_environment(os.environ), **given})
    app.config["MAX_CONTENT_LENGTH"] = settings["max_request_body_bytes"]
    if settings["trusted_hosts"]:
        app.config["TRUSTED_HOSTS"] = list(settings["trusted_hosts"])
    if settings["trusted_proxies"]:
        from kb.proxy import TrustedProxyFix

        app.wsgi_app = TrustedProxyFix(app.wsgi_app, settings["trusted_proxies"])  # type: ignore[method-assign]
    app.json.sort_keys = False  # JSON in the order the API documents it

    from kb import current
    from kb.views import api, citations, compare, downloads, feeds, limits, operations, pages, responses, sections

    current.init_app(app)
    for blueprint in (limits.bp, responses.bp, pages.bp, sections.bp, citations.bp, api.bp, operations.bp,
                      downloads.bp, compare.bp, feeds.bp):
        app.register_blueprint(blueprint)
    return app
