"""`restate-lint lsp`: diagnostics as you type, quick fixes, fix-all and ignore actions, hover.

The session (buffers, project indexes, stage caches) is touched only from one worker thread, in
the order events arrive, so the event loop stays free to answer requests while a file is linted;
parsing itself happens in a worker process (the session's), which a hostile file can take down
without taking the server. Messages are framed by framing.py, not pygls's reader.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
import traceback
from concurrent.futures import CancelledError, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidRequest
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path

from restate_lint import __version__
from restate_lint.lsp import actions, convert, framing
from restate_lint.lsp import hover as hovering
from restate_lint.lsp.session import Linted, Run, Session
from restate_lint.runner import Workers
from restate_lint.lsp.settings import SECTION, EditorSettings

DEBOUNCE_SECONDS = 0.03  # after the last keystroke (a lint of one edited buffer takes about 0.1 s); open and save lint at once
# The engine allows deep recursion (libcst visits per tree level): give the worker thread the
# stack the main thread has, not a thread's default.
WORKER_STACK_BYTES = 64 * 1024 * 1024
CONFIG_NAME = "pyproject.toml"


class Protocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        """A second initialize is refused: pygls would start a new workspace, forgetting the open
        documents (their code actions, then, never matched a version again)."""
        if self._workspace is not None:
            raise JsonRpcInvalidRequest("restate-lint is already initialized (initialize is sent once)")
        return (yield from super().lsp_initialize(params))


class RestateLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("restate-lint", __version__, protocol_cls=Protocol)
        self.session = Session()
        threading.stack_size(WORKER_STACK_BYTES)  # for threads started from now on: the worker
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="restate-lint")
        self.uris: dict[Path, str] = {}
        self.linted: dict[Path, tuple[Optional[int], Linted]] = {}  # open file -> (version, result)
        self.pending: dict[Path, asyncio.Task] = {}
        self.shown_errors: set[str] = set()
        self.runs = itertools.count()
        self.published: dict[Path, int] = {}  # open file -> the run its diagnostics are from

    async def call(self, fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def doc_version(self, path: Path) -> Optional[int]:
        return self.workspace.get_text_document(self.uris[path]).version

    # -- linting -----------------------------------------------------------------------
    def schedule(self, path: Path, delay: float = 0.0) -> None:
        """Lint `path` and the open files that depend on it, after `delay` unless it changes again."""
        self.cancel(path)
        self.pending[path] = asyncio.create_task(self._lint_later(path, delay))

    def cancel(self, path: Path) -> None:
        if (task := self.pending.pop(path, None)) is not None:
            task.cancel()

    async def _lint_later(self, path: Path, delay: float) -> None:
        await asyncio.sleep(delay)
        self.pending.pop(path, None)
        targets = [path, *(await self.call(self.session.dependents, path))]
        await self.lint([p for p in targets if p in self.uris])

    async def lint(self, paths: list[Path]) -> None:
        if not paths:
            return
        versions = {p: self.doc_version(p) for p in paths}
        seq = next(self.runs)
        try:
            run: Run = await self.call(self.session.lint, paths)
        except Exception:  # a bug of ours: say so, keep serving
            self.log(types.MessageType.Error, f"restate-lint failed on {', '.join(map(str, paths))}:\n{traceback.format_exc()}")
            return
        for error in run.internal_errors:
            self.log(types.MessageType.Error, f"restate-lint: {error}")
        self.show_errors(await self.call(self.session.config_errors))
        names = ", ".join(p.name for p in run.linted)
        self.log(types.MessageType.Log, f"linted {names} in {run.seconds * 1000:.0f} ms")
        for path, linted in run.linted.items():
            if path not in self.uris or self.doc_version(path) != versions[path] or self.published.get(path, -1) > seq:
                continue  # closed, edited, or published from a later run meanwhile: that one stands
            self.published[path] = seq
            self.linted[path] = (versions[path], linted)
            diagnostics = [convert.diagnostic(d, linted.source, self.encoding, self.uris[path]) for d in linted.diagnostics]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=self.uris[path], version=versions[path], diagnostics=diagnostics))

        for path in run.stale:  # linted with settings that changed since (noticed in this run)
            if path in self.uris:
                self.schedule(path)

    def show_errors(self, errors: list[str]) -> None:
        for error in errors:
            if error not in self.shown_errors:
                self.shown_errors.add(error)
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"restate-lint: {error}"))

    def log(self, kind: types.MessageType, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    async def relint_all(self, paths: list[Path]) -> None:
        for task in self.pending.values():
            task.cancel()
        self.pending.clear()
        await self.lint([p for p in paths if p in self.uris])


server = RestateLintServer()


def _path(uri: str) -> Optional[Path]:
    fs_path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(fs_path).resolve() if fs_path else None


def _workspace_root(ls: RestateLintServer) -> Path:
    root = ls.workspace.root_path
    return Path(root) if root else Path.cwd()


async def _use_editor_settings(ls: RestateLintServer, options) -> None:
    editor, errors = EditorSettings.parse(options, _workspace_root(ls))
    ls.show_errors(errors)
    await ls.relint_all(await ls.call(ls.session.set_editor_settings, editor))


async def _pull_settings(ls: RestateLintServer) -> None:
    """The client's `restate-lint` section of workspace/configuration, when it has one."""
    if not (ls.client_capabilities.workspace and ls.client_capabilities.workspace.configuration):
        return
    try:
        [options] = await ls.workspace_configuration_async(types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]))
    except Exception as exc:  # a client that cannot answer: its initializationOptions stand
        ls.log(types.MessageType.Warning, f"restate-lint: workspace/configuration failed: {exc}")
        return
    if options:
        await _use_editor_settings(ls, options)


@server.feature(types.INITIALIZE)
def initialize(ls: RestateLintServer, params: types.InitializeParams) -> None:
    editor, errors = EditorSettings.parse(params.initialization_options, _workspace_root(ls))
    ls.show_errors(errors)
    ls.worker.submit(ls.session.set_editor_settings, editor)  # before any lint: the worker runs in order


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: RestateLintServer, params: types.DidChangeConfigurationParams) -> None:
    pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
    if pushed is not None:
        await _use_editor_settings(ls, pushed)
    else:
        await _pull_settings(ls)


@server.feature(types.INITIALIZED)
async def initialized(ls: RestateLintServer, params: types.InitializedParams) -> None:
    # An open file found in the cache needs no parser, the first edit does: start its process now.
    ls.worker.submit(ls.session.workers.start)
    watch = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watch and watch.dynamic_registration:
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[types.FileSystemWatcher(glob_pattern="**/*.py"), types.FileSystemWatcher(glob_pattern=f"**/{CONFIG_NAME}")])
        registration = types.Registration(id="restate-lint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    await _pull_settings(ls)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: RestateLintServer, params: types.DidOpenTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    if path is None or (path.suffix != ".py" and params.text_document.language_id != "python"):
        return
    ls.uris[path] = params.text_document.uri
    await ls.call(ls.session.set_buffer, path, params.text_document.text)
    ls.schedule(path)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: RestateLintServer, params: types.DidChangeTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    if path not in ls.uris:
        return
    await ls.call(ls.session.set_buffer, path, ls.workspace.get_text_document(ls.uris[path]).source)
    ls.schedule(path, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: RestateLintServer, params: types.DidSaveTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    if path is not None and path.name == CONFIG_NAME:
        await ls.relint_all(await ls.call(ls.session.reload_config))
    elif path in ls.uris:
        ls.schedule(path)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: RestateLintServer, params: types.DidCloseTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    if path not in ls.uris:
        return
    ls.cancel(path)
    del ls.uris[path]
    ls.linted.pop(path, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))
    await ls.lint(await ls.call(ls.session.close, path))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: RestateLintServer, params: types.DidChangeWatchedFilesParams) -> None:
    relint: set[Path] = set()
    for change in params.changes:
        path = _path(change.uri)
        if path is None:
            continue
        if path.name == CONFIG_NAME:
            relint.update(await ls.call(ls.session.reload_config))
        elif path.suffix == ".py" and path not in ls.uris:  # an open file's own changes come from its buffer
            created, deleted = change.type == types.FileChangeType.Created, change.type == types.FileChangeType.Deleted
            relint.update(await ls.call(ls.session.file_changed_on_disk, path, created, deleted))
    await ls.relint_all(sorted(relint))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND]))
def code_action(ls: RestateLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    path = _path(params.text_document.uri)
    version, linted = ls.linted.get(path, (None, None)) if path in ls.uris else (None, None)
    if linted is None or version != ls.doc_version(path):
        return []  # diagnostics of an older text: their edits would land in the wrong places
    return actions.code_actions(ls.uris[path], version, linted, params.range, params.context, ls.encoding)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: RestateLintServer, params: types.HoverParams) -> Optional[types.Hover]:
    path = _path(params.text_document.uri)
    if path not in ls.uris:
        return None
    lines = ls.workspace.get_text_document(ls.uris[path]).lines
    at = params.position
    line = lines[at.line].rstrip("\r\n") if at.line < len(lines) else ""
    found = hovering.code_at(line, convert.column(line, at.character, ls.encoding))
    if found is not None:
        code, start, end = found
        where = types.Range(start=types.Position(line=at.line, character=convert.character(line, start, ls.encoding)), end=types.Position(line=at.line, character=convert.character(line, end, ls.encoding)))
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hovering.describe([code])), range=where)
    version, linted = ls.linted.get(path, (None, None))
    if linted is None or version != ls.doc_version(path):
        return None
    point = types.Range(start=at, end=at)
    under = [d.code for d in linted.diagnostics if actions.intersects(convert.diagnostic(d, linted.source, ls.encoding).range, point)]
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hovering.describe(under))) if under else None


def serve(port: Optional[int] = None, workers: Optional[Workers] = None) -> None:
    """Serve one client over stdio, or over the first connection to 127.0.0.1:`port`, parsing
    in `workers` (started by the caller) or in workers of its own."""
    if workers is not None:
        server.session.workers = workers
    try:
        asyncio.run(_stdio() if port is None else _tcp(port))
    except (BrokenPipeError, KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
        server.session.workers.close()


def _stopped() -> bool:
    return server._stop_event is not None and server._stop_event.is_set()


def _warn(message: str) -> None:
    server.log(types.MessageType.Warning, f"restate-lint: {message}")


async def _stdio() -> None:
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue = asyncio.Queue(maxsize=16)  # read ahead this far only: a flood waits in the pipe

    def pump() -> None:  # a daemon thread: a read blocked at exit does not hold the process
        fd = sys.stdin.fileno()  # read unbuffered: the buffer's lock would be held at exit
        data = b"-"
        while data:
            try:
                data = os.read(fd, framing.READ_SIZE)
            except OSError:
                data = b""  # as the end of the input
            try:
                asyncio.run_coroutine_threadsafe(chunks.put(data), loop).result()
            except (RuntimeError, CancelledError):  # the loop is gone: the server is exiting
                return

    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    threading.Thread(target=pump, name="restate-lint-stdin", daemon=True).start()
    await framing.serve_messages(chunks.get, server.protocol, _stopped, _warn)


async def _tcp(port: int) -> None:
    server._stop_event = threading.Event()
    done = asyncio.Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)
        try:
            await framing.serve_messages(lambda: reader.read(framing.READ_SIZE), server.protocol, _stopped, _warn)
        finally:
            done.set()

    listener = await asyncio.start_server(connection, "127.0.0.1", port)
    async with listener:
        await done.wait()

