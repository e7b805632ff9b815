"""Formats for CI services and review tools, each as its consumer documents it:

- `gitlab`: GitLab Code Quality (a JSON array of issues, the subset of the Code Climate spec
  GitLab reads: description, check_name, fingerprint, severity, location.path with
  location.positions.begin/end), paths relative to $CI_PROJECT_DIR (else the repository root);
- `rdjson`: reviewdog's Diagnostic Format (rdjson), columns in UTF-8 bytes as it specifies, fixes
  as suggestions;
- `azure`: Azure Pipelines `##vso[task.logissue ...]` logging commands;
- `pylint`: pylint's `parseable` lines, `{path}:{line}: [{msg_id}({symbol}), {obj}] {msg}`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Optional

from restate_lint.diagnostics import Diagnostic, Position, Severity
from restate_lint.output.locations import printable, relative_path, source_root, utf8_name
from restate_lint.runner import Result
from restate_lint.source import SourceFile, UndecodableSource

INFORMATION_URI = "https://github.com/restate-lint/restate-lint"


def _shown_path(result: Result, d: Diagnostic, base: Path) -> str:
    source = result.sources.get(d.filename)
    return (relative_path(source[0], base) if source else None) or d.filename


# -- GitLab Code Quality -----------------------------------------------------------------------
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def to_gitlab(result: Result, root: Path) -> str:
    base = Path(os.environ["CI_PROJECT_DIR"]).resolve() if os.environ.get("CI_PROJECT_DIR") else source_root(root)
    seen: Counter = Counter()
    issues = []
    for d in result.diagnostics:
        path = utf8_name(_shown_path(result, d, base))
        # stable across edits elsewhere in the file (no line number), unique within the report
        identity = (d.code, path, d.message)
        seen[identity] += 1
        fingerprint = hashlib.sha256("\0".join((*identity, str(seen[identity]))).encode("utf-8", "surrogateescape")).hexdigest()
        issues.append({
            "description": f"{d.code}: {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY[d.severity],
            "location": {
                "path": path,
                "positions": {"begin": {"line": d.start.row, "column": d.start.column}, "end": {"line": d.end.row, "column": d.end.column}},
            },
        })  # fmt: skip
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# -- reviewdog -------------------------------------------------------------------------------
_RDJSON_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def to_rdjson(result: Result, root: Path) -> str:
    files: dict[str, Optional[SourceFile]] = {}
    diagnostics = []
    for d in result.diagnostics:
        if d.filename not in files:
            files[d.filename] = _source(result, d.filename)
        source = files[d.filename]
        item = {
            "message": d.message,
            "location": {"path": utf8_name(d.filename), "range": _range(source, d.start, d.end)},
            "severity": _RDJSON_SEVERITY[d.severity],
            "code": {"value": d.code, "url": d.url},
        }
        if d.fix is not None and d.fix.edits:
            item["suggestions"] = [{"range": _range(source, e.start, e.end), "text": e.content} for e in d.fix.edits]
        diagnostics.append(item)
    report = {"source": {"name": "restate-lint", "url": INFORMATION_URI}, "severity": "WARNING", "diagnostics": diagnostics}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _source(result: Result, name: str) -> Optional[SourceFile]:
    if name not in result.sources:
        return None
    try:
        return SourceFile(name, result.sources[name][1])
    except UndecodableSource:
        return None


def _range(source: Optional[SourceFile], start: Position, end: Position) -> dict:
    return {"start": _rd_position(source, start), "end": _rd_position(source, end)}


def _rd_position(source: Optional[SourceFile], at: Position) -> dict:
    """rdjson columns are 1-based and count UTF-8 bytes."""
    column = at.column
    if source is not None:
        column = len(source.line(at.row)[: at.column - 1].encode("utf-8", "surrogatepass")) + 1
    return {"line": at.row, "column": column}


# -- Azure Pipelines -------------------------------------------------------------------------
def azure_data(text: str) -> str:
    """The escapes of azure-pipelines-task-lib (taskcommand.ts): the message after `]`..."""
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def azure_property(text: str) -> str:
    """...and a property value, which also ends at `;` or `]`."""
    return azure_data(text).replace("]", "%5D").replace(";", "%3B")


def to_azure(result: Result, root: Path) -> str:
    lines = []
    for d in result.diagnostics:
        kind = "error" if d.severity is Severity.ERROR else "warning"  # Azure has no lower level
        props = f"type={kind};sourcepath={azure_property(printable(d.filename))};linenumber={d.start.row};columnnumber={d.start.column};code={d.code};"
        lines.append(f"##vso[task.logissue {props}]{azure_data(d.message)}\n")
    return "".join(lines)


# -- pylint ------------------------------------------------------------------------------------
def to_pylint(result: Result, root: Path) -> str:
    return "".join(f"{printable(d.filename)}:{d.start.row}: [{d.code}({d.name}), ] {printable(d.message)}\n" for d in result.diagnostics)
