"""Which files to lint: the given paths, walked, minus excludes and .gitignore'd files.

A file named explicitly is always linted (unless `force-exclude` is set, as tools that pass
file names, like pre-commit, want); excludes apply to what a walk finds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from restate_lint.config import Settings
from restate_lint.gitignore import IgnoreRules, git_toplevel
from restate_lint.project.files import python_files_under


class PathError(Exception):
    """A path given on the command line that does not exist."""


def exclusion(settings: Settings) -> Callable[[Path, bool], bool]:
    """A predicate for paths found by walking: configured excludes, then .gitignore."""
    rules = IgnoreRules(git_toplevel(settings.root) or settings.root)

    def excluded(path: Path, is_dir: bool) -> bool:
        return settings.is_excluded(path, is_dir) or rules.ignored(path, is_dir)

    return excluded


def discover(paths: list[Path], settings: Settings) -> list[Path]:
    """The files to lint, in a stable order."""
    excluded = exclusion(settings)
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            if not (settings.force_exclude and settings.is_excluded(path, False)):
                files.append(path)
        elif path.is_dir():
            files.extend(python_files_under(path, excluded))
        else:
            raise PathError(f"{path}: no such file or directory")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def project_files(settings: Settings) -> list[Path]:
    """Every Python file of the project, for cross-file lookups (parsed only when reached)."""
    return python_files_under(settings.root, exclusion(settings))
