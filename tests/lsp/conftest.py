"""A pytest-lsp client that records every publishDiagnostics, driving `restate-lint lsp` in a
subprocess; and helpers to open, edit and wait for diagnostics."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = Path(__file__).resolve().parents[2]
BROKEN_RULE_SERVER = Path(__file__).with_name("broken_rule_server.py")
HOSTILE_PARSE_SERVER = Path(__file__).with_name("hostile_parse_server.py")
TIMEOUT = 30.0


def _record_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _accept_registration(client: LanguageClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _answer_configuration(client: LanguageClient, params: types.ConfigurationParams) -> list:
    client.configuration_requests.append(params)
    return [client.get_configuration(section=item.section, scope_uri=item.scope_uri) for item in params.items]


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []
    client.configuration_requests = []
    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record_diagnostics,
        types.CLIENT_REGISTER_CAPABILITY: _accept_registration,
        types.WORKSPACE_CONFIGURATION: _answer_configuration,
    }
    register_lsp_features(client, features)
    return client


def _config(*command: str) -> ClientServerConfig:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return ClientServerConfig(server_command=[sys.executable, *command], client_factory=make_client, server_env=env)


def _capabilities(encodings=None, watch: bool = True, configuration: bool = False) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None,
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True) if watch else None,
            configuration=configuration or None,
        ),
        text_document=types.TextDocumentClientCapabilities(publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)),
    )


@pytest_lsp.fixture(config=_config("-m", "restate_lint", "lsp"))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=_capabilities()))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=_config("-m", "restate_lint", "lsp"))
async def utf8_client(lsp_client: LanguageClient):
    """A client that prefers UTF-8 positions (as Neovim offers)."""
    await lsp_client.initialize_session(types.InitializeParams(capabilities=_capabilities([types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16])))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=_config(str(BROKEN_RULE_SERVER)))
async def broken_rule_client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=_capabilities()))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=_config("-m", "restate_lint", "lsp"))
async def fresh_client(lsp_client: LanguageClient):
    """A client that the test initializes (with its own options and capabilities)."""
    yield
    await lsp_client.shutdown_session()


async def initialize(client: LanguageClient, options=None, watch: bool = True, configuration: bool = False) -> None:
    await client.initialize_session(types.InitializeParams(capabilities=_capabilities(watch=watch, configuration=configuration), initialization_options=options))


@pytest_lsp.fixture(config=_config(str(HOSTILE_PARSE_SERVER)))
async def hostile_parse_client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=_capabilities()))
    yield
    await lsp_client.shutdown_session()


class Editor:
    """Open documents and their versions, as an editor keeps them."""

    def __init__(self, client: LanguageClient):
        self.client = client
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        self.versions[uri], self.texts[uri] = 1, path.read_text(encoding="utf-8")
        language = "python" if path.suffix == ".py" else path.suffix.lstrip(".")
        item = types.TextDocumentItem(uri=uri, language_id=language, version=1, text=self.texts[uri])
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        return uri

    def replace(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        change = types.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document, content_changes=[change]))

    def apply(self, edit: types.WorkspaceEdit) -> None:
        """Apply a workspace edit the way a client does, and tell the server."""
        for change in edit.document_changes:
            uri = change.text_document.uri
            assert change.text_document.version == self.versions[uri]
            self.replace(uri, apply_text_edits(self.texts[uri], change.edits))

    def save(self, uri: str, path: Path) -> None:
        path.write_text(self.texts[uri], encoding="utf-8")
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))

    def mark(self) -> int:
        return len(self.client.published)

    async def diagnostics(self, uri: str, since: int, closed: bool = False) -> list[types.Diagnostic]:
        """The first diagnostics published for `uri` after the `since` mark: for its current version,
        or (`closed`) for no version."""
        version = None if closed else self.versions[uri]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while loop.time() < deadline:
            for params in self.client.published[since:]:
                if params.uri == uri and params.version == version:
                    return list(params.diagnostics)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no diagnostics published for {uri} at version {version}")

    async def settles(self, uri: str, expected) -> None:
        """Diagnostics for `uri` are eventually `expected` (codes), in the latest publication."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while loop.time() < deadline:
            latest = [p for p in self.client.published if p.uri == uri]
            if latest and sorted(d.code for d in latest[-1].diagnostics) == expected:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"diagnostics for {uri} never became {expected}")

    async def code_actions(self, uri: str, line: int, only=None) -> list[types.CodeAction]:
        where = types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line + 1, character=0))
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=where,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )  # fmt: skip
        return list(await self.client.text_document_code_action_async(params) or [])


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) to text, last first so earlier positions stay valid."""
    lines = text.splitlines(keepends=True)

    def offset(p: types.Position) -> int:
        line = lines[p.line] if p.line < len(lines) else ""
        units = line.encode("utf-16-le")[: p.character * 2].decode("utf-16-le")
        return sum(len(x) for x in lines[: p.line]) + len(units)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.fixture
def editor(client: LanguageClient) -> Editor:
    return Editor(client)
