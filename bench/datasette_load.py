"""Load section rows (NDJSON) into a SQLite database with FTS5, for Datasette; runs in the Datasette venv.

    bench/out/datasette-venv/bin/python bench/datasette_load.py ROWS.ndjson DB.sqlite

Each input line is one section: doc_id, operation, year, section, lang, report, themes (a list), title, body. The
table `sections` (primary key doc_id; themes stored as a JSON array) gets indexes on the filter columns and an FTS5
table over title and body with the `porter unicode61 remove_diacritics 2` tokenizer, optimized; then ANALYZE. The
database is written to DB.sqlite.tmp and renamed into place, so a half-written database is never served. Uses
sqlite-utils only (no project code): bench/compare.py, in the project's venv, writes the rows.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import sqlite_utils

TABLE = "sections"
TOKENIZE = "porter unicode61 remove_diacritics 2"
COLUMNS = {"doc_id": str, "operation": str, "year": int, "section": str, "lang": str, "report": str,
           "themes": str, "title": str, "body": str}
INDEXED = ("year", "section", "lang", "report", "operation")


def rows(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load(source: Path, target: Path) -> int:
    """Write the database; returns the number of rows."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite_utils.Database(tmp)
    table = db[TABLE]
    table.create(COLUMNS, pk="doc_id")
    table.insert_all(rows(source), batch_size=2000)
    for column in INDEXED:
        table.create_index([column])
    table.enable_fts(["title", "body"], fts_version="FTS5", tokenize=TOKENIZE)
    table.optimize()
    db.analyze()
    count = table.count
    db.close()
    os.replace(tmp, target)
    return count


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    start = time.perf_counter()
    count = load(Path(args[0]), Path(args[1]))
    print(f"loaded {count:,} sections into {args[1]} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
