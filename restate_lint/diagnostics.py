"""What rules report: findings on syntax nodes, resolved to positioned diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal, Optional, Union

if TYPE_CHECKING:  # findings hold tree nodes; diagnostics are plain data, read without libcst
    import libcst as cst

Applicability = Literal["safe", "unsafe"]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @classmethod
    def from_letter(cls, letter: str) -> "Severity":
        return {"E": cls.ERROR, "W": cls.WARNING, "I": cls.INFO}[letter]


@dataclass(frozen=True, order=True)
class Position:
    """1-based row, 1-based column counted in code points."""

    row: int
    column: int


@dataclass(frozen=True)
class NodeEdit:
    """An edit expressed on the tree: replace `node` (or the text from it up to `until`), or insert
    before/after it."""

    node: "cst.CSTNode"
    content: str
    how: Literal["replace", "before", "after"] = "replace"
    until: Optional["cst.CSTNode"] = None


@dataclass(frozen=True)
class Edit:
    content: str
    start: Position
    end: Position


@dataclass
class Fix:
    applicability: Applicability
    message: str
    edits: list = field(default_factory=list)  # NodeEdit while pending, Edit once resolved


Anchor = Union["cst.CSTNode", tuple[Position, Position]]


@dataclass
class Finding:
    """A rule's report before positions are known (computed only if something is reported)."""

    code: str
    anchor: Anchor
    message: str
    fix: Optional[Fix] = None
    severity: Optional[Severity] = None  # overrides the rule's default (RST502)


@dataclass
class Diagnostic:
    code: str
    name: str
    message: str
    severity: Severity
    filename: str
    start: Position
    end: Position
    fix: Optional[Fix] = None
    url: str = ""

    def sort_key(self) -> tuple:
        return (self.filename, self.start.row, self.start.column, self.code)


def compatible_fixes(diagnostics: list[Diagnostic], applicable: frozenset = frozenset({"safe"})) -> list[Fix]:
    """The fixes of `diagnostics` with an allowed applicability that can be applied together, in one
    pass: in position order, a fix is kept only if none of its edits overlaps or touches an edit of a
    fix kept before it (touching edits have no well-defined combined result). What is left out is
    fixed by another pass over the re-linted text."""
    kept: list[Fix] = []
    taken: list[Edit] = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        fix = d.fix
        if fix is None or fix.applicability not in applicable or not fix.edits:
            continue
        if any(_touch(e, t) for e in fix.edits for t in taken):
            continue
        kept.append(fix)
        taken.extend(fix.edits)
    return kept


def _touch(a: Edit, b: Edit) -> bool:
    return a.start <= b.end and b.start <= a.end
