"""Git's ignore rules, read in-process.

git itself is never run: a linted repository's `.git/config` can name programs (`core.fsmonitor`,
hooks, aliases) that git would execute, and a linter must not run anything the linted tree
configures. `.gitignore` files at every level and `.git/info/exclude` are honoured; the user's
global excludes file and whether a file is tracked are not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from restate_lint.paths import RealPaths
from restate_lint.project.files import is_regular_file

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


def git_toplevel(folder: Path) -> Optional[Path]:
    """The top folder of the git work tree holding `folder` (where `.git` is), if any."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


_MAX_RULES = 1 << 20  # bytes of one ignore file that are read


def _read_lines(path: Path) -> list[str]:
    """The lines of a regular file (a FIFO named .gitignore would block the walk forever, a link
    to /dev/zero would never end)."""
    if not is_regular_file(path):
        return []
    try:
        with open(path, "rb") as f:
            return f.read(_MAX_RULES).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []


class IgnoreRules:
    """Whether git would ignore a path below `top`: the deepest `.gitignore` with a matching
    pattern decides, as in git (a later pattern overrides an earlier one, `!` re-includes)."""

    def __init__(self, top: Path):
        self.top = top.resolve()
        self._specs: dict[Path, Optional[GitIgnoreSpec]] = {}
        self._real = RealPaths()

    def _spec(self, folder: Path) -> Optional[GitIgnoreSpec]:
        if folder not in self._specs:
            lines = _read_lines(folder / ".gitignore")
            if folder == self.top:
                lines = _read_lines(folder / ".git" / "info" / "exclude") + lines
            spec = None
            if any(line.strip() for line in lines):
                from pathspec import GitIgnoreSpec  # noqa: PLC0415 - a tree without .gitignore files never needs it

                spec = GitIgnoreSpec.from_lines(lines)
            self._specs[folder] = spec
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        path = self._real.in_real_folder(path)
        if path == self.top or self.top not in path.parents:
            return False
        for folder in path.parents:
            spec = self._spec(folder)
            if spec is not None:
                relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
                verdict = spec.check_file(relative).include
                if verdict is not None:
                    return verdict
            if folder == self.top:
                break
        return False
