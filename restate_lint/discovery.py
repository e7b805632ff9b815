"""Which files to lint: the given paths, walked, minus excludes and .gitignore'd files.

A file named explicitly is always linted (unless `force-exclude` is set, as tools that pass
file names, like pre-commit, want); excludes apply to what a walk finds.
"""

from __future__ import annotations

import fnmatch
import subprocess
from pathlib import Path
from typing import Callable, Optional

from restate_lint.config import Settings
from restate_lint.project import python_files_under


class PathError(Exception):
    """A path given on the command line that does not exist."""


def git_toplevel(folder: Path) -> Optional[Path]:
    """The top folder of the git work tree holding `folder`, if any."""
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(top.stdout.decode().strip()).resolve()


def git_visible_files(root: Path) -> Optional[set[Path]]:
    """Tracked plus untracked-but-not-ignored files, when `root` is in a git work tree."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"],
            capture_output=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    toplevel = git_toplevel(root)
    if toplevel is None:
        return None
    return {(toplevel / name).resolve() for name in out.stdout.decode(errors="replace").split("\0") if name}


def _gitignore_patterns(root: Path) -> list[str]:
    try:
        lines = (root / ".gitignore").read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith(("#", "!"))]


def exclusion(settings: Settings) -> Callable[[Path, bool], bool]:
    """A predicate for paths found by walking: configured excludes, then .gitignore."""
    visible = git_visible_files(settings.root)
    patterns = [] if visible is not None else _gitignore_patterns(settings.root)

    def excluded(path: Path, is_dir: bool) -> bool:
        if settings.is_excluded(path, is_dir):
            return True
        if visible is not None:
            return not is_dir and path.resolve() not in visible
        name = path.name
        return any(fnmatch.fnmatch(name, p.rstrip("/")) for p in patterns if not p.endswith("/") or is_dir)

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
