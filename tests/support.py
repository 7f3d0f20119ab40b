"""Shared helpers for tests that need a content folder and a built index (copies of the committed corpus)."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

from indexer.build import BuildResult, build_index

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = ROOT / "tests" / "seeds" / "000_886a7aa99cc4041e.txt"  # a copy of ../shared/seeds/, so CI has it


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
