"""What rules report: findings on syntax nodes, resolved to positioned diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
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


def applies(fix: Optional[Fix], unsafe: bool) -> bool:
    """Whether a fix is applied under the current options (unsafe ones only with --unsafe-fixes)."""
    return fix is not None and (fix.applicability == "safe" or unsafe)


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

    @property
    def problem(self) -> str:
        """What is wrong, in one short line (the message's first part)."""
        return split_message(self.message)[0]

    @property
    def help(self) -> Optional[str]:
        """What to do about it (the message's last part), if the message says."""
        return split_message(self.message)[1]


@lru_cache(maxsize=4096)  # the problem and the help of one message are asked for apart
def split_message(message: str) -> tuple[str, Optional[str]]:
    """A message is written "problem[: why]. Advice" or "problem: advice". The help is its last
    sentence (after a top-level ". " followed by a capital or a backtick); a message of one
    sentence is split at its first top-level ": ". Top-level: outside `code` and brackets, which
    hold names and call chains with dots and colons of their own. The help starts with a capital;
    neither part keeps a final period (as Ruff's messages)."""
    sentence = colon = None
    depth, in_code = 0, False
    for i, c in enumerate(message):
        if c == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0 and message.startswith(": ", i) and colon is None:
            colon = i
        elif depth == 0 and message.startswith(". ", i) and i + 2 < len(message) and (message[i + 2].isupper() or message[i + 2] == "`"):
            sentence = i
    cut = sentence if sentence is not None else colon
    if cut is None:
        return message.rstrip("."), None
    problem, advice = message[:cut].rstrip("."), message[cut + 2 :].strip().rstrip(".")
    return problem, advice[:1].upper() + advice[1:]


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


def with_filename(diagnostics: list[Diagnostic], name: str) -> list[Diagnostic]:
    """The diagnostics as reported for the file shown as `name` (kept in the cache with none)."""
    return [replace(d, filename=name) for d in diagnostics]
