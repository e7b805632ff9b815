"""The per-file stages that parse: summarise, check and the syntax check of plain files, each
answered from the cache when it can be.

A file's model is built once per run: the one built to summarise it is kept for its check.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Union

from restate_lint.analysis.summarise import summarise
from restate_lint.cache import Cache, digest
from restate_lint.check import lint_model
from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic
from restate_lint.model.facts import ModuleFacts
from restate_lint.model.module import ModuleModel
from restate_lint.parse import parse, syntax_failure
from restate_lint.project.files import ModuleNames
from restate_lint.project.summary import ModuleSummary
from restate_lint.runner import _File, check_key, summary_key, with_filename
from restate_lint.source import ParseFailure, SourceFile, UndecodableSource

# libcst's visitors recurse per tree level; CPython-valid nesting can exceed the default limit
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def build_model(file: _File, names: ModuleNames) -> Union[ModuleModel, ParseFailure]:
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


def summarise_file(file: _File, names: ModuleNames, settings: Settings) -> tuple[Union[ModuleSummary, ParseFailure], Optional[ModuleModel]]:
    model = build_model(file, names)
    if isinstance(model, ParseFailure):
        return model, None
    try:
        return summarise(model, settings), model
    except RecursionError:
        return ParseFailure("file is nested too deeply to analyse"), None


def check_file(model: ModuleModel, facts: ModuleFacts, settings: Settings, path: Path, shown: str) -> tuple[list[Diagnostic], list[str]]:
    errors: list[str] = []
    model.source.path = shown
    try:
        model.bind(facts)
        diagnostics = lint_model(model, settings, path, errors)
    except RecursionError:
        return [], [f"{shown}: nested too deeply to check"]
    return diagnostics, errors


class Work:
    def __init__(self, settings: Settings, cache: Cache, jobs: int, names: ModuleNames):
        self.settings = settings
        self.cache = cache
        self.jobs = jobs
        self.names = names
        self._models: dict[Path, ModuleModel] = {}

    def summaries(self, files: list[_File], keep: set[Path]) -> dict[Path, Union[ModuleSummary, ParseFailure]]:
        found: dict[Path, Union[ModuleSummary, ParseFailure]] = {}
        for file in files:
            key = summary_key(file, self.names, self.settings)
            summary = self.cache.get("summary", key)
            if not isinstance(summary, (ModuleSummary, ParseFailure)):
                summary, model = summarise_file(file, self.names, self.settings)
                self.cache.put("summary", key, summary)
                if model is not None and file.path in keep:
                    self._models[file.path] = model
            found[file.path] = summary
        return found

    def checks(self, checks: list[tuple[_File, ModuleFacts, str]]) -> tuple[list[Diagnostic], list[str]]:
        diagnostics: list[Diagnostic] = []
        errors: list[str] = []
        for file, facts, shown in checks:
            key = check_key(file, facts, self.settings)
            cached = self.cache.get("check", key)
            if isinstance(cached, list):
                diagnostics.extend(with_filename(cached, shown))
                continue
            model = self._models.pop(file.path, None) or build_model(file, self.names)
            if isinstance(model, ParseFailure):
                continue  # its summary said so already
            found, failed = check_file(model, facts, self.settings, file.path, shown)
            diagnostics.extend(found)
            errors.extend(failed)
            if not failed:
                self.cache.put("check", key, with_filename(found, ""))
        return diagnostics, errors

    def syntax_failure(self, file: _File) -> Optional[ParseFailure]:
        key = digest("syntax", file.digest)
        cached = self.cache.get("syntax", key)
        if isinstance(cached, tuple):
            return cached[0]
        try:
            failure = syntax_failure(SourceFile("", file.data).text)
        except UndecodableSource as exc:
            failure = ParseFailure(f"cannot decode file: {exc}")
        self.cache.put("syntax", key, (failure,))
        return failure
