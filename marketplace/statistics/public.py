"""What the public summary may show: only the tables marked public, and in them no group smaller than
:data:`MIN_GROUP` contracts — a row with fewer has its counts and amounts withheld (None, shown as "<3"), so no
single private contract's amount can be read off a public page. When the withheld rows of a table hold fewer than
MIN_GROUP contracts together, the total minus the rows shown would give them away: the smallest rows shown are
withheld too until the withheld rows hold at least MIN_GROUP (complementary suppression)."""
from __future__ import annotations

import copy

from .filters import StatsFilter
from .tables import BUILDERS, TEXT, Table, build

MIN_GROUP = 3
PUBLIC_TABLES = tuple(table_id for table_id in BUILDERS if table_id.startswith("contracts_by_")
                      and table_id.removeprefix("contracts_by_") in ("contract_type", "technical_field", "year",
                                                                      "flow", "outflow_region")) + ("programmes",)


def suppress(table: Table) -> Table:
    """A copy of ``table`` with every row of fewer than MIN_GROUP contracts withheld (tables counting contracts)."""
    table = copy.deepcopy(table)
    count_column = next((i for i, column in enumerate(table.columns) if column.key == "contracts"), None)
    if count_column is None:
        return table

    def withhold(row: list) -> None:
        for index, column in enumerate(table.columns):
            if column.kind != TEXT:
                row[index] = None

    small = [row for row in table.rows if row[count_column] < MIN_GROUP]
    withheld = sum(row[count_column] for row in small)
    shown = sorted((row for row in table.rows if row[count_column] >= MIN_GROUP), key=lambda row: row[count_column])
    while small and withheld < MIN_GROUP and shown:
        row = shown.pop(0)
        small.append(row)
        withheld += row[count_column]
    for row in small:
        withhold(row)
    if table.total is not None and table.total[count_column] < MIN_GROUP:
        table.total = [cell if column.kind == TEXT else None for cell, column in zip(table.total, table.columns)]
    return table


def public_table(table_id: str, stats: StatsFilter) -> Table:
    """Public table ``table_id`` (KeyError if it is not public), small groups withheld."""
    if table_id not in PUBLIC_TABLES:
        raise KeyError(table_id)
    return suppress(build(table_id, stats))


