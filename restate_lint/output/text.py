"""flake8-style text: `path:line:col: RST201 message`, coloured on a terminal."""

from __future__ import annotations

from collections import Counter
from typing import Optional

from restate_lint.diagnostics import Diagnostic, Severity, applies
from restate_lint.output.locations import printable
from restate_lint.output.styled import Printer, Styled

CODE_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold cyan"}


def concise_line(d: Diagnostic) -> str:
    return f"{printable(d.filename)}:{d.start.row}:{d.start.column}: {d.code} {d.message}"


def render_text(printer: Printer, diagnostics: list[Diagnostic], summary: bool, unsafe: bool = False, fixed: Optional[int] = None) -> None:
    """Diagnostics one per line; on a terminal (or after --fix), a one-line summary.
    `[*]` marks a problem `--fix` would fix (with --unsafe-fixes, unsafe fixes count too)."""
    lines = []
    for d in diagnostics:
        line = Styled()
        line.append(f"{printable(d.filename)}:{d.start.row}:{d.start.column}:", style="bold")
        line.append(" ")
        line.append(d.code, style=CODE_STYLE[d.severity])
        if applies(d.fix, unsafe):
            line.append(" [*]", style="cyan")
        line.append(f" {d.message}")
        lines.append(line)
    if lines:  # one print: rich's cost is per call, not per line
        printer.print(Styled.join("\n", lines))
    if summary:
        printer.print(summary_line(diagnostics, unsafe, fixed))


def _problems(n: int) -> str:
    return f"{n} problem{'s' if n != 1 else ''}"


def _hidden(diagnostics: list[Diagnostic], unsafe: bool) -> int:
    """Problems whose fix is unsafe and was not asked for."""
    return 0 if unsafe else sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "unsafe")


def summary_line(diagnostics: list[Diagnostic], unsafe: bool = False, fixed: Optional[int] = None) -> str:
    """`fixed` is None for a plain check, else how many problems --fix fixed."""
    total = len(diagnostics) + (fixed or 0)
    if not total:
        return "All checks passed."
    text = f"Found {_problems(total)}"
    if fixed is not None:
        text += f" ({fixed} fixed, {len(diagnostics)} remaining)"
    else:
        fixable = sum(1 for d in diagnostics if applies(d.fix, unsafe))
        if fixable:
            text += f" ([*] {fixable} fixable with --fix)"
    hidden = _hidden(diagnostics, unsafe)
    if hidden:
        text += f" ({hidden} more fixable with --unsafe-fixes)"
    return text + "."


def fix_summary(verb: str, fixed: int, remaining: list[Diagnostic], unsafe: bool) -> str:
    """`Fixed 3 problems.` (--fix-only) or `Would fix 3 problems.` (--diff)."""
    text = f"{verb} {_problems(fixed)}"
    hidden = _hidden(remaining, unsafe)
    if hidden:
        text += f" ({hidden} more fixable with --unsafe-fixes)"
    return text + "."


def unsafe_warning(applied: Counter) -> str:
    codes = ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(applied.items()))
    n = sum(applied.values())
    return (
        f"restate-lint: warning: applied {n} unsafe fix{'es' if n != 1 else ''} ({codes}): they change what the "
        "handlers journal. Invocations started on the old code may fail to replay on the new code: register the "
        "change as a new deployment and keep the old one until its invocations have finished."
    )
