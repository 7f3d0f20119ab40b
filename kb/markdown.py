"""The content format's Markdown dialect: one parser configuration, shared by the builder (which splits a body into
paragraphs, indexer.content) and the web (which renders them, kb.render). CommonMark with raw HTML off."""

from __future__ import annotations

from markdown_it import MarkdownIt


def markdown_parser() -> MarkdownIt:
    """CommonMark with raw HTML off: the one parser for splitting and for rendering."""
    return MarkdownIt("commonmark", {"html": False})
