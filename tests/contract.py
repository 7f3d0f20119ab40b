"""The API contract in tests: every answer checked against what `/api/openapi.json` documents for its route.

- `check(openapi, path, response)`: one answer (a Flask test response to a GET of the OpenAPI path `path`) has a
  documented status (or falls under `default`), a documented media type, and JSON (`application/json`, `…+json`)
  that validates against the documented schema.
- `watch()` / `take()`: every GET answer any app of the test run gives (test clients and the browser tests' live
  server alike) is checked the same way as it is sent (Flask's `request_finished`); conftest's autouse fixture fails
  the test whose request broke the contract. A route the document does not list is itself a break.
- `undocumented_routes(app, openapi)`: the app's routes (`app.url_map`) the document does not list.
"""

from __future__ import annotations

import json
import re
import threading
from functools import cache
from typing import Any

from flask import Flask, request, request_finished
from jsonschema import Draft202012Validator

from kb.openapi import openapi_document
from kb.search import PER_PAGE_MAX


def openapi_path(rule: str) -> str:
    """A werkzeug rule as an OpenAPI path: `/<any(en,fr):lang>/<int:year>` -> `/{lang}/{year}`."""
    return re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule)


def undocumented_routes(app: Flask, openapi: dict[str, Any]) -> list[str]:
    """Each route (and method) of `app` that `openapi` does not describe, as `METHOD /path`."""
    missing = []
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in openapi["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    return missing


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def problems(openapi: dict[str, Any], path: str, response: Any) -> list[str]:
    """What is wrong with `response` as an answer to a GET of `path` (nothing: [])."""
    answers = openapi["paths"][path]["get"]["responses"]
    answer = answers.get(str(response.status_code)) or answers.get("default")
    if answer is None:
        return [f"status {response.status_code} is not documented"]
    content = answer.get("content")
    if content is None:
        return []
    if response.mimetype not in content:
        return [f"status {response.status_code}: media type {response.mimetype} is not documented"]
    if not _is_json(response.mimetype):
        return []
    try:
        data = json.loads(response.get_data(as_text=True))
    except ValueError as err:
        return [f"not JSON: {err}"]
    schema = content[response.mimetype]["schema"]
    errors = sorted(_validator(openapi, json.dumps(schema, sort_keys=True)).iter_errors(data),
                    key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]


_VALIDATORS: dict[tuple[int, str], Draft202012Validator] = {}


def _validator(openapi: dict[str, Any], schema: str) -> Draft202012Validator:
    key = (id(openapi), schema)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = Draft202012Validator({**json.loads(schema), "components": openapi["components"]})
    return _VALIDATORS[key]


def check(openapi: dict[str, Any], path: str, response: Any) -> Any:
    """Assert that `response` keeps the contract of `path`; returns the parsed JSON (or the text, or None)."""
    found = problems(openapi, path, response)
    assert not found, (path, response.status_code, found)
    if response.status_code in (301, 302, 303, 307, 308):
        return None
    text = response.get_data(as_text=True)
    return json.loads(text) if _is_json(response.mimetype) else text


# ------------------------------------------------------------------------------------------------ every answer


@cache
def _document() -> dict[str, Any]:
    """The document the answers are checked against (themes and operations are enums of parameters only: the
    response schemas do not depend on the served index)."""
    return openapi_document(PER_PAGE_MAX)


_BROKEN: list[str] = []
_LOCK = threading.Lock()


def _on_answer(sender: Flask, response: Any, **_extra: Any) -> None:
    if request.method != "GET" or request.url_rule is None:
        return
    path = openapi_path(request.url_rule.rule)
    if path not in _document()["paths"]:
        found = ["the route is not in the OpenAPI document"]
    else:
        found = problems(_document(), path, response)
    if found:
        with _LOCK:
            _BROKEN.extend(f"GET {request.full_path.rstrip('?')} ({path}): {problem}" for problem in found)


def watch() -> None:
    """Check every answer of every app from now on (once per process)."""
    request_finished.connect(_on_answer)


def take() -> list[str]:
    """The contract breaks seen since the last call."""
    with _LOCK:
        found = _BROKEN[:]
        _BROKEN.clear()
    return found
