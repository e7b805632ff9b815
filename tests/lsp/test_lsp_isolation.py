"""The editor's parses run in a worker process: a file that crashes the parser or takes all the
memory is one RST999 and the server goes on; requests are answered while a parse runs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from lsprotocol import types

from conftest import Editor
from test_lsp_server import UNAWAITED, codes, project

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("marker, why", [("CRASH-THE-PARSER", "the parser crashed on it"), ("BALLOON", "more memory than a worker may use")])
async def test_a_file_that_takes_the_parser_down_is_one_rst999_and_the_server_goes_on(hostile_parse_client, tmp_path: Path, marker, why):
    editor = Editor(hostile_parse_client)
    root = project(tmp_path, {"counter.py": UNAWAITED, "hostile.py": f"import restate\n# {marker}\n"})
    mark = editor.mark()
    hostile = editor.open(root / "hostile.py")
    [failure] = await editor.diagnostics(hostile, mark)
    assert failure.code == "RST999" and why in failure.message
    mark = editor.mark()
    counter = editor.open(root / "counter.py")
    assert codes(await editor.diagnostics(counter, mark)) == ["RST202"]  # a new worker parsed it


async def test_requests_are_answered_while_a_parse_holds_its_process(hostile_parse_client, tmp_path: Path):
    editor = Editor(hostile_parse_client)
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    root = project(tmp_path, {"counter.py": UNAWAITED})
    mark = editor.mark()
    counter = editor.open(root / "counter.py")
    await editor.diagnostics(counter, mark)
    (root / "slow.py").write_text(f"import restate\n# GATE:{gate}\n", encoding="utf-8")  # after: counter's run did not parse it
    mark = editor.mark()
    slow = editor.open(root / "slow.py")
    writer = await asyncio.to_thread(open, gate, "wb")  # returns once the parse has opened the gate
    try:
        where = types.Range(start=types.Position(line=7, character=0), end=types.Position(line=8, character=0))
        params = types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=counter), range=where, context=types.CodeActionContext(diagnostics=[]))
        answer = await asyncio.wait_for(hostile_parse_client.text_document_code_action_async(params), 20)
        assert "Add `await`" in [a.title for a in answer]
    finally:
        writer.write(b"x")
        writer.close()
    assert await editor.diagnostics(slow, mark) == []
