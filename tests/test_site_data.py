"""The index generation carries everything the site shows (kb-site.json): the web never opens content/.

After `kb index`, the content folder can go: every page, chart, download and API answer stays byte for byte the same.
An edit in content/ (a number of figures.yaml, a theme's label) shows only once `kb index` has built it. A generation
without site data is answered with a 503 that says to rebuild, and the next `kb index` rebuilds it in full.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer import build as build_module
from kb.engine import checksums, generations
from kb.engine.site import SiteMissing, read_site, write_site
from kb.figures_model import OperationFigures
from kb.views.downloads import DATASETS
from tests.support import Site, build, clone_site, edit, make_app

FIXED_DAY = dt.date(2024, 5, 17)


class _FixedDate(dt.date):
    """`date.today()` of the citations (kb.cite), fixed so that a page is the same before and after."""

    @classmethod
    def today(cls) -> dt.date:
        return FIXED_DAY


@pytest.fixture()
def site(built_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A built copy of content/; the default content folder points at it, so nothing can fall back on the repo's."""
    content, instance = clone_site(built_site, tmp_path)
    monkeypatch.setenv("KB_CONTENT", str(content))
    monkeypatch.setattr("kb.cite.date", _FixedDate)
    return content, instance


def every_url(content: Path) -> list[str]:
    """Each page, chart, download and API answer of the corpus (charts are drawn inline in their pages)."""
    sections = sorted(f"{p.parent.parent.name}/{p.parent.name}/{p.name.split('.')[0]}/{p.name.split('.')[1]}"
                      for p in content.glob("*/*/*.md"))
    urls = ["/", "/?q=refugees", "/?q=r%C3%A9fugi%C3%A9s&ui=fr", "/?q=education&theme=education&sort=newest",
            "/?q=educaton", "/?lang=fr&year=2020&ui=fr", "/api/search?q=refugees", "/api/search?q=education&ui=fr",
            "/api/search.csv?q=refugees", "/api/openapi.json", "/nowhere"]
    for doc in sections:
        operation, year, section, lang = doc.split("/")
        urls += [f"/{lang}/{operation}/{year}/{section}", f"/api/sections/{lang}/{operation}/{year}/{section}"]
    urls += ["/en/mali/2020/unmet-needs?ui=fr", "/compare?a=/en/mali/2020/unmet-needs&b=/fr/mali/2020/unmet-needs"]
    for lang in ("en", "fr"):
        urls += [f"/{lang}/mali", f"/{lang}/mali?ui=fr", f"/{lang}/mali/figures.json"]
        urls += [f"/{lang}/mali/figures/{name}.csv" for name in DATASETS]
    return urls


def answers(client: FlaskClient, urls: list[str]) -> dict[str, tuple[int, str, bytes]]:
    out = {}
    for url in urls:
        response = client.get(url)
        out[url] = (response.status_code, response.content_type, response.get_data())
    return out


def test_every_answer_is_byte_identical_once_content_is_gone(site: tuple[Path, Path], tmp_path: Path) -> None:
    content, instance = site
    app = make_app(instance)
    assert not any(key.startswith("CONTENT") for key in app.config)
    urls = every_url(content)
    before = answers(app.test_client(), urls)
    assert sum(status == 200 for status, _type, _data in before.values()) == len(urls) - 1  # all but /nowhere
    assert b"<svg" in before["/en/mali"][2] and b"<svg" in before["/?q=refugees"][2]  # the charts are in the pages
    shutil.move(content, tmp_path / "moved-away")
    after = answers(app.test_client(), urls)
    assert [url for url in urls if after[url] != before[url]] == []
    fresh = answers(make_app(instance).test_client(), urls)  # nor does a new app read content/ when it starts
    assert [url for url in urls if fresh[url] != before[url]] == []


def test_an_edited_figure_shows_only_after_kb_index(site: tuple[Path, Path]) -> None:
    content, instance = site
    client = make_app(instance).test_client()
    page, data = client.get("/en/mali").get_data(as_text=True), client.get("/en/mali/figures.json").get_json()
    assert data["budget"]["budget"][-1] == 57.59650997 and 'data-value="57.59650997"' in page
    edit(content / "mali" / "2020" / "figures.yaml", "- 57.59650997", "- 61.25")
    assert client.get("/en/mali").get_data(as_text=True) == page
    assert client.get("/en/mali/figures.json").get_json() == data
    assert build(content, instance).changed == ["mali/2020/figures.yaml"]
    page = client.get("/en/mali").get_data(as_text=True)
    assert client.get("/en/mali/figures.json").get_json()["budget"]["budget"][-1] == 61.25
    assert 'data-value="61.25"' in page and 'data-value="57.59650997"' not in page
    assert "61.25" in client.get("/en/mali/figures/budget.csv").get_data(as_text=True)


def test_an_edited_theme_label_shows_only_after_kb_index(site: tuple[Path, Path]) -> None:
    content, instance = site
    client = make_app(instance).test_client()

    def theme_labels() -> dict[str, str]:
        facets = client.get("/api/search?q=education").get_json()["facets"]["theme"]
        return {value["value"]: value["label"] for value in facets}

    assert theme_labels()["education"] == "Education"
    edit(content / "themes.yaml", "    en: Education\n", "    en: Schooling\n")
    assert theme_labels()["education"] == "Education"
    assert ">Schooling<" not in client.get("/?q=education").get_data(as_text=True)
    assert build(content, instance).full  # themes.yaml is part of every document's basis
    assert theme_labels()["education"] == "Schooling"
    assert "Schooling" in client.get("/?q=education").get_data(as_text=True)


def test_an_incremental_build_merges_an_operations_figures_files_again(site: tuple[Path, Path]) -> None:
    """A second figures.yaml for Mali: its numbers win where it has them; the 2020 file's stay where it has none."""
    content, instance = site
    client = make_app(instance).test_client()
    later = content / "mali" / "2021" / "figures.yaml"
    later.parent.mkdir()
    later.write_text("operation: mali\nyear: 2021\nsource: later.txt\npeople_of_concern:\n  change: decrease\n"
                     "  change_percent: -3.5\n  totals:\n  - year: 2021\n    total: 399000\n  breakdown: []\n",
                     encoding="utf-8")
    assert build(content, instance).added == ["mali/2021/figures.yaml"]
    data = client.get("/en/mali/figures.json").get_json()
    assert [s["file"] for s in data["sources"]] == ["mali/2020/figures.yaml", "mali/2021/figures.yaml"]
    assert [t["total"] for t in data["people_of_concern"]["totals"]] == [154432, 275779, 408016, 399000]
    assert data["people_of_concern"]["change"] == "decrease" and data["budget"]["budget"][-1] == 57.59650997
    assert "Decrease in 2021 (−4%)" in client.get("/en/mali").get_data(as_text=True)
    later.unlink()
    later.parent.rmdir()
    assert build(content, instance).deleted == ["mali/2021/figures.yaml"]
    data = client.get("/en/mali/figures.json").get_json()
    assert [s["file"] for s in data["sources"]] == ["mali/2020/figures.yaml"]
    assert data["people_of_concern"]["totals"][-1]["total"] == 408016


def test_an_incremental_build_rewrites_the_site_data_whole(site: tuple[Path, Path]) -> None:
    content, instance = site
    first = read_site(instance / "index")
    edit(content / "mali" / "2020" / "unmet-needs.en.md", "critical issue", "critical problem")
    result = build(content, instance)
    assert not result.full and result.changed == ["mali/2020/unmet-needs.en.md"]
    assert read_site(instance / "index") == first
    assert set(first) == {"themes", "operations", "figures", "entered"}
    assert set(first["entered"]) >= {"mali/2020/unmet-needs.en.md", "mali/2020/figures.yaml"}
    assert first["operations"]["mali"] == {"en": "Mali", "fr": "Mali", "country": ["MLI"]}
    assert first["themes"]["education"] == {"en": "Education", "fr": "Éducation"}
    assert OperationFigures.from_dict(first["figures"]["mali"]).to_dict() == first["figures"]["mali"]


def test_a_sharded_build_writes_the_same_site_data(site: tuple[Path, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures checked by the workers travel back to the builder."""
    content, instance = site
    monkeypatch.setattr(build_module, "SHARD_ABOVE", 1)
    build(content, tmp_path / "sharded")
    sharded, single = read_site(tmp_path / "sharded" / "index"), read_site(instance / "index")
    assert set(sharded.pop("entered")) == set(single.pop("entered"))  # the dates: when each build ran
    assert sharded == single


def test_a_generation_without_site_data_asks_for_a_rebuild(site: tuple[Path, Path]) -> None:
    content, instance = site
    (instance / "index" / generations.SITE).unlink()
    checksums.write(instance / "index")  # whole, only without site data (a missing listed file is damage: 503 too)
    client = make_app(instance).test_client()
    for url in ("/", "/?q=refugees", "/en/mali", "/en/mali/figures.json"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "Rebuild the index" in response.get_data(as_text=True) and "kb index" in response.get_data(as_text=True)
    api = client.get("/api/search?q=refugees")
    assert api.status_code == 503 and "kb index" in api.get_json()["reason"]
    french = client.get("/en/mali?ui=fr").get_data(as_text=True)
    assert "Reconstruisez" in french
    result = build(content, instance)
    assert result.full and "site data" in result.reason
    assert client.get("/en/mali").status_code == 200


def test_site_data_of_another_version_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"figures": {}})
    assert read_site(tmp_path) == {"figures": {}}
    (tmp_path / generations.SITE).write_text(json.dumps({"version": 0, "data": {}}), encoding="utf-8")
    with pytest.raises(SiteMissing, match="kb index"):
        read_site(tmp_path)
