"""kb on a three-node Typesense cluster: reads from every node, a node lost, a node back, a leader lost mid-publication,
and two stateless web servers.

One cluster for the module (bench/cluster.py: three nodes on loopback ports, their own data folders, one API key),
the session's Mali site published to it. Each test leaves every node running again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask

from bench.cluster import Cluster
from kb.engine.generations import served
from kb.engine.typesense_backend import TypesenseBackend
from kb.engine.typesense_store import ClusterConfig, ClusterError, Store
from kb.engine.typesense_writer import publish
from tests.support import Site, build, clone_site, cluster_settings, edit, make_app

pytestmark = [pytest.mark.typesense, pytest.mark.slow]

ALIAS = "kb"
URLS = ["/?q=refugees", "/?q=education&ui=fr", "/api/search?q=acte+de+naissance&lang=fr",
        "/api/search?q=%22birth+certificate%22", "/api/search?theme=education", "/en/mali/2020/unmet-needs",
        "/api/sections/fr/mali/2020/unmet-needs", "/en/mali/figures.json", "/feed.atom?q=covid"]
MORE_URLS = [f"/api/search?q={quote(word)}" for word in ("security", "elections", "shelter", "sécurité", "emergency",
                                                     "humanitarian", "returnees", "documentation", "school",
                                                     "financial", "pandemic", "infrastructures", "enfants")]


@pytest.fixture(scope="module")
def cluster(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    three = Cluster(tmp_path_factory.mktemp("cluster"), size=3, api_key="kb-cluster-key")
    try:
        three.start()
        publish(served(built_site.instance)[1], store_of(three), ALIAS)
        yield three
    finally:
        three.stop()


def store_of(cluster: Cluster, nodes: list[int] | None = None) -> Store:
    urls = [cluster.urls[i] for i in (nodes if nodes is not None else range(cluster.size))]
    return Store(ClusterConfig(tuple(urls), cluster.api_key, ALIAS))


def app_on(cluster: Cluster, root: Path, nodes: list[int] | None = None) -> Flask:
    settings = cluster_settings(cluster, ALIAS)
    if nodes is not None:
        settings["typesense_nodes"] = ",".join(cluster.urls[i] for i in nodes)
    root.mkdir(parents=True, exist_ok=True)
    return make_app(root, KB_SETTINGS=settings)


def same_pages(want: Flask, got: Flask, urls: list[str]) -> None:
    """Every URL answers 200 on `got`, with the body `want` gives (the generations' names aside)."""
    here = want.extensions["kb.search"].backend.generation()
    there = got.extensions["kb.search"].backend.generation()
    local, remote = want.test_client(), got.test_client()
    for url in urls:
        answer = remote.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        assert answer.get_data(as_text=True).replace(there, here) == local.get(url).get_data(as_text=True), url


def caught_up(cluster: Cluster, wait: float = 60) -> None:
    """Wait until every node names the same collection behind the alias and lists the same collections (a node
    restarted or lagging applies the leader's log a moment later)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        seen = {(store.alias_target(ALIAS), tuple(store.collections(f"{ALIAS}_")))
                for store in (store_of(cluster, [i]) for i in range(cluster.size))}
        if len(seen) == 1 and None not in next(iter(seen)):
            return
        time.sleep(0.2)
    raise AssertionError(f"the nodes disagree: {seen}")


def follower(cluster: Cluster) -> int:
    leader = cluster.leader()
    return next(i for i in range(cluster.size) if i != leader)


def test_every_node_answers_reads(cluster: Cluster, built_site: Site, tmp_path: Path) -> None:
    caught_up(cluster)
    for i in range(cluster.size):
        same_pages(built_site.app, app_on(cluster, tmp_path / f"node{i}", [i]), URLS)


def test_a_node_killed_is_never_seen_by_the_page(cluster: Cluster, built_site: Site, tmp_path: Path) -> None:
    app = app_on(cluster, tmp_path / "before")
    same_pages(built_site.app, app, URLS)
    lost = follower(cluster)
    cluster.kill(lost, signal.SIGKILL)
    try:
        same_pages(built_site.app, app, MORE_URLS)  # new terms: read from the nodes left, through the node list
        same_pages(built_site.app, app_on(cluster, tmp_path / "after"), URLS)  # a new server loads it all
    finally:
        cluster.start_node(lost)
        cluster.wait_ready()


def test_a_restarted_node_catches_up_with_a_publication_it_missed(cluster: Cluster, built_site: Site,
                                                                  tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    edit(content / "mali/2020/unmet-needs.en.md", "financial constraints", "financial constraints and zorblax")
    build(content, instance)
    lost = follower(cluster)
    cluster.kill(lost, signal.SIGKILL)
    try:
        name = publish(served(instance)[1], store_of(cluster, [i for i in range(3) if i != lost]), ALIAS).collection
    finally:
        cluster.start_node(lost)
        cluster.wait_ready()
    alone = TypesenseBackend(store_of(cluster, [lost]), ALIAS)
    deadline = time.monotonic() + 30
    while alone.generation() != name and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alone.generation() == name
    from kb.engine.backend import Query

    assert [h.fields["doc_id"] for h in alone.search(Query(text="zorblax")).hits] == ["mali/2020/unmet-needs/en"]
    publish(served(built_site.instance)[1], store_of(cluster), ALIAS)  # back to the module's generation


class LeaderKiller(Store):
    """A store that kills the cluster's leader (SIGKILL) once its first batch of records is in."""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(ClusterConfig(tuple(cluster.urls), cluster.api_key, ALIAS))
        self.cluster, self.killed = cluster, None

    def _import_batch(self, name: str, batch: list) -> int:
        done = super()._import_batch(name, batch)
        if self.killed is None:
            self.killed = self.cluster.leader()
            self.cluster.kill(self.killed, signal.SIGKILL)
        return done


def test_the_leader_killed_during_a_publication_never_leaves_the_alias_on_a_half_built_collection(
        cluster: Cluster, built_site: Site, tmp_path: Path) -> None:
    store = store_of(cluster)
    before = store.alias_target(ALIAS)
    content, instance = clone_site(built_site, tmp_path)
    edit(content / "mali/2020/unmet-needs.en.md", "financial constraints", "financial constraints and quuxly")
    build(content, instance)
    killer = LeaderKiller(cluster)
    try:
        try:
            outcome = publish(served(instance)[1], killer, ALIAS).collection
        except ClusterError as err:
            outcome = str(err)  # failed cleanly: a message, the alias where it was
        assert killer.killed is not None
        cluster.wait_ready()  # the two left elect a leader
        target = store.alias_target(ALIAS)
        assert target in (before, outcome), (before, outcome, target)
        # whatever the alias names is whole: a new server serves it, with the answers of its own build
        app = app_on(cluster, tmp_path / "after")
        reference = make_app(instance) if target == outcome else built_site.app
        same_pages(reference, app, URLS + ["/api/search?q=quuxly"])
    finally:
        cluster.start_node(killer.killed)
        cluster.wait_ready()
        caught_up(cluster)
    again = publish(served(instance)[1], store, ALIAS)  # the next publication works on the healed cluster
    assert store.alias_target(ALIAS) == again.collection
    # (the half-built collection is dropped by the next publication's sweep when the nodes agree it exists: after a
    # leader change in the middle of its creation, the new leader may answer 404 to its deletion while a follower
    # still lists it; see docs/scale-out.md)
    publish(served(built_site.instance)[1], store, ALIAS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_web_servers_without_content_or_index_answer_alike(cluster: Cluster, tmp_path: Path) -> None:
    env = {**os.environ, **cluster.environment, "KB_BACKEND": "typesense", "KB_CONTENT": str(tmp_path / "none")}
    servers, ports = [], []
    try:
        for i in range(2):
            ports.append(port := free_port())
            (tmp_path / f"web{i}").mkdir()  # behind one proxy: one public address (canonical links, citations)
            (tmp_path / f"web{i}" / "config.py").write_text('KB_SETTINGS = {"public_url": "https://kb.example.org/"}\n')
            servers.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "kb"), "serve", "--port", str(port), "--instance",
                 str(tmp_path / f"web{i}")],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bodies = [[fetch(port, url) for url in URLS + MORE_URLS] for port in ports]
        assert bodies[0] == bodies[1]
        assert all(status == 200 for status, _ in bodies[0])
        assert not any((tmp_path / f"web{i}" / "index").exists() for i in range(2))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def fetch(port: int, url: str, wait: float = 30) -> tuple[int, bytes]:
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
