"""While a buffer does not parse (a line being typed), the diagnostics of the last text that did
stay on the lines the edit left alone, moved to where those lines are now; the syntax error is
shown beside them. Lines inside the edited stretch lose theirs: they may no longer hold."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from restate_lint.diagnostics import Diagnostic, Edit, Position
from restate_lint.source import SourceFile


def carried(diagnostics: list[Diagnostic], old: SourceFile, new: SourceFile) -> list[Diagnostic]:
    """`diagnostics` of the `old` text, on `new`'s lines; those that meet an edited line are dropped."""
    before, after = old.lines, new.lines
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1

    def row(r: int) -> Optional[int]:  # 1-based
        if r <= prefix:
            return r
        if r > len(before) - suffix:
            return r + len(after) - len(before)
        return None

    def moved(at: Position) -> Optional[Position]:
        new_row = row(at.row)
        return None if new_row is None else Position(new_row, at.column)

    kept = []
    for d in diagnostics:
        points = [d.start, d.end, *(p for e in (d.fix.edits if d.fix else ()) for p in (e.start, e.end))]
        if any(moved(p) is None for p in points):
            continue
        fix = replace(d.fix, edits=[Edit(e.content, moved(e.start), moved(e.end)) for e in d.fix.edits]) if d.fix else None
        related = tuple(replace(r, start=moved(r.start), end=moved(r.end)) for r in d.related if moved(r.start) and moved(r.end))  # an edited line's may no longer hold
        kept.append(replace(d, start=moved(d.start), end=moved(d.end), fix=fix, related=related))
    return kept
