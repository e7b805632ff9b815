"""flake8-style text: `path:line:col: RST201 message`, coloured with rich on a terminal."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.text import Text

from restate_lint.diagnostics import Diagnostic, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold cyan"}


def concise_line(d: Diagnostic) -> str:
    return f"{d.filename}:{d.start.row}:{d.start.column}: {d.code} {d.message}"


def render_text(console: Console, diagnostics: list[Diagnostic], summary: bool, statistics: bool) -> None:
    """Diagnostics one per line; on a terminal, colours and a one-line summary."""
    for d in diagnostics:
        line = Text()
        line.append(f"{d.filename}:{d.start.row}:{d.start.column}:", style="bold")
        line.append(" ")
        line.append(d.code, style=_STYLE[d.severity])
        if d.fix is not None and d.fix.applicability == "safe":
            line.append(" [*]", style="cyan")
        line.append(f" {d.message}")
        console.print(line, soft_wrap=True, highlight=False)
    if statistics:
        counts = Counter((d.code, d.name) for d in diagnostics)
        for (code, name), n in sorted(counts.items()):
            console.print(f"{n:>5}  {code}  {name}", highlight=False)
    if summary:
        console.print(summary_line(diagnostics), highlight=False)


def summary_line(diagnostics: list[Diagnostic]) -> str:
    if not diagnostics:
        return "All checks passed."
    n = len(diagnostics)
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "safe")
    unsafe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "unsafe")
    text = f"Found {n} problem{'s' if n != 1 else ''}"
    if safe:
        text += f" ([*] {safe} fixable with --fix)"
    if unsafe:
        text += f" ({unsafe} more with --unsafe-fixes)"
    return text + "."
