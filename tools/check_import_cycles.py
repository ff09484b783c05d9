"""Fail when modules of ``marketplace`` or ``search`` import each other in a cycle.

    .venv/bin/python tools/check_import_cycles.py        (``make arch`` runs it after ``lint-imports``)

Every import statement counts, at module level or inside a function (grimp, import-linter's graph library, reads
them all), because a function-level import only hides a cycle from Python until the function runs. A cycle is a
strongly connected component of the graph of direct imports; each one is printed with the import lines that
close it. Exit status 0: no cycle; 1: at least one.

Break a cycle with a module both sides can import (shared types), a signal (see ``marketplace/matching/signals.py``)
or by moving the code to the side that owns it. Only when that is not possible yet, put the import on
``ALLOWED_IMPORTS`` below with a comment saying why and what removes it; an allowed import no longer in the code
is reported so that its entry is deleted.
"""
from __future__ import annotations

import os
import sys

import grimp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("marketplace", "search")

# (importer, imported) -> why the import is tolerated for now. Keep it empty; every entry needs a comment
# naming the change that lets it go.
ALLOWED_IMPORTS: dict[tuple[str, str], str] = {
}


def build_graph() -> grimp.ImportGraph:
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def import_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Direct imports between modules of the packages, without the allowed ones."""
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        edges[module] = {m for m in graph.find_modules_directly_imported_by(module)
                         if m in graph.modules and (module, m) not in ALLOWED_IMPORTS}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def describe(graph: grimp.ImportGraph, edges: dict[str, set[str]], component: list[str]) -> list[str]:
    """The imports inside one cycle, one line each: ``importer -> imported  (file line: code)``."""
    members = set(component)
    lines = []
    for importer in component:
        for imported in sorted(edges[importer] & members):
            details = graph.get_import_details(importer=importer, imported=imported)
            where = "; ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details) or "?"
            lines.append(f"    {importer} -> {imported}    ({where})")
    return lines


def main() -> int:
    graph = build_graph()
    stale = [pair for pair in ALLOWED_IMPORTS if not graph.direct_import_exists(importer=pair[0], imported=pair[1])]
    for importer, imported in stale:
        print(f"note: allowed import {importer} -> {imported} is no longer in the code; delete its entry in "
              f"ALLOWED_IMPORTS ({os.path.relpath(__file__, ROOT)})")
    edges = import_edges(graph)
    found = cycles(edges)
    if not found:
        allowed = f" ({len(ALLOWED_IMPORTS)} import(s) allowed by ALLOWED_IMPORTS)" if ALLOWED_IMPORTS else ""
        print(f"import cycles: none among {len(edges)} modules of {', '.join(PACKAGES)}{allowed}")
        return 0
    print(f"import cycles: {len(found)} among the modules of {', '.join(PACKAGES)} "
          "(module-level and function-level imports both count):")
    for number, component in enumerate(found, 1):
        print(f"  {number}. {' <-> '.join(component)}")
        print("\n".join(describe(graph, edges, component)))
    print("Break each cycle (shared module, signal, or moving code); see the docstring of "
          f"{os.path.relpath(__file__, ROOT)}.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
