"""Which files to lint: the given paths, walked, minus excludes and .gitignore'd files.

A file named explicitly is always linted (unless `force-exclude` is set, as tools that pass
file names, like pre-commit, want); excludes apply to what a walk finds. So is a folder named
explicitly, as Ruff does: when it is itself excluded or ignored, only the rules inside it apply.
A folder that belongs to no project (no pyproject.toml above it) is not searched for modules
beyond its own files: a loose file, or an editor's buffer at `/`, does not walk the disk.
"""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional

from restate_lint.config import Settings, has_own_config
from restate_lint.gitignore import IgnoreRules, git_toplevel
from restate_lint.paths import RealPaths
from restate_lint.project.files import is_regular_file, python_files_under


class PathError(Exception):
    """A path given on the command line that cannot be linted: missing, a looping link, not a
    file or a folder."""


def check_path(path: Path) -> None:
    """Raise PathError, in one line, for a path that is neither a folder nor a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise PathError(f"{path}: no such file or directory") from None
    except (OSError, ValueError) as exc:
        raise PathError(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        raise PathError(f"{path}: not a regular file or a folder")


def exclusion(settings: Settings, nested: Optional[list[Path]] = None, top: Optional[Path] = None) -> Callable[[Path, bool], bool]:
    """A predicate for paths found by walking: configured excludes, .gitignore, and folders that
    hold a project of their own (a pyproject.toml with a [tool.restate-lint] table), which are
    added to `nested` and left to that project. `top`: where .gitignore files are read from
    (default: the git work tree)."""
    rules = IgnoreRules(top or git_toplevel(settings.root) or settings.root)

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
        check_path(path)
        if is_regular_file(path):
            if not (settings.force_exclude and settings.is_excluded(path, False)):
                files.append(path)
        elif not excluded(path, True) or settings.force_exclude:
            files.extend(python_files_under(path, excluded))
        else:  # named explicitly: what excludes it is left out, what it holds still applies
            files.extend(python_files_under(path, exclusion(replace(settings, root=path), nested, top=path)))
    seen: set[Path] = set()
    unique = []
    real = RealPaths()
    for f in files:
        key = real(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def project_files(settings: Settings, folders: Optional[set] = None, nested: Optional[list[Path]] = None) -> list[Path]:
    """Every Python file of the project, for cross-file lookups (parsed only when reached); the
    folders walked go to `folders`, the projects found inside it to `nested`. Without a
    pyproject.toml the root is only a folder: its own files, not walked."""
    root = settings.root.resolve()
    if not (root / "pyproject.toml").is_file():
        return python_files_under(root, exclusion(settings), recursive=False)
    return python_files_under(root, exclusion(settings, nested), folders)
