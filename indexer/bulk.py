"""`kb import PAGE_OR_FOLDER...`: the command line of the importer, for one page or many.

One page file: `indexer.importer.run_import`, which lists every file it writes (exit 0, 1 when existing files stand in
the way, 2 when the page cannot be imported). Several pages, or a folder (every `*.txt` under it, hidden files left
out): one line per page — imported, unchanged, or skipped with the reason — and a summary; a page that fails never
stops the others, and a page that cannot be imported writes nothing. Exit 0 when every page was imported or
unchanged, 1 when any was skipped.

Where each page was read (its public address and the date) comes from `--source-url`/`--source-date` for one page, or
from a mapping file (`--sources FILE`, read by indexer.provenance) for any number; a mapping entry may also give the
operation and the years of a page that does not state them (the 2014-2015 layout). Its values win over the options.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from indexer.content import display_path as _show
from indexer.importer import Output, PageError, Target, assess, prepare, run_import, write_atomic
from indexer.provenance import MappingError, Origin, PageSource, load_mapping, retrieved_date, url_problem

PAGE_SUFFIX = ".txt"


@dataclass
class Options:
    """The command line's options, for every page (a mapping entry overrides them for its page)."""

    operation: str | None = None
    year: int | None = None
    plan_year: int | None = None
    force: bool = False
    source_url: str | None = None
    source_date: str | None = None


@dataclass
class Tally:
    imported: int = 0
    unchanged: int = 0
    skipped: int = 0
    claimed: dict[Path, str] = field(default_factory=dict)  # file -> the page of this run that wrote or kept it


def _error(where: str, message: str) -> None:
    print(f"kb import: error: {where}: {message}", file=sys.stderr)


def collect_pages(arguments: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The page files named or found in the folders named (sorted within a folder, each once), and the arguments
    that give none, with the reason."""
    pages: list[Path] = []
    empty: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for argument in arguments:
        if argument.is_dir():
            found = sorted(path for path in argument.rglob(f"*{PAGE_SUFFIX}") if path.is_file()
                           and not any(part.startswith(".") for part in path.relative_to(argument).parts))
            if not found:
                empty.append((argument, f"no page files (*{PAGE_SUFFIX}) in this folder"))
        else:
            found = [argument]
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                pages.append(path)
    return pages, empty


def run(arguments: list[Path], content: Path, options: Options, sources: Path | None = None) -> int:
    """`kb import`: the exit code."""
    problem = _option_problem(options)
    if problem:
        _error(*problem)
        return 2
    mapping: dict[str, PageSource] = {}
    if sources is not None:
        try:
            mapping = load_mapping(sources)
        except MappingError as err:
            for found in err.problems:
                print(f"kb import: error: {found}", file=sys.stderr)
            print("kb import: stopped: the mapping file has problems; nothing imported", file=sys.stderr)
            return 2
    pages, empty = collect_pages(arguments)
    single = len(arguments) == 1 and not arguments[0].is_dir()
    if options.source_url and not single:
        _error("--source-url", "names the address of one page; for several, give a mapping file with --sources")
        return 2
    _unused_entries(sources, mapping, pages)
    if single:
        return run_import(pages[0], content, **_arguments(pages[0], options, mapping))
    tally = Tally()
    for path in pages:
        _import_one(path, content, options, mapping, tally)
    for path, reason in empty:
        print(f"skipped    {_show(path)}: {reason}")
        tally.skipped += 1
    total = tally.imported + tally.unchanged + tally.skipped
    print(f"{total} page{'s' if total != 1 else ''}: {tally.imported} imported, {tally.unchanged} unchanged, "
          f"{tally.skipped} skipped")
    return 1 if tally.skipped else 0


def _option_problem(options: Options) -> tuple[str, str] | None:
    if options.source_url is not None:
        problem = url_problem(options.source_url)
        if problem:
            return "--source-url", problem.removeprefix("source_url ")
    if options.source_date is not None:
        problem = retrieved_date(options.source_date)[1]
        if problem:
            return "--source-date", problem.removeprefix("source_retrieved ")
    return None


def _unused_entries(sources: Path | None, mapping: dict[str, PageSource], pages: list[Path]) -> None:
    names = {path.name for path in pages}
    for name, entry in sorted(mapping.items(), key=lambda item: item[1].line):
        if name not in names:
            print(f"kb import: warning: {_show(sources) if sources else ''}:{entry.line}: no page {name} among the "
                  "pages imported", file=sys.stderr)


def _arguments(path: Path, options: Options, mapping: dict[str, PageSource]) -> dict:
    """The keyword arguments of one page's import: the mapping entry's values, else the options."""
    entry = mapping.get(path.name, PageSource())
    url = entry.url or options.source_url
    origin = Origin(url, entry.retrieved or options.source_date) if url else None
    return {"operation": entry.operation or options.operation, "year": entry.year or options.year,
            "plan_year": entry.plan_year or options.plan_year, "force": options.force, "origin": origin}


def _import_one(path: Path, content: Path, options: Options, mapping: dict[str, PageSource], tally: Tally) -> None:
    """Import one page of many, printing its one line; a page that cannot be imported writes nothing."""
    shown = _show(path)
    kwargs = _arguments(path, options, mapping)
    force = kwargs.pop("force")
    try:
        parsed, target, outputs, warnings = prepare(path, content, **kwargs)
    except PageError as err:
        _skip(tally, shown, str(err))
        return
    except Exception as err:
        _skip(tally, shown, f"internal error in kb import: {type(err).__name__}: {err}")
        return
    for warning in parsed.warnings:
        print(f"kb import: warning: {path}:{warning.line}: {warning.message}" if warning.line else
              f"kb import: warning: {path}: {warning.message}", file=sys.stderr)
    for message in target.warnings + warnings:
        print(f"kb import: warning: {path}: {message}", file=sys.stderr)
    for output in outputs:
        assess(output, force)
    blocked = _blocked(outputs, path, tally)
    if blocked:
        _skip(tally, shown, blocked)
        return
    changed = [output for output in outputs if output.status != "unchanged"]
    for output in changed:
        try:
            write_atomic(output.path, output.data)
        except OSError as err:  # a failing disk: what was written stays, and says so
            done = changed.index(output)
            _skip(tally, shown, f"{_show(output.path)} cannot be written ({err.strerror or err}); "
                                f"{done} of its {len(changed)} files were written")
            return
    for output in outputs:
        if output.kind != "operations":
            tally.claimed.setdefault(output.path, shown)
    line = f"{shown} -> {target.slug} ({_years(target)})"
    if changed:
        tally.imported += 1
        print(f"imported   {line}: {len(changed)} written, {len(outputs) - len(changed)} unchanged")
    else:
        tally.unchanged += 1
        print(f"unchanged  {line}")


def _blocked(outputs: list[Output], path: Path, tally: Tally) -> str:
    """Why this page must not be written: a file edited by hand (without --force), or a file that an earlier page of
    this run wrote or found unchanged and this one would change (two pages of one operation and year: importing the
    same folder again must change nothing)."""
    for output in outputs:
        if output.status == "conflict":
            return f"{_show(output.path)} {output.reason}; use --force to overwrite it"
        earlier = tally.claimed.get(output.path)
        if earlier and output.status != "unchanged" and output.kind != "operations":
            return f"{_show(output.path)} comes from {earlier} in this run; import one of them at a time"
    return ""


def _skip(tally: Tally, shown: str, reason: str) -> None:
    tally.skipped += 1
    print(f"skipped    {shown}: {reason}")


def _years(target: Target) -> str:
    return ", ".join(f"{label} {value}" for label, value in (("year-end", target.year_end), ("plan", target.plan))
                     if value)
