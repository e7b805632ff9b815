"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

`::error file=app.py,line=3,col=5,endLine=3,endColumn=9,title=RST202::message`
"""

from __future__ import annotations

from pathlib import Path

from restate_lint.diagnostics import Severity
from restate_lint.runner import Result
from restate_lint.output.locations import printable, relative_path, source_root

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result: Result, root: Path) -> str:
    base = source_root(root)
    lines = []
    for d in result.diagnostics:
        source = result.sources.get(d.filename)
        name = (relative_path(source[0], base) if source else None) or d.filename
        properties = {
            "file": printable(name),
            "line": d.start.row,
            "col": d.start.column,
            "endLine": d.end.row,
            "endColumn": d.end.column,
            "title": d.code,
        }
        props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        lines.append(f"::{_COMMAND[d.severity]} {props}::{escape_data(d.message)}\n")
    return "".join(lines)
