"""The `kb` command: import, check, ids, themes, glossary, index, search, serve. Each calls the module that owns its
job."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from kb import default_content_dir, default_instance_dir
from kb.model import YEAR_MAX, YEAR_MIN

WARM_TWINS_SECONDS = 3.0  # the longest kb serve spends reading sections' outlines for the twin links (kb.twins)

CONTENT_OPTION = click.option(
    "--content",
    "content",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_content_dir,
    show_default="content/",
    help="The content folder.",
)
INSTANCE_OPTION = click.option(
    "--instance",
    "instance",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_instance_dir,
    show_default="instance/",
    help="The instance folder that holds the index.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """kb: search UNHCR Global Focus operation reports in English and French."""


@main.command("import")
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--operation", help="Operation slug (e.g. mali), when the page does not name it.")
@click.option("--year", type=click.IntRange(YEAR_MIN, YEAR_MAX),
              help="Year of the year-end report, when it cannot be inferred.")
@click.option("--plan-year", type=click.IntRange(YEAR_MIN, YEAR_MAX),
              help="Year the planning sections are about, when it cannot be inferred.")
@click.option("--source-url", help="The page's public address (http or https), recorded with the date it was read.")
@click.option("--source-date", help="The date the page was read, YYYY-MM-DD (default: the date an earlier import "
                                    "recorded for the same address, else the page file's modification date).")
@click.option("--sources", "sources", type=click.Path(dir_okay=False, path_type=Path),
              help="A mapping file, CSV or YAML: page file name -> url (and optionally retrieved, operation, year, "
                   "plan_year).")
@click.option("--force", is_flag=True, help="Overwrite files edited by hand or translated.")
@CONTENT_OPTION
def import_command(pages: tuple[Path, ...], operation: str | None, year: int | None, plan_year: int | None,
                   source_url: str | None, source_date: str | None, sources: Path | None, force: bool,
                   content: Path) -> None:
    """Import Global Focus pages (files, or folders of *.txt files) into section documents and figures.yaml."""
    from indexer.bulk import Options, run

    options = Options(operation, year, plan_year, force, source_url, source_date)
    sys.exit(run(list(pages), content, options, sources))


@main.command("check")
@click.option("--require-twins", is_flag=True,
              help="A section without its translation is an error (by default a notice: one language is valid).")
@CONTENT_OPTION
def check_command(require_twins: bool, content: Path) -> None:
    """Validate every file under content/; print each problem as path:line: message."""
    from indexer.check import run_check

    sys.exit(run_check(content, require_twins=require_twins))


@main.command("ids")
@CONTENT_OPTION
def ids_command(content: Path) -> None:
    """Give every paragraph without an identifier one (the same in a document and its translation)."""
    from indexer.ids_command import run_ids

    sys.exit(run_ids(content))


@main.command("themes")
@click.option("--explain", "explain", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="A section file: print each paragraph's themes and the words that triggered them.")
@CONTENT_OPTION
def themes_command(explain: Path, content: Path) -> None:
    """Explain the themes of a section's paragraphs."""
    from indexer.themes import run_explain

    sys.exit(run_explain(explain, content))


@main.command("glossary")
@click.option("--explain", "explain", required=True, metavar="QUERY",
              help="A query: print its analysed words, the glossary entries they match and the expanded query.")
@CONTENT_OPTION
def glossary_command(explain: str, content: Path) -> None:
    """Explain how content/glossary.yaml expands a query into the other language."""
    from indexer.glossary import run_explain

    sys.exit(run_explain(explain, content))


BACKEND_OPTION = click.option(
    "--backend", type=click.Choice(["whoosh", "typesense"]), default=None,
    help="whoosh: the index in the instance folder; typesense: also (index) or only (serve) the Typesense cluster "
         "of KB_TYPESENSE_NODES and KB_TYPESENSE_API_KEY. Default: $KB_BACKEND, else whoosh.")


def _settings(backend: str | None) -> dict:
    """The settings from the environment (kb.settings.ENVIRONMENT), with --backend over KB_BACKEND."""
    from kb.settings import from_environment, resolve

    return resolve({**from_environment(os.environ), **({"backend": backend} if backend else {})})


@main.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index rather than only what changed.")
@BACKEND_OPTION
@CONTENT_OPTION
@INSTANCE_OPTION
def index_command(rebuild: bool, backend: str | None, content: Path, instance: Path) -> None:
    """Build instance/index from content/ (incremental; atomic); with --backend typesense, then publish it to the
    cluster (a new collection, then the alias moved)."""
    from indexer.build import run_build

    try:
        settings = _settings(backend)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    code = run_build(content, instance, rebuild=rebuild)
    if code == 0 and settings["backend"] == "typesense":
        from indexer.publish import run_publish

        code = run_publish(instance, settings)
    sys.exit(code)


@main.command("search")
@click.argument("query", default="")
@click.option("--year", "years", type=int, multiple=True, help="Only these years (repeatable).")
@click.option("--theme", "themes", multiple=True, help="Only these themes (repeatable).")
@click.option("--section", "sections", multiple=True, help="Only these sections (repeatable).")
@click.option("--operation", "operations", multiple=True, help="Only these operations (repeatable).")
@click.option("--lang", "langs", multiple=True, type=click.Choice(["en", "fr"]), help="Only this language.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--xlang/--no-xlang", default=True, show_default=True,
              help="Also search the glossary's equivalents in the other language.")
@INSTANCE_OPTION
def search_command(query: str, years, themes, sections, operations, langs, limit, as_json, xlang, instance) -> None:
    """Search the index from the terminal."""
    from kb.terminal import run_search

    sys.exit(run_search(query, instance, years=years, themes=themes, sections=sections, operations=operations,
                        langs=langs, limit=limit, as_json=as_json, xlang=xlang))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", type=click.IntRange(1, 64), help="Worker threads (default: the `threads` setting, 8).")
@BACKEND_OPTION
@INSTANCE_OPTION
def serve_command(host: str, port: int, threads: int | None, backend: str | None, instance: Path) -> None:
    """Serve kb with waitress on http://HOST:PORT/, with the limits of kb.settings (and the instance's config.py)."""
    import waitress

    from kb import create_app

    if backend:
        os.environ["KB_BACKEND"] = backend  # the environment overrides config.py (kb.create_app)
    try:
        app = create_app(instance_path=instance)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    settings = app.config["KB"]
    _warm(app)
    gc.collect()
    gc.freeze()  # what start-up made (modules, the index's tables, the warmed words) is never scanned again by the
    # collector: its full collections took 40 ms each in the middle of a search (docs/performance.md)
    click.echo(f"kb serving on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress.serve(app, host=host, port=port, ident="kb", threads=threads or settings["threads"],
                   connection_limit=settings["connection_limit"], channel_timeout=settings["channel_timeout"],
                   max_request_body_size=settings["max_request_body_bytes"],
                   max_request_header_size=settings["max_request_header_bytes"])


def _warm(app: Any) -> None:
    """Open the served index and read its commonest words before listening (the backend's warmer, when it has one);
    without an index yet, the site says so on its pages, as before."""
    warm = getattr(app.extensions["kb.search"].backend, "warm", None)
    if warm is None:
        return
    started = time.monotonic()
    try:
        words = warm()
    except Exception as err:  # no index, or a damaged one: each request says so, as it would without the warmer
        click.echo(f"kb serve: the index was not warmed: {err}", err=True)
        return
    if words:
        click.echo(f"kb: the index's {words} commonest words read in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    sections = app.extensions["kb.search"].warm(WARM_TWINS_SECONDS)
    if sections:
        click.echo(f"kb: {sections} sections' titles and paragraph identifiers read (for the links between "
                   f"languages) in {time.monotonic() - started:.1f} s")
