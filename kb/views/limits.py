"""Limits every request meets before a view runs (kb.settings): no body on a GET, a bounded query string.

waitress refuses bodies over `max_request_body_bytes` itself (413) without spooling them; this refuses any body on the
read-only routes, and query strings over `max_query_string_chars` (414), before the search layer parses anything.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge

bp = Blueprint("limits", __name__)


class BodyNotAllowed(RequestEntityTooLarge):
    description = "kb answers GET requests without a body."


class QueryStringTooLong(RequestURITooLarge):
    description = "The query string is too long."


@bp.before_app_request
def refuse_what_no_view_needs() -> None:
    settings = current_app.config["KB"]
    if request.content_length or request.headers.get("Transfer-Encoding"):
        raise BodyNotAllowed()
    if len(request.query_string) > settings["max_query_string_chars"]:
        raise QueryStringTooLong(f"The query string is longer than {settings['max_query_string_chars']} characters.")
