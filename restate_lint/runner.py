"""Run the stages over one project's files: scan, summarise, link, check.

Every stage's result is cached by what it depends on (cache.py), so a run over unchanged files
reads entries and links summaries without parsing anything (libcst is not even imported), and a
run after an edit rebuilds the edited file's summary and re-checks only the files whose facts
changed. Summarising and checking are spread over worker processes when there is enough work
(pool.py, worker.py).

Which files get the Restate model is decided from the import graph: files that import restate,
files that import those (a handler module may import its service object and nothing else of
Restate), files that name a rule code (suppressions), and every project module they import
(helpers that durable code calls). Every other file is only checked for syntax errors.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Optional, Union

from restate_lint.cache import Cache, digest, kept
from restate_lint.catalogue import catalogue_settings, prefixes
from restate_lint.config import Settings
from restate_lint.paths import RealPaths
from restate_lint.diagnostics import Diagnostic, Position, with_filename
from restate_lint.discovery import discover, project_files
from restate_lint.project.files import ModuleNames
from restate_lint.registry import RULES
from restate_lint.scan import ScannedFile, candidates, scan
from restate_lint.source import ParseFailure

if TYPE_CHECKING:  # a run answered from the cache needs neither the linker nor summaries' classes
    from restate_lint.model.facts import ModuleFacts
    from restate_lint.project.link import Linker
    from restate_lint.project.summary import ModuleSummary


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    internal_errors: list[str] = field(default_factory=list)
    loaded: set[Path] = field(default_factory=set)  # files whose content the result depends on
    # shown name -> (path, the bytes it was linted from), for every file with a diagnostic:
    # fixes edit these bytes, and SARIF hashes them
    sources: dict[str, tuple[Path, bytes]] = field(default_factory=dict)
    linker: Optional[Linker] = None
    cache_stats: Counter = field(default_factory=Counter)  # (stage, "hit" | "miss") -> count


@dataclass(frozen=True)
class _Finished:
    """A whole run's outcome, kept when nothing went wrong in it."""

    diagnostics: tuple[Diagnostic, ...]
    loaded: frozenset[Path]


@dataclass
class Linked:
    """What the link stage hands the checks: each module's facts, and which modules failed to parse."""

    facts: dict[str, ModuleFacts]
    failures: dict[str, ParseFailure]


def lint_paths(
    paths: list[Path],
    settings: Settings,
    overrides: Optional[dict[Path, bytes]] = None,
    display: Optional[dict[Path, str]] = None,
    files: Optional[list[Path]] = None,
    cache: Optional[Cache] = None,
    jobs: int = 1,
    want_graph: bool = False,
    isolate: bool = False,
    workers: Optional["Workers"] = None,
) -> Result:
    """Lint the files under `paths` as one project rooted at `settings.root`.

    `overrides` gives file contents that differ from disk (stdin, an editor's buffer);
    `display` maps paths to the names shown to the user. A long-lived caller (the language
    server) passes the project's `files` it keeps. `cache` keeps stage results between runs
    (none by default); `jobs` is how many processes may share the work; `want_graph` asks for
    the linker (the service graph) in the result, which a cached link does not rebuild;
    `isolate` parses in worker processes however little there is to parse, so that a file that
    crashes the parser or exceeds a worker's bounds is one RST999 (the command line asks for it);
    `workers` are worker processes kept across runs, which then do all the parsing (the language
    server's, or those the command line started before walking the tree).
    """
    overrides = {p.resolve(): data for p, data in (overrides or {}).items()}
    targets = [p for p in paths if p.resolve() in overrides]
    targets += discover([p for p in paths if p not in targets], settings)
    project = [*(project_files(settings) if files is None else files), *targets, *overrides]
    return _Run(settings, overrides, cache or Cache(None), jobs, want_graph, isolate, workers).lint(targets, project, display or {})


class _Run:
    def __init__(self, settings: Settings, overrides: dict[Path, bytes], cache: Cache, jobs: int, want_graph: bool, isolate: bool, workers: Optional["Workers"]):
        self.settings = settings
        self.want_graph = want_graph
        self.isolate = isolate
        self.workers = workers
        self.overrides = overrides
        self.cache = cache
        self.jobs = jobs
        self.names = ModuleNames(settings.root)
        self.imports: dict[Path, _Imports] = {}  # every project file's, from `_modelled`
        self.result = Result()

    def lint(self, targets: list[Path], project: list[Path], display: dict[Path, str]) -> Result:
        result = self.result
        real = RealPaths()
        resolved = {p: real(p) for p in {*project, *targets}}
        for path in sorted(set(resolved.values())):
            self.names.add(path)
        shown = {resolved[t]: display.get(t, str(t)) for t in targets}
        files = self._read_all(sorted(set(resolved.values())), shown)
        given = {resolved[t]: t for t in targets}  # the path as named: fixes write through it
        targets = list(dict.fromkeys(resolved[t] for t in targets))
        result.files = len(targets)
        key = self._finished_key(files, targets, shown)
        finished = self.cache.get("run", key) if key is not None else None
        try:
            if not isinstance(finished, _Finished):
                finished = self._lint(files, targets, shown)
                if key is not None and not result.internal_errors:
                    self.cache.put("run", key, finished)
        finally:
            self.cache.flush()
        result.diagnostics.extend(finished.diagnostics)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        result.loaded = set(finished.loaded)
        by_name = {shown[p]: (given[p], files[p].data) for p in targets if p in files}
        result.sources = {d.filename: by_name[d.filename] for d in result.diagnostics if d.filename in by_name}
        return result

    def _finished_key(self, files: dict[Path, "ScannedFile"], targets: list[Path], shown: dict[Path, str]) -> Optional[str]:
        """What a whole run's diagnostics depend on, when they may be kept whole: every project
        file's place and text, the targets as shown, the settings. A run whose inputs are all the
        same as a run before reads one entry instead of one per file and stage."""
        if self.overrides or self.want_graph or self.cache.directory is None:
            return None
        from restate_lint.sdk_version import target_sdk_version  # noqa: PLC0415 - as in check_key

        project = tuple((str(path), file.name, file.digest, file.is_package) for path, file in sorted(files.items()))
        return digest("run", project, tuple((str(t), shown[t]) for t in targets), self.settings, target_sdk_version(self.settings))

    def _lint(self, files: dict[Path, "ScannedFile"], targets: list[Path], shown: dict[Path, str]) -> "_Finished":
        """The diagnostics of `targets` from their stages (the modelled files' and the others')."""
        self._scan_all(files)
        modelled = self._modelled(files, [t for t in targets if t in files])
        found: list[Diagnostic] = []
        stages = _Stages(self.settings, self.cache, self.jobs, self.names, self.isolate, self.workers)
        try:
            plain = [files[p] for p in targets if p in files and p not in modelled]
            linked, failures = self._link(stages, [files[p] for p in sorted(modelled, key=lambda p: files[p].name)], {p for p in targets if p in modelled}, plain)
            checks = []
            for path in targets:
                if path not in files:
                    continue
                name = files[path].name
                failure = linked.failures.get(name) if path in modelled else failures.get(path)
                if failure is not None:
                    found.extend(self._failure(shown[path], failure, path))
                elif path in modelled:
                    checks.append((files[path], linked.facts[name], shown[path]))
            diagnostics, errors = stages.checks(checks)
        finally:
            stages.close()
        self.result.internal_errors.extend(errors)
        return _Finished((*found, *diagnostics), frozenset(modelled))

    def _link(self, stages: "_Stages", modelled: list[ScannedFile], keep: set[Path], plain: list[ScannedFile]) -> tuple["Linked", dict[Path, Optional[ParseFailure]]]:
        """The facts of the modelled files in `keep` (the ones to check), and the plain files'
        syntax checks. Facts depend on nothing but the summaries, so when every summary's key is
        the same as in a run before, that run's facts are read, and no summary is even loaded."""
        keys = {file.path: summary_key(file, self.imports[file.path], self.settings) for file in modelled}
        key = digest("link", tuple((file.name, keys[file.path]) for file in modelled))
        wanted = {file.name for file in modelled if file.path in keep}
        linked = None if self.want_graph else self.cache.get("link", key)
        if isinstance(linked, Linked) and wanted <= linked.facts.keys() | linked.failures.keys():
            return linked, stages.summaries([], set(), {}, plain)[1]
        from restate_lint.project.link import Linker  # noqa: PLC0415 - see the imports
        from restate_lint.project.summary import ModuleSummary  # noqa: PLC0415

        summaries, failures = stages.summaries(modelled, keep, keys, plain)
        linker = Linker({file.name: summaries[file.path] for file in modelled if isinstance(summaries[file.path], ModuleSummary)})
        self.result.linker = linker
        known = linked.facts if isinstance(linked, Linked) else {}
        linked = Linked(
            {**known, **{name: linker.facts(name) for name in sorted(wanted) if name in linker.modules}},
            {f.name: s for f in modelled if isinstance(s := summaries[f.path], ParseFailure)},
        )
        self.cache.put("link", key, linked, disk=all(file.on_disk for file in modelled))
        return linked, failures

    # -- reading and scanning ------------------------------------------------------------------
    def _read_all(self, paths: list[Path], targets: dict[Path, str]) -> dict[Path, ScannedFile]:
        """Every project file read (scanned when a run needs it: `_scan_all`); a target that
        cannot be read is one RST999 (`targets` maps each to the name shown)."""
        files = {}
        for path in paths:
            try:
                data, content = (self.overrides[path], None) if path in self.overrides else self._read(path)
            except OSError as exc:
                if path in targets:
                    self.result.diagnostics.extend(self._failure(targets[path], ParseFailure(f"cannot read file: {exc.strerror or exc}"), path))
                continue
            content = content or hashlib.blake2b(data, digest_size=20).hexdigest()
            files[path] = ScannedFile(path, self.names.name_by_path[path], data, content, None, path.name == "__init__.py", path not in self.overrides)
        return files

    def _scan_all(self, files: dict[Path, ScannedFile]) -> None:
        """Each file's imports, read from its bytes (a regular expression: cheaper than reading a
        cache entry from disk; a long-lived caller remembers them)."""
        memo = self.cache.memory
        for file in files.values():
            found = memo.get(("scan", file.digest)) if memo is not None else None
            if found is None:
                found = scan(file.data)
                self.cache.remember(("scan", file.digest), found)
            file.scan = found

    def _read(self, path: Path) -> tuple[bytes, Optional[str]]:
        """A file's bytes (and their hash when known). A long-lived caller's cache remembers them
        while the file's size and modification time stay the same: an edit reads one file."""
        if self.cache.memory is None:
            return read_source(path)[0], None
        stat = path.stat()
        seen = self.cache.memory.get(("file", path))
        if seen is not None and seen[0] == (stat.st_mtime_ns, stat.st_size):
            return seen[1], seen[2]
        data, stat = read_source(path)
        content = hashlib.blake2b(data, digest_size=20).hexdigest()
        self.cache.remember(("file", path), ((stat.st_mtime_ns, stat.st_size), data, content))
        return data, content

    def _modelled(self, files: dict[Path, ScannedFile], targets: list[Path]) -> set[Path]:
        """The files that get the Restate model (see the module's docstring)."""
        names = digest(tuple(sorted(self.names.path_by_name)))
        self.imports = {path: self._imports(file, names) for path, file in files.items()}
        imports = {path: found.files for path, found in self.imports.items()}
        return modelled_files(files, imports, [t for t in targets if files[t].scan.names_codes])

    def _imports(self, file: ScannedFile, names: str) -> "_Imports":
        """How a file's imports resolve in this project, in one pass over them (a long-lived
        caller remembers it while neither the file nor the project's module names change)."""
        memo = self.cache.memory
        key = ("imports", file.path, file.digest, names)
        if memo is not None and key in memo:
            return memo[key]
        imports = project_imports(file, self.names)
        self.cache.remember(key, imports)
        return imports

    def _failure(self, name: str, failure: ParseFailure, path: Path) -> list[Diagnostic]:
        if "RST999" not in self.settings.enabled_codes(path):
            return []
        rule = RULES["RST999"]
        at = Position(failure.row, failure.column)
        return [Diagnostic("RST999", rule.name, f"File cannot be parsed ({failure}); nothing else was checked in it", rule.severity, name, at, at, url=rule.url)]


def project_imports(file: ScannedFile, names: ModuleNames) -> "_Imports":
    """How a file's imports resolve among the project's modules, in one pass over them."""
    resolve = names.resolver(file.path)
    renamed, found = set(), set()
    for raw in file.scan.imports:
        for dotted in candidates(raw, file.package):
            for prefix in prefixes(dotted):
                if (target := resolve(prefix)) != prefix:
                    renamed.add((prefix, target))
            for name in {dotted, resolve(dotted)}:
                module = names.module_of(name)
                if module is not None:
                    found.add(names.path_by_name[module])
    found.discard(file.path)
    return _Imports(tuple(sorted(renamed)), found)


def modelled_files(files: dict[Path, ScannedFile], imports: dict[Path, set[Path]], more: list[Path] = ()) -> set[Path]:
    """The files importing restate, the files importing those, `more`, and every project file
    they import (`imports`: the project files each file imports)."""
    restate = {path for path, file in files.items() if file.scan.imports_restate}
    pending = [*restate, *(p for p, found in imports.items() if found & restate), *more]
    modelled: set[Path] = set()
    while pending:
        path = pending.pop()
        if path not in modelled:
            modelled.add(path)
            pending.extend(imports[path])
    return modelled


MAX_SOURCE_BYTES = 16 << 20  # larger than any real module: a bigger file is not read


def read_source(path: Path) -> tuple[bytes, os.stat_result]:
    """A file's bytes, read only if it is still a regular file when opened (it may have been
    swapped for a FIFO or a device since the walk saw it) and not over MAX_SOURCE_BYTES."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            raise OSError("not a regular file")
        if stat.st_size > MAX_SOURCE_BYTES:
            raise OSError(f"larger than {MAX_SOURCE_BYTES >> 20} MiB")
        with os.fdopen(fd, "rb", closefd=False) as f:  # asked for its size, not the bound: a
            data = f.read(stat.st_size + 1)  # buffer of the bound's size per file cost more than the read
            if len(data) > stat.st_size:  # it grew since: the rest, as far as the bound
                data += f.read(MAX_SOURCE_BYTES + 1 - len(data))
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_BYTES:
        raise OSError(f"larger than {MAX_SOURCE_BYTES >> 20} MiB")
    return data, stat


# Below this much source to parse, a second worker costs more than it saves. Measured on two cores,
# cold, handler modules: the same either way at 20 KB, a little faster with two at 40 KB, 15% at 80 KB
# (workers import the parser while this process reads the cache, so they start nearly free).
PARALLEL_BYTES = 40_000


class Workers:
    """Worker processes kept across runs, started when first needed (or `start`ed ahead, to
    import the parser while the caller does something else): a long-lived caller's isolation,
    paid for once. Two by default: a project opened with nothing cached is summarised on both
    cores of a laptop, while an editor keeps few processes idle. `start_method` None: fork where
    it is safe (a caller without threads), as pool.py decides."""

    def __init__(self, count: int = min(os.cpu_count() or 1, 2), start_method: Optional[str] = "spawn") -> None:
        self.count = count
        self.start_method = start_method
        self.pool = None

    @property
    def started(self) -> bool:
        return self.pool is not None

    def start(self) -> None:
        if self.pool is None:
            from restate_lint import pool  # noqa: PLC0415 - only when something must be parsed

            self.pool = pool.Processes(self.count, Settings(), ModuleNames(Path.cwd()), start_method=self.start_method)

    def bound(self, settings: Settings, names: ModuleNames, store: Optional[Path]):
        self.start()
        self.pool.bind(settings, names, store)
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


class _Stages:
    """The per-file stages, answered from the cache where possible; what is missing is computed
    by worker.py (in this process, or in worker processes, pool.py, when there is enough of it)."""

    def __init__(self, settings: Settings, cache: Cache, jobs: int, names: ModuleNames, isolate: bool, workers: Optional[Workers] = None):
        self.settings, self.cache, self.jobs, self.names, self.isolate, self.workers = settings, cache, jobs, names, isolate, workers
        self._executor = None

    def _start(self, files: list[ScannedFile]) -> None:
        """Start what parses `files`, before the cache is read for the rest: worker processes
        import libcst meanwhile."""
        if self._executor is not None or not files:
            return
        if self.workers is not None:
            self._executor = self.workers.bound(self.settings, self.names, self.cache.directory)
            return
        size = sum(len(file.data) for file in files)
        count = min(self.jobs, len(files)) if size >= PARALLEL_BYTES else 1
        if count > 1 or self.isolate:
            from restate_lint import pool  # noqa: PLC0415 - only when something must be parsed

            self._executor = pool.Processes(count, self.settings, self.names, self.cache.directory)
        else:
            from restate_lint.worker import InProcess  # noqa: PLC0415 - imports libcst

            self._executor = InProcess(self.settings, self.names, self.cache)

    def _run(self, tasks: list[tuple]) -> list[tuple]:
        if not tasks:
            return []
        self._start([task[1] for task in tasks])
        return self._executor.run(tasks)

    def close(self) -> None:
        if self._executor is not None and self.workers is None:
            self._executor.close()

    def summaries(self, files: list[ScannedFile], keep: set[Path], keys: dict[Path, str], plain: list[ScannedFile]) -> tuple[dict[Path, Summary], dict[Path, Optional[ParseFailure]]]:
        """Summaries of the modelled files (models of those in `keep` are kept for their check),
        and the syntax check of the plain files: one batch, so that both share the workers."""
        from restate_lint.project.summary import ModuleSummary  # noqa: PLC0415 - see the imports

        summaries: dict[Path, Summary] = {}
        failures: dict[Path, Optional[ParseFailure]] = {}
        wanted = [("summary", file, keys[file.path]) for file in files] + [("syntax", file, digest("syntax", file.digest)) for file in plain]
        present = {file.path: self.cache.has(kind, key) for kind, file, key in wanted}
        self._start([file for _, file, _ in wanted if not present[file.path]])  # before reading the rest
        tasks = []
        for kind, file, key in wanted:
            found = self.cache.get(kind, key) if present[file.path] else None
            if kind == "summary" and isinstance(found, (ModuleSummary, ParseFailure)):
                summaries[file.path] = found
            elif kind == "syntax" and isinstance(found, tuple):
                failures[file.path] = found[0]
            else:
                tasks.append(("summary", file, file.path in keep, key) if kind == "summary" else ("syntax", file, key))
        key_of = {task[1].path: task[-1] for task in tasks}
        for kind, path, value in self._run(tasks):  # the workers have stored them
            (summaries if kind == "summary" else failures)[path] = value
            self._remember(kind, key_of[path], value)
        return summaries, failures

    def _remember(self, kind: str, key: str, result) -> None:
        """A long-lived caller's memory of a result the workers computed (they stored it on disk),
        unless the cache keeps nothing of it (a check that went wrong)."""
        if self.cache.memory is not None and (stored := kept(kind, result)) is not None:
            self.cache.remember((kind, key), stored)

    def checks(self, checks: list[tuple[ScannedFile, ModuleFacts, str]]) -> tuple[list[Diagnostic], list[str]]:
        diagnostics: list[Diagnostic] = []
        errors: list[str] = []
        keys, tasks = {}, []
        for file, facts, name in checks:
            key = keys[file.path] = check_key(file, facts, self.settings)
            found = self.cache.get("check", key)
            if isinstance(found, list):
                diagnostics.extend(with_filename(found, name))
            else:
                tasks.append(("check", file, facts, name, key))
        for kind, path, result in self._run(tasks):  # the workers have stored them
            diagnostics.extend(result[0])
            errors.extend(result[1])
            self._remember(kind, keys[path], result)
        return diagnostics, errors


def summary_key(file: ScannedFile, imports: "_Imports", settings: Settings) -> str:
    """What a summary depends on: the text, where it sits, how its imports resolve, the catalogue."""
    return digest(file.digest, file.name, str(file.path), file.is_package, imports.renamed, catalogue_settings(settings))


@dataclass(frozen=True)
class _Imports:
    renamed: tuple[tuple[str, str], ...]  # (as imported, the project module it means) where they differ
    files: set[Path]  # the project files it imports


def check_key(file: ScannedFile, facts: ModuleFacts, settings: Settings) -> str:
    """What a file's diagnostics depend on: its text, its project facts, its own settings."""
    from restate_lint.sdk_version import target_sdk_version  # noqa: PLC0415 - only on a cache miss path's key

    codes = tuple(sorted(settings.enabled_codes(file.path)))
    return digest(file.digest, file.name, str(file.path), digest(facts), codes, target_sdk_version(settings), catalogue_settings(settings), settings.ignore_noqa)


def print_internal_errors(errors: list[str]) -> None:
    for error in errors:
        print(f"restate-lint: {error}", file=sys.stderr)


Summary = Union["ModuleSummary", ParseFailure]  # a string: ModuleSummary is imported when needed
