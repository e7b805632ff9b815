"""`restate-lint compat`: the two versions read, compared, and reported as diagnostics."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from restate_lint.config import Settings
from restate_lint.deploy.compat import compare
from restate_lint.deploy.gitrev import git_dir as find_git_dir
from restate_lint.deploy.report import compat_result
from restate_lint.deploy.sources import Version, revision_version, saved_version, tree_version
from restate_lint.discovery import PathError
from restate_lint.runner import Result


def compare_versions(path: Path, against: str, revision: Optional[str], git_dir: Optional[Path], settings_at: Callable[[Path], Settings]) -> tuple[Result, Path]:
    """The changes from `against` (a revision, or a saved manifest) to `revision`, or to the
    code under `path`; and the folder the output's paths are relative to."""
    if git_dir is not None:
        directory, subpath = git_dir, Path(path).as_posix().strip("/").removeprefix(".").strip("/")
        settings = settings_at(Path.cwd())
    else:
        directory, subpath = None, ""
        settings = settings_at(path.resolve() if path.is_dir() else path.resolve().parent)

    def version(ref: str) -> Version:
        nonlocal directory, subpath
        if directory is None:
            directory, subpath = find_git_dir(path)
        return revision_version(directory, ref, subpath, settings)

    saved = Path(against)
    from_file = against.endswith(".json") and saved.is_file()
    old = saved_version(saved) if from_file else version(against)
    new = version(revision) if revision is not None else tree_version(path, settings_at)
    try:
        return compat_result(compare(old.manifest, new.manifest, old.label), old, new, settings), settings.root
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if not from_file:
            raise
        raise PathError(f"{against}: not a manifest saved by `restate-lint manifest` ({type(exc).__name__}: {exc})") from None
