"""End-to-end tests of `restate-lint lsp` with a real client over stdio."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from conftest import Editor, apply_text_edits

pytestmark = pytest.mark.asyncio

UNAWAITED = '''\
import restate

counter = restate.VirtualObject("Counter")


@counter.handler()
async def increment(ctx: restate.ObjectContext, delta: int) -> int:
    current = ctx.get("count")
    return delta
'''

# A handler module whose service object lives in another module: whether its handlers may write
# state depends on the service's kind, defined over there.
SPLIT_SERVICE = {
    "services.py": 'import restate\n\ngreeter = restate.Service("Greeter")\n',
    "handlers.py": 'from services import greeter\n\n\n@greeter.handler()\nasync def greet(ctx, name: str) -> str:\n    ctx.set("last", name)\n    return name\n',
}


def project(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "app"\n\n[tool.restate-lint]\n{config}', encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


async def test_open_change_fix_close(editor: Editor, tmp_path: Path):
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    [found] = await editor.diagnostics(uri, mark)
    assert found.code == "RST202"
    assert found.source == "restate-lint"
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.code_description.href.endswith("/docs/rules/RST202.md")
    assert (found.range.start.line, found.range.start.character) == (7, 14)  # ctx.get(..), 0-based

    # an unsaved edit that adds a second unawaited call is seen
    mark = editor.mark()
    editor.replace(uri, editor.texts[uri].replace("    return delta", '    ctx.get("other")\n    return delta'))
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202", "RST202"]

    actions = await editor.code_actions(uri, 7, only=[types.CodeActionKind.QuickFix])
    fix = next(a for a in actions if a.title == "Add `await`")
    assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
    assert [d.code for d in fix.diagnostics] == ["RST202"]
    mark = editor.mark()
    editor.apply(fix.edit)
    assert 'current = await ctx.get("count")' in editor.texts[uri]
    [left] = await editor.diagnostics(uri, mark)
    assert left.range.start.line == 8  # only the ctx.get("other") is left

    mark = editor.mark()
    editor.close(uri)
    assert await editor.diagnostics(uri, mark, closed=True) == []


async def test_fix_all_applies_every_safe_fix(editor: Editor, tmp_path: Path):
    text = UNAWAITED.replace("    return delta", '    ctx.get("other")\n    ctx.get("third")\n    return delta')
    root = project(tmp_path, {"counter.py": text})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202"] * 3
    [fix_all] = await editor.code_actions(uri, 0, only=[types.CodeActionKind.SourceFixAll])
    assert fix_all.title == "Fix all safe restate-lint problems in this file"
    assert fix_all.kind == "source.fixAll.restate-lint"
    mark = editor.mark()
    editor.apply(fix_all.edit)
    assert await editor.diagnostics(uri, mark) == []
    assert editor.texts[uri].count("await ctx.") == 3


async def test_ignore_action_adds_and_merges_noqa(editor: Editor, tmp_path: Path):
    text = UNAWAITED.replace('ctx.get("count")', 'ctx.get("count")  # noqa: RST201')
    root = project(tmp_path, {"counter.py": text}, config='extend-select = ["RST9"]\n')
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    found = await editor.diagnostics(uri, mark)
    assert codes(found) == ["RST202", "RST900"]  # RST201 is not reported there: an unused suppression
    actions = await editor.code_actions(uri, 7)
    ignore = [a for a in actions if a.title.startswith("Ignore ")]
    assert [a.title for a in ignore] == ["Ignore RST202 on this line"]  # RST900 cannot be suppressed
    mark = editor.mark()
    editor.apply(ignore[0].edit)
    assert 'ctx.get("count")  # noqa: RST201, RST202\n' in editor.texts[uri]
    assert codes(await editor.diagnostics(uri, mark)) == ["RST900"]


async def test_ignore_action_on_a_line_without_comment(editor: Editor, tmp_path: Path):
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    await editor.diagnostics(uri, mark)
    [ignore] = [a for a in await editor.code_actions(uri, 7) if a.title == "Ignore RST202 on this line"]
    assert not ignore.is_preferred
    mark = editor.mark()
    editor.apply(ignore.edit)
    assert '    current = ctx.get("count")  # noqa: RST202\n' in editor.texts[uri]
    assert await editor.diagnostics(uri, mark) == []


async def test_positions_count_utf16_code_units(editor: Editor, tmp_path: Path):
    # é is one UTF-16 unit, 😀 (outside the BMP) two; the diagnostic starts after both
    text = UNAWAITED.replace('    current = ctx.get("count")', '    note = "é😀"; current = ctx.get("count")')
    root = project(tmp_path, {"counter.py": text})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    [found] = await editor.diagnostics(uri, mark)
    line = text.splitlines()[7]
    start = len(line[: line.index("ctx.get")].encode("utf-16-le")) // 2
    end = len(line.encode("utf-16-le")) // 2
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (7, start, end)
    assert start == line.index("ctx.get") + 1  # the emoji counts twice
    # the quick fix lands in the right place too
    [fix] = [a for a in await editor.code_actions(uri, 7) if a.title == "Add `await`"]
    assert 'current = await ctx.get("count")' in apply_text_edits(text, fix.edit.document_changes[0].edits)


async def test_syntax_error_mid_edit_then_recovery(editor: Editor, tmp_path: Path):
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    await editor.diagnostics(uri, mark)
    mark = editor.mark()
    editor.replace(uri, UNAWAITED.replace('ctx.get("count")', 'ctx.get("count"'))
    [error] = await editor.diagnostics(uri, mark)
    assert error.code == "RST999"
    paren = UNAWAITED.splitlines()[7].index("(")
    assert (error.range.start.line, error.range.start.character, error.range.end.character) == (7, paren, paren + 1)  # the bracket never closed
    mark = editor.mark()
    editor.replace(uri, UNAWAITED)
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202"]


async def test_while_the_buffer_does_not_parse_the_last_diagnostics_stay_beside_the_syntax_error(editor: Editor, tmp_path: Path):
    text = UNAWAITED.replace("    return delta", '    ctx.get("other")\n    return delta')
    root = project(tmp_path, {"counter.py": text})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    assert [(d.code, d.range.start.line) for d in await editor.diagnostics(uri, mark)] == [("RST202", 7), ("RST202", 8)]
    # a line being typed above them: they stay, one line down, and the error is at its place
    mark = editor.mark()
    editor.replace(uri, text.replace('    current = ctx.get("count")', '    ctx.\n    current = ctx.get("count")'))
    found = await editor.diagnostics(uri, mark)
    assert [(d.code, d.range.start.line) for d in found] == [("RST999", 7), ("RST202", 8), ("RST202", 9)]
    error = found[0]
    assert (error.range.start.character, error.range.end.character) == (8, 8)  # after the `.`, where CPython puts it
    assert "the others shown are from the last text that parsed" in error.message
    # their fixes moved with them
    [fix] = [a for a in await editor.code_actions(uri, 8) if a.title == "Add `await`"]
    mark = editor.mark()
    editor.apply(fix.edit)
    assert '    ctx.\n    current = await ctx.get("count")\n' in editor.texts[uri]
    # an edit on a diagnostic's own line drops it until the text parses again
    assert [(d.code, d.range.start.line) for d in await editor.diagnostics(uri, mark)] == [("RST999", 7), ("RST202", 9)]
    mark = editor.mark()
    editor.replace(uri, text)
    assert [(d.code, d.range.start.line) for d in await editor.diagnostics(uri, mark)] == [("RST202", 7), ("RST202", 8)]


async def test_hover_on_a_suppressed_code_or_a_diagnostic_shows_the_rule(client, editor: Editor, tmp_path: Path):
    text = UNAWAITED.replace('    return delta', '    ctx.get("x")  # noqa: E501, RST202\n    delta += len("😀")  # restate-lint: ignore[RST301] -- why\n    return delta')
    root = project(tmp_path, {"counter.py": text})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    await editor.diagnostics(uri, mark)

    async def hover(line: int, character: int):
        params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character))
        return await client.text_document_hover_async(params)

    lines = text.splitlines()
    at = lines[8].index("RST202")
    found = await hover(8, at + 2)
    assert found.contents.value.startswith("**RST202** `unawaited-durable-op`: durable operation whose future is never awaited. Fix: safe.")
    assert "docs/rules/RST202.md" in found.contents.value
    assert (found.range.start.character, found.range.end.character) == (at, at + 6)
    assert await hover(8, lines[8].index("E501") + 1) is None  # another tool's code
    # positions in UTF-16 units: the emoji before the comment counts twice
    column = lines[9].index("RST301")
    found = await hover(9, column + 1)
    assert found.contents.value.startswith("**RST301** `state-write-in-shared-handler`") and found.range.start.character == column + 1
    # on the diagnostic itself
    found = await hover(7, lines[7].index("ctx.get") + 3)
    assert found.contents.value.startswith("**RST202**") and found.range is None
    assert await hover(0, 0) is None


async def test_edit_in_service_module_refreshes_dependent_handler_module(editor: Editor, tmp_path: Path):
    root = project(tmp_path, SPLIT_SERVICE)
    mark = editor.mark()
    handlers = editor.open(root / "handlers.py")
    assert codes(await editor.diagnostics(handlers, mark)) == ["RST302"]
    mark = editor.mark()
    services = editor.open(root / "services.py")
    assert await editor.diagnostics(services, mark) == []
    # opening it lints the handler module again too (it depends on it): that publication, for
    # the same version, must not be taken for the edit's below
    assert codes(await editor.diagnostics(handlers, mark)) == ["RST302"]

    # unsaved: the service becomes a virtual object; the handler module's state write is now fine
    mark = editor.mark()
    editor.replace(services, editor.texts[services].replace("restate.Service", "restate.VirtualObject"))
    assert await editor.diagnostics(handlers, mark) == []

    # closing the unsaved buffer: the file on disk holds a Service again
    mark = editor.mark()
    editor.close(services)
    assert codes(await editor.diagnostics(handlers, mark)) == ["RST302"]


async def test_saved_change_in_a_closed_module_is_seen_on_watched_file_event(client, editor: Editor, tmp_path: Path):
    root = project(tmp_path, SPLIT_SERVICE)
    mark = editor.mark()
    handlers = editor.open(root / "handlers.py")
    assert codes(await editor.diagnostics(handlers, mark)) == ["RST302"]
    assert [r.method for r in client.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    (root / "services.py").write_text('import restate\n\ngreeter = restate.VirtualObject("Greeter")\n', encoding="utf-8")
    mark = editor.mark()
    event = types.FileEvent(uri=(root / "services.py").as_uri(), type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[event]))
    assert await editor.diagnostics(handlers, mark) == []


async def test_config_is_reloaded_when_pyproject_is_saved(editor: Editor, tmp_path: Path):
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202"]
    pyproject = editor.open(root / "pyproject.toml")
    editor.texts[pyproject] += 'ignore = ["RST202"]\n'
    mark = editor.mark()
    editor.save(pyproject, root / "pyproject.toml")
    assert await editor.diagnostics(uri, mark) == []


async def test_a_second_initialize_is_refused_and_code_actions_still_work(client, editor: Editor, tmp_path: Path):
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    await editor.diagnostics(uri, mark)
    with pytest.raises(JsonRpcException) as refused:
        await client.protocol.send_request_async(types.INITIALIZE, types.InitializeParams(capabilities=types.ClientCapabilities()))
    assert refused.value.code == -32600  # invalid request
    assert "Add `await`" in [a.title for a in await editor.code_actions(uri, 7)]


async def test_diagnostics_are_published_on_save(editor: Editor, tmp_path: Path):
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    await editor.diagnostics(uri, mark)
    mark = editor.mark()
    editor.save(uri, root / "counter.py")
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202"]


async def test_utf8_position_encoding(utf8_client, tmp_path: Path):
    editor = Editor(utf8_client)
    text = UNAWAITED.replace('    current = ctx.get("count")', '    note = "é😀"; current = ctx.get("count")')
    root = project(tmp_path, {"counter.py": text})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    [found] = await editor.diagnostics(uri, mark)
    line = text.splitlines()[7]
    assert found.range.start.character == len(line[: line.index("ctx.get")].encode("utf-8"))


async def test_a_failing_rule_is_logged_and_the_others_still_report(broken_rule_client, tmp_path: Path):
    editor = Editor(broken_rule_client)
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202"]
    errors = [m.message for m in broken_rule_client.log_messages if m.type == types.MessageType.Error]
    assert any("broken_check" in m and "this check is broken on purpose" in m for m in errors)
    # and the server still answers
    mark = editor.mark()
    editor.replace(uri, UNAWAITED.replace('ctx.get("count")', 'await ctx.get("count")'))
    assert await editor.diagnostics(uri, mark) == []


async def test_related_locations_are_published_as_related_information(editor: Editor, tmp_path: Path):
    text = (
        'import restate\n\nquota = restate.VirtualObject("Quota")\n\ncalls = 0\n\n\n@quota.handler()\n'
        'async def use(ctx: restate.ObjectContext) -> int:\n    global calls\n    calls += 1\n'
        '    if calls > 100:\n        ctx.set("throttled", True)\n    return calls\n'
    )
    root = project(tmp_path, {"quota.py": text})
    mark = editor.mark()
    uri = editor.open(root / "quota.py")
    [found] = await editor.diagnostics(uri, mark)
    assert found.code == "RST105" and found.range.start.line == 10
    [info] = found.related_information
    assert info.location.uri == uri and info.message == "the same cause also uses it on this line"
    assert (info.location.range.start.line, info.location.range.start.character, info.location.range.end.character) == (11, 7, 18)
