"""How every answer ends: error pages in the interface language (JSON with a reason under /api/), security headers."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, SecurityError

from kb.current import LANG_COOKIE, UI_LANGS, public_url
from kb.engine.site import SiteMissing
from kb.engine.typesense_store import ClusterError
from kb.engine.whoosh_backend import GenerationDamaged, IndexMissing

bp = Blueprint("responses", __name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def page_error(code: int, title: str, message: str) -> str | Response:
    """An error page in the interface language, or a JSON reason under /api/."""
    if request.path.startswith("/api/"):
        return jsonify({"error": code, "reason": f"{title}: {message}"})
    return render_template("error.html", code=code, title=title, message=message)


@bp.app_errorhandler(404)
def not_found(_err: Exception) -> tuple[str | Response, int]:
    return page_error(404, _("Page not found"), _("There is no page at this address.")), 404


@bp.app_errorhandler(405)
def not_allowed(_err: Exception) -> tuple[str | Response, int]:
    return page_error(405, _("Method not allowed"), _("This address only answers GET requests.")), 405


@bp.app_errorhandler(IndexMissing)
def no_index(_err: Exception) -> tuple[str | Response, int]:
    message = _("The search index has not been built yet. Run `kb index`, then reload this page.")
    return page_error(503, _("No index yet"), message), 503


@bp.app_errorhandler(ClusterError)
def engine_unreachable(_err: Exception) -> tuple[str | Response, int]:
    message = _("No node of the search engine's cluster answered. Try again in a moment.")
    return page_error(503, _("Search engine unreachable"), message), 503


@bp.app_errorhandler(GenerationDamaged)
def damaged_index(_err: Exception) -> tuple[str | Response, int]:
    """The served generation failed its checksums and no earlier one is whole (the log says which files)."""
    message = _("The search index is damaged and is not served. Rebuild it with `kb index`, then reload this page.")
    return page_error(503, _("Index damaged"), message), 503


@bp.app_errorhandler(SiteMissing)
def no_site_data(_err: Exception) -> tuple[str | Response, int]:
    message = _("The search index was built by an older version of kb. Rebuild it with `kb index`, then reload "
                "this page.")
    return page_error(503, _("Rebuild the index"), message), 503


@bp.app_errorhandler(SecurityError)
def untrusted_host(_err: Exception) -> tuple[Response, int]:
    """A Host header outside the trusted hosts: no page is built for it (its links would carry that host)."""
    return Response("Unknown host.\n", mimetype="text/plain"), 400


@bp.app_errorhandler(400)
@bp.app_errorhandler(413)
@bp.app_errorhandler(414)
def refused(err: HTTPException) -> tuple[str | Response, int]:
    """A request kb will not read (a body on a GET, an over-long query string, an unknown Host): the reason."""
    code = err.code or 400
    reasons = {413: _("kb answers GET requests without a body."), 414: _("The query string is too long."),
               400: _("The request could not be read.")}
    return page_error(code, _("Request refused"), reasons.get(code, reasons[400])), code


@bp.app_errorhandler(500)
def server_error(_err: Exception) -> tuple[str | Response, int]:
    return page_error(500, _("Something went wrong"), _("The error has been logged.")), 500


@bp.after_app_request
def headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    chosen = request.args.get("ui")
    if chosen in UI_LANGS and request.cookies.get(LANG_COOKIE) != chosen:  # remembered for a bare `/` only
        secure = current_app.config["KB"]["secure_cookies"]
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure if secure is None else bool(secure))
    _public_location(response)
    return response


def _public_location(response: Response) -> None:
    """A redirect to an absolute address (Werkzeug's own, e.g. 308 to a canonical path, are built from the request's
    Host) goes under the configured public address instead: kb never redirects off its own site."""
    location, public = response.headers.get("Location"), current_app.config["KB"]["public_url"]
    if not location or not public:
        return
    parts = urlsplit(location)
    if parts.scheme and parts.netloc:
        target = public_url(urlunsplit(("", "", parts.path, parts.query, parts.fragment)))
        response.headers["Location"] = target
        response.set_data(redirect(target, response.status_code).get_data())  # its body names the target too


@bp.app_template_filter("urlencode_without")
def urlencode_without(args: MultiDict, name: str) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in args.items(multi=True) if k != name])
