"""``flask search synonyms ...`` and ``flask search words ...``: the admin-editable dictionaries from the shell.

    flask search synonyms list               the instance folder's synonym groups (--builtin: the built-in ones)
    flask search synonyms add "锂电池,锂电芯"   add a group (validated like the admin page)
    flask search synonyms remove 锂电芯        remove the group(s) containing this term
    flask search words list | add 钙钛矿电池 [--freq N] | remove 钙钛矿电池

The commands join the ``flask search`` group of marketplace.indexing.cli (register this module after it).
"""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from search import analysis

from . import dictionaries

synonyms_cli = AppGroup("synonyms", help="Synonym groups in the instance folder (on top of the built-in ones).")
words_cli = AppGroup("words", help="User dictionary words in the instance folder (on top of the built-in ones).")

REINDEX_HINT = "saved; run `flask search reindex` so that documents already indexed use it"


def _fail(errors: list[str]) -> None:
    for error in errors:
        click.echo(error, err=True)
    sys.exit(2)


def _save_synonyms(groups: list[list[str]]) -> None:
    app = current_app._get_current_object()
    parsed = dictionaries.save_synonyms(app, "\n".join(", ".join(g) for g in groups))
    if parsed.errors:
        _fail(parsed.errors)


def _current_groups() -> list[list[str]]:
    text = dictionaries.read_text(dictionaries.synonyms_path())
    parsed = dictionaries.parse_synonyms(text)
    return parsed.entries


@synonyms_cli.command("list")
@click.option("--builtin", is_flag=True, help="List the built-in groups instead.")
def synonyms_list(builtin: bool) -> None:
    """Print one group per line (the first term is the one every term is searched as)."""
    path = analysis.BUILTIN_SYNONYMS if builtin else dictionaries.synonyms_path()
    text = dictionaries.editable_lines(path)
    click.echo(text if text else "(no synonym groups in " + str(path) + ")")


@synonyms_cli.command("add")
@click.argument("group")
def synonyms_add(group: str) -> None:
    """Add GROUP: comma-separated terms, e.g. "锂电池,锂电芯" (the first term is canonical)."""
    parsed = dictionaries.parse_synonyms(group)
    if parsed.errors:
        _fail(parsed.errors)
    if not parsed.entries:
        _fail(["empty group"])
    _save_synonyms([*_current_groups(), *parsed.entries])
    click.echo(f"added: {', '.join(parsed.entries[0])} — {REINDEX_HINT}")


@synonyms_cli.command("remove")
@click.argument("term")
def synonyms_remove(term: str) -> None:
    """Remove the group(s) that contain TERM."""
    term = analysis.ascii_lower(term.strip())
    groups = _current_groups()
    kept = [g for g in groups if term not in g]
    if len(kept) == len(groups):
        _fail([f"no group in {dictionaries.synonyms_path()} contains {term!r}"])
    _save_synonyms(kept)
    click.echo(f"removed {len(groups) - len(kept)} group(s) — {REINDEX_HINT}")


def _current_words() -> list[tuple]:
    return dictionaries.parse_words(dictionaries.read_text(dictionaries.user_dict_path())).entries


def _save_words(words: list[tuple]) -> None:
    app = current_app._get_current_object()
    text = "\n".join(" ".join(str(p) for p in w if p is not None) for w in words)
    parsed = dictionaries.save_words(app, text)
    if parsed.errors:
        _fail(parsed.errors)


@words_cli.command("list")
@click.option("--builtin", is_flag=True, help="List the built-in words instead.")
def words_list(builtin: bool) -> None:
    path = analysis.BUILTIN_USER_DICT if builtin else dictionaries.user_dict_path()
    text = dictionaries.editable_lines(path)
    click.echo(text if text else "(no words in " + str(path) + ")")


@words_cli.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("--freq", type=click.IntRange(1, dictionaries.MAX_FREQUENCY), default=None,
              help="jieba frequency (default 2000; higher keeps the word together more strongly).")
def words_add(words: tuple[str, ...], freq: int | None) -> None:
    """Add WORDS (each a single word that the tokenizer must not split)."""
    lines = "\n".join(f"{w} {freq}" if freq else w for w in words)
    parsed = dictionaries.parse_words(lines)
    if parsed.errors:
        _fail(parsed.errors)
    current = _current_words()
    known = {w[0] for w in current}
    new = [w for w in parsed.entries if w[0] not in known]
    _save_words([*current, *new])
    click.echo(f"added {len(new)} word(s) — {REINDEX_HINT}")


@words_cli.command("remove")
@click.argument("words", nargs=-1, required=True)
def words_remove(words: tuple[str, ...]) -> None:
    drop = {analysis.ascii_lower(w.strip()) for w in words}
    current = _current_words()
    kept = [w for w in current if w[0] not in drop]
    _save_words(kept)
    click.echo(f"removed {len(current) - len(kept)} word(s) — {REINDEX_HINT}")


def register(app: Flask) -> None:
    """Add ``synonyms`` and ``words`` to the ``flask search`` group (created when it does not exist yet)."""
    group = app.cli.commands.get("search")
    if not isinstance(group, click.Group):
        group = AppGroup("search", help="Search index and dictionaries.")
        app.cli.add_command(group)
    group.add_command(synonyms_cli)
    group.add_command(words_cli)
