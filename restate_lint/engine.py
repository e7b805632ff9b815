"""Lint files: build the project, run the enabled checks per module, position and suppress."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from libcst.metadata import MetadataWrapper, PositionProvider

from restate_lint import suppression
from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic, Edit, Finding, Fix, NodeEdit, Position
from restate_lint.discovery import discover, project_files
from restate_lint.model.module import ModuleModel
from restate_lint.project import ParseCache, ParseFailure, Project, mentions_restate, syntax_failure
from restate_lint.rules import CHECKS, RULES
from restate_lint.source import SourceFile, UndecodableSource

DOCS_URL = "https://github.com/restate-lint/restate-lint/blob/main/docs/rules/{code}.md"


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    internal_errors: list[str] = field(default_factory=list)
    loaded: set[Path] = field(default_factory=set)  # files parsed: the linted ones and those they reach
    # shown name -> (path, the bytes it was linted from), for every file with a diagnostic:
    # fixes edit these bytes, and SARIF hashes them
    sources: dict[str, tuple[Path, bytes]] = field(default_factory=dict)


def lint_paths(
    paths: list[Path],
    settings: Settings,
    overrides: Optional[dict[Path, bytes]] = None,
    display: Optional[dict[Path, str]] = None,
    files: Optional[list[Path]] = None,
    cache: Optional[ParseCache] = None,
) -> Result:
    """Lint the files under `paths` as one project rooted at `settings.root`.

    `overrides` gives file contents that differ from disk (stdin, an editor's buffer);
    `display` maps paths to the names shown to the user. A long-lived caller (the language
    server) passes the project's `files` it keeps and a parse `cache`.
    """
    overrides = overrides or {}
    # libcst's visitors recurse per tree level; CPython-valid nesting can exceed the default limit
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    targets = [p for p in paths if p.resolve() in {o.resolve() for o in overrides}]
    targets += discover([p for p in paths if p not in targets], settings)
    project = Project(settings.root, [*(project_files(settings) if files is None else files), *targets], overrides, cache)
    result = Result(files=len(targets))
    models: list[tuple[Path, ModuleModel]] = []
    relevant = _relevance(project)
    read: dict[str, tuple[Path, bytes]] = {}
    for path in targets:
        name = (display or {}).get(path, str(path))
        try:
            data = project.read(path)
            read[name] = (path, data)
        except OSError as exc:
            result.diagnostics.append(_failure(name, ParseFailure(f"cannot read file: {exc.strerror or exc}"), settings, path))
            continue
        if not relevant(data):
            failure = _syntax_check(data)
            if failure is not None:
                result.diagnostics.append(_failure(name, failure, settings, path))
            continue
        model = project.model(path)
        if isinstance(model, ParseFailure):
            result.diagnostics.append(_failure(name, model, settings, path))
        else:
            model.source.path = name
            models.append((path, model))
    project.finalize()
    for path, model in models:
        result.diagnostics.extend(lint_model(model, settings, path, result.internal_errors))
    result.diagnostics = [d for d in result.diagnostics if d is not None]
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.loaded = project.loaded_paths()
    result.sources = {d.filename: read[d.filename] for d in result.diagnostics if d.filename in read}
    return result


def _relevance(project: Project):
    """A cheap byte test for files that can hold Restate code: they mention restate (or a
    suppression), or name a project module that does (a handler module may import its
    service object without importing restate itself)."""
    keywords: Optional[list[bytes]] = None

    def relevant(data: bytes) -> bool:
        nonlocal keywords
        if b"restate" in data or b"RST" in data:
            return True
        if keywords is None:
            keywords = sorted({name.rsplit(".", 1)[-1].encode() for name, path in project.path_by_name.items() if mentions_restate(project, path)})
        return any(k in data for k in keywords)

    return relevant


def _syntax_check(data: bytes) -> Optional[ParseFailure]:
    try:
        return syntax_failure(SourceFile("", data).text)
    except UndecodableSource as exc:
        return ParseFailure(f"cannot decode file: {exc}")


def _failure(name: str, failure: ParseFailure, settings: Settings, path: Path) -> Optional[Diagnostic]:
    if "RST999" not in settings.enabled_codes(path):
        return None
    rule = RULES["RST999"]
    at = Position(failure.row, failure.column)
    return Diagnostic("RST999", rule.name, f"File cannot be parsed ({failure}); nothing else was checked in it", rule.severity, name, at, at, url=DOCS_URL.format(code="RST999"))


def lint_model(model: ModuleModel, settings: Settings, path: Path, internal_errors: list[str]) -> list[Diagnostic]:
    enabled = settings.enabled_codes(path)
    findings: list[Finding] = []
    for codes, check in CHECKS:
        if not codes & enabled:
            continue
        try:
            findings.extend(f for f in check(model, settings) if f.code in enabled)
        except Exception:  # a bug in one check must not take the run down with it
            internal_errors.append(f"{model.path}: internal error in {check.__module__}.{check.__name__}:\n{traceback.format_exc()}")
    positioner = _Positioner(model)
    diagnostics = [positioner.diagnostic(f) for f in _dedupe(findings)]
    suppressions = suppression.find(model.source)
    kept, meta = suppression.apply(diagnostics, suppressions, lambda code: code in enabled, RULES)
    kept.extend(positioner.diagnostic(f) for f in meta if f.code in enabled)
    return kept


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    unique = []
    for f in findings:
        key = (f.code, id(f.anchor) if not isinstance(f.anchor, tuple) else f.anchor, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


class _Positioner:
    """Node positions, computed once per file and only when something is reported."""

    def __init__(self, model: ModuleModel):
        self.model = model
        self._positions = None

    def span(self, node) -> tuple[Position, Position]:
        if self._positions is None:
            self._positions = MetadataWrapper(self.model.tree, unsafe_skip_copy=True).resolve(PositionProvider)
        code_range = self._positions[node]
        return Position(code_range.start.line, code_range.start.column + 1), Position(code_range.end.line, code_range.end.column + 1)

    def text_span(self, node) -> tuple[Position, Position]:
        """The span of the node's whole text (what `code_for_node` prints): positions leave out
        the parentheses around an expression, an edit must not (`except (A, B) as e`)."""
        start, end = self.span(node)
        if getattr(node, "lpar", None):
            start = self.span(node.lpar[0])[0]
        if getattr(node, "rpar", None):
            end = self.span(node.rpar[-1])[1]
        return start, end

    def diagnostic(self, finding: Finding) -> Diagnostic:
        rule = RULES[finding.code]
        start, end = finding.anchor if isinstance(finding.anchor, tuple) else self.span(finding.anchor)
        fix = None
        if finding.fix is not None:
            fix = Fix(finding.fix.applicability, finding.fix.message, [self.edit(e) for e in finding.fix.edits])
        return Diagnostic(
            finding.code, rule.name, finding.message, finding.severity or rule.severity,
            self.model.path, start, end, fix, DOCS_URL.format(code=finding.code),
        )  # fmt: skip

    def edit(self, edit) -> Edit:
        if isinstance(edit, Edit):
            return edit
        assert isinstance(edit, NodeEdit)
        start, end = self.text_span(edit.node)
        if edit.until is not None:
            end = self.text_span(edit.until)[0]
        elif edit.how == "before":
            end = start
        elif edit.how == "after":
            start = end
        return Edit(edit.content, start, end)


def print_internal_errors(errors: list[str]) -> None:
    for error in errors:
        print(f"restate-lint: {error}", file=sys.stderr)
