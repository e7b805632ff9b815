"""Diagnostics and edits in LSP terms: 0-based lines, columns in the negotiated position encoding
(UTF-16 code units unless the client asked for another)."""

from __future__ import annotations

from lsprotocol import types

from restate_lint.diagnostics import Diagnostic, Edit, Position, Severity
from restate_lint.source import SourceFile

SOURCE = "restate-lint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def position(source: SourceFile, at: Position, encoding: str) -> types.Position:
    row, column = at.row, at.column - 1  # 1-based code points -> 0-based
    if encoding == types.PositionEncodingKind.Utf16:
        character = source.utf16_column(row, column)
    elif encoding == types.PositionEncodingKind.Utf8:
        character = len(source.line(row)[:column].encode("utf-8"))
    else:  # utf-32: code points
        character = column
    return types.Position(line=max(row - 1, 0), character=character)


def character(line: str, column: int, encoding: str) -> int:
    """The LSP character of a 0-based code point column of `line`."""
    if encoding == types.PositionEncodingKind.Utf16:
        return len(line[:column].encode("utf-16-le")) // 2
    if encoding == types.PositionEncodingKind.Utf8:
        return len(line[:column].encode("utf-8"))
    return column


def column(line: str, character_: int, encoding: str) -> int:
    """The 0-based code point column of an LSP character in `line` (past its end: its end)."""
    if encoding == types.PositionEncodingKind.Utf32:
        return min(character_, len(line))
    units = 0
    for i, ch in enumerate(line):
        units += len(ch.encode("utf-16-le")) // 2 if encoding == types.PositionEncodingKind.Utf16 else len(ch.encode("utf-8", "surrogatepass"))
        if units > character_:
            return i
    return len(line)


def lsp_range(source: SourceFile, start: Position, end: Position, encoding: str) -> types.Range:
    return types.Range(start=position(source, start, encoding), end=position(source, end, encoding))


def diagnostic(d: Diagnostic, source: SourceFile, encoding: str, uri: str = "") -> types.Diagnostic:
    """`uri` is the document's: the related locations (all in the same file) point into it."""
    end = d.end
    if end == d.start and end.column <= len(source.line(end.row)):  # a point (a syntax error): its character
        end = Position(end.row, end.column + 1)
    return types.Diagnostic(
        range=lsp_range(source, d.start, end, encoding),
        message=d.message,
        severity=_SEVERITY[d.severity],
        code=d.code,
        code_description=types.CodeDescription(href=d.url) if d.url else None,
        source=SOURCE,
        related_information=[
            types.DiagnosticRelatedInformation(location=types.Location(uri=uri, range=lsp_range(source, r.start, r.end, encoding)), message=r.message)
            for r in d.related if r.filename == d.filename
        ] if uri and d.related else None,
    )  # fmt: skip


def text_edit(edit: Edit, source: SourceFile, encoding: str) -> types.TextEdit:
    return types.TextEdit(range=lsp_range(source, edit.start, edit.end, encoding), new_text=edit.content)
