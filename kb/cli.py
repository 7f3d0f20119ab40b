"""The `kb` command: import, check, ids, themes, index, search, serve. Each calls the module that owns its job."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb import default_content_dir, default_instance_dir

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
@click.argument("page", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--operation", help="Operation slug (e.g. mali), when the page does not name it.")
@click.option("--year", type=int, help="Year of the year-end report, when it cannot be inferred.")
@click.option("--plan-year", type=int, help="Year the planning sections are about, when it cannot be inferred.")
@click.option("--force", is_flag=True, help="Overwrite files edited by hand or translated.")
@CONTENT_OPTION
def import_command(
    page: Path, operation: str | None, year: int | None, plan_year: int | None, force: bool, content: Path
) -> None:
    """Import one Global Focus page into English section documents and figures.yaml."""
    from indexer.importer import run_import

    sys.exit(run_import(page, content, operation=operation, year=year, plan_year=plan_year, force=force))


@main.command("check")
@CONTENT_OPTION
def check_command(content: Path) -> None:
    """Validate every file under content/; print each problem as path:line: message."""
    from indexer.check import run_check

    sys.exit(run_check(content))


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


@main.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index rather than only what changed.")
@CONTENT_OPTION
@INSTANCE_OPTION
def index_command(rebuild: bool, content: Path, instance: Path) -> None:
    """Build instance/index from content/ (incremental; atomic)."""
    from indexer.build import run_build

    sys.exit(run_build(content, instance, rebuild=rebuild))


@main.command("search")
@click.argument("query", default="")
@click.option("--year", "years", type=int, multiple=True, help="Only these years (repeatable).")
@click.option("--theme", "themes", multiple=True, help="Only these themes (repeatable).")
@click.option("--section", "sections", multiple=True, help="Only these sections (repeatable).")
@click.option("--operation", "operations", multiple=True, help="Only these operations (repeatable).")
@click.option("--lang", "langs", multiple=True, type=click.Choice(["en", "fr"]), help="Only this language.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@INSTANCE_OPTION
def search_command(query: str, years, themes, sections, operations, langs, limit, as_json, instance) -> None:  # noqa: ANN001
    """Search the index from the terminal."""
    from kb.terminal import run_search

    sys.exit(run_search(query, instance, years=years, themes=themes, sections=sections, operations=operations,
                        langs=langs, limit=limit, as_json=as_json))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@INSTANCE_OPTION
def serve_command(host: str, port: int, threads: int, instance: Path) -> None:
    """Serve kb with waitress on http://HOST:PORT/."""
    import waitress

    from kb import create_app

    app = create_app(instance_path=instance)
    click.echo(f"kb serving on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="kb")
