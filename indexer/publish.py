"""`kb index --backend typesense`: after the build, publish the served generation to the Typesense cluster.

The build itself is the usual one (indexer.build, in the instance folder); kb.engine.typesense_writer copies the
generation into a new collection and moves the alias. This module reports on stdout and stderr, with exit codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kb.engine import generations


def run_publish(instance: Path, settings: dict[str, Any]) -> int:
    """Publish the generation `instance/index` serves; exit 0, 1 when the cluster failed (the alias is unchanged),
    2 when the settings name no usable cluster."""
    from kb.engine.typesense_store import ClusterConfig, ClusterError, Store
    from kb.engine.typesense_writer import publish

    try:
        config = ClusterConfig.from_settings(settings)
    except ValueError as err:
        click.echo(f"kb index: {err}", err=True)
        return 2
    served = generations.served(instance)
    if served is None:
        click.echo(f"kb index: {instance}: no built index to publish", err=True)
        return 1
    try:
        done = publish(served[1], Store(config), config.alias)
    except ClusterError as err:
        click.echo(f"kb index: {err}; the alias {config.alias!r} was not moved", err=True)
        return 1
    if done.up_to_date:
        click.echo(f"Typesense: alias {config.alias!r} already serves {done.collection}.")
    else:
        click.echo(f"Typesense: {done.records} records in {done.collection} in {done.seconds:.2f} s; "
                   f"alias {config.alias!r} moved to it.")
    return 0
