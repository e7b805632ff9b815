"""`--format json`: the shape fixed in DESIGN.md."""

from __future__ import annotations

import json

from restate_lint.diagnostics import Diagnostic, Position
from restate_lint.output.locations import utf8_name


def _position(p: Position) -> dict:
    return {"row": p.row, "column": p.column}


def as_dict(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability,
            "message": d.fix.message,
            "edits": [{"content": e.content, "location": _position(e.start), "end_location": _position(e.end)} for e in d.fix.edits],
        }
    found = {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "severity": d.severity.value,
        "filename": utf8_name(d.filename),
        "location": _position(d.start),
        "end_location": _position(d.end),
        "fix": fix,
        "url": d.url,
    }
    if d.related:  # optional, after the fixed fields: other places the diagnostic is about
        found["related"] = [
            {"filename": utf8_name(r.filename), "location": _position(r.start), "end_location": _position(r.end), "message": r.message} for r in d.related
        ]
    return found


def to_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False)


def to_json_lines(diagnostics: list[Diagnostic]) -> str:
    """`--output-format json-lines`: one object per line, the shape of `json`."""
    return "".join(json.dumps(as_dict(d), ensure_ascii=False) + "\n" for d in diagnostics)


def result_json(result, root) -> str:
    """The `json` format of a run."""
    return to_json(result.diagnostics) + "\n"


def result_json_lines(result, root) -> str:
    """The `json-lines` format of a run."""
    return to_json_lines(result.diagnostics)
