"""The rule registry: metadata for every code, and the checks that produce findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from restate_lint.diagnostics import Finding, Severity

if TYPE_CHECKING:
    from restate_lint.config import Settings
    from restate_lint.model.module import ModuleModel

Check = Callable[["ModuleModel", "Settings"], Iterable[Finding]]

FIX_KINDS = ("safe", "unsafe", "safe/unsafe", "none")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fix: str  # one of FIX_KINDS
    summary: str

    @property
    def default_enabled(self) -> bool:
        return self.severity is not Severity.INFO


RULES: dict[str, Rule] = {}
CHECKS: list[tuple[frozenset, Check]] = []


def define(code: str, name: str, severity: str, fix: str, summary: str) -> Rule:
    assert code not in RULES, code
    assert fix in FIX_KINDS, fix
    rule = RULES[code] = Rule(code, name, Severity.from_letter(severity), fix, summary)
    return rule


def check(*rules: Rule) -> Callable[[Check], Check]:
    """Register a check that may report the given rules; it runs when any of them is enabled."""

    def register(fn: Check) -> Check:
        CHECKS.append((frozenset(r.code for r in rules), fn))
        return fn

    return register
