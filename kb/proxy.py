"""Behind a reverse proxy: believe `X-Forwarded-For` and `X-Forwarded-Proto` from the trusted proxies only.

werkzeug's ProxyFix trusts a number of hops, whoever sends them; this applies it (one hop, the client's address and
scheme; never the Host, port or prefix, which the `public_url` setting gives) only to requests whose peer address is
one of the `trusted_proxies` setting. From any other address the headers change nothing, so a client that reaches
waitress directly cannot pose as HTTPS or as another address.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxyFix:
    """WSGI middleware: `ProxyFix(x_for=1, x_proto=1)` for requests from `trusted` addresses, nothing otherwise."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = frozenset(trusted)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
