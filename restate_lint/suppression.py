"""Suppression comments: `# noqa`, `# noqa: RST201,RST202` (flake8) and
`# restate-lint: ignore[RST201] -- reason`."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterable, Optional

from restate_lint.diagnostics import Diagnostic, Edit, Finding, Position
from restate_lint.source import SourceFile

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*restate-lint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?P<rest>.*)$")
_REASON = re.compile(r"^\s*--\s*\S")
_CODE = re.compile(r"[A-Z]+[0-9]+")


@dataclass
class Suppression:
    row: int
    column: int  # 1-based column of the comment
    codes: Optional[frozenset]  # None: every code (blanket)
    style: str  # noqa | ignore
    has_reason: bool
    used: set = field(default_factory=set)

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def _tokens(source: SourceFile) -> Iterable[tokenize.TokenInfo]:
    """The file's tokens (as many as the tokenizer reads), so that strings are told from comments."""
    try:
        yield from tokenize.generate_tokens(io.StringIO(source.text).readline)
    except (tokenize.TokenError, SyntaxError):
        return


def comments(source: SourceFile) -> Iterable[tuple[int, int, str]]:
    """(row, 0-based column, text) of every comment."""
    for tok in _tokens(source):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.start[1], tok.string


def find(source: SourceFile) -> list[Suppression]:
    lowered = source.text.lower()
    if "noqa" not in lowered and "restate-lint" not in lowered:
        return []
    found = []
    for row, col, text in comments(source):
        ignore = _IGNORE.search(text)
        if ignore:
            codes = frozenset(_CODE.findall(ignore.group("codes") or "")) or None
            reason = bool(_REASON.match(ignore.group("rest") or ""))
            found.append(Suppression(row, col + ignore.start() + 1, codes, "ignore", reason))
            continue
        noqa = _NOQA.search(text)
        if noqa:
            codes = frozenset(c.upper() for c in _CODE.findall(noqa.group("codes").upper())) if noqa.group("codes") else None
            found.append(Suppression(row, col + noqa.start() + 1, codes, "noqa", True))
    return found


def apply(diagnostics: list[Diagnostic], suppressions: list[Suppression], is_enabled, known_codes) -> tuple[list[Diagnostic], list[Finding]]:
    """Drop suppressed diagnostics; return the kept ones and RST900/RST901 findings on the comments."""
    by_row: dict[int, list[Suppression]] = {}
    for s in suppressions:
        by_row.setdefault(s.row, []).append(s)
    kept = []
    for d in diagnostics:
        hits = [s for s in by_row.get(d.start.row, ()) if s.covers(d.code)]
        for s in hits:
            s.used.add(d.code)
        if not hits:
            kept.append(d)
    meta: list[Finding] = []
    for s in suppressions:
        anchor = (Position(s.row, s.column), Position(s.row, s.column))
        if s.style == "ignore" and not s.has_reason:
            meta.append(Finding("RST901", anchor, "Ignore comment without a reason: say why after `--`, as in `# restate-lint: ignore[RSTnnn] -- reason`"))
        if s.codes is None:
            if s.style == "ignore" and not s.used:
                meta.append(Finding("RST900", anchor, "Unused `restate-lint: ignore`, nothing on this line is reported: remove it"))
            continue  # a blanket `# noqa` may serve other linters
        for code in sorted(s.codes - s.used):
            if not code.startswith("RST"):
                continue  # another tool's code
            if code not in known_codes:
                meta.append(Finding("RST900", anchor, f"Unknown rule code {code} in suppression comment: remove or correct it"))
            elif is_enabled(code):
                meta.append(Finding("RST900", anchor, f"Unused suppression of {code} (it is not reported on this line): remove it"))
    return kept, meta


def noqa_edit(source: SourceFile, row: int, code: str) -> Optional[Edit]:
    """The edit that suppresses `code` on line `row`: the code added to the line's `# noqa: ..`
    (or `# restate-lint: ignore[..]`) comment, else `# noqa: CODE` at the end of the line. None
    where no comment can end that line (inside a multi-line string, a backslash continuation)."""
    comment, line_ends = None, False
    for tok in _tokens(source):
        if tok.start[0] == row and tok.type == tokenize.COMMENT:
            comment = tok
        elif tok.start[0] == row and tok.type in (tokenize.NL, tokenize.NEWLINE):
            line_ends = True
    if not line_ends:
        return None
    if comment is not None:
        for pattern in (_IGNORE, _NOQA):
            match = pattern.search(comment.string)
            if match and match.group("codes") and match.group("codes").strip():
                if code in _CODE.findall(match.group("codes").upper()):
                    return None
                at = Position(row, comment.start[1] + match.end("codes") + 1)
                return Edit(f", {code}", at, at)
            if match:
                return None  # a blanket suppression on this line already covers every code
    at = Position(row, len(source.line(row).rstrip()) + 1)
    return Edit(f"  # noqa: {code}", at, at)
