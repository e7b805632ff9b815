"""The pure pieces behind the server: fix selection, noqa edits, buffer encoding, action titles."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic, Edit, Fix, Position, Severity, compatible_fixes
from restate_lint.lsp.actions import UNSAFE_NOTE, code_actions
from restate_lint.lsp.carry import carried
from restate_lint.lsp.convert import character, column
from restate_lint.lsp.hover import code_at
from restate_lint.lsp.session import Linted, buffer_bytes
from restate_lint.lsp.settings import EditorSettings
from restate_lint.source import SourceFile
from restate_lint.suppression import noqa_edit


def diagnostic(row: int, column: int, fix: Fix | None, code: str = "RST202") -> Diagnostic:
    at = Position(row, column)
    return Diagnostic(code, "name", "message", Severity.ERROR, "f.py", at, Position(row, column + 3), fix)


def insert(row: int, column: int, text: str = "x") -> Edit:
    return Edit(text, Position(row, column), Position(row, column))


def test_compatible_fixes_skips_overlapping_touching_and_unsafe():
    first = Fix("safe", "a", [Edit("abc", Position(1, 1), Position(1, 5))])
    overlapping = Fix("safe", "b", [Edit("z", Position(1, 3), Position(1, 8))])
    touching = Fix("safe", "c", [insert(1, 5)])
    unsafe = Fix("unsafe", "d", [insert(3, 1)])
    later = Fix("safe", "e", [insert(2, 1), insert(4, 1)])
    diagnostics = [diagnostic(2, 1, later), diagnostic(1, 3, overlapping), diagnostic(1, 1, first), diagnostic(1, 5, touching), diagnostic(3, 1, unsafe), diagnostic(5, 1, None)]
    assert compatible_fixes(diagnostics) == [first, later]
    assert compatible_fixes(diagnostics, frozenset({"safe", "unsafe"})) == [first, later, unsafe]


def source(text: str) -> SourceFile:
    return SourceFile("f.py", text.encode())


def test_noqa_edit_appends_merges_or_declines():
    assert noqa_edit(source("x = 1   \n"), 1, "RST202") == insert(1, 6, "  # noqa: RST202")
    assert noqa_edit(source("x = 1  # why\n"), 1, "RST202") == insert(1, 13, "  # noqa: RST202")
    assert noqa_edit(source("x = 1  # noqa:RST201 -- ok\n"), 1, "RST202") == insert(1, 21, ", RST202")
    assert noqa_edit(source("x = 1  # restate-lint: ignore[RST201] -- ok\n"), 1, "RST202") == insert(1, 37, ", RST202")
    assert noqa_edit(source("x = 1  # noqa: RST202\n"), 1, "RST202") is None
    assert noqa_edit(source('s = """a\nb"""\n'), 1, "RST202") is None  # the line ends inside a string
    assert noqa_edit(source("y = 2 + \\\n    3\n"), 1, "RST202") is None  # backslash continuation
    assert noqa_edit(source('t = "é😀"'), 1, "RST202") == insert(1, 9, "  # noqa: RST202")  # code points


def test_buffer_bytes_keep_the_declared_encoding():
    text = "# -*- coding: latin-1 -*-\nname = 'café'\n"
    assert buffer_bytes(text) == text.encode("latin-1")
    assert SourceFile("f.py", buffer_bytes(text)).text == text
    assert buffer_bytes("x = '😀'\n") == "x = '😀'\n".encode()
    assert buffer_bytes("# coding: ascii\nx = 'é'\n") == "# coding: ascii\nx = 'é'\n".encode()  # cannot be saved as declared


def test_unsafe_fix_is_labelled_and_not_preferred():
    text = "x = time.time()\n"
    unsafe = Fix("unsafe", "Use `await ctx.time()`", [Edit("await ctx.time()", Position(1, 5), Position(1, 16))])
    safe = Fix("safe", "Add `await`", [insert(1, 5, "await ")])
    linted = Linted(source(text), [diagnostic(1, 5, unsafe, "RST101"), diagnostic(1, 5, safe)])
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=1, character=0))
    found = code_actions("file:///f.py", 3, linted, whole, types.CodeActionContext(diagnostics=[]), types.PositionEncodingKind.Utf16)
    by_title = {a.title: a for a in found}
    assert by_title["Use `await ctx.time()`" + UNSAFE_NOTE].is_preferred is False
    assert by_title["Add `await`"].is_preferred is True
    [fix_all] = [a for a in found if a.kind == "source.fixAll.restate-lint"]
    assert [e.new_text for e in fix_all.edit.document_changes[0].edits] == ["await "]  # safe fixes only
    assert fix_all.edit.document_changes[0].text_document.version == 3
    # asking for source actions only leaves the quick fixes out
    only_source = code_actions("file:///f.py", 3, linted, whole, types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]), types.PositionEncodingKind.Utf16)
    assert [a.kind for a in only_source] == ["source.fixAll.restate-lint"]


def test_editor_settings_parse_and_apply(tmp_path: Path):
    editor, errors = EditorSettings.parse({"settings": {"configuration": "~/x.toml", "lint": {"extendSelect": ["RST9"], "perFileIgnores": {"tests/*": ["RST1"]}}}}, tmp_path)
    assert errors == []
    assert editor.config_path == Path.home() / "x.toml"
    settings = editor.over(Settings(root=tmp_path, ignore=("RST3",)))
    assert settings.extend_select == ("RST9",) and settings.ignore == ("RST3",)
    assert "RST101" not in settings.enabled_codes(tmp_path / "tests" / "t.py")
    _, errors = EditorSettings.parse({"lint": {"select": ["NOPE1"], "perFileIgnores": ["x"]}, "configurationPreference": "mine", "configuration": 5}, tmp_path)
    assert len(errors) == 4 and "NOPE1" in errors[0]
    assert EditorSettings.parse(None, tmp_path) == (EditorSettings(), [])


def test_code_at_finds_our_codes_in_suppression_comments_only():
    line = 'x = "# noqa: RST201"  # noqa:RST202,e501 # restate-lint: ignore[rst301] -- ok'
    assert code_at(line, line.index("RST202") + 3) == ("RST202", line.index("RST202"), line.index("RST202") + 6)
    assert code_at(line, line.index("e501")) is None
    assert code_at(line, line.index("rst301"))[0] == "RST301"
    assert code_at(line, 0) is None
    assert code_at("y = RST202  # plain comment", 5) is None


def test_columns_and_characters_round_trip_in_each_encoding():
    line = "é😀x"
    assert [character(line, 3, e) for e in (types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32)] == [4, 7, 3]
    assert column(line, 4, types.PositionEncodingKind.Utf16) == 3 and column(line, 7, types.PositionEncodingKind.Utf8) == 3
    assert column(line, 2, types.PositionEncodingKind.Utf16) == 1  # inside the emoji: the emoji
    assert column(line, 99, types.PositionEncodingKind.Utf16) == 3


def test_carried_diagnostics_follow_their_lines_and_leave_edited_ones():
    old = source("a\nb\nc\nd\n")
    new = source("a\nX\nY\nc\nd\n")  # b replaced by two lines
    found = [diagnostic(row, 1, Fix("safe", "f", [insert(row, 1)])) for row in (1, 2, 3, 4)]
    assert [(d.start.row, d.fix.edits[0].start.row) for d in carried(found, old, new)] == [(1, 1), (4, 4), (5, 5)]
    assert carried(found, old, source("")) == []

