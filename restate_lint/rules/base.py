"""How checks register: each check names the rules it may report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from restate_lint.diagnostics import Finding
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
