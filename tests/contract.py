"""The API contract in tests: validate an answer against the schema `/api/openapi.json` gives for its path."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator


def check(openapi: dict[str, Any], path: str, response: Any) -> Any:
    """Validate `response` (a Flask test response to a GET of the OpenAPI path `path`) against its documented schema;
    returns the parsed JSON (or the text)."""
    answers = openapi["paths"][path]["get"]["responses"]
    assert str(response.status_code) in answers, (path, response.status_code)
    content = answers[str(response.status_code)].get("content")
    if content is None:
        return None
    assert response.mimetype in content, (path, response.mimetype)
    if response.mimetype != "application/json":
        return response.get_data(as_text=True)
    data = json.loads(response.get_data(as_text=True))
    schema = {**content["application/json"]["schema"], "components": openapi["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return data
