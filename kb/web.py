"""Wiring of the web app: the search service, interface language, security headers, error pages, blueprints."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import Babel
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from kb.engine.site import SiteMissing
from kb.engine.whoosh_backend import IndexMissing, WhooshBackend
from kb.search import SearchService

UI_LANGS = ("en", "fr")
LANG_COOKIE = "kb_lang"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def service() -> SearchService:
    """The app's one search service (one backend handle shared by all threads)."""
    return current_app.extensions["kb.search"]


def ui_lang() -> str:
    """The interface language: ?ui= switch, then the remembered choice, then Accept-Language, then English."""
    if "ui_lang" not in g:
        chosen = request.args.get("ui")
        if chosen not in UI_LANGS:
            chosen = request.cookies.get(LANG_COOKIE)
        g.ui_lang = chosen if chosen in UI_LANGS else (request.accept_languages.best_match(UI_LANGS) or "en")
    return g.ui_lang


def init_app(app: Flask) -> None:
    app.json.sort_keys = False  # JSON in the order the API documents it
    backend = WhooshBackend(Path(app.config["INDEX_LINK"]))
    app.extensions["kb.search"] = SearchService(backend)
    Babel(app, locale_selector=ui_lang)

    from kb.views import api, pages, sections

    app.register_blueprint(pages.bp)
    app.register_blueprint(sections.bp)
    app.register_blueprint(api.bp)
    from kb.views import compare, downloads, operations

    app.register_blueprint(operations.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(compare.bp)

    @app.context_processor
    def globals_for_templates() -> dict:
        return {"ui_lang": ui_lang(), "labels_theme": lambda slug: service().labels.label("theme", slug, ui_lang())}

    @app.template_filter("urlencode_without")
    def urlencode_without(args: MultiDict, name: str) -> str:
        return urlencode([(k, v) for k, v in args.items(multi=True) if k != name])

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.args.get("ui") in UI_LANGS:
            response.set_cookie(LANG_COOKIE, request.args["ui"], max_age=365 * 24 * 3600, samesite="Lax")
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
        return response

    @app.errorhandler(404)
    def not_found(_err: Exception) -> tuple[str, int]:
        return page_error(404, _("Page not found"), _("There is no page at this address.")), 404

    @app.errorhandler(405)
    def not_allowed(_err: Exception) -> tuple[str, int]:
        return page_error(405, _("Method not allowed"), _("This address only answers GET requests.")), 405

    @app.errorhandler(IndexMissing)
    def no_index(_err: Exception) -> tuple[str, int]:
        message = _("The search index has not been built yet. Run `kb index`, then reload this page.")
        return page_error(503, _("No index yet"), message), 503

    @app.errorhandler(SiteMissing)
    def no_site_data(_err: Exception) -> tuple[str, int]:
        message = _("The search index was built by an older version of kb. Rebuild it with `kb index`, then reload "
                    "this page.")
        return page_error(503, _("Rebuild the index"), message), 503

    @app.errorhandler(500)
    def server_error(_err: Exception) -> tuple[str, int]:
        return page_error(500, _("Something went wrong"), _("The error has been logged.")), 500


def page_error(code: int, title: str, message: str) -> str | Response:
    """An error page in the interface language, or a JSON reason under /api/."""
    if request.path.startswith("/api/"):
        return jsonify({"error": code, "reason": f"{title}: {message}"})
    return render_template("error.html", code=code, title=title, message=message)
