"""Compat changes as diagnostics, so that every output format, exit code and suppression works as
for `check`: a `# noqa: RST805` on the line a change is reported at (in the new version) hides it."""

from __future__ import annotations

from pathlib import Path

from restate_lint import suppression
from restate_lint.config import Settings
from restate_lint.deploy.compat import Change
from restate_lint.deploy.sources import Version
from restate_lint.diagnostics import Diagnostic, Position
from restate_lint.registry import RULES
from restate_lint.runner import Result
from restate_lint.source import SourceFile, UndecodableSource


def compat_result(changes: list[Change], old: Version, new: Version, settings: Settings) -> Result:
    result = Result(files=len(new.data))
    by_file: dict[str, list[Diagnostic]] = {}
    for change in changes:
        at = change.location or {"filename": "", "row": 1, "column": 1}
        in_new = change.side == "new" and new.shown is not None
        name = str(new.shown / at["filename"]) if in_new else f"{old.label}:{at['filename']}"
        if change.code not in settings.enabled_codes(settings.root / at["filename"] if in_new else None):
            continue
        rule = RULES[change.code]
        start = Position(at["row"], at["column"])
        end = Position(at.get("end_row", at["row"]), at.get("end_column", at["column"]))
        diagnostic = Diagnostic(change.code, rule.name, change.message, rule.severity, name, start, end, url=rule.url)
        by_file.setdefault(at["filename"] if in_new else "", []).append(diagnostic)
    for filename, found in by_file.items():
        data = new.data.get(filename) if filename else None
        if data is not None:
            found = _unsuppressed(found, data)
            if found:
                result.sources[found[0].filename] = (Path(found[0].filename), data)
        result.diagnostics.extend(found)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _unsuppressed(diagnostics: list[Diagnostic], data: bytes) -> list[Diagnostic]:
    try:
        source = SourceFile(diagnostics[0].filename, data)
    except UndecodableSource:
        return diagnostics
    return suppression.apply(diagnostics, suppression.find(source), lambda code: False, RULES)[0]
