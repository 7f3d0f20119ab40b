"""Which engine a running kb reads (kb.settings `backend`): the Whoosh index in the instance folder, or the collection
a Typesense cluster's alias points at. The one place that turns settings into a `SearchBackend`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.engine.backend import SearchBackend


def open_backend(settings: dict[str, Any], index_link: Path) -> SearchBackend:
    """The backend `settings` name; ValueError when the Typesense settings are missing or malformed."""
    cache, limit = settings["result_cache_entries"], settings["search_time_limit_ms"] / 1000
    if settings["backend"] == "typesense":
        from kb.engine.typesense_backend import TypesenseBackend
        from kb.engine.typesense_store import ClusterConfig, Store

        config = ClusterConfig.from_settings(settings)
        return TypesenseBackend(Store(config), config.alias, cache_size=cache, time_limit=limit)
    from kb.engine.whoosh_backend import WhooshBackend

    return WhooshBackend(index_link, cache_size=cache, time_limit=limit,
                         verify_interval=settings["integrity_check_seconds"])
