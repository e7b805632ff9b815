"""What the language server knows between requests, free of any LSP library: the open buffers,
one index per project (settings, file list, stage cache) and which files each open file's
diagnostics depend on."""

from __future__ import annotations

import io
import time
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from restate_lint.config import ConfigError, Settings, project_root
from restate_lint.diagnostics import Diagnostic
from restate_lint.discovery import project_files
from restate_lint.runner import Workers, lint_paths
from restate_lint.cache import Cache, cache_dir
from restate_lint.lsp.carry import carried
from restate_lint.lsp.settings import EditorSettings
from restate_lint.source import SourceFile, UndecodableSource


def buffer_bytes(text: str) -> bytes:
    """An editor buffer as the bytes saving it would write: in the encoding its coding cookie
    declares (PEP 263), else UTF-8; text that encoding cannot hold stays UTF-8 (and is reported
    as undecodable, as the saved file would be). A lone surrogate (which no encoding holds) becomes
    `?`, one code unit for one: the rest of the buffer is still linted, at the same positions."""
    data = text.encode("utf-8", "replace")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return data


@dataclass
class ProjectIndex:
    """One project (its root as the command line finds it): its settings and files, found once
    and kept up to date from file events, and its stage cache: an edit re-summarises the edited
    buffer only, and re-checks only the files whose project facts changed."""

    root: Path
    settings: Settings
    files: list[Path]
    cache: Optional[Cache] = None  # the project's disk cache, with a memory in front
    config_error: Optional[str] = None
    config_path: Optional[Path] = None  # the file its settings come from (or would)
    config_stamp: Optional[tuple] = None  # that file as it was when read

    @classmethod
    def build(cls, root: Path, editor: EditorSettings = EditorSettings()) -> "ProjectIndex":
        config_path = editor.config_path or root / "pyproject.toml"
        stamp = file_stamp(config_path)
        try:
            settings, error = editor.loader()(root), None
        except ConfigError as exc:
            settings, error = Settings(root=root), f"{exc}; using the default settings"
        return cls(root, settings, project_files(settings), Cache(cache_dir(root), memory=True), error, config_path, stamp)

    def config_changed(self) -> bool:
        """Its config file changed since it was read (a stat: editors that send no file events,
        such as Neovim before 0.11, and changes made outside the editor are seen at the next lint)."""
        return file_stamp(self.config_path) != self.config_stamp

    def file_created(self, path: Path) -> None:
        if path not in self.files and not self.settings.is_excluded(path, False):
            self.files.append(path)

    def file_deleted(self, path: Path) -> None:
        if path in self.files:
            self.files.remove(path)


def file_stamp(path: Path) -> Optional[tuple]:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


@dataclass
class Linted:
    """The diagnostics of one buffer, with the text they were computed on (for code actions)."""

    source: SourceFile
    diagnostics: list[Diagnostic]


@dataclass
class Run:
    linted: dict[Path, Linted]
    internal_errors: list[str]
    seconds: float
    stale: list[Path] = field(default_factory=list)  # open files linted with settings found changed since


class Session:
    def __init__(self) -> None:
        self.buffers: dict[Path, bytes] = {}
        self.indexes: dict[Path, ProjectIndex] = {}
        self.depends_on: dict[Path, set[Path]] = {}  # open file -> files its last run parsed
        # every parse happens in a worker process: a file that crashes the parser or takes all
        # memory costs that process, and the server answers requests while a file is parsed
        self.workers = Workers()
        self.editor = EditorSettings()
        self.reloaded: set[Path] = set()  # roots whose config changed since their files were linted
        self.good: dict[Path, Linted] = {}  # open file -> its last result without a syntax error

    def index(self, path: Path) -> ProjectIndex:
        root = project_root(path)
        index = self.indexes.get(root)
        if index is not None and index.config_changed():
            index = None
            self.reloaded.add(root)
            self.good = {p: linted for p, linted in self.good.items() if not p.is_relative_to(root)}  # other settings
        if index is None:
            index = self.indexes[root] = ProjectIndex.build(root, self.editor)
        return index

    def set_editor_settings(self, editor: EditorSettings) -> list[Path]:
        """New settings from the editor; returns the open files to re-lint."""
        self.editor = editor
        return self.reload_config()

    def config_errors(self) -> list[str]:
        return [i.config_error for i in self.indexes.values() if i.config_error]

    # -- buffers and files ---------------------------------------------------------------
    def set_buffer(self, path: Path, text: str) -> None:
        self.buffers[path] = buffer_bytes(text)

    def close(self, path: Path) -> list[Path]:
        """Forget a closed buffer; returns the open files to re-lint (its content is the disk's again)."""
        self.buffers.pop(path, None)
        self.depends_on.pop(path, None)
        self.good.pop(path, None)
        return self.dependents(path)

    def dependents(self, path: Path) -> list[Path]:
        """The other open files whose diagnostics were computed with `path`'s content."""
        return [p for p, deps in self.depends_on.items() if p != path and path in deps and p in self.buffers]

    def file_changed_on_disk(self, path: Path, created: bool = False, deleted: bool = False) -> list[Path]:
        """A file changed outside the editor; returns the open files to re-lint."""
        for index in self.indexes.values():
            if not path.is_relative_to(index.root):
                continue
            if created:
                index.file_created(path)
            elif deleted:
                index.file_deleted(path)
        return self.dependents(path) if not created else list(self.buffers)

    def reload_config(self) -> list[Path]:
        """Settings changed: rebuild every project index; returns the open files to re-lint."""
        self.indexes.clear()
        self.good.clear()
        return list(self.buffers)

    # -- linting -------------------------------------------------------------------------
    def lint(self, paths: list[Path]) -> Run:
        """Lint open files (each project's files together, in one run) with the buffers' contents."""
        started = time.perf_counter()
        linted: dict[Path, Linted] = {}
        errors: list[str] = []
        by_index: dict[Path, list[Path]] = {}
        for path in paths:
            if path in self.buffers:
                by_index.setdefault(self.index(path).root, []).append(path)
        for root, targets in by_index.items():
            index = self.indexes[root]
            for path in [p for p in targets if index.settings.is_excluded(p, False)]:
                targets.remove(path)
                linted[path] = Linted(SourceFile(str(path), b""), [])
            if not targets:
                continue
            buffers = {p: data for p, data in self.buffers.items() if p.is_relative_to(root)}  # not another project's
            result = lint_paths(targets, index.settings, buffers, files=index.files, cache=index.cache, workers=self.workers)
            errors.extend(result.internal_errors)
            found: dict[str, list[Diagnostic]] = {}
            for d in result.diagnostics:
                found.setdefault(d.filename, []).append(d)
            for path in targets:
                self.depends_on[path] = result.loaded
                linted[path] = self._keep_good(path, Linted(_source(path, self.buffers[path]), found.get(str(path), [])))
        stale = [p for p in self.buffers if p not in linted and any(p.is_relative_to(r) for r in self.reloaded)]
        self.reloaded.clear()
        return Run(linted, errors, time.perf_counter() - started, stale)

    def _keep_good(self, path: Path, now: Linted) -> Linted:
        """`now`, or while the buffer does not parse: its syntax error and the last good
        diagnostics on the lines the edit left alone (carry.py)."""
        failures = [d for d in now.diagnostics if d.code == "RST999"]
        if not failures:
            self.good[path] = now
            return now
        good = self.good.get(path)
        kept = carried(good.diagnostics, good.source, now.source) if good is not None else []
        if kept:
            failures = [replace(d, message=f"{d.message}; the others shown are from the last text that parsed") for d in failures]
        return Linted(now.source, sorted([*failures, *kept], key=Diagnostic.sort_key))


def _source(path: Path, data: bytes) -> SourceFile:
    try:
        return SourceFile(str(path), data)
    except UndecodableSource:  # its one diagnostic sits at 1:1, where any text will do
        return SourceFile(str(path), b"")
