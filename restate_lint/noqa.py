"""`--add-noqa[=REASON]`: a `# noqa: CODE` comment on every line with a problem (merged into the
line's suppression comment when it has one), as Ruff's `--add-noqa`, with an optional reason."""

from __future__ import annotations

from collections import defaultdict

from restate_lint.fixes import FixedFile
from restate_lint.registry import UNSUPPRESSIBLE
from restate_lint.runner import Result
from restate_lint.source import SourceFile, UndecodableSource
from restate_lint.suppression import noqa_edit


def add_noqa(result: Result, reason: str) -> tuple[list[FixedFile], int]:
    """The files with their new comments, and how many comments were added or extended."""
    rows: dict[str, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for d in result.diagnostics:
        if d.code not in UNSUPPRESSIBLE and d.filename in result.sources:
            rows[d.filename][d.start.row].add(d.code)
    files, added = [], 0
    for name, by_row in rows.items():
        path, data = result.sources[name]
        try:
            source = SourceFile(name, data)
        except UndecodableSource:
            continue
        text = source.text
        # bottom-up, so that an edit does not move the ones still to make
        for row in sorted(by_row, reverse=True):
            edit = noqa_edit(source, row, ", ".join(sorted(by_row[row])))
            if edit is None:  # no comment can end this line (inside a string, a continuation)
                continue
            content = edit.content + (f" -- {reason}" if reason and edit.content.lstrip().startswith("#") else "")
            at = source.offset(edit.start.row, edit.start.column - 1)
            text = text[:at] + content + text[at:]
            added += 1
        if text != source.text:
            files.append(FixedFile(path, source, text))
    return files, added
