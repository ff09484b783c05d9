"""Index hints for SQLite (``INDEXED BY``): for the few statements whose best index SQLite's planner cannot tell
without statistics — a fresh install has none, and nothing here assumes ANALYZE was run.

``Select.with_hint(..., dialect_name="sqlite")`` keeps such a hint, but SQLAlchemy's SQLite compiler renders no
table hints; the compilation hook below writes it after the table's name. Other databases never see these hints
(PostgreSQL plans with the statistics it keeps itself)."""
from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles


@compiles(Table, "sqlite")
def _table_with_its_hint(table, compiler, **kw):
    text = compiler.visit_table(table, **kw)
    hints = kw.get("fromhints")
    if hints and table in hints and not kw.get("ashint"):
        text += " " + hints[table]
    return text


def indexed_by(statement, entity, index: str):
    """``statement`` reading ``entity``'s table through ``index`` on SQLite (unchanged elsewhere)."""
    return statement.with_hint(entity, f"INDEXED BY {index}", dialect_name="sqlite")
