"""Where output formats read by other tools (SARIF, GitHub) place files: relative to the source
root, which is the git work tree holding the project (what GitHub resolves paths against), else
the project root."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from restate_lint.gitignore import git_toplevel


def source_root(root: Path) -> Path:
    return git_toplevel(root) or root.resolve()


def relative_path(path: Path, base: Path) -> Optional[str]:
    """`path` relative to `base` with `/` separators, or None when it lies outside."""
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return None
