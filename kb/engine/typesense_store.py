"""The Typesense cluster as kb's store: the connection, reads retried across nodes, aliases, collections and blobs.

kb keeps one index generation in one Typesense collection (named `<alias>_<publish time>_<generation>_<fingerprint>`,
so names sort by publication) and serves the collection the alias points at. A collection holds three kinds of
record (`type`): `doc` (a document: its facet fields and kb's analysed tokens indexed, its stored fields as JSON),
`post` (one analysed term: its postings and positions in every text field, packed) and `blob` (a part of a packed
table, the word list or the site data). kb.engine.typesense_writer writes them, kb.engine.typesense_backend reads them.

Every node answers reads. The client (PyPI `typesense`) moves on to the next node when one does not answer (connection
refused, time-out, 5xx/503); a node that answers 404 for a collection or alias another node has is lagging behind the
leader (just after an alias swap), so a read that gets a 404 is tried on the other nodes before it is believed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
BLOB_PART_CHARS = 1 << 20  # characters of one blob record's data (base64)
IMPORT_BATCH = 400  # records per import request
PAGE = 250  # Typesense's largest page
LAG_ATTEMPTS = 4  # a read that gets 404 is tried this often (at least once per node), 0.3 s in all

FIELDS: tuple[dict[str, Any], ...] = (
    {"name": "type", "type": "string", "facet": True},
    {"name": "key", "type": "string", "optional": True},
    {"name": "docnum", "type": "int32", "optional": True},
    {"name": "doc_id", "type": "string", "optional": True},
    {"name": "path", "type": "string", "optional": True},
    {"name": "translation_key", "type": "string", "optional": True},
    {"name": "operation", "type": "string", "facet": True, "optional": True},
    {"name": "section", "type": "string", "facet": True, "optional": True},
    {"name": "lang", "type": "string", "facet": True, "optional": True},
    {"name": "report", "type": "string", "facet": True, "optional": True},
    {"name": "kind", "type": "string", "facet": True, "optional": True},
    {"name": "year", "type": "int32", "facet": True, "optional": True},
    {"name": "theme", "type": "string[]", "facet": True, "optional": True},
    {"name": "country", "type": "string[]", "facet": True, "optional": True},
    {"name": "tokens", "type": "string[]", "optional": True},  # kb's analysed terms of the title and the text
)  # fields not named here (data, term, part) are stored and returned, not indexed


class ClusterError(RuntimeError):
    """The cluster could not do what was asked (unreachable, refused, incomplete); the message says what."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where the cluster is: its nodes' URLs, the API key, the alias kb serves."""

    nodes: tuple[str, ...]
    api_key: str
    alias: str = "kb"

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> ClusterConfig:
        """From kb.settings (typesense_nodes, typesense_api_key, typesense_alias); ValueError says what is missing."""
        nodes = parse_nodes(settings.get("typesense_nodes") or "")
        key = settings.get("typesense_api_key") or ""
        if not key:
            raise ValueError("typesense_api_key is empty: set KB_TYPESENSE_API_KEY (the cluster's API key)")
        return cls(nodes, key, settings.get("typesense_alias") or "kb")


def parse_nodes(text: str | Sequence[str]) -> tuple[str, ...]:
    """Comma-separated node URLs (`http://10.0.0.5:8108,http://10.0.0.6:8108`) -> a tuple; ValueError on a bad one."""
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p and p.strip()]
    if not parts:
        raise ValueError("typesense_nodes is empty: set KB_TYPESENSE_NODES to the nodes' URLs, comma-separated "
                         "(http://127.0.0.1:8108,...)")
    for part in parts:
        url = urlsplit(part)
        if url.scheme not in ("http", "https") or not url.hostname or not url.port or url.path not in ("", "/"):
            raise ValueError(f"typesense_nodes: {part!r} is not a node URL like http://127.0.0.1:8108")
    return tuple(p.rstrip("/") for p in parts)


class Store:
    """One client over the cluster's nodes, shared by all threads."""

    def __init__(self, config: ClusterConfig, timeout: float = 3.0) -> None:
        import httpx
        import typesense  # only when a cluster is used: the embedded backend needs no client

        self.config = config
        self.errors = typesense.exceptions
        self.transport_errors = (OSError, httpx.HTTPError)
        nodes = []
        for url in config.nodes:
            parts = urlsplit(url)
            nodes.append({"host": parts.hostname, "port": str(parts.port), "protocol": parts.scheme})
        self.client = typesense.Client({
            "nodes": nodes, "api_key": config.api_key, "connection_timeout_seconds": timeout,
            "num_retries": 2 * len(nodes) + 1, "retry_interval_seconds": 0.05, "healthcheck_interval_seconds": 2,
        })

    # ---------------------------------------------------------------------------------------------- calls
    def call(self, action: Callable[[], T], *, lagging: bool = True) -> T:
        """Run one client call. A 404 is tried again on every other node first (`lagging`: a follower that has not
        yet applied the leader's latest writes); any other failure becomes a ClusterError saying what happened."""
        attempts = max(len(self.config.nodes), LAG_ATTEMPTS) if lagging else 1
        for attempt in range(attempts):
            try:
                return action()
            except self.errors.ObjectNotFound:
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.02 * 2**attempt)  # the next node, and a follower applying the log, a moment later
            except self.errors.TypesenseClientError as err:
                raise ClusterError(f"the Typesense cluster ({', '.join(self.config.nodes)}) failed: "
                                   f"{type(err).__name__}: {err}") from None
            except self.transport_errors as err:
                raise ClusterError(f"the Typesense cluster ({', '.join(self.config.nodes)}) cannot be reached: "
                                   f"{err}") from None
        raise AssertionError("unreachable")

    def alias_target(self, alias: str) -> str | None:
        """The collection `alias` points at, None when there is no such alias on any node."""
        try:
            return self.call(lambda: self.client.aliases[alias].retrieve())["collection_name"]
        except self.errors.ObjectNotFound:
            return None

    def set_alias(self, alias: str, collection: str) -> None:
        self.call(lambda: self.client.aliases.upsert(alias, {"collection_name": collection}), lagging=False)

    def collections(self, prefix: str) -> list[str]:
        found = self.call(lambda: self.client.collections.retrieve())
        return sorted(c["name"] for c in found if c["name"].startswith(prefix))

    def create(self, name: str) -> None:
        self.call(lambda: self.client.collections.create({"name": name, "fields": list(FIELDS)}), lagging=False)

    def drop(self, name: str) -> None:
        with contextlib.suppress(self.errors.ObjectNotFound):
            self.call(lambda: self.client.collections[name].delete(), lagging=False)

    def import_(self, name: str, records: Iterable[dict[str, Any]]) -> int:
        """Create `records` in collection `name`, in batches; ClusterError when any is refused. Returns how many."""
        batch: list[dict[str, Any]] = []
        done = 0
        for record in records:
            batch.append(record)
            if len(batch) >= IMPORT_BATCH:
                done += self._import_batch(name, batch)
                batch = []
        if batch:
            done += self._import_batch(name, batch)
        return done

    def _import_batch(self, name: str, batch: list[dict[str, Any]]) -> int:
        body = "\n".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in batch)
        documents = self.client.collections[name].documents
        answer = self.call(lambda: documents.import_(body, {"action": "create"}), lagging=False)
        failed = [line for line in answer.splitlines() if '"success":true' not in line.replace(" ", "")]
        if failed:
            raise ClusterError(f"the Typesense cluster refused {len(failed)} of {len(batch)} records: "
                               f"{failed[0][:300]}")
        return len(batch)

    def search(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.call(lambda: self.client.collections[name].documents.search(params))

    def count(self, name: str, kind: str | None = None) -> int:
        params = {"q": "*", "per_page": 0, **({"filter_by": f"type:={kind}"} if kind else {})}
        return int(self.search(name, params)["found"])

    def records(self, name: str, filter_by: str, *, sort_by: str = "", include: str = "") -> list[dict[str, Any]]:
        """Every record matching `filter_by` (all pages), in `sort_by` order."""
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            params = {"q": "*", "filter_by": filter_by, "per_page": PAGE, "page": page}
            if sort_by:
                params["sort_by"] = sort_by
            if include:
                params["include_fields"] = include
            found = self.search(name, params)
            out.extend(hit["document"] for hit in found.get("hits", []))
            if page * PAGE >= found.get("found", 0):
                return out
            page += 1

    def by_keys(self, name: str, kind: str, keys: Sequence[str], include: str = "") -> dict[str, dict[str, Any]]:
        """The records of type `kind` with these keys (key -> record; missing keys are absent)."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), PAGE):
            chunk = keys[start:start + PAGE]
            wanted = ",".join(f"`{key}`" for key in chunk)
            for record in self.records(name, f"type:={kind} && key:=[{wanted}]", include=include):
                out[record["key"]] = record
        return out

    # ---------------------------------------------------------------------------------------------- blobs
    def blob(self, name: str, key: str) -> bytes:
        """The data stored under `key` in collection `name`; ClusterError when a part is missing."""
        found = sorted(self.records(name, f"type:=blob && key:=`{key}`"), key=lambda r: r["part"])
        if not found or len(found) != found[0]["parts"]:
            raise ClusterError(f"collection {name}: blob {key!r} is incomplete ({len(found)} parts)")
        return unpack("".join(r["data"] for r in found))

    def json_blob(self, name: str, key: str) -> Any:
        return json.loads(self.blob(name, key).decode("utf-8"))


def pack(data: bytes, level: int = 6) -> str:
    """Bytes as the text a record holds: compressed, base64."""
    return base64.b64encode(zlib.compress(data, level)).decode("ascii")


def unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def blob_records(key: str, data: bytes) -> list[dict[str, Any]]:
    """The records that hold `data` under `key`: packed, in parts of BLOB_PART_CHARS characters."""
    text = pack(data)
    parts = [text[i:i + BLOB_PART_CHARS] for i in range(0, len(text), BLOB_PART_CHARS)] or [""]
    return [{"id": f"b-{key}-{i}", "type": "blob", "key": key, "part": i, "parts": len(parts), "data": part}
            for i, part in enumerate(parts)]
