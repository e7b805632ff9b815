"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. The driver lists every rule with its documentation page; results point at files
relative to the source root (`%SRCROOT%`), with 1-based lines and columns counted in UTF-16 code
units (SARIF's default `columnKind`), end column exclusive, the line fingerprint GitHub computes,
and the rule's fix as a SARIF fix.

What GitHub code scanning reads (docs.github.com, "SARIF support for code scanning"), within its
limits: `fullDescription` at most 1024 characters, `help.text` plain and `help.markdown` (the page
without its title), the rule's family in `properties.tags`, `properties.precision` and
`properties.problem.severity`, `runAutomationDetails.id` (the category), at most 25,000 results a
run (the rest are left out, and a notification says so), and `invocations` saying whether the
run succeeded, with internal errors as tool notifications.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import quote

from restate_lint import __version__
from restate_lint.diagnostics import Diagnostic, Position, Severity
from restate_lint.docs import rule_doc
from restate_lint.runner import Result
from restate_lint.output.fingerprint import line_hashes
from restate_lint.output.locations import relative_path, source_root
from restate_lint.registry import RULES, Rule, family, precision
from restate_lint.source import SourceFile, UndecodableSource

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/restate-lint/restate-lint"
SRCROOT = "%SRCROOT%"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
MAX_DESCRIPTION = 1024  # GitHub's limit on fullDescription.text
MAX_RESULTS = 25_000  # GitHub rejects a run with more


def to_sarif(result: Result, root: Path) -> str:
    base = source_root(root)
    rules = sorted(RULES.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rules)}
    files = {name: _File(path, data, base) for name, (path, data) in result.sources.items()}
    run = {
        "tool": {
            "driver": {
                "name": "restate-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "columnKind": "utf16CodeUnits",
        "automationDetails": {"id": "restate-lint/"},
        "invocations": [_invocation(result)],
        "results": [_result(d, index[d.code], lambda name: files.get(name) or _File(Path(name), None, base)) for d in result.diagnostics[:MAX_RESULTS]],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _invocation(result: Result) -> dict:
    notes = [{"level": "error", "message": {"text": error}, "descriptor": {"id": "internal-error"}} for error in result.internal_errors]
    left_out = len(result.diagnostics) - MAX_RESULTS
    if left_out > 0:
        notes.append({"level": "warning", "message": {"text": f"{left_out} results left out: code scanning accepts at most {MAX_RESULTS} a run"}, "descriptor": {"id": "results-left-out"}})
    invocation: dict = {"executionSuccessful": not result.internal_errors}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _descriptor(rule: Rule) -> dict:
    page = rule_doc(rule.code)
    markdown = _without_title(page) if page is not None else rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _shorten(_plain(_what_it_does(page) or rule.summary), MAX_DESCRIPTION)},
        "help": {"text": _plain(markdown), "markdown": markdown},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": LEVEL[rule.severity], "enabled": rule.default_enabled},
        "properties": {"tags": [family(rule.code)], "precision": precision(rule.code), "problem.severity": PROBLEM_SEVERITY[rule.severity]},
    }


def _without_title(page: str) -> str:
    """The page without its `# RSTnnn: name` line (the viewer shows the rule's name)."""
    return re.sub(r"\A# [^\n]*\n+", "", page).strip() + "\n"


def _plain(markdown: str) -> str:
    """Markdown as plain text: no heading marks, code fences, backticks or emphasis; links as
    their text and address. Code blocks are kept as they are, less their fences."""
    lines, in_code = [], False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if not in_code:
            line = re.sub(r"^#+ +", "", line)
            line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", line)
            line = re.sub(r"`|\*\*", "", line)
        lines.append(line)
    return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut after the last whole sentence that fits (else a word)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    end = max(head.rfind(". "), head.rfind(".\n"))
    return head[: end + 1] if end > limit // 2 else head[: head.rfind(" ")] + "…"


def _what_it_does(page: Optional[str]) -> Optional[str]:
    """The page's "What it does" section."""
    if page is None:
        return None
    match = re.search(r"^## What it does[ \t]*\n(.*?)(?=^#|\Z)", page, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match and match.group(1).strip() else None


class _File:
    """A reported file: where it is for SARIF, and its text for columns and fingerprints."""

    def __init__(self, path: Path, data: Optional[bytes], base: Path):
        relative = relative_path(path, base)
        if relative is not None:
            self.location = {"uri": quote(os.fsencode(relative)), "uriBaseId": SRCROOT}  # bytes: a name need not be UTF-8
        else:
            self.location = {"uri": path.resolve().as_uri()}
        self.hashes = line_hashes(data) if data is not None else []
        try:
            self.source = SourceFile(str(path), data) if data is not None else None
        except UndecodableSource:
            self.source = None

    def region(self, start: Position, end: Position) -> dict:
        return {"startLine": start.row, "startColumn": self._column(start), "endLine": end.row, "endColumn": self._column(end)}

    def _column(self, at: Position) -> int:
        """Our code-point column as a 1-based UTF-16 column."""
        return self.source.utf16_column(at.row, at.column - 1) + 1 if self.source is not None else at.column


def _result(d: Diagnostic, rule_index: int, file_of: Callable[[str], _File]) -> dict:
    file = file_of(d.filename)
    result = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {"artifactLocation": file.location, "region": file.region(d.start, d.end)}}],
    }
    if d.related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": {"artifactLocation": other.location, "region": other.region(r.start, r.end)}, "message": {"text": r.message}}
            for i, (r, other) in enumerate((r, file_of(r.filename)) for r in d.related)
        ]
    if 0 < d.start.row <= len(file.hashes):
        result["partialFingerprints"] = {"primaryLocationLineHash": file.hashes[d.start.row - 1]}
    if d.fix is not None and d.fix.edits:
        replacements = [{"deletedRegion": file.region(e.start, e.end), "insertedContent": {"text": e.content}} for e in d.fix.edits]
        result["fixes"] = [
            {
                "description": {"text": f"{d.fix.message} ({d.fix.applicability} fix)"},
                "artifactChanges": [{"artifactLocation": file.location, "replacements": replacements}],
                "properties": {"applicability": d.fix.applicability},
            }
        ]
    return result
