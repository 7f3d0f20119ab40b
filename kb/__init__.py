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


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration from `instance/config.py`, then `test_config`; blueprints; one search service."""
    from flask import Flask  # here, so that `kb index` and `kb check` do not pay for importing Flask

    instance = Path((test_config or {}).get("INSTANCE_PATH", default_instance_dir())).resolve()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("KB_SECRET_KEY", "kb-local"),
        INDEX_LINK=str(instance / "index"),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    from kb.web import init_app

    init_app(app)
    return app
