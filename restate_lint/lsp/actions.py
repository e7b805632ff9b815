"""Code actions: each diagnostic's fix, fix-all for the file, and a `# noqa` to ignore one line."""

from __future__ import annotations

from typing import Optional

from lsprotocol import types

from restate_lint.diagnostics import Edit, Fix, compatible_fixes
from restate_lint.lsp import convert
from restate_lint.lsp.session import Linted
from restate_lint.registry import UNSUPPRESSIBLE
from restate_lint.suppression import noqa_edit

FIX_ALL_KIND = "source.fixAll.restate-lint"
FIX_ALL_TITLE = "Fix all safe restate-lint problems in this file"
UNSAFE_NOTE = " (changes the journal: unsafe for in-flight invocations)"


def code_actions(uri: str, version: Optional[int], linted: Linted, requested: types.Range, context: types.CodeActionContext, encoding: str) -> list[types.CodeAction]:
    """Actions for the diagnostics that meet the requested range or that the client names."""
    only = context.only
    named = {(d.code, _key(d.range.start), _key(d.range.end)) for d in context.diagnostics if d.source == convert.SOURCE}

    def wanted(kind: str) -> bool:
        return not only or any(kind == k or kind.startswith(k + ".") for k in only)

    def workspace_edit(edits: list[Edit]) -> types.WorkspaceEdit:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=[convert.text_edit(e, linted.source, encoding) for e in edits])])

    actions: list[types.CodeAction] = []
    if wanted(types.CodeActionKind.QuickFix):
        ignored: set[tuple[str, int]] = set()
        for d in linted.diagnostics:
            lsp_diagnostic = convert.diagnostic(d, linted.source, encoding)
            if not intersects(lsp_diagnostic.range, requested) and (d.code, _key(lsp_diagnostic.range.start), _key(lsp_diagnostic.range.end)) not in named:
                continue
            if d.fix is not None and d.fix.edits:
                actions.append(types.CodeAction(
                    title=_title(d.fix), kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diagnostic],
                    is_preferred=d.fix.applicability == "safe", edit=workspace_edit(d.fix.edits),
                ))  # fmt: skip
            edit = None if d.code in UNSUPPRESSIBLE or (d.code, d.start.row) in ignored else noqa_edit(linted.source, d.start.row, d.code)
            if edit is not None:
                ignored.add((d.code, d.start.row))
                actions.append(types.CodeAction(title=f"Ignore {d.code} on this line", kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diagnostic], edit=workspace_edit([edit])))
    if wanted(FIX_ALL_KIND):
        fixes = compatible_fixes(linted.diagnostics)
        if fixes:
            actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, edit=workspace_edit([e for fix in fixes for e in fix.edits])))
    return actions


def _title(fix: Fix) -> str:
    return fix.message + (UNSAFE_NOTE if fix.applicability == "unsafe" else "")


def intersects(a: types.Range, b: types.Range) -> bool:
    """Ranges meet (a cursor at either end of a diagnostic counts)."""
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _key(p: types.Position) -> tuple[int, int]:
    return (p.line, p.character)

