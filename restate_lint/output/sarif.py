"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. The driver lists every rule with its documentation page; results point at files
relative to the source root (`%SRCROOT%`), with 1-based lines and columns counted in UTF-16 code
units (SARIF's default `columnKind`), end column exclusive, the line fingerprint GitHub computes,
and the rule's fix as a SARIF fix.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from restate_lint import __version__
from restate_lint.diagnostics import Diagnostic, Position, Severity
from restate_lint.docs import rule_doc
from restate_lint.runner import Result
from restate_lint.output.fingerprint import line_hashes
from restate_lint.output.locations import relative_path, source_root
from restate_lint.registry import RULES, Rule
from restate_lint.source import SourceFile, UndecodableSource

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/restate-lint/restate-lint"
SRCROOT = "%SRCROOT%"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


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
        "results": [_result(d, index[d.code], files.get(d.filename) or _File(Path(d.filename), None, base)) for d in result.diagnostics],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule: Rule) -> dict:
    page = rule_doc(rule.code)
    help_text = page if page is not None else rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(page) or rule.summary},
        "help": {"text": help_text, "markdown": help_text},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": LEVEL[rule.severity], "enabled": rule.default_enabled},
    }


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


def _result(d: Diagnostic, rule_index: int, file: _File) -> dict:
    result = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {"artifactLocation": file.location, "region": file.region(d.start, d.end)}}],
    }
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
