"""Every limit and tunable of a running kb, stated once (Datasette's `SETTINGS`): its name, default and what it bounds.

An instance overrides any of them in its `config.py` (`KB_SETTINGS = {"search_time_limit_ms": 1000}`); `kb serve`
passes the server's to waitress, the search layer and the engine read theirs from the same table, and the README and
`docs/deploy.md` point here rather than repeating numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    per_instance: bool = True  # False: one value for the code (read where it is used); config.py cannot change it


SETTINGS: tuple[Setting, ...] = (
    # the server (waitress)
    Setting("threads", 8, "Worker threads answering requests."),
    Setting("connection_limit", 1000, "Open connections the server accepts; beyond, new ones wait in the backlog."),
    Setting("channel_timeout", 20, "Seconds an idle or slow connection is kept before it is closed."),
    Setting("max_request_body_bytes", 64 * 1024, "Largest request body accepted (kb answers GET; a body is refused)."),
    Setting("max_request_header_bytes", 16 * 1024, "Largest request line and headers accepted."),
    Setting("public_url", "", "The site's public address (https://kb.example.org/): permalinks, citations, CSV links "
                              "and feeds use it, never the request's Host header. Empty: the request's own address, "
                              "for local use."),
    Setting("trusted_hosts", (), "Host names the server answers to (Flask's TRUSTED_HOSTS); empty: any."),
    Setting("trusted_proxies", (), "Addresses of the reverse proxies (127.0.0.1 for nginx on the same machine) "
                                   "whose X-Forwarded-For and X-Forwarded-Proto kb believes (werkzeug's ProxyFix, "
                                   "one hop); from any other address those headers are ignored. Empty: none."),
    Setting("secure_cookies", None, "Mark kb's one cookie (kb_lang, the remembered interface language) Secure, so "
                                    "that browsers send it over HTTPS only. True or False; None: when the request "
                                    "came over HTTPS (as a trusted proxy says)."),
    # a search request
    Setting("max_query_string_chars", 4000, "Longest query string (everything after `?`): 414 beyond."),
    Setting("max_query_chars", 500, "Longest `q`.", per_instance=False),
    Setting("max_facet_values", 50, "Values of one facet in one request.", per_instance=False),
    Setting("max_facet_value_chars", 100, "Longest facet value (a slug or a year).", per_instance=False),
    Setting("concurrent_searches", 2, "Searches computed at once; the requests beyond wait their turn (Datasette's "
                                      "num_sql_threads). Python runs one thread at a time, so more at once only "
                                      "interleave: each takes longer, and holds its arrays in memory meanwhile."),
    Setting("search_time_limit_ms", 1500, "Scoring time before a search returns what it has (marked timed_out)."),
    # the index
    Setting("integrity_check_seconds", 300, "Seconds between background verifications of the served index "
            "generation's checksums; a damaged one stops being served (kb.engine.checksums). 0: verified only when "
            "opened."),
    # memory
    Setting("result_cache_entries", 256, "Search answers kept per index generation."),
    Setting("twin_cache_sections", 20_000, "Sections whose other-language version (title, paragraph identifiers) the "
                                           "hits' links across languages remember per index generation."),
    Setting("match_cache_mb", 8, "Megabytes of recent queries' matching documents and scores kept per index "
                                  "generation (the next page, another filter and the key figures reuse them).",
            per_instance=False),
    Setting("term_cache_mb", 24, "Megabytes of recent query words' scores (and phrases' places) kept per index "
                                 "generation.", per_instance=False),
    Setting("stored_cache_mb", 6, "Megabytes of recently shown documents (hits, their twins) kept per index "
                                  "generation.", per_instance=False),
    Setting("unit_cache_mb", 24, "Megabytes of recent query words' paragraphs kept per index generation (themes are "
                                 "counted per paragraph).", per_instance=False),
    Setting("mask_cache_mb", 8, "Megabytes of facet-value document masks kept per index generation.",
            per_instance=False),
    Setting("stem_cache_words", 200_000, "Analysed words remembered per analyzer (words over 40 letters never).",
            per_instance=False),
    # the engine (docs/scale-out.md); the environment variable in ENVIRONMENT overrides config.py
    Setting("backend", "whoosh", "The engine kb serves from: `whoosh` (the index in the instance folder) or "
                                 "`typesense` (the cluster of typesense_nodes; no local index, no content/)."),
    Setting("typesense_nodes", "", "The Typesense nodes' URLs, comma-separated (http://10.0.0.5:8108,...): every "
                                   "node answers reads; one that fails is skipped."),
    Setting("typesense_api_key", "", "The Typesense cluster's API key."),
    Setting("typesense_alias", "kb", "The collection alias kb serves; `kb index --backend typesense` moves it."),
)

ENVIRONMENT: dict[str, str] = {"backend": "KB_BACKEND", "typesense_nodes": "KB_TYPESENSE_NODES",
                               "typesense_api_key": "KB_TYPESENSE_API_KEY", "typesense_alias": "KB_TYPESENSE_ALIAS"}

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
BACKENDS = ("whoosh", "typesense")


PER_INSTANCE = frozenset(s.name for s in SETTINGS if s.per_instance)


def from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The settings the environment sets (ENVIRONMENT: KB_BACKEND, KB_TYPESENSE_NODES, ...), non-empty ones only."""
    return {name: environ[var] for name, var in ENVIRONMENT.items() if environ.get(var)}


def resolve(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with `overrides` applied; an unknown name is an error, so a typo in config.py is not ignored, and
    so is a setting that is the same for every instance (it would silently do nothing)."""
    unknown = sorted(set(overrides or {}) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown setting(s) in KB_SETTINGS: {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    fixed = sorted(set(overrides or {}) - PER_INSTANCE)
    if fixed:
        raise ValueError(f"setting(s) not per instance, cannot be set in KB_SETTINGS: {', '.join(fixed)}")
    resolved = {**DEFAULTS, **(overrides or {})}
    if not isinstance(resolved["concurrent_searches"], int) or resolved["concurrent_searches"] < 1:
        raise ValueError(f"concurrent_searches: {resolved['concurrent_searches']!r} is not a whole number of 1 or more")
    if resolved["backend"] not in BACKENDS:
        raise ValueError(f"backend: {resolved['backend']!r} is not one of {', '.join(BACKENDS)}")
    return resolved
