"""Suppression comments: `# noqa`, `# noqa: RST201,RST202` (flake8) and
`# restate-lint: ignore[RST201] -- reason`."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterable, Optional

from restate_lint.diagnostics import Diagnostic, Edit, Finding, Fix, Position
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
    # where it is, for the fix that removes it: the directive's and its codes' character spans
    # in the line, the line, and whether a line follows
    directive: tuple[int, int] = (0, 0)
    code_span: Optional[tuple[int, int]] = None
    comment_start: int = 0
    line: str = ""
    last: bool = True

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
            found.append(Suppression(row, col + ignore.start() + 1, codes, "ignore", reason, **_where(source, row, col, ignore)))
            continue
        noqa = _NOQA.search(text)
        if noqa:
            codes = frozenset(c.upper() for c in _CODE.findall(noqa.group("codes").upper())) if noqa.group("codes") else None
            found.append(Suppression(row, col + noqa.start() + 1, codes, "noqa", True, **_where(source, row, col, noqa)))
    return found


def _where(source: SourceFile, row: int, col: int, match: re.Match) -> dict:
    codes = (col + match.start("codes"), col + match.end("codes")) if match.group("codes") is not None else None
    end = match.start("rest") if "rest" in match.re.groupindex else match.end()  # an ignore's reason is cut like a noqa's
    return {"directive": (col + match.start(), col + end), "code_span": codes, "comment_start": col, "line": source.line(row), "last": row >= len(source.lines)}


def removal(s: Suppression, unused: set) -> Fix:
    """RST900's fix (as Ruff's RUF100): the unused codes out of the directive, or the directive
    when none is left, with the comment (or its whole line) when nothing else is in it."""
    line = s.line
    codes = _CODE.findall(line[s.code_span[0] : s.code_span[1]].upper()) if s.code_span else []
    kept = [c for c in codes if c not in unused]
    if kept and s.code_span is not None:
        start, end = s.code_span
        return Fix("safe", f"Remove {', '.join(sorted(unused))} from the suppression", [Edit(", ".join(kept), Position(s.row, start + 1), Position(s.row, end + 1))])
    start, end = s.directive
    rest = line[end:]
    if rest.strip() and not rest.lstrip().startswith("#"):  # `# noqa: X reason`: the words go with the codes
        cut = rest.find("#")
        end, rest = (len(line), "") if cut < 0 else (end + cut, rest[cut:])
    if rest.strip():  # `# noqa: X  # other`: `# other` stays where the directive was
        end += len(rest) - len(rest.lstrip())
    else:
        end = len(line)
        if start == s.comment_start and not line[:start].strip():  # the comment was the whole line
            if not s.last:
                return Fix("safe", "Remove the unused suppression", [Edit("", Position(s.row, 1), Position(s.row + 1, 1))])
            start = 0
        else:
            start = len(line[:start].rstrip())
    return Fix("safe", "Remove the unused suppression", [Edit("", Position(s.row, start + 1), Position(s.row, end + 1))])


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
                meta.append(Finding("RST900", anchor, "Unused `restate-lint: ignore`, nothing on this line is reported: remove it", removal(s, set())))
            continue  # a blanket `# noqa` may serve other linters
        unknown = {c for c in s.codes - s.used if c.startswith("RST") and c not in known_codes}  # another tool's codes stay
        unused = unknown | {c for c in s.codes - s.used if c in known_codes and is_enabled(c)}
        for code in sorted(unused):
            # each finding's fix removes every unused code of the comment: one edit, one pass
            if code in unknown:
                meta.append(Finding("RST900", anchor, f"Unknown rule code {code} in suppression comment: remove or correct it", removal(s, unused)))
            else:
                meta.append(Finding("RST900", anchor, f"Unused suppression of {code} (it is not reported on this line): remove it", removal(s, unused)))
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
