"""The index generation carries everything the site shows (kb-site.json): merged figures, operations, theme labels.

Every build writes it whole; a generation without it is rebuilt in full by the next `kb index`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from indexer import build as build_module
from kb import create_app
from kb.engine import generations
from kb.engine.site import SiteMissing, read_site, write_site
from kb.figures_model import OperationFigures
from tests.support import build, copy_content, edit


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A built copy of content/; the default content folder points at it, so nothing can fall back on the repo's."""
    content = copy_content(tmp_path / "content")
    monkeypatch.setenv("KB_CONTENT", str(content))
    build(content, tmp_path / "instance")
    return content, tmp_path / "instance"


def make_app(instance: Path) -> Flask:
    return create_app({"INSTANCE_PATH": str(instance), "INDEX_LINK": str(instance / "index"), "TESTING": True})


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


def test_an_incremental_build_rewrites_the_site_data_whole(site: tuple[Path, Path]) -> None:
    content, instance = site
    first = read_site(instance / "index")
    edit(content / "mali" / "2020" / "unmet-needs.en.md", "critical issue", "critical problem")
    result = build(content, instance)
    assert not result.full and result.changed == ["mali/2020/unmet-needs.en.md"]
    assert read_site(instance / "index") == first
    assert set(first) == {"themes", "operations", "figures"}
    assert first["operations"]["mali"] == {"en": "Mali", "fr": "Mali", "country": ["MLI"]}
    assert first["themes"]["education"] == {"en": "Education", "fr": "Éducation"}
    assert OperationFigures.from_dict(first["figures"]["mali"]).to_dict() == first["figures"]["mali"]


def test_an_edited_figure_is_in_the_next_generation(site: tuple[Path, Path]) -> None:
    content, instance = site
    edit(content / "mali" / "2020" / "figures.yaml", "- 57.59650997", "- 61.25")
    assert build(content, instance).changed == ["mali/2020/figures.yaml"]
    assert read_site(instance / "index")["figures"]["mali"]["budget"]["budget"][-1] == 61.25


def test_a_sharded_build_writes_the_same_site_data(site: tuple[Path, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures checked by the workers travel back to the builder."""
    content, instance = site
    monkeypatch.setattr(build_module, "SHARD_ABOVE", 1)
    build(content, tmp_path / "sharded")
    assert (tmp_path / "sharded" / "index" / generations.SITE).read_bytes() == \
        (instance / "index" / generations.SITE).read_bytes()


def test_a_generation_without_site_data_is_rebuilt_in_full(site: tuple[Path, Path]) -> None:
    content, instance = site
    (instance / "index" / generations.SITE).unlink()
    with pytest.raises(SiteMissing, match="kb index"):
        read_site(instance / "index")
    result = build(content, instance)
    assert result.full and "site data" in result.reason
    assert read_site(instance / "index")["figures"]["mali"]["operation"] == "mali"


def test_site_data_of_another_version_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"figures": {}})
    assert read_site(tmp_path) == {"figures": {}}
    (tmp_path / generations.SITE).write_text(json.dumps({"version": 0, "data": {}}), encoding="utf-8")
    with pytest.raises(SiteMissing, match="kb index"):
        read_site(tmp_path)
