"""Request helpers (the Flask tutorial's `db.py`): the app's one search service, the interface language of the
request and the URL builder, for views and templates to import; `init_app` sets them up on an app.

Views import from here and `create_app` imports the views: nothing here imports a view, so there is no circle.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, request
from flask_babel import Babel

from kb.engine.backends import open_backend
from kb.search import UI_LANGS, SearchService
from kb.urls import Urls, absolute

LANG_COOKIE = "kb_lang"


def service() -> SearchService:
    """The app's one search service (one backend handle shared by all threads)."""
    return current_app.extensions["kb.search"]


def urls() -> Urls:
    """The URL builder for links on this request's page (also the `urls` global of templates)."""
    return current_app.extensions["kb.urls"].for_ui(ui_lang())


def public_url(url: str) -> str:
    """A site URL as an absolute address, for permalinks, citations and downloads: under the configured public
    address (setting `public_url`), never the request's Host header; the request's own address only when unset."""
    return absolute(current_app.config["KB"]["public_url"] or request.host_url, url)


def ui_lang() -> str:
    """The interface language, decided by the URL alone: `?ui=`, else the page's own language (a section or
    operation page: `/<lang>/...`), else English. Cookies and Accept-Language never change a page; they only choose
    where a bare `/` redirects (`preferred_ui_lang`)."""
    if "ui_lang" not in g:
        chosen = request.args.get("ui")
        if chosen not in UI_LANGS:
            chosen = (request.view_args or {}).get("lang")
        g.ui_lang = chosen if chosen in UI_LANGS else UI_LANGS[0]
    return g.ui_lang


def preferred_ui_lang() -> str:
    """The visitor's remembered choice (the switch sets a cookie), else Accept-Language, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in UI_LANGS else (request.accept_languages.best_match(UI_LANGS) or UI_LANGS[0])


def init_app(app: Flask) -> None:
    """One search service over the instance's index (or the settings' Typesense cluster), the URL builder, Babel and
    the template globals."""
    settings = app.config["KB"]
    backend = open_backend(settings, Path(app.config["INDEX_LINK"]))
    app.extensions["kb.urls"] = Urls()
    app.extensions["kb.search"] = SearchService(backend, app.extensions["kb.urls"], settings["twin_cache_sections"],
                                                 settings["concurrent_searches"])
    Babel(app, locale_selector=ui_lang)

    @app.context_processor
    def globals_for_templates() -> dict:
        return {"ui_lang": ui_lang(), "urls": urls(),
                "labels_theme": lambda slug: service().labels.label("theme", slug, ui_lang())}
