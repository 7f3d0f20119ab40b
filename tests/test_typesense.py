"""kb on a Typesense cluster (one node here; tests/test_typesense_cluster.py kills nodes of three): `kb index
--backend typesense` publishes a generation, and an app with no content/ and no local index serves every page and
answer byte for byte as the embedded Whoosh backend does (the generation's name aside).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from bench.cluster import Cluster
from indexer.publish import run_publish
from kb.cli import main
from kb.engine.backend import Query
from kb.engine.schema import FACET_FIELDS
from kb.engine.typesense_store import ClusterConfig, Store, parse_nodes
from tests.support import Site, clone_site, cluster_settings, make_app, publish_site, stateless_app

pytestmark = pytest.mark.typesense

ALIAS = "kb-mali"
URLS = [
    "/", "/?q=education", "/?q=education&ui=fr", "/?q=refugees&sort=newest&per_page=20", "/?q=%22birth+certificate%22",
    "/?q=refug*", "/?q=educaton", "/?q=radios+theme:education", "/?theme=education", "/?q=abris+Mopti",
    "/api/search?q=refugees", "/api/search?q=r%C3%A9fugi%C3%A9s&lang=fr", "/api/search?q=education+NOT+radios",
    "/api/search?q=ambulances+OR+naturalisation", "/api/search?year=2020&lang=fr&section=unmet-needs",
    "/api/search?q=refugees&from=2019&to=2020", "/api/search?q=refugees+OR+educaton", "/api/search?q=country:MLI",
    "/api/search?q=%22protection+monitoring%22", "/api/search?q=body:[a+TO+zzzz]", "/api/search?q=NOT",
    "/api/search?q=registration&theme=registration-and-documentation", "/api/search.csv?q=refugees",
    "/api/search?q=refugees&page=99", "/api/search?theme=nosuch", "/api/openapi.json",
    "/en/mali", "/fr/mali?ui=fr", "/en/mali/figures.json", "/en/mali/figures/budget.csv",
    "/en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs?ui=fr", "/en/mali/2020/unmet-needs?hl=refugees",
    "/api/sections/en/mali/2020/unmet-needs", "/api/sections/fr/mali/2020/operational-context",
    "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs", "/feed.atom?q=refugees&per_page=20",
    "/feed.atom?theme=security", "/en/mali/2020/nothing-here", "/fr/nowhere/2020/nothing",
]


@pytest.fixture(scope="module")
def on_cluster(built_site: Site, typesense_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    publish_site(built_site.instance, typesense_cluster, ALIAS)
    return stateless_app(tmp_path_factory.mktemp("stateless") / "instance", typesense_cluster, ALIAS)


def _generation(app: Flask) -> str:
    return app.extensions["kb.search"].backend.generation()


def test_every_page_and_answer_is_the_same_from_the_cluster(built_site: Site, on_cluster: Flask) -> None:
    local, remote = built_site.client(), on_cluster.test_client()
    here, there = _generation(built_site.app), _generation(on_cluster)
    assert there.startswith(f"{ALIAS}_") and f"_{here}_" in there
    for url in URLS:
        want, got = local.get(url), remote.get(url)
        assert got.status_code == want.status_code, url
        assert got.get_data(as_text=True).replace(there, here) == want.get_data(as_text=True), url


def test_the_backend_gives_the_same_hits_paragraphs_and_themes(built_site: Site, on_cluster: Flask) -> None:
    local = built_site.app.extensions["kb.search"].backend
    remote = on_cluster.extensions["kb.search"].backend
    for text in ("refugees", "education AND theme:education", '"birth certificate"', "refug* NOT covid", ""):
        query = Query(text=text, facets=FACET_FIELDS, limit=100)
        want, got = local.search(query), remote.search(query)
        assert (got.total, got.facets, got.per_year) == (want.total, want.facets, want.per_year), text
        assert [(h.fields["doc_id"], h.score, h.paragraphs, h.themes) for h in got.hits] == \
               [(h.fields["doc_id"], h.score, h.paragraphs, h.themes) for h in want.hits], text
    assert remote.get("mali/2020/unmet-needs/fr") == json.loads(json.dumps(local.get("mali/2020/unmet-needs/fr")))
    assert remote.get("nowhere/2020/x/en") is None
    assert remote.suggest("educaton") == local.suggest("educaton") == "education"


def test_without_an_alias_the_site_says_there_is_no_index_yet(typesense_cluster: Cluster, tmp_path: Path) -> None:
    app = stateless_app(tmp_path / "instance", typesense_cluster, "kb-never-published")
    response = app.test_client().get("/?q=refugees")
    assert response.status_code == 503
    assert "No index yet" in response.get_data(as_text=True)


def test_kb_index_publishes_once_then_says_the_alias_is_up_to_date(built_site: Site, typesense_cluster: Cluster,
                                                                  tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    env = {f"KB_{k.upper()}": v for k, v in cluster_settings(typesense_cluster, "kb-cli").items()}
    runner = CliRunner()
    first = runner.invoke(main, ["index", "--content", str(content), "--instance", str(instance)], env=env)
    assert first.exit_code == 0, first.output
    assert "Index is up to date" in first.output and "alias 'kb-cli' moved to it" in first.output
    again = runner.invoke(main, ["index", "--content", str(content), "--instance", str(instance)], env=env)
    assert again.exit_code == 0 and "alias 'kb-cli' already serves kb-cli_" in again.output, again.output
    store = Store(ClusterConfig.from_settings(cluster_settings(typesense_cluster, "kb-cli")))
    assert store.collections("kb-cli_") == [store.alias_target("kb-cli")]


def test_bad_cluster_settings_are_refused_with_the_reason(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    runner = CliRunner()
    done = runner.invoke(main, ["index", "--content", str(content), "--instance", str(instance), "--backend",
                                "typesense"],
                         env={"KB_TYPESENSE_NODES": "", "KB_TYPESENSE_API_KEY": "k"})
    assert done.exit_code == 2
    assert "typesense_nodes is empty: set KB_TYPESENSE_NODES" in done.output
    with pytest.raises(ValueError, match="'localhost:8108' is not a node URL like http://127.0.0.1:8108"):
        parse_nodes("http://127.0.0.1:8108,localhost:8108")
    assert parse_nodes(" http://a:1/ ,https://b:2") == ("http://a:1", "https://b:2")


def test_an_unreachable_cluster_fails_the_publication_with_the_reason(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    runner = CliRunner()
    done = runner.invoke(main, ["index", "--content", str(content), "--instance", str(instance), "--backend",
                                "typesense"],
                         env={"KB_TYPESENSE_NODES": "http://127.0.0.1:9", "KB_TYPESENSE_API_KEY": "k"})
    assert done.exit_code == 1
    assert "cannot be reached" in done.output or "failed" in done.output, done.output
    assert "the alias 'kb' was not moved" in done.output


def test_a_cluster_that_does_not_answer_gets_a_503_page_with_the_reason(tmp_path: Path) -> None:
    settings = {"backend": "typesense", "typesense_nodes": "http://127.0.0.1:9", "typesense_api_key": "k"}
    client = make_app(tmp_path / "instance", KB_SETTINGS=settings).test_client()
    page = client.get("/?q=refugees")
    assert page.status_code == 503 and "No node of the search engine" in page.get_data(as_text=True)
    french = client.get("/?q=refugees&ui=fr")
    assert french.status_code == 503 and "Moteur de recherche injoignable" in french.get_data(as_text=True)
    api = client.get("/api/search?q=refugees")
    assert api.status_code == 503 and api.get_json()["reason"].startswith("Search engine unreachable: ")


def test_kb_search_in_the_terminal_reads_the_cluster_too(on_cluster: Flask, typesense_cluster: Cluster,
                                                         tmp_path: Path) -> None:
    env = {f"KB_{k.upper()}": v for k, v in cluster_settings(typesense_cluster, ALIAS).items()}
    done = CliRunner().invoke(main, ["search", "acte de naissance", "--lang", "fr", "--json", "--instance",
                                     str(tmp_path / "nothing")], env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["hits"][0]["doc_id"] == "mali/2020/unmet-needs/fr"


def test_a_damaged_generation_is_not_published(built_site: Site, typesense_cluster: Cluster, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes changed in the served generation after its build (same size): the publication refuses it with the
    reason and the alias stays where it was."""
    _content, instance = clone_site(built_site, tmp_path)
    settings = cluster_settings(typesense_cluster, "kb-damaged")
    assert run_publish(instance, settings) == 0
    store = Store(ClusterConfig.from_settings(settings))
    before = store.alias_target("kb-damaged")
    sidecar = max((instance / "index").resolve().glob("*.kbpost"), key=lambda p: p.stat().st_size)
    with sidecar.open("r+b") as f:
        f.seek(sidecar.stat().st_size // 2)
        f.write(b"\xff" * 64)
    assert run_publish(instance, settings) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and sidecar.name in err and "the alias 'kb-damaged' was not moved" in err, err
    assert store.alias_target("kb-damaged") == before


def test_kb_serve_on_the_cluster_warms_the_commonest_words_before_it_listens(
        on_cluster: Flask, typesense_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Whoosh: kb serve fetches the postings of the words the publication listed as commonest (a request per
    batch), says so, then serves; a warmed server answers as a cold one."""
    import waitress

    served: list[Flask] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **options: served.append(app))
    env = {f"KB_{k.upper()}": v for k, v in cluster_settings(typesense_cluster, ALIAS).items()}
    done = CliRunner().invoke(main, ["serve", "--instance", str(tmp_path / "instance"), "--port", "5999",
                                     "--backend", "typesense"], env=env)
    assert done.exit_code == 0 and "kb serving on" in done.output, done.output
    assert "commonest words read in" in done.output and "not warmed" not in done.output, done.output
    backend = served[0].extensions["kb.search"].backend
    vectors = backend._generation().vectors
    assert "refuge" in vectors._terms  # "refugees": among the commonest words, fetched before the first search
    cold = on_cluster.extensions["kb.search"].backend
    for text in ("refugees", "refugees AND education", '"people of concern"', "réfugiés"):
        query = Query(text=text, facets=FACET_FIELDS)
        warm_answer, cold_answer = backend.search(query), cold.search(query)
        assert [h.fields["doc_id"] for h in warm_answer.hits] == [h.fields["doc_id"] for h in cold_answer.hits]
        assert warm_answer.facets == cold_answer.facets and warm_answer.total == cold_answer.total
