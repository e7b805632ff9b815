"""How checks register: each check names the rules it may report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Hashable, Iterable, Iterator

from restate_lint.diagnostics import Finding
from restate_lint.positions import positions_of
from restate_lint.registry import Rule

if TYPE_CHECKING:
    from restate_lint.config import Settings
    from restate_lint.model.module import ModuleModel

Check = Callable[["ModuleModel", "Settings"], Iterable[Finding]]

CHECKS: list[tuple[frozenset, Check]] = []


def check(*rules: Rule) -> Callable[[Check], Check]:
    """Register a check that may report the given rules; it runs when any of them is enabled."""

    def register(fn: Check) -> Check:
        CHECKS.append((frozenset(r.code for r in rules), fn))
        return fn

    return register


def one_per_cause(model: "ModuleModel", findings: Iterable[tuple[Hashable, Finding]], also: str) -> Iterator[Finding]:
    """One finding per root cause (findings sharing a key): the first in the file, its message
    naming the lines of the others (`also` says what happens there: "also decides"), which are
    its related locations too."""
    groups: dict[Hashable, list[Finding]] = {}
    for key, finding in findings:
        groups.setdefault(key, []).append(finding)
    for group in groups.values():
        if len(group) > 1:
            positions = positions_of(model)
            rows = {id(f): positions.span(f.anchor)[0].row for f in group}
            group.sort(key=lambda f: rows[id(f)])
            others = sorted({rows[id(f)] for f in group[1:]} - {rows[id(group[0])]})
            if others:
                lines = ", ".join(map(str, others))
                group[0].message += f" (the same cause {also} line{'s' if len(others) > 1 else ''} {lines})"
                first_at = {}
                for f in group[1:]:
                    first_at.setdefault(rows[id(f)], f)
                group[0].related = tuple((first_at[row].anchor, f"the same cause {also} this line") for row in others)
        yield group[0]
