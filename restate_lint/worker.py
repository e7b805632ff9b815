"""The per-file stages that parse: summarise, check, and the syntax check of plain files.

Run in worker processes (pool.py) or, for a small run, in this process. This is the module that
imports libcst: a process that only reads the cache, or only hands files to workers, never does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Union

from restate_lint.analysis.summarise import summarise
from restate_lint.cache import Cache, kept
from restate_lint.collector import fewer_collections
from restate_lint.check import lint_model
from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic
from restate_lint.model.facts import ModuleFacts
from restate_lint.model.module import ModuleModel
from restate_lint.parse import parse, syntax_failure as text_syntax_failure
from restate_lint.project.files import ModuleNames
from restate_lint.project.summary import ModuleSummary
from restate_lint.scan import ScannedFile
from restate_lint.source import ParseFailure, SourceFile, UndecodableSource

# libcst's visitors recurse per tree level; CPython-valid nesting can exceed the default limit
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def build_model(file: ScannedFile, names: ModuleNames) -> Union[ModuleModel, ParseFailure]:
    try:
        source = SourceFile(str(file.path), file.data)
        tree = parse(source.text)
        return ModuleModel(file.name, source, tree, names.resolver(file.path), is_package=file.is_package)
    except UndecodableSource as exc:
        return ParseFailure(f"cannot decode file: {exc}")
    except ParseFailure as exc:
        return exc
    except RecursionError:
        return ParseFailure("file is nested too deeply to analyse")


class Worker:
    """The per-file stages with the models built so far: the model built to summarise a file is
    kept for its check (the same process is asked to check it)."""

    def __init__(self, settings: Settings, names: ModuleNames, store: Optional[Cache] = None):
        self.settings = settings
        self.names = names
        self.store = store  # where results go on disk: written here, off the process that hands out files
        self.models: dict[Path, ModuleModel] = {}

    def handle(self, task: tuple) -> tuple:
        """A task is (kind, file, its arguments..., its cache key); the answer (kind, path, result)."""
        kind, file, key = task[0], task[1], task[-1]
        if kind == "summary":
            result = self.summarise(file, keep=task[2])
        elif kind == "check":
            result = self.check(file, task[2], task[3])
        else:
            result = syntax_failure(file)
        if self.store is not None and file.on_disk:
            stored = kept(kind, result)
            if stored is not None:
                self.store.put(kind, key, stored)
        return kind, file.path, result

    def summarise(self, file: ScannedFile, keep: bool) -> Union[ModuleSummary, ParseFailure]:
        model = build_model(file, self.names)
        if isinstance(model, ParseFailure):
            return model
        try:
            summary: Union[ModuleSummary, ParseFailure] = summarise(model, self.settings)
        except RecursionError:
            summary = ParseFailure("file is nested too deeply to analyse")
        if keep and isinstance(summary, ModuleSummary):
            self.models[file.path] = model
        else:
            model.release()
        return summary

    def check(self, file: ScannedFile, facts: ModuleFacts, shown: str) -> tuple[list[Diagnostic], list[str]]:
        model = self.models.pop(file.path, None) or build_model(file, self.names)
        if isinstance(model, ParseFailure):
            return [], []  # its summary said so already
        errors: list[str] = []
        model.source.path = shown
        try:
            model.bind(facts)
            diagnostics = lint_model(model, self.settings, file.path, errors)
        except RecursionError:
            return [], [f"{shown}: nested too deeply to check"]
        finally:
            model.release()
        return diagnostics, errors


class InProcess:
    def __init__(self, settings: Settings, names: ModuleNames, store: Optional[Cache] = None):
        self.worker = Worker(settings, names, store)

    def run(self, tasks: list[tuple]) -> list[tuple]:
        with fewer_collections():
            return [self.worker.handle(task) for task in tasks]

    def close(self) -> None:
        pass


def syntax_failure(file: ScannedFile) -> Optional[ParseFailure]:
    try:
        return text_syntax_failure(SourceFile("", file.data).text)
    except UndecodableSource as exc:
        return ParseFailure(f"cannot decode file: {exc}")
