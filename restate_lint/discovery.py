"""Which files to lint: the given paths, walked, minus excludes and .gitignore'd files.

A file named explicitly is always linted (unless `force-exclude` is set, as tools that pass
file names, like pre-commit, want); excludes apply to what a walk finds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from restate_lint.config import Settings, has_own_config
from restate_lint.gitignore import IgnoreRules, git_toplevel
from restate_lint.project.files import python_files_under


class PathError(Exception):
    """A path given on the command line that does not exist."""


def exclusion(settings: Settings, nested: Optional[list[Path]] = None) -> Callable[[Path, bool], bool]:
    """A predicate for paths found by walking: configured excludes, .gitignore, and folders that
    hold a project of their own (a pyproject.toml with a [tool.restate-lint] table), which are
    added to `nested` and left to that project."""
    rules = IgnoreRules(git_toplevel(settings.root) or settings.root)

    def excluded(path: Path, is_dir: bool) -> bool:
        if settings.is_excluded(path, is_dir) or rules.ignored(path, is_dir):
            return True
        if is_dir and has_own_config(path) and path.resolve() != settings.root.resolve():
            if nested is not None:
                nested.append(path)
            return True
        return False

    return excluded


def discover(paths: list[Path], settings: Settings, nested: Optional[list[Path]] = None) -> list[Path]:
    """The files to lint, in a stable order; folders of other projects met on the way go to `nested`."""
    excluded = exclusion(settings, nested)
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


def project_files(settings: Settings, folders: Optional[set] = None, nested: Optional[list[Path]] = None) -> list[Path]:
    """Every Python file of the project, for cross-file lookups (parsed only when reached); the
    folders walked go to `folders`, the projects found inside it to `nested`."""
    return python_files_under(settings.root.resolve(), exclusion(settings, nested), folders)
