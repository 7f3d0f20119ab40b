"""Shared helpers for tests that need a content folder and a built index (copies of the committed corpus).

`built_site` (a session fixture in conftest.py) is one `Site` for the whole run, read-only; a test that edits content
or the index takes a private copy with `clone_site` (already built: an edit then needs only an incremental build).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from indexer.build import BuildResult, build_index

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = ROOT / "tests" / "seeds" / "000_886a7aa99cc4041e.txt"  # a copy of ../shared/seeds/, so CI has it
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")  # Debian's; the browser tests are skipped without it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def copy_content(target: Path) -> Path:
    """A private copy of content/ that a test may edit."""
    shutil.copytree(CONTENT, target)
    return target


def build(content: Path, instance: Path, rebuild: bool = False) -> BuildResult:
    return build_index(content, instance, rebuild=rebuild)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def serious_violations(axe: Any, page: Any) -> list[str]:
    """axe-core's serious and critical accessibility violations on the page as it is now, one line each."""
    violations = axe.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in violations if v["impact"] in ("serious", "critical")]


def landing(client: Any, permalink: str) -> tuple[str | None, str]:
    """Follow a paragraph permalink as a browser would: the plain text of the paragraph it lands on (None when it
    lands on the section as a whole) and the page's notice ("" when there is none)."""
    response = client.get(permalink)
    assert response.status_code == 302, (permalink, response.status_code)
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200, location
    html = page.get_data(as_text=True)
    notice = re.search(r'<div class="message notice"[^>]*>(.*?)</div>', html, re.S)
    said = " ".join(re.sub(r"<[^>]+>", "", notice.group(1)).split()) if notice else ""
    if "#" not in location:
        return None, unescape(said)
    anchor = location.rsplit("#", 1)[1]
    para = re.search(rf'<div class="para[^"]*" id="{re.escape(anchor)}"[^>]*>.*?<p>(.*?)</p>', html, re.S)
    assert para, (location, "no paragraph with that anchor")
    text = re.sub(r'<span class="bullet"[^>]*>.*?</span>\s*', "", para.group(1))
    return unescape(re.sub(r"<[^>]+>", "", text)).strip(), unescape(said)


def set_front_matter(path: Path, **fields: Any) -> None:
    """Rewrite a section file's front matter with `fields` changed (None removes a field), as the importer dumps."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    meta.update(fields)
    meta = {k: v for k, v in meta.items() if v is not None}
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    path.write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")


def copy_section(content: Path, source: str, target: str, **fields: Any) -> Path:
    """Copy section file `source` to `target` (both relative to `content`), with front matter `fields` changed."""
    path = content / target
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(content / source, path)
    set_front_matter(path, **fields)
    return path


def set_body(path: Path, body: str) -> None:
    """Replace a section file's paragraphs with `body`."""
    front = path.read_text(encoding="utf-8").rsplit("\n---\n", 1)[0]
    path.write_text(f"{front}\n---\n\n{body}\n", encoding="utf-8")


def make_app(instance: Path, **config: Any) -> Flask:
    """The app over `instance`'s index, with TESTING on unless `config` says otherwise."""
    from kb import create_app

    return create_app({"TESTING": True, **config}, instance_path=str(instance))


@dataclass(frozen=True)
class Site:
    """A copy of content/ (`content`), the index built from it (`instance`), and the app over that index."""

    content: Path
    instance: Path
    app: Flask

    @classmethod
    def build(cls, root: Path) -> Site:
        content = copy_content(root / "content")
        # The shared site searches the words typed only, as the tests written before the glossary expect (counts,
        # facets, the researcher's path); cross-language search has its own sites: `glossary_site` (a small test
        # glossary) and the judged set's corpora (content/glossary.yaml itself, tests/test_search_quality.py).
        (content / "glossary.yaml").unlink(missing_ok=True)
        build(content, root / "instance")
        return cls(content, root / "instance", make_app(root / "instance"))

    def client(self) -> FlaskClient:
        """A test client with its own cookie jar."""
        return self.app.test_client()

    def fingerprint(self) -> dict[str, str]:
        """Every file and link under content/ and instance/ with a digest of its bytes (or its link target)."""
        out = {}
        for top in (self.content, self.instance):
            for folder, dirs, files in os.walk(top):  # a link to a folder is listed in `dirs`, and not followed
                for path in (Path(folder, name) for name in dirs + files):
                    key = str(path.relative_to(top.parent))
                    if path.is_symlink():
                        out[key] = "-> " + os.readlink(path)
                    elif path.is_file():
                        out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        return out


def clone_site(site: Site, root: Path) -> tuple[Path, Path]:
    """A private (content, instance) copy of `site` under `root`, index included: a test may edit both."""
    content, instance = root / "content", root / "instance"
    shutil.copytree(site.content, content)
    shutil.copytree(site.instance, instance, symlinks=True)
    return content, instance


SMALL_GLOSSARY = ROOT / "tests" / "glossary_small.yaml"


def glossary_site(site: Site, root: Path) -> Site:
    """A built copy of `site` with the small test glossary (tests/glossary_small.yaml) as content/glossary.yaml and
    Mali 2020's unmet needs in English only (its French twin removed): for cross-language search."""
    content, instance = clone_site(site, root)
    shutil.copy(SMALL_GLOSSARY, content / "glossary.yaml")
    (content / "mali" / "2020" / "unmet-needs.fr.md").unlink()
    build(content, instance)
    return Site(content, instance, make_app(instance))


# ------------------------------------------------------------------------------------------------ Typesense


def cluster_settings(cluster: Any, alias: str = "kb") -> dict[str, str]:
    """kb settings (KB_SETTINGS) that serve from `cluster` (bench.cluster.Cluster) under `alias`."""
    return {"backend": "typesense", "typesense_nodes": ",".join(cluster.urls), "typesense_api_key": cluster.api_key,
            "typesense_alias": alias}


def publish_site(instance: Path, cluster: Any, alias: str) -> str:
    """Publish the generation `instance` serves to `cluster` under `alias`; the collection's name."""
    from kb.engine.generations import served
    from kb.engine.typesense_store import ClusterConfig, Store
    from kb.engine.typesense_writer import publish

    store = Store(ClusterConfig.from_settings(cluster_settings(cluster, alias)))
    return publish(served(instance)[1], store, alias).collection


def stateless_app(root: Path, cluster: Any, alias: str) -> Flask:
    """An app with an empty instance folder (no index) and no content/, serving from the cluster."""
    root.mkdir(parents=True, exist_ok=True)
    return make_app(root, KB_SETTINGS=cluster_settings(cluster, alias))
