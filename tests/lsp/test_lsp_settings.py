"""Settings in the editor: a config file changed with no event from the client, and the
editor's own settings (initializationOptions, workspace/configuration), as Ruff's server takes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from conftest import Editor, initialize
from test_lsp_server import UNAWAITED, codes, project

pytestmark = pytest.mark.asyncio


async def test_a_config_file_changed_without_any_event_is_seen_at_the_next_lint(fresh_client, tmp_path: Path):
    # Neovim before 0.11: no watched-file events, and the toml buffer is not attached to the server
    await initialize(fresh_client, watch=False)
    assert fresh_client.registrations == []
    editor = Editor(fresh_client)
    root = project(tmp_path, {"counter.py": UNAWAITED, "other.py": UNAWAITED})
    mark = editor.mark()
    counter, other = editor.open(root / "counter.py"), editor.open(root / "other.py")
    assert codes(await editor.diagnostics(counter, mark)) == ["RST202"]
    assert codes(await editor.diagnostics(other, mark)) == ["RST202"]
    with open(root / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write('ignore = ["RST202"]\n')
    mark = editor.mark()
    editor.replace(counter, editor.texts[counter] + "# edited\n")
    assert await editor.diagnostics(counter, mark) == []
    assert await editor.diagnostics(other, mark) == []  # the other open file of the project follows


UNUSED_NOQA = UNAWAITED.replace('ctx.get("count")', 'ctx.get("count")  # noqa: RST301')  # RST202 and RST900
MALFORMED = {"lint": {"ignore": "RST202"}}


@pytest.mark.parametrize("options, expected", [
    ({"settings": {"lint": {"ignore": ["RST202"]}}}, {"counter.py": ["RST900"], "other.py": []}),
    ({"lint": {"select": ["RST3"]}}, {"counter.py": [], "other.py": []}),  # without the "settings" wrapper
    ({"lint": {"perFileIgnores": {"counter.py": ["RST2"]}}}, {"counter.py": ["RST900"], "other.py": ["RST202"]}),
    ({"lint": {"select": ["RST3"], "extendSelect": ["RST9"]}}, {"counter.py": ["RST900"], "other.py": []}),
    ({"configuration": "editor.toml"}, {"counter.py": ["RST900"], "other.py": []}),  # relative to the workspace
    ({"configuration": {"ignore": ["RST202"]}}, {"counter.py": ["RST900"], "other.py": []}),  # inline
    (MALFORMED, {"counter.py": ["RST202", "RST900"], "other.py": ["RST202"]}),  # left out, and said
])  # fmt: skip
async def test_initialization_options(fresh_client, tmp_path: Path, options, expected):
    root = project(tmp_path, {"counter.py": UNUSED_NOQA, "other.py": UNAWAITED})
    (root / "editor.toml").write_text('ignore = ["RST202"]\n', encoding="utf-8")
    await fresh_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root.as_uri(), initialization_options=options))
    editor = Editor(fresh_client)
    for name, wanted in expected.items():
        mark = editor.mark()
        uri = editor.open(root / name)
        assert codes(await editor.diagnostics(uri, mark)) == wanted, name
    errors = [m.message for m in fresh_client.messages if m.type == types.MessageType.Error]
    assert errors == (["restate-lint: editor setting `lint.ignore` must be a list of rule codes"] if options is MALFORMED else [])


@pytest.mark.parametrize("preference, expected", [("editorFirst", ["RST202"]), ("filesystemFirst", []), ("editorOnly", ["RST202", "RST900"])])
async def test_configuration_preference(fresh_client, tmp_path: Path, preference, expected):
    root = project(tmp_path, {"counter.py": UNUSED_NOQA}, config='select = ["RST3"]\nignore = ["RST900"]\n')
    await initialize(fresh_client, {"settings": {"configurationPreference": preference, "lint": {"select": ["RST2", "RST3", "RST9"]}}})
    editor = Editor(fresh_client)
    mark = editor.mark()
    uri = editor.open(root / "counter.py")
    # editorFirst: the editor's select replaces the file's, the file's ignore still applies (as
    # with --select on the command line); filesystemFirst: the project's own table alone;
    # editorOnly: the editor's settings alone
    assert codes(await editor.diagnostics(uri, mark)) == expected


async def test_workspace_configuration_is_pulled_and_followed_on_change(fresh_client, tmp_path: Path):
    fresh_client.set_configuration({"lint": {"ignore": ["RST202"]}}, section="restate-lint")
    await initialize(fresh_client, configuration=True)
    editor = Editor(fresh_client)
    root = project(tmp_path, {"counter.py": UNAWAITED})
    uri = editor.open(root / "counter.py")
    await editor.settles(uri, [])
    assert [i.section for r in fresh_client.configuration_requests for i in r.items] == ["restate-lint"]
    # changed in the editor: pulled again on didChangeConfiguration
    fresh_client.set_configuration({"lint": {}}, section="restate-lint")
    mark = editor.mark()
    fresh_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert codes(await editor.diagnostics(uri, mark)) == ["RST202"]
    # or pushed with the notification
    mark = editor.mark()
    fresh_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"restate-lint": {"lint": {"select": ["RST3"]}}}))
    assert await editor.diagnostics(uri, mark) == []
