"""The paths given to one run, as projects: each file is linted with its own project's settings
and its own project's modules (Ruff's model), whatever the order or the subset of paths named."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

from restate_lint.cache import Cache, build, cache_dir
from restate_lint.config import Settings, has_own_config, load, project_root
from restate_lint.diagnostics import Diagnostic
from restate_lint.discovery import check_path, discover, project_files
from restate_lint.project.files import is_under
from restate_lint.runner import Result, Workers, lint_paths


@dataclass
class Project:
    settings: Settings
    paths: list[Path] = field(default_factory=list)  # what to lint, as named or found
    files: list[Path] = field(default_factory=list)  # every file of the project (resolved)
    folders: set[Path] = field(default_factory=set)  # the folders its walk reached
    nested: list[Path] = field(default_factory=list)  # projects inside it

    @classmethod
    def walked(cls, settings: Settings) -> "Project":
        project = cls(settings)
        project.files = project_files(settings, project.folders, project.nested)
        return project

    def found_under(self, folder: Path) -> Optional[tuple[list[Path], list[Path]]]:
        """The files and nested projects below a folder, from the project's own walk, named from
        `folder` as given; None when the walk did not reach it (it is excluded)."""
        base = folder.resolve()
        if base not in self.folders:
            return None
        files = [folder / f.relative_to(base) for f in self.files if is_under(f, base)]
        return files, [folder / n.relative_to(base) for n in self.nested if is_under(n, base)]


def settings_loader(config: Optional[Path], no_config: bool, adjust: Callable[[Settings], Settings] = lambda s: s) -> Callable[[Path], Settings]:
    """How a project root gets its settings: from `--config`, none (`--no-config`), or its own
    pyproject.toml; `adjust` applies the command line's options on top."""

    def settings_at(root: Path) -> Settings:
        if no_config:
            return adjust(Settings(root=root))
        path = config if config is not None else root / "pyproject.toml" if has_own_config(root) else None
        return adjust(load(path, root))

    return settings_at


def projects(
    paths: list[Path],
    settings_at: Callable[[Path], Settings],
    overrides: Optional[dict[Path, bytes]] = None,
    before_walk: Optional[Callable[[Path], None]] = None,
) -> list[Project]:
    """The given paths grouped by project, folders walked (a folder with its own project inside
    a walked folder is walked as that project). Raises PathError for a path that cannot be linted.
    `before_walk` is given each project's root before its tree is walked."""
    overrides = overrides or {}
    by_root: dict[Path, Project] = {}
    pending = list(paths)
    while pending:
        path = pending.pop(0)
        if path not in overrides:
            check_path(path)
        root = project_root(path)
        if root not in by_root:
            if before_walk is not None:
                before_walk(root)
            by_root[root] = Project.walked(settings_at(root))
        project = by_root[root]
        found = project.found_under(path) if path not in overrides and path.is_dir() else None
        if found is not None:
            project.paths.extend(found[0])
            pending.extend(found[1])
        elif path in overrides:
            project.paths.append(path)
        else:
            nested: list[Path] = []
            project.paths.extend(discover([path], project.settings, nested))
            pending.extend(nested)
    for project in by_root.values():
        project.paths = list(dict.fromkeys(project.paths))
    return [p for p in by_root.values() if p.paths]


def lint_projects(
    found: list[Project],
    overrides: Optional[dict[Path, bytes]] = None,
    display: Optional[dict[Path, str]] = None,
    cache: bool = True,
    configured_cache: Optional[Path] = None,
    jobs: int = 1,
    workers: Optional[Workers] = None,
) -> Result:
    """Lint each project on its own; one result, in a stable order. `workers`: processes started
    ahead (`surely_parses`, before the walk) that parse for every project."""
    merged = Result()
    for project in found:
        store = Cache(cache_dir(project.settings.root, configured_cache)) if cache else None
        result = lint_paths(project.paths, project.settings, overrides, display, files=project.files, cache=store, jobs=jobs, isolate=True, workers=workers)
        merged.diagnostics.extend(_without_unfixable(result.diagnostics, project.settings))
        merged.files += result.files
        merged.internal_errors.extend(result.internal_errors)
        merged.loaded |= result.loaded
        merged.sources.update(result.sources)
        if store is not None:
            merged.cache_stats.update(store.stats)
    merged.diagnostics.sort(key=Diagnostic.sort_key)
    return merged


def surely_parses(root: Path, cache: bool, configured_cache: Optional[Path]) -> bool:
    """Will a run over the project at `root` parse files, whatever its walk finds: no cache, or
    nothing cached by this build? Then its workers may start before the walk."""
    return not cache or not (cache_dir(root, configured_cache) / build()).is_dir()


def _without_unfixable(diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """The fixes of rules made unfixable (`fixable`/`unfixable`) are neither offered nor applied."""
    if settings.fixable is None and not settings.unfixable:
        return diagnostics
    fixable = settings.fixable_codes()
    return [d if d.fix is None or d.code in fixable else replace(d, fix=None) for d in diagnostics]


def common_root(found: list[Project]) -> Path:
    """Where output formats place paths from: the deepest folder holding every project."""
    roots = [p.settings.root.resolve() for p in found] or [Path.cwd().resolve()]
    common = roots[0]
    while not all(r == common or common in r.parents for r in roots):
        common = common.parent
    return common
