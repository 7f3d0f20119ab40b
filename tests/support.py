"""Shared helpers for tests that need a content folder and a built index (copies of the committed corpus)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from indexer.build import build_index

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = ROOT / "tests" / "seeds" / "000_886a7aa99cc4041e.txt"  # a copy of ../shared/seeds/, so CI has it


def copy_content(target: Path) -> Path:
    """A private copy of content/ that a test may edit."""
    shutil.copytree(CONTENT, target)
    return target


def build(content: Path, instance: Path, rebuild: bool = False):  # noqa: ANN201
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
