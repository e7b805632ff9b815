"""`--output-format full` (the default), as Ruff's: per diagnostic, the code and the problem, the
location, a numbered code frame with the span underlined, the help, and what a fix would do.

```
RST101 [*] `uuid.uuid4(..)` creates a new id on every replay
 --> checkout.py:29:23
   |
28 |     total = await ctx.run_typed("total", compute)
29 |     order_id = str(uuid.uuid4())
   |                    ^^^^^^^^^^^^
   |
help: Use `ctx.uuid()`, which is seeded by the invocation
fix: Use ctx.uuid() (safe: `--fix` applies it)
```

On a terminal the text is wrapped, and source lines are cut around the span, to its width.
"""

from __future__ import annotations

import textwrap
import unicodedata
from typing import Optional

from restate_lint.diagnostics import Diagnostic, Position, applies
from restate_lint.output.locations import printable
from restate_lint.output.styled import Printer, Styled
from restate_lint.output.text import CODE_STYLE, summary_line
from restate_lint.source import SourceFile, UndecodableSource

CONTEXT = 2  # lines shown before and after the span (blank ones at the edges are dropped)
TAB = 4
_GUTTER = "bold blue"


def render_full(diagnostics: list[Diagnostic], sources: dict, unsafe: bool, width: Optional[int]) -> Styled:
    """All diagnostics, separated by blank lines. `sources` maps a shown name to (path, bytes);
    `width` is the terminal's, or None (nothing is wrapped or cut)."""
    files: dict[str, Optional[SourceFile]] = {}
    blocks = []
    for d in diagnostics:
        if d.filename not in files:
            files[d.filename] = _source(d.filename, sources)
        blocks.append(_diagnostic(d, files[d.filename], unsafe, width))
    return Styled.join("\n\n", blocks)


def _source(name: str, sources: dict) -> Optional[SourceFile]:
    if name not in sources:
        return None
    try:
        return SourceFile(name, sources[name][1])
    except UndecodableSource:
        return None


def _diagnostic(d: Diagnostic, source: Optional[SourceFile], unsafe: bool, width: Optional[int]) -> Styled:
    out = Styled()
    head = f"{d.code}{' [*]' if applies(d.fix, unsafe) else ''} "
    out.append(d.code, style=CODE_STYLE[d.severity])
    if applies(d.fix, unsafe):
        out.append(" [*]", style="cyan")
    out.append(" ")
    out.append(_wrap(d.problem, width, len(head), "  ")[len(head) :], style="bold")
    out.append("\n")
    frame = _frame(source, d.start, d.end, width) if source is not None else None
    gutter = " " * (len(str(frame[-1][0])) if frame else 1)
    out.append(f"{gutter}--> ", style=_GUTTER)
    out.append(f"{printable(d.filename)}:{d.start.row}:{d.start.column}")
    if frame:
        out.append("\n")
        out.append_styled(_render_frame(frame, gutter))
    if d.help:
        out.append("\n")
        out.append("help", style="bold cyan")
        out.append(_wrap(": " + d.help, width, len("help"), "      ")[len("help") :])
    if d.fix is not None:
        out.append("\n")
        out.append("fix", style="bold cyan")
        out.append(_wrap(": " + _fix_line(d), width, len("fix"), "     ")[len("fix") :])
    return out


def _fix_line(d: Diagnostic) -> str:
    if d.fix.applicability == "safe":
        return f"{d.fix.message} (safe: `--fix` applies it)"
    return f"{d.fix.message} (unsafe: only with `--fix --unsafe-fixes`, as it changes what the handler journals)"


def _wrap(text: str, width: Optional[int], indent: int, hanging: str) -> str:
    """`text` as it follows `indent` characters on its first line, wrapped to `width`."""
    if width is None or indent + len(text) <= width:
        return " " * indent + text
    return textwrap.fill(text, width, initial_indent=" " * indent, subsequent_indent=hanging, break_on_hyphens=False, break_long_words=False)


# -- the code frame ---------------------------------------------------------------------------
# (row, displayed line, underline start, underline end or None) per line shown


def _frame(source: SourceFile, start: Position, end: Position, width: Optional[int]) -> Optional[list]:
    if not 0 < start.row <= len(source.lines):
        return None
    first, last = max(1, start.row - CONTEXT), min(len(source.lines), start.row + CONTEXT)
    while first < start.row and not source.line(first).strip():
        first += 1
    while last > start.row and not source.line(last).strip():
        last -= 1
    # the span underlined on its first line (to the end of the line's code when it goes on)
    stop = end.column if end.row == start.row else _code_end(source.line(start.row), start.column - 1) + 1
    rows = []
    gutter = len(str(last)) + 3  # "NN | "
    for row in range(first, last + 1):
        cells = _cells(source.line(row))
        if row == start.row:
            lo, hi = _at(cells, start.column - 1), _at(cells, max(stop, start.column + 1) - 1)
            text, shift, hi = _window("".join(c for c, _ in cells), lo, hi, None if width is None else width - gutter)
            rows.append((row, text, lo - shift, max(hi - shift, lo - shift + 1)))
        else:
            text = "".join(c for c, _ in cells)
            rows.append((row, text if width is None else _cut(text, width - gutter), None, None))
    return rows


def _code_end(line: str, start: int) -> int:
    """Where the code of `line` from `start` ends: before a comment (a `#` outside quotes)."""
    quote = None
    for i in range(start, len(line)):
        ch = line[i]
        if quote is None and ch == "#":
            return len(line[:i].rstrip())
        if ch in "'\"" and (quote is None or quote == ch):
            quote = ch if quote is None else None
    return len(line.rstrip())


def _cells(line: str) -> list[tuple[str, int]]:
    """Each character as shown (tabs expanded, control characters escaped) with its width."""
    if line.isascii() and line.isprintable():  # most lines: each character is itself, one wide
        return [(ch, 1) for ch in line]
    cells, column = [], 0
    for ch in line:
        if ch == "\t":
            shown = " " * (TAB - column % TAB)
        elif not ch.isprintable():
            shown = printable(ch)
        else:
            shown = ch
        w = sum(_width(c) for c in shown)
        cells.append((shown, w))
        column += w
    return cells


def _width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _at(cells: list[tuple[str, int]], index: int) -> int:
    """The display column of character `index` (past the end: one past the last)."""
    return sum(w for _, w in cells[: max(index, 0)]) + max(index - len(cells), 0)


def _window(text: str, lo: int, hi: int, room: Optional[int]) -> tuple[str, int, int]:
    """`text` cut to `room` display columns keeping the start of the span [lo, hi) in sight:
    (text, columns dropped on the left, where the underline ends)."""
    if room is None or _display(text) <= room:
        return text, 0, hi
    shift = max(0, min(lo - 8, hi - room + 2))  # scroll right, leaving some context before the span
    if shift:
        text = "…" + _drop(text, shift + 1)
    return _cut(text, room), shift, min(hi, shift + room - 1)


def _drop(text: str, columns: int) -> str:
    used = 0
    for i, ch in enumerate(text):
        if used >= columns:
            return text[i:]
        used += _width(ch)
    return ""


def _cut(text: str, room: int) -> str:
    if _display(text) <= room:
        return text
    used, kept = 0, []
    for ch in text:
        if used + _width(ch) > room - 1:
            break
        kept.append(ch)
        used += _width(ch)
    return "".join(kept) + "…"


def _display(text: str) -> int:
    return sum(_width(c) for c in text)


def _render_frame(rows: list, gutter: str) -> Styled:
    out = Styled()
    out.append(f"{gutter} |", style=_GUTTER)
    for row, text, lo, hi in rows:
        out.append("\n")
        out.append(f"{row:>{len(gutter)}} | ", style=_GUTTER)
        out.append(text)
        if lo is not None:
            out.append("\n")
            out.append(f"{gutter} | ", style=_GUTTER)
            out.append(" " * lo + "^" * (hi - lo), style="bold red")
    out.append("\n")
    out.append(f"{gutter} |", style=_GUTTER)
    return out


def print_full(printer: Printer, result, summary: bool, unsafe: bool, fixed: Optional[int], width: Optional[int]) -> None:
    """The diagnostics of `result` in one print (rich's cost is per call), then the summary;
    `width` is the terminal's (None: not a terminal)."""
    text = render_full(result.diagnostics, result.sources, unsafe, width)
    if summary:
        text.append("\n\n" if result.diagnostics else "")
        text.append(_wrap(summary_line(result.diagnostics, unsafe, fixed), width, 0, ""))
    if text.parts:
        printer.print(text)
