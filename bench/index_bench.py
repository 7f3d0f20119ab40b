"""Benchmark `kb index` on the synthetic corpus: full, one-file incremental and no-op builds, index size, peak RSS.

    python bench/index_bench.py [--scale 1|10] [--workdir bench/out] [--regenerate] [--operations 150]

Generates the corpus with bench/corpus.py into WORKDIR/corpus-s<scale> when it is absent (a stamp file records the
arguments it was made with), then runs the `kb` command next to the Python running this script, as a subprocess, and
measures with the wall clock:

1. full build: `kb index --rebuild --content CORPUS --instance WORKDIR/instance-s<scale>`;
2. incremental build: one sentence appended to the first paragraph of one English file, then `kb index`;
3. no-op build: `kb index` again, nothing changed.

The edited file is restored afterwards (the next run starts with a full rebuild). Peak RSS is each build process's
own (os.wait4's rusage, which includes any children it waited for). Index size is the served index (the target of
`instance/index`), and the whole instance folder, hard links counted once. The builds' output goes to
WORKDIR/index-bench-s<scale>.log; the table goes to stdout. Exit status: 0 when every build succeeded (targets met or
not), 1 when a build failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parent.parent
CORPUS_SCRIPT = REPO / "bench" / "corpus.py"
KB = Path(sys.executable).parent / "kb"
OPERATIONS, YEARS, SECTIONS, SEED = 150, 8, 7, 42
FULL_TARGET = 60.0  # seconds for 150 operations (16,800 files); scaled linearly with the number of operations
INCREMENTAL_TARGET, NOOP_TARGET = 2.0, 1.0
EDIT_SENTENCE = " The index benchmark appended this sentence to measure an incremental build."
MB = 1024 * 1024


@dataclass
class Step:
    """One measured build."""

    name: str
    seconds: float
    target: float | None
    rss_mb: float


class BuildFailed(RuntimeError):
    pass


def kb_env() -> dict[str, str]:
    """The environment for `kb`: this checkout's packages first, whatever the venv's editable install says."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


def run_measured(command: Sequence[str], log: IO[bytes]) -> tuple[float, float, int]:
    """Run a command to completion: (wall seconds, peak RSS in MB, exit status)."""
    log.write(f"\n$ {' '.join(command)}\n".encode())
    log.flush()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=kb_env(), cwd=REPO)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return seconds, usage.ru_maxrss * 1024 / MB, process.returncode


def kb(args: Sequence[str], log: IO[bytes]) -> tuple[float, float]:
    seconds, rss, status = run_measured([str(KB), *args], log)
    if status != 0:
        raise BuildFailed(f"kb {' '.join(args)} exited with status {status}")
    return seconds, rss


def ensure_corpus(corpus: Path, operations: int, scale: int, regenerate: bool, log: IO[bytes]) -> float | None:
    """Generate the corpus unless an identical one is there; returns the generation time, None when reused."""
    stamp = corpus.with_name(corpus.name + ".json")
    wanted = {"operations": operations, "years": YEARS, "seed": SEED, "scale": scale}
    if not regenerate and stamp.is_file() and corpus.is_dir() and json.loads(stamp.read_text()) == wanted:
        return None
    stamp.unlink(missing_ok=True)
    if corpus.exists():
        shutil.rmtree(corpus)
    command = [sys.executable, str(CORPUS_SCRIPT), str(corpus), "--operations", str(operations),
               "--years", str(YEARS), "--seed", str(SEED), "--scale", str(scale)]
    seconds, _rss, status = run_measured(command, log)
    if status != 0:
        raise BuildFailed(f"bench/corpus.py exited with status {status}")
    stamp.write_text(json.dumps(wanted) + "\n")
    return seconds


def edit_target(corpus: Path) -> Path:
    """The English operational context of the first operation's last year."""
    first = min(path for path in corpus.iterdir() if path.is_dir())
    last_year = max(path for path in first.iterdir() if path.is_dir())
    return last_year / "operational-context.en.md"


def edited(text: str) -> str:
    """The text with one sentence appended to its first paragraph (same paragraphs, same language)."""
    from indexer.content import split_front_matter, split_paragraphs

    _meta, body, body_line = split_front_matter(text)
    first = split_paragraphs(body, body_line)[0]
    lines = text.split("\n")
    last_line = first.line - 1 + first.text.count("\n")
    lines[last_line] += EDIT_SENTENCE
    return "\n".join(lines)


def tree_size_mb(root: Path) -> float:
    """Bytes of the distinct files under `root` (hard links counted once, symlinks not followed), in MB."""
    seen: dict[tuple[int, int], int] = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            info = os.lstat(os.path.join(folder, name))
            seen[(info.st_dev, info.st_ino)] = info.st_size
    return sum(seen.values()) / MB


def index_sizes(instance: Path) -> tuple[float, float]:
    """(the served index, the whole instance folder with the generations it keeps), in MB."""
    served = instance / "index"
    return tree_size_mb(served.resolve() if served.exists() else instance), tree_size_mb(instance)


def measure(corpus: Path, instance: Path, full_target: float, log: IO[bytes]) -> list[Step]:
    """The three builds; the edited file is restored whatever happens."""
    where = ["--content", str(corpus), "--instance", str(instance)]
    instance.mkdir(parents=True, exist_ok=True)
    steps = [Step("full build (kb index --rebuild)", *_timed(kb(["index", "--rebuild", *where], log),
                                                             full_target))]
    target = edit_target(corpus)
    original = target.read_bytes()
    try:
        target.write_text(edited(original.decode("utf-8")), encoding="utf-8")
        steps.append(Step("incremental (1 paragraph of 1 file)", *_timed(kb(["index", *where], log),
                                                                         INCREMENTAL_TARGET)))
        steps.append(Step("no-op (kb index again)", *_timed(kb(["index", *where], log), NOOP_TARGET)))
    finally:
        target.write_bytes(original)
    return steps


def _timed(result: tuple[float, float], target: float) -> tuple[float, float, float]:
    seconds, rss = result
    return seconds, target, rss


def table(steps: Sequence[Step], operations: int, generated: float | None, sizes: tuple[float, float],
          corpus: Path) -> str:
    files = operations * YEARS * SECTIONS * 2
    made = f"generated in {generated:.1f} s" if generated is not None else "reused"
    lines = [
        f"kb index benchmark: {operations:,} operations x {YEARS} years, "
        f"{files:,} section files + {operations * YEARS:,} figures.yaml",
        f"corpus: {corpus} ({made})",
        "",
        "| step | time | target | met | peak RSS |",
        "|---|---:|---:|---|---:|",
    ]
    for step in steps:
        met = "yes" if step.target is None or step.seconds <= step.target else "NO"
        lines.append(f"| {step.name} | {step.seconds:.2f} s | <= {step.target:g} s | {met} | {step.rss_mb:.0f} MB |")
    lines += [
        "",
        f"index size on disk: {sizes[0]:.1f} MB (instance folder with its kept generations: {sizes[1]:.1f} MB)",
        f"peak RSS of a build: {max(step.rss_mb for step in steps):.0f} MB",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, choices=(1, 10), default=1, help="1: 16,800 files; 10: 168,000.")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out", help="Where corpus and index go.")
    parser.add_argument("--regenerate", action="store_true", help="Generate the corpus even if it is there.")
    parser.add_argument("--operations", type=int, default=OPERATIONS,
                        help="Operations at scale 1 (default 150; smaller for a quick smoke run).")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    corpus, instance = workdir / f"corpus-s{args.scale}", workdir / f"instance-s{args.scale}"
    log_path = workdir / f"index-bench-s{args.scale}.log"
    with log_path.open("wb") as log:
        try:
            generated = ensure_corpus(corpus, args.operations, args.scale, args.regenerate, log)
            full_target = FULL_TARGET * args.operations * args.scale / OPERATIONS
            steps = measure(corpus, instance, full_target, log)
        except BuildFailed as err:
            log.flush()
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
            print(f"{err}; the last lines of {log_path}:", *tail, sep="\n", file=sys.stderr)
            return 1
    print(table(steps, args.operations * args.scale, generated, index_sizes(instance), corpus))
    print(f"(build output: {log_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
